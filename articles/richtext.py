"""Rich text: the one sanitiser, and helpers that read the cleaned HTML.

Every rich-text field (section bodies, author bios) passes through `clean()`
in its model's `save()`, so the admin, the importer and the shell all store
the same safe subset of HTML.
"""

import html
import re

import nh3
from django.utils.text import Truncator, slugify

ALLOWED_TAGS = {
    "p",
    "br",
    "h3",
    "h4",
    "strong",
    "em",
    "b",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean(value):
    """Return `value` reduced to the allowed HTML; scripts, styles and their content go."""
    if not value:
        return ""
    return nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags={"script", "style"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def plain_text(value):
    """The readable text of an HTML fragment, on one line."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value or ""))).strip()


def excerpt(value, words=40):
    """A short plain-text summary of an HTML fragment."""
    return Truncator(plain_text(value)).words(words, truncate="…")


def anchor_for(heading, taken):
    """A stable fragment id for `heading`, unique among the ids in `taken`."""
    base = slugify(heading, allow_unicode=True) or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor
