"""Writing many articles at once: a chunk of them in a fixed number of queries.

An importer checks its records its own way, then hands `ArticleWriter` a
chunk at a time (a few hundred articles) of `ArticleContent`, inside its own
transaction. Each article is matched to the stored one by slug and local
publication day, as its address is, or made; its sections, bylines and key
word links become the given ones. Bulk writes skip `save()`, so what the
models' `save()` and the signals would do is done here, once per chunk:

- the day of `published_at` stored beside it, and a published article that
  moves keeps its old address leading to it (`Article.save`);
- section bodies sanitised with `richtext.clean` (`Section.save`), bylines
  left blank filled from the author's profile (`ArticleAuthor.save`), key
  words found whatever their case and made with taggit's slugs;
- a saved version of each article (`save_versions`), its search
  data (`search.index_articles`) and an entry in the audit trail;
- the content version: bulk writes announce themselves (`changes.py`).

A stored article, section list, byline list or key word set that is already
as given is not written again, so writing the same content twice changes
nothing a reader or an editor would notice (the article keeps its
`updated_at`), though each article gets a version and an audit entry
each time, as an editor's save would.

Nothing is kept from one chunk to the next but the key words already found,
so memory does not grow with the number of articles.
"""

import json
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, router, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from reversion.models import Revision, Version

from csr_site.audit import record_many

from . import redirects, richtext, search
from .changes import bulk_written
from .models import Article, ArticleAuthor, Keyword, Section, TaggedArticle

# Rows per INSERT or UPDATE statement.
BATCH = 1000


@dataclass
class ArticleContent:
    """One article as it should be stored.

    `fields`: the article's own field values (`slug` and an aware
    `published_at` at least; `image` only to change it). `bylines`: (author,
    position, affiliation) in order, an author at most once, titles left
    blank to take the profile's. `keywords`: names, in any case. `sections`:
    (heading, body) in order; bodies are sanitised here.
    """

    fields: dict
    bylines: list = field(default_factory=list)
    keywords: list = field(default_factory=list)
    sections: list = field(default_factory=list)


@dataclass
class _Entry:
    content: ArticleContent
    article: Article
    created: bool
    # The article's own fields that change, and "updated_at" when its parts do.
    changed: set = field(default_factory=set)
    moved_from: str | None = None  # its public address before the write


class ArticleWriter:
    """Writes chunks of articles for one import; `comment` is their versions'
    comment and their audit entries' message, `user` their author (None:
    the command line)."""

    def __init__(self, comment, user=None):
        self.comment = comment
        self.user = user
        self.keywords = KeywordFinder()

    def write(self, contents):
        """Write a chunk of articles (no two with the same slug and day);
        returns (article, created) for each, in order."""
        now = timezone.now()
        entries = self._match(list(contents))
        new = [e.article for e in entries if e.created]
        if new:
            Article.objects.bulk_create(new, batch_size=BATCH)
        stored = [e for e in entries if not e.created]
        sections, bylines, links = self._parts_of([e.article.pk for e in stored])
        keywords = self.keywords.find(name for e in entries for name in e.content.keywords)

        writes = _Writes()
        groups = []
        for entry in entries:
            article = entry.article
            parts = [
                writes.sections(article, entry, sections.get(article.pk)),
                writes.bylines(article, entry, bylines.get(article.pk)),
                writes.links(article, entry, links.get(article.pk), keywords),
            ]
            groups.append((article, [row for rows in parts for row in rows]))
        writes.save(entries, now)

        for entry in entries:
            if entry.moved_from and entry.moved_from != _public_path(entry.article):
                redirects.remember(entry.moved_from, article=entry.article)
        save_versions(groups, self.comment, self.user)
        search.index_articles(e.article.pk for e in entries if e.created or e.changed)
        record_many(self.user, [e.article for e in entries], self.comment)
        return [(e.article, e.created) for e in entries]

    def _match(self, contents):
        """An entry for each content: the stored article with its fields set, or a new one."""
        slugs = {content.fields["slug"] for content in contents}
        stored = {
            (article.slug, article.publish_date): article
            for article in Article.objects.filter(slug__in=slugs)
        }
        entries = []
        for content in contents:
            day = timezone.localdate(content.fields["published_at"])
            article = stored.get((content.fields["slug"], day))
            if article is None:
                article = Article(**content.fields, publish_date=day)
                entries.append(_Entry(content, article, created=True))
                continue
            entry = _Entry(content, article, created=False)
            for name, value in content.fields.items():
                attname = Article._meta.get_field(name).attname
                wanted = value.pk if isinstance(value, models.Model) else value
                if getattr(article, attname) != wanted:
                    entry.changed.add(name)
            if entry.changed:
                entry.moved_from = _public_path(article)
                for name in entry.changed:
                    setattr(article, name, content.fields[name])
            entries.append(entry)
        return entries

    @staticmethod
    def _parts_of(ids):
        """The stored sections, bylines and key word links of these articles, by article."""
        sections, bylines, links = {}, {}, {}
        if not ids:
            return sections, bylines, links
        for section in Section.objects.filter(article_id__in=ids).order_by("order", "pk"):
            sections.setdefault(section.article_id, []).append(section)
        for byline in ArticleAuthor.objects.filter(article_id__in=ids).select_related("author"):
            bylines.setdefault(byline.article_id, []).append(byline)
        for link in TaggedArticle.objects.filter(content_object_id__in=ids).select_related("tag"):
            links.setdefault(link.content_object_id, []).append(link)
        return sections, bylines, links


def check_references_as_written():
    """In the current transaction, check foreign keys at each statement
    rather than at the commit (PostgreSQL). Django declares them deferred:
    a transaction that writes millions of rows would otherwise keep a
    pending check for each in the database server's memory until the end."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _public_path(article):
    """The address readers reach the article at, or None while it is not public."""
    return redirects.path_of(article.get_absolute_url()) if article.is_public else None


class _Writes:
    """The rows a chunk adds and removes, written together by `save()`."""

    def __init__(self):
        self.created = {Section: [], ArticleAuthor: [], TaggedArticle: []}
        self.removed = {Section: [], ArticleAuthor: [], TaggedArticle: []}  # pks

    def sections(self, article, entry, stored):
        given = [
            Section(
                article=article,
                order=order,
                heading=heading,
                body=richtext.clean(body, section=True),
            )
            for order, (heading, body) in enumerate(entry.content.sections)
        ]
        return self._replace(Section, entry, given, stored, ("heading", "body"))

    def bylines(self, article, entry, stored):
        given = []
        for order, (author, position, affiliation) in enumerate(entry.content.bylines):
            byline = ArticleAuthor(
                article=article,
                author=author,
                order=order,
                position=position,
                affiliation=affiliation,
            )
            byline.fill_from_profile()
            given.append(byline)
        return self._replace(
            ArticleAuthor, entry, given, stored, ("author_id", "position", "affiliation")
        )

    def _replace(self, model, entry, given, stored, compared):
        """The rows as given, unless the stored ones are the same in order:
        then those, and nothing is written."""
        stored = stored or []

        def values(rows):
            return [tuple(getattr(row, name) for name in compared) for row in rows]

        if not entry.created and values(stored) == values(given):
            return stored
        self.removed[model] += [row.pk for row in stored]
        self.created[model] += given
        entry.changed.add("updated_at")
        return given

    def links(self, article, entry, stored, keywords):
        wanted = {}
        for name in entry.content.keywords:
            keyword = keywords[name.lower()]
            wanted.setdefault(keyword.pk, keyword)
        stored = stored or []
        for link in stored:
            link.content_object = article  # For its name in the version, without a query.
        kept = [link for link in stored if link.tag_id in wanted]
        gone = [link.pk for link in stored if link.tag_id not in wanted]
        have = {link.tag_id for link in kept}
        added = [
            TaggedArticle(content_object=article, tag=keyword)
            for pk, keyword in wanted.items()
            if pk not in have
        ]
        if gone or added:
            self.removed[TaggedArticle] += gone
            self.created[TaggedArticle] += added
            entry.changed.add("updated_at")
        return kept + added

    def save(self, entries, now):
        for model, pks in self.removed.items():
            for first in range(0, len(pks), BATCH):
                _delete(model.objects.filter(pk__in=pks[first : first + BATCH]))
        # A stored article whose fields or parts change counts as changed now,
        # as a save would make it (editors who have it open get a conflict).
        changed = [e for e in entries if not e.created and e.changed]
        for entry in changed:
            entry.article.updated_at = now
            entry.changed.add("updated_at")
        if changed:
            names = sorted(set().union(*(e.changed for e in changed)))
            Article.objects.bulk_update([e.article for e in changed], names, batch_size=BATCH)
        for model, rows in self.created.items():
            if rows:
                model.objects.bulk_create(rows, batch_size=BATCH)


def _delete(queryset):
    """Delete the rows without reading them first. `delete()` would read each
    row to send its signals, which here would only queue, one per row until
    the commit, work the writer does itself (the search data); the content
    version learns of the change as from any bulk write."""
    if queryset._raw_delete(queryset.db):
        bulk_written.send(sender=queryset.model)


class KeywordFinder:
    """Key words by name, whatever the case: found, or made in bulk with
    the slugs taggit would give them; remembered once found."""

    def __init__(self):
        self.known = {}  # lower-cased name: Keyword

    def find(self, names):
        """The key words of these names, made if need be: {lower-cased name: Keyword}."""
        wanted = {}
        for name in names:
            if name.lower() not in self.known:
                wanted.setdefault(name.lower(), name)
        if wanted:
            self._read(wanted)
            missing = {lower: name for lower, name in wanted.items() if lower not in self.known}
            if missing:
                self._make(missing)
        return self.known

    def _read(self, wanted):
        folded = list(wanted)
        for first in range(0, len(folded), BATCH):
            found = (
                Keyword.objects.annotate(folded=Lower("name"))
                .filter(folded__in=folded[first : first + BATCH])
                .order_by()
            )
            for keyword in found:
                self.known.setdefault(keyword.folded, keyword)

    def _make(self, missing):
        new = [Keyword(name=name, slug=slug) for name, slug in self._slugs(missing.values())]
        try:
            with transaction.atomic():
                Keyword.objects.bulk_create(new, batch_size=BATCH)
        except IntegrityError:
            # Made meanwhile, or a name the database folds differently from
            # Python: one by one, the way an editor's save makes them.
            new = [
                Keyword.objects.filter(name__iexact=name).first()
                or Keyword.objects.create(name=name)
                for name in missing.values()
            ]
        self.known.update(zip(missing, new, strict=True))

    @staticmethod
    def _slugs(names):
        """(name, slug) for new key words: `Keyword.slugify`'s slug, with
        taggit's "_1", "_2" … when it is taken (in the database or the batch)."""
        maker = Keyword()
        names = list(names)
        bases = [maker.slugify(name) for name in names]
        taken = set(Keyword.objects.filter(slug__in=bases).values_list("slug", flat=True))
        for name, slug in zip(names, bases, strict=True):
            if slug in taken:
                taken |= set(
                    Keyword.objects.filter(slug__startswith=slug).values_list("slug", flat=True)
                )
                number = 1
                while maker.slugify(name, number) in taken:
                    number += 1
                slug = maker.slugify(name, number)
            taken.add(slug)
            yield name, slug


def save_versions(groups, comment, user=None):
    """A saved version of each of many articles, as `reversion.create_revision()`
    around each article's save would record it, in a few queries.

    `groups`: (article, rows) pairs, `rows` being what `versions.py`
    registers an article to follow (its sections, bylines and key word
    links), all saved. Each article gets a revision of its own holding the
    article and its rows, serialised as reversion serialises them (every
    field, as JSON), so its History lists it and it can be compared and
    restored like any other.
    """
    groups = list(groups)
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [Revision(date_created=now, user=user, comment=comment) for _ in groups],
        batch_size=BATCH,
    )
    by_model = {}
    for revision, (article, rows) in zip(revisions, groups, strict=True):
        for row in (article, *rows):
            by_model.setdefault(type(row), []).append((revision, row))
    rows = []
    for model, items in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        db = router.db_for_write(model)
        # The serialiser run once over all the rows of a kind; each row then
        # written as reversion's JSON serialiser writes a row alone.
        serialised = serializers.serialize("python", [row for _, row in items])
        for (revision, row), data in zip(items, serialised, strict=True):
            data = json.dumps([data], cls=DjangoJSONEncoder, ensure_ascii=False)
            rows.append((revision.pk, content_type.pk, str(row.pk), db, "json", data, str(row)))
    names = ["revision", "content_type", "object_id", "db", "format", "serialized_data"]
    _insert(Version, [*names, "object_repr"], rows)


def _insert(model, names, rows):
    """INSERT `rows` (tuples of the values of the fields `names`, as the
    database takes them) in a few statements. For the many rows whose ids
    nobody needs back (the versions): `bulk_create()` would build a model
    instance for each and send PostgreSQL its text as arrays, which psycopg
    escapes character by character in Python — most of the import's time."""
    ops = connection.ops
    fields = [model._meta.get_field(name) for name in names]
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = min(BATCH, (connection.features.max_query_params or BATCH * len(fields)) // len(fields))
    table = ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        for first in range(0, len(rows), size):
            batch = rows[first : first + size]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row] * len(batch))}",
                [value for values in batch for value in values],
            )


def link_translations(pairs):
    """Link articles to their translations in bulk: `pairs` of article pks
    (article, translation), applied in order as `Article.link_translation`
    would one by one (each link mutual, former partners released), with
    only the rows whose link changes written, and marked as changed."""
    pairs = list(pairs)
    if not pairs:
        return
    ids = sorted({pk for pair in pairs for pk in pair})
    link, pointing = {}, {}  # pk: its translation's pk; pk: the pks linked to it
    for first in range(0, len(ids), BATCH):
        batch = ids[first : first + BATCH]
        rows = Article.objects.filter(models.Q(pk__in=batch) | models.Q(translation__in=batch))
        for pk, translation in rows.values_list("pk", "translation"):
            link[pk] = translation
    before = dict(link)
    for pk, translation in link.items():
        if translation is not None:
            pointing.setdefault(translation, set()).add(pk)

    def set_link(pk, translation):
        old = link.get(pk)
        if old is not None:
            pointing[old].discard(pk)
        link[pk] = translation
        if translation is not None:
            pointing.setdefault(translation, set()).add(pk)

    for article, translation in pairs:
        for pk in (article, translation):
            set_link(pk, None)
            for other in list(pointing.get(pk, ())):
                set_link(other, None)
        set_link(article, translation)
        set_link(translation, article)

    changed = sorted(pk for pk, translation in link.items() if before.get(pk) != translation)
    # All released first, then linked: the column is unique, and a row
    # linked while another still holds the value would break it.
    for first in range(0, len(changed), BATCH):
        Article.objects.filter(pk__in=changed[first : first + BATCH]).mark_changed(translation=None)
    linked = [Article(pk=pk, translation_id=link[pk]) for pk in changed if link[pk] is not None]
    if linked:
        Article.objects.bulk_update(linked, ["translation"], batch_size=BATCH)
