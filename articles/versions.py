"""Saved versions of articles (django-reversion), and a readable comparison of two.

Every admin save of an article records a revision holding the article, its
sections, bylines and key word links. `snapshot()` reads one back as plain
text; `compare()` lines two up field by field, and section by section in
reading order, with changed words marked.
"""

import difflib
import re

import reversion
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from reversion.models import Version

from authors.models import Author

from . import richtext
from .models import Article, ArticleAuthor, Keyword, Section, TaggedArticle

reversion.register(Article, follow=["sections", "bylines", "tagged_items"])
reversion.register(Section)
reversion.register(ArticleAuthor)
reversion.register(TaggedArticle)

ARTICLE_FIELDS = [
    ("title", _("Title")),
    ("slug", _("Slug")),
    ("status", _("Status")),
    ("published_at", _("Publication date")),
    ("summary", _("Summary")),
    ("image", _("Image")),
    ("photo_credit", _("Photo credit")),
]


def missing_references(version):
    """Names of key words and authors the version's revision links to that are gone.

    Such a version cannot be restored as it was (a key word merged away, an
    author deleted since).
    """
    by_model = _revision_rows(version)
    tag_ids = {item["tag_id"] for item in by_model.get(TaggedArticle, [])}
    author_ids = {item["author_id"] for item in by_model.get(ArticleAuthor, [])}
    missing_tags = tag_ids - set(
        Keyword.objects.filter(pk__in=tag_ids).values_list("pk", flat=True)
    )
    missing_authors = author_ids - set(
        Author.objects.filter(pk__in=author_ids).values_list("pk", flat=True)
    )
    return len(missing_tags) + len(missing_authors)


def versions_of(article):
    """The article's saved versions, newest first, with who saved them."""
    return Version.objects.get_for_object(article).select_related("revision__user")


def _revision_rows(version):
    """The field dicts of everything `version`'s revision saved, by model."""
    by_model = {}
    for item in version.revision.version_set.all():
        by_model.setdefault(item.content_type.model_class(), []).append(item.field_dict)
    return by_model


def snapshot(version):
    """The article as it was in `version`'s revision, as labelled plain text,
    and its sections in reading order as (id, text) pairs."""
    by_model = _revision_rows(version)
    article_id = int(version.object_id)
    article = version.field_dict
    rows = [(str(label), str(article.get(name) or "")) for name, label in ARTICLE_FIELDS]

    bylines = sorted(
        (b for b in by_model.get(ArticleAuthor, []) if b["article_id"] == article_id),
        key=lambda b: (b["order"], b["id"]),
    )
    names = dict(
        Author.objects.filter(pk__in=[b["author_id"] for b in bylines]).values_list("pk", "name")
    )
    rows.append(
        (str(_("Authors")), "; ".join(_byline_text(b, names.get(b["author_id"])) for b in bylines))
    )

    # Key words in the order they were given, one a line: a name may hold a comma.
    links = sorted(
        (t for t in by_model.get(TaggedArticle, []) if t["content_object_id"] == article_id),
        key=lambda t: t["id"],
    )
    keyword_names = dict(
        Keyword.objects.filter(pk__in=[t["tag_id"] for t in links]).values_list("pk", "name")
    )
    rows.append(
        (
            str(_("Key words")),
            "\n".join(keyword_names[t["tag_id"]] for t in links if t["tag_id"] in keyword_names),
        )
    )

    # As readers see them: by their order, then as added (Section.Meta.ordering);
    # the revision keeps them newest first.
    sections = sorted(
        (s for s in by_model.get(Section, []) if s["article_id"] == article_id),
        key=lambda s: (s["order"], s["id"]),
    )
    parts = []
    for section in sections:
        text = richtext.plain_text(section["body"])
        if section["heading"]:
            text = f"{section['heading']}\n{text}"
        parts.append((section["id"], text))
    return rows, parts


def _byline_text(byline, name):
    titles = ", ".join(t for t in (byline["position"], byline["affiliation"]) if t)
    name = name or _("(deleted author)")
    return f"{name} ({titles})" if titles else str(name)


_WORDS = re.compile(r"\s+|[^\s]+")


def mark_changes(old, new):
    """HTML of `new` with words added in <ins> and words removed in <del>."""
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(''.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(''.join(b[j1:j2]))}</ins>")
        if op == "equal":
            parts.append(escape("".join(a[i1:i2])))
    # Every piece is escaped above.
    return mark_safe("".join(parts))


def compare(old_version, new_version):
    """Rows of (label, changed, marked-up text) for two versions of one article.

    Sections are listed as readers see them in the newer version, each compared
    with the same section in the older one, wherever it stood there: a section
    moved up or down shows as moved, not as rewritten. Sections the newer
    version no longer has come last.
    """
    old_rows, old_parts = snapshot(old_version)
    new_rows, new_parts = snapshot(new_version)
    old = dict(old_rows)
    rows = [
        (label, old.get(label, "") != text, mark_changes(old.get(label, ""), text))
        for label, text in new_rows
    ]
    old_places = {pk: (number, text) for number, (pk, text) in enumerate(old_parts, start=1)}
    # A section counts as moved when its place among the sections both
    # versions have changed, not merely because one was added or removed above.
    new_ids = {pk for pk, _text in new_parts}
    place_now = {pk: i for i, pk in enumerate(pk for pk, _text in new_parts if pk in old_places)}
    place_before = {pk: i for i, pk in enumerate(pk for pk, _text in old_parts if pk in new_ids)}
    for number, (pk, text) in enumerate(new_parts, start=1):
        if pk not in old_places:
            label = _("Section %(number)s (new)") % {"number": number}
            rows.append((str(label), True, mark_changes("", text)))
            continue
        was, old_text = old_places[pk]
        moved = place_before[pk] != place_now[pk]
        if moved:
            label = _("Section %(number)s (was section %(was)s)") % {
                "number": number,
                "was": was,
            }
        else:
            label = _("Section %(number)s") % {"number": number}
        rows.append((str(label), moved or old_text != text, mark_changes(old_text, text)))
    for pk, (was, old_text) in old_places.items():
        if pk not in new_ids:
            label = _("Removed section (was section %(was)s)") % {"was": was}
            rows.append((str(label), True, mark_changes(old_text, "")))
    return rows
