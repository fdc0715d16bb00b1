"""Saved versions of articles (django-reversion), and a readable comparison of two.

Every admin save of an article records a revision holding the article, its
sections, bylines and key word links. `snapshot()` reads one back as plain
text; `compare()` lines two up field by field with changed words marked.
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
    by_model = {}
    for item in version.revision.version_set.all():
        by_model.setdefault(item.content_type.model_class(), []).append(item)
    tag_ids = {item.field_dict["tag_id"] for item in by_model.get(TaggedArticle, [])}
    author_ids = {item.field_dict["author_id"] for item in by_model.get(ArticleAuthor, [])}
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


def snapshot(version):
    """The article as it was in `version`'s revision, as labelled plain text."""
    revision = version.revision
    by_model = {}
    for item in revision.version_set.all():
        by_model.setdefault(item.content_type.model_class(), []).append(item.field_dict)
    article = version.field_dict
    rows = [(str(label), str(article.get(name) or "")) for name, label in ARTICLE_FIELDS]

    bylines = sorted(
        (b for b in by_model.get(ArticleAuthor, []) if b["article_id"] == int(version.object_id)),
        key=lambda b: b["order"],
    )
    names = dict(
        Author.objects.filter(pk__in=[b["author_id"] for b in bylines]).values_list("pk", "name")
    )
    rows.append(
        (str(_("Authors")), "; ".join(_byline_text(b, names.get(b["author_id"])) for b in bylines))
    )

    tag_ids = [
        t["tag_id"]
        for t in by_model.get(TaggedArticle, [])
        if t["content_object_id"] == int(version.object_id)
    ]
    keyword_names = Keyword.objects.filter(pk__in=tag_ids).values_list("name", flat=True)
    rows.append((str(_("Key words")), ", ".join(sorted(keyword_names, key=str.lower))))

    sections = sorted(
        (s for s in by_model.get(Section, []) if s["article_id"] == int(version.object_id)),
        key=lambda s: s["order"],
    )
    for number, section in enumerate(sections, start=1):
        label = str(_("Section %(number)s") % {"number": number})
        text = richtext.plain_text(section["body"])
        rows.append((label, f"{section['heading']}\n{text}" if section["heading"] else text))
    return rows


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
    """Rows of (label, changed, marked-up text) for two versions of one article."""
    old_rows, new_rows = snapshot(old_version), snapshot(new_version)
    old, new = dict(old_rows), dict(new_rows)
    # Sections that only the older version had come last.
    labels = [label for label, _ in new_rows] + [label for label, _ in old_rows if label not in new]
    return [
        (
            label,
            old.get(label, "") != new.get(label, ""),
            mark_changes(old.get(label, ""), new.get(label, "")),
        )
        for label in labels
    ]
