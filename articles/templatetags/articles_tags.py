"""What templates cannot say themselves: dates as readers of each edition expect them."""

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

register = template.Library()


@register.filter
def display_date(value):
    """A date in words for the current edition: "April 20, 2016"."""
    if not value:
        return ""
    if isinstance(value, timezone.datetime):
        value = timezone.localtime(value)
    return dateformat.format(value, "F j, Y")


@register.simple_tag
def time_tag(value):
    """A `<time>` element: the date in words, with the exact moment for machines."""
    local = timezone.localtime(value)
    return format_html('<time datetime="{}">{}</time>', local.isoformat(), display_date(local))
