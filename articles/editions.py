"""The two editions, English and Persian: what differs between them.

Dates in words are written here, for pages, citations and feeds alike.
"""

from django.utils import dateformat, timezone
from django.utils.translation import get_language

from . import calendar

PERSIAN = "fa"


def date_in_words(value):
    """A date in words: "April 20, 2016"; in the Persian edition, "۱ اردیبهشت ۱۳۹۵".

    A moment is read as a date in the site's time zone.
    """
    if not value:
        return ""
    if isinstance(value, timezone.datetime):
        value = timezone.localtime(value)
    if get_language() == PERSIAN:
        return calendar.solar_text(value)
    return dateformat.format(value, "F j, Y")
