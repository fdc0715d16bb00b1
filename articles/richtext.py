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
from js_asset import Media

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

_cleaner = nh3.Cleaner(
    **allowlist_from_extensions(EDITOR_EXTENSIONS),
    clean_content_tags={"script", "style"},
    strip_comments=True,
)


def clean(value):
    """Return `value` reduced to what the editor can produce; scripts and styles go whole."""
    if not value:
        return ""
    return _cleaner.clean(value).strip()


def editor_widget():
    """The admin's rich-text widget, configured like the sanitiser."""
    return AdminProseEditorWidget(config={"extensions": EDITOR_EXTENSIONS}, preset="configurable")


class EditorAdminMixin:
    """For a ModelAdmin whose form holds the rich-text editor: the editor's inline
    import map carries the request's Content-Security-Policy nonce, the only
    inline script the admin's policy lets run."""

    def render_change_form(self, request, context, *args, **kwargs):
        context["media"] = Media.from_media(context["media"], nonce=request.csp_nonce)
        return super().render_change_form(request, context, *args, **kwargs)


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
