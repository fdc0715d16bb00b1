"""Rich text: the one sanitiser, and helpers that read the cleaned HTML.

Every rich-text field (section bodies, author bios) passes through `clean()`
in its model's `save()`, so the admin, the importer and the shell all store
the same safe subset of HTML.
"""

import html
import re

import nh3
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from django_prose_editor.config import allowlist_from_extensions
from django_prose_editor.widgets import AdminProseEditorWidget
from js_asset import Media

from . import calendar, editions

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
# Notes too: <span data-note>…</span> where they belong, numbered on pages
# (static/js/editor-note.js).
BODY_EXTENSIONS = {**EDITOR_EXTENSIONS, "LibraryFigure": True, "Note": True}


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
# The text cleaned last, with its result: a form's check, the model's check
# of the notes and the save clean the same text one after the other.
_last_cleaned = (None, None, "")


def clean(value, *, section=False):
    """Return `value` reduced to what the editor can produce; scripts and styles go whole.

    `section`: a section body, which may also hold library figures and notes.
    """
    global _last_cleaned
    if not value:
        return ""
    last_value, last_section, result = _last_cleaned
    if section == last_section and value == last_value:
        return result
    result = _unwrap_plain_spans(_cleaners[section].clean(value)).strip()
    _last_cleaned = (value, section, result)
    return result


_SPAN = re.compile("span", re.IGNORECASE)


def _unwrap_plain_spans(value):
    """Remove the spans that are not notes, keeping their text (word processors
    wrap text in spans whose attributes the sanitiser has already removed)."""
    if not _SPAN.search(value):
        return value  # Most text has none: no need to go through it tag by tag.
    kept, spans = [], []
    for token in _TOKEN.split(value):
        lowered = token.lower()
        if lowered.startswith("<span"):
            spans.append(bool(_NOTE.match(token)))
            if spans[-1]:
                kept.append(token)
        elif lowered.startswith("</span"):
            if spans and spans.pop():
                kept.append(token)
        else:
            kept.append(token)
    return "".join(kept)


def editor_widget(*, section=False):
    """The admin's rich-text widget, configured like the sanitiser."""
    extensions = BODY_EXTENSIONS if section else EDITOR_EXTENSIONS
    return AdminProseEditorWidget(config={"extensions": extensions}, preset="configurable")


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
    """A short plain-text summary of an HTML fragment, its notes left out."""
    return Truncator(plain_text(without_notes(value))).words(words, truncate="…")


# Notes. A section body holds each note where it belongs, as
# <span data-note>text, which may hold links and emphasis</span>; pages show a
# numbered reference there and the notes after the last section.
_TOKEN = re.compile(r"(<[^>]*>)")
_NOTE = re.compile(r"<span\b[^>]*\bdata-note\b", re.IGNORECASE)
_HEADING = re.compile(r"<(/?)h[1-6]\b", re.IGNORECASE)
_NOTE_MARK = re.compile("data-note", re.IGNORECASE)


def parse_notes(value):
    """Split sanitised HTML into pieces ("html", text outside notes) and
    ("note", a note's inner HTML), in order; with the problems found."""
    if not _NOTE_MARK.search(value or ""):
        return ([("html", value)] if value else []), []  # No note: one piece, as it is.
    pieces, problems = [], []
    outside, note, depth, in_heading = [], None, 0, 0
    for token in _TOKEN.split(value or ""):
        if note is None:
            if _NOTE.match(token):
                if in_heading:
                    problems.append(_("A note cannot stand in a heading."))
                pieces.append(("html", "".join(outside)))
                outside, note, depth = [], [], 1
                continue
            heading = _HEADING.match(token)
            if heading:
                in_heading += -1 if heading.group(1) else 1
            outside.append(token)
            continue
        if _NOTE.match(token):
            problems.append(_("A note cannot hold another note."))
        if token.lower().startswith("<span"):
            depth += 1
        elif token.lower().startswith("</span"):
            depth -= 1
            if not depth:
                text = "".join(note)
                if not plain_text(text):
                    problems.append(_("A note is empty: write its text or remove it."))
                pieces.append(("note", text))
                note = None
                continue
        note.append(token)
    if note is not None:
        pieces.append(("note", "".join(note)))
    pieces.append(("html", "".join(outside)))
    return [piece for piece in pieces if piece[1] or piece[0] == "note"], problems


def note_problems(value):
    """Why the notes of an HTML fragment cannot be kept (none: an empty list)."""
    return list(dict.fromkeys(parse_notes(clean(value, section=True))[1]))


def without_notes(value):
    """The HTML with its notes left out (for excerpts and reading time)."""
    return "".join(text for kind, text in parse_notes(value)[0] if kind == "html")


def note_reference(number):
    """The numbered link a reader sees where a note belongs."""
    shown = calendar.persian_digits(number) if editions.current() == editions.PERSIAN else number
    return format_html(
        '<sup class="note-ref"><a href="#note-{}" id="note-ref-{}" role="doc-noteref"'
        ' aria-label="{}">{}</a></sup>',
        number,
        number,
        _("Note %(number)s") % {"number": shown},
        shown,
    )


def number_notes(bodies, reference):
    """Each body with its notes replaced by `reference(number)`, numbered in
    reading order across the bodies; and the notes as (number, HTML)."""
    notes, numbered = [], []
    for body in bodies:
        parts = []
        for kind, text in parse_notes(body)[0]:
            if kind == "note":
                notes.append((len(notes) + 1, text))
                text = reference(len(notes))
            parts.append(text)
        numbered.append("".join(parts))
    return numbered, notes


def anchor_for(heading, taken):
    """A stable fragment id for `heading`, unique among the ids in `taken`."""
    base = slugify(heading, allow_unicode=True) or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    taken.add(anchor)
    return anchor
