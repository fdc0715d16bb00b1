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
