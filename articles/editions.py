"""The two editions, English and Persian: everything that differs between them.

Which edition a request is in is Django's current language (English
unprefixed, Persian under /fa/). From it follow the other edition, the
direction text runs in (from Django's own language information), values
kept in both languages, dates in words and the institute's name. Templates
reach these through the `site` context processor and `articles_tags`.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import get_language, get_language_info, override

from . import calendar

ENGLISH, PERSIAN = "en", "fa"
# Open Graph names locales with a territory.
OG_LOCALES = {ENGLISH: "en_US", PERSIAN: "fa_IR"}


def current():
    """The language of the edition being served."""
    return get_language() or settings.LANGUAGE_CODE


def other(language=None):
    """The other edition's language."""
    return ENGLISH if (language or current()) == PERSIAN else PERSIAN


def direction(language=None):
    """ "rtl" or "ltr": how text in `language` (the current edition's) runs."""
    return "rtl" if get_language_info(language or current())["bidi"] else "ltr"


def localised(english, persian, language=None):
    """The value in `language` (the current edition's) if there is one, else in English."""
    if (language or current()) == PERSIAN and persian:
        return persian
    return english


def reverse_in(language, name, **kwargs):
    """The address of the page `name` in the edition of `language`."""
    with override(language):
        return reverse(name, kwargs=kwargs)


def site_name():
    """The institute's name in the current edition's language."""
    return localised(settings.SITE_NAME, settings.SITE_NAME_FA)


def date_in_words(value):
    """A date in words: "April 20, 2016"; in the Persian edition, "۱ اردیبهشت ۱۳۹۵".

    A moment is read as a date in the site's time zone.
    """
    if not value:
        return ""
    if isinstance(value, timezone.datetime):
        value = timezone.localtime(value)
    if current() == PERSIAN:
        return calendar.solar_text(value)
    return dateformat.format(value, "F j, Y")
