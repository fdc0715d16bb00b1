"""Rich text: the one sanitiser, and helpers that read the cleaned HTML.

Every rich-text field (section bodies, author bios) passes through `clean()`
in its model's `save()`, so the admin, the importer and the shell all store
the same safe subset of HTML.
"""

import html
import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import allowlist_from_extensions
from django_prose_editor.widgets import AdminProseEditorWidget

# What the admin's rich-text editor can produce. The sanitiser's allow-list
# is derived from the same configuration, so text written in the editor comes
# back unchanged and anything else (pasted office markup, scripts, styles) is
# removed.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "History": True,
}

# Section bodies can also hold figures from the image library, stored as
# `<figure data-image="12"></figure>` and printed in full (picture, caption,
# credit) by `figures.py`. The editor's part is static/js/library-figure.js,
# declared in the settings (DJANGO_PROSE_EDITOR_EXTENSIONS).
BODY_EXTENSIONS = {**EDITOR_EXTENSIONS, "LibraryFigure": True}


def _only_image_numbers(tag, attribute, value):
    if tag == "figure" and attribute == "data-image":
        return value if value.isdigit() else None
    return value


def _cleaner_for(extensions):
    return nh3.Cleaner(
        **allowlist_from_extensions(extensions),
        clean_content_tags={"script", "style"},
        strip_comments=True,
        attribute_filter=_only_image_numbers,
    )


_cleaners = {False: _cleaner_for(EDITOR_EXTENSIONS), True: _cleaner_for(BODY_EXTENSIONS)}


def clean(value, *, figures=False):
    """Return `value` reduced to what the editor can produce; scripts and styles go whole.

    `figures`: library figures are kept (section bodies).
    """
    if not value:
        return ""
    return _cleaners[figures].clean(value).strip()


def editor_widget(*, figures=False):
    """The admin's rich-text widget, configured like the sanitiser."""
    extensions = BODY_EXTENSIONS if figures else EDITOR_EXTENSIONS
    return AdminProseEditorWidget(config={"extensions": extensions}, preset="configurable")


# Characters no text here should hold: invisible controls that come with pasted
# text and that XML (feeds, sitemaps) cannot carry. Tab and newlines are fine.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_plain_text(value):
    if CONTROL_CHARACTERS.search(value or ""):
        raise ValidationError(
            _("Remove the invisible control characters from this text."), code="control"
        )


def without_controls(value):
    return CONTROL_CHARACTERS.sub("", value or "")


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
