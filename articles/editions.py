"""The two editions, English and Persian: everything that differs between them.

Which edition a request is in is Django's current language (English
unprefixed, Persian under /fa/). From it follow the other edition, the
direction text runs in (from Django's own language information), values
kept in both languages, dates in words and the institute's name. Templates
reach these through the `site` context processor and `articles_tags`.
"""

import functools
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import dateformat, timezone
from django.utils.http import RFC3986_SUBDELIMS
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
    pattern = None
    if all(isinstance(value, str) for value in kwargs.values()):
        keys = tuple(sorted(kwargs))
        pattern = _pattern(get_urlconf(), get_script_prefix(), language, name, keys)
    if pattern is None:
        with override(language):
            return reverse(name, kwargs=kwargs)
    return "".join(
        part if key is None else quote(kwargs[key], safe=RFC3986_SUBDELIMS + "/~:@")
        for part, key in pattern
    )


# Reversing is costly (it reads the language, the URLconf and the script
# prefix from thread-locals many times over), and lists print hundreds of
# addresses: so each page's address is reversed once per edition with these
# stand-ins, which the values then replace (given as the converters print
# them: other values go through reverse).
_STAND_INS = {"year": "1999", "month": "88", "day": "77", "slug": "slug-stand-in"}


@functools.lru_cache(maxsize=256)
def _pattern(urlconf, script_prefix, language, name, keys):
    """The address of `name` as (text, None) and (None, key) parts; None when
    it cannot be made so (reverse then does it)."""
    if not keys or not set(keys) <= _STAND_INS.keys():
        return None
    with override(language):
        sample = reverse(name, urlconf=urlconf, kwargs={key: _STAND_INS[key] for key in keys})
    if any(sample.count(_STAND_INS[key]) != 1 for key in keys):
        return None
    pattern, at = [], 0
    for start, key in sorted((sample.find(_STAND_INS[key]), key) for key in keys):
        pattern += [(sample[at:start], None), (None, key)]
        at = start + len(_STAND_INS[key])
    return tuple((*pattern, (sample[at:], None)))


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
        value = timezone.localtime(value).date()
    return _day_in_words(value, current())


@functools.lru_cache(maxsize=4096)
def _day_in_words(day, language):
    # Remembered: lists print the same few days over and over.
    if language == PERSIAN:
        return calendar.solar_text(day)
    return dateformat.format(day, "F j, Y")
