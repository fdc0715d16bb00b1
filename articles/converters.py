"""URL path converters, registered once in the root URLconf.

Years are 1900 to 2099; months and days are exactly two digits and stay strings,
so `/articles/2016/4/` is a 404 rather than a second address for the same
page; slugs may be Persian.
"""


class FourDigitYear:
    # Years the archive can hold; others are a 404, not a date out of range.
    regex = "(?:19|20)[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):04d}"


class SolarYear(FourDigitYear):
    # The Solar Hijri years of the same span (1900 is 1278/1279, 2099 is 1477/1478).
    regex = "1[2-4][0-9]{2}"


class TwoDigits:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


class UnicodeSlug:
    regex = r"[-\w]+"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value
