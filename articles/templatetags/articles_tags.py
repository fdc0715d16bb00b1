"""What templates cannot say themselves: dates and numbers as each edition writes them."""

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import calendar, editions
from ..documents import readable_size

register = template.Library()


def _persian():
    return editions.current() == editions.PERSIAN


@register.filter
def display_date(value):
    """A date in words, as the edition writes it (see `editions.date_in_words`)."""
    return editions.date_in_words(value)


@register.filter
def month_year(value):
    """A Gregorian month in words ("April 2016"), with Persian digits in the Persian edition."""
    return digits(dateformat.format(value, "F Y"))


@register.filter
def digits(value):
    """Numbers in the Persian edition's digits."""
    # A string either way: printing a number would format it for the locale
    # (which, without thousands separators, prints it as it is, slowly).
    return calendar.persian_digits(value) if _persian() else str(value)


@register.simple_tag
def time_tag(value):
    """A `<time>` element: the date in words, with the exact moment for machines."""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), display_date(local))


@register.simple_tag
def lang_attrs(language):
    """` lang="…" dir="…"` for text in `language` inside a page of the other edition."""
    if language == editions.current():
        return ""
    return format_html(' lang="{}" dir="{}"', language, editions.direction(language))


@register.filter
def document_facts(document):
    """ "PDF, 2.4 MB, 36 pages", with the edition's digits."""
    pages = ngettext("%(count)s page", "%(count)s pages", document.page_count) % {
        "count": document.page_count
    }
    return digits(
        _("PDF, %(size)s, %(pages)s") % {"size": readable_size(document.size), "pages": pages}
    )
