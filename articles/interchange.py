"""Import and export of the JSON archive format.

One format both ways, so an export re-imports to the same content. Import
checks the whole file before it writes anything, then writes it in one
transaction: a bad file changes nothing, and every problem is reported with
the record (slug, or position in the file) and the field it is in.

Each record is checked by Django: a ModelForm per kind of record (author,
article, section, byline, key word) runs the form fields and the model's own
validation (lengths, slugs, choices, email, control characters, the date range
in `Article.clean`), so the importer accepts what the admin accepts. The same
lists of fields drive export. Checked by hand here is only what no form holds:
the shape of the JSON (objects, lists, strings), the parts nested in an
article (bylines, key words, sections, translation), and rules across records
(a slug twice in the file, authors and translations named by slug, the
publishing rule of `Article.publishing_problems`).
"""

import io
import json
from dataclasses import dataclass

import ijson
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from reversion.models import Revision, Version

from authors.models import Author
from csr_site.audit import record_many

from . import caching, richtext, search
from .forms import check_article_size, check_section_body, too_many_sections
from .models import Article, ArticleAuthor, Keyword, Section, TaggedArticle

MAX_REPORTED_ERRORS = 50

# The fields of each kind of record, read by the import forms and written by export.
AUTHOR_FIELDS = [
    "name",
    "slug",
    "position",
    "affiliation",
    "position_fa",
    "affiliation_fa",
    "bio",
    "email",
    "is_active",
]
ARTICLE_FIELDS = [
    "title",
    "slug",
    "language",
    "status",
    "published_at",
    "summary",
    "doi",
    "photo_credit",
]
# An article's parts that are not fields of its own.
ARTICLE_PARTS = ["authors", "keywords", "sections", "translation"]
SECTION_FIELDS = ["heading", "body"]
BYLINE_FIELDS = ["position", "affiliation"]
KEYWORD_FIELDS = ["name", "description", "description_fa"]


class ArchiveError(Exception):
    """The file cannot be imported; `errors` says where and why, one line each."""

    def __init__(self, errors):
        self.errors = errors
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        super().__init__("\n".join(shown + ([f"… and {more} more"] if more else [])))


@dataclass
class ImportResult:
    authors_created: int = 0
    authors_updated: int = 0
    articles_created: int = 0
    articles_updated: int = 0
    keywords_described: int = 0

    def __str__(self):
        return (
            f"Articles: {self.articles_created} created, {self.articles_updated} updated. "
            f"Authors: {self.authors_created} created, {self.authors_updated} updated. "
            f"Key words described: {self.keywords_described}."
        )


# ---------------------------------------------------------------------------
# The forms


class RecordForm(forms.ModelForm):
    """A ModelForm fed one record of the file.

    A field the record leaves out takes the model's default (a computed one,
    like `published_at`'s "now", excepted: the file must say). The record
    already stored that `stored()` finds becomes the form's instance, so a
    re-import updates it rather than colliding with it.
    """

    def __init__(self, record):
        model = self._meta.model
        defaults = {}
        for name in self._meta.fields:
            field = model._meta.get_field(name)
            if field.has_default() and not callable(field.default):
                defaults[name] = field.default
        super().__init__(data=defaults | record)

    def stored(self, cleaned_data):
        return None

    def clean(self):
        cleaned_data = super().clean()
        self.instance = self.stored(cleaned_data) or self.instance
        return cleaned_data


class AuthorForm(RecordForm):
    class Meta:
        model = Author
        fields = AUTHOR_FIELDS

    def stored(self, cleaned_data):
        slug = cleaned_data.get("slug")
        return slug and Author.objects.filter(slug=slug).first()


class ArticleForm(RecordForm):
    # The format's dates are ISO 8601, whatever formats the locale accepts.
    published_at = forms.DateTimeField(
        input_formats=[],
        error_messages={
            "invalid": "Enter an ISO 8601 date and time, such as 2016-04-20T10:00:00+04:30."
        },
    )

    class Meta:
        model = Article
        fields = ARTICLE_FIELDS

    def stored(self, cleaned_data):
        # Articles are matched by slug and local day, as their addresses are.
        self.key = None
        slug, moment = cleaned_data.get("slug"), cleaned_data.get("published_at")
        if not (slug and moment):
            return None
        try:
            self.key = (slug, timezone.localdate(moment))
        except OverflowError:  # Far out of range; `Article.clean` says so.
            return None
        return self.find(*self.key)

    def find(self, slug, day):
        return Article.objects.filter(slug=slug, publish_date=day).first()


class SectionForm(RecordForm):
    class Meta:
        model = Section
        fields = SECTION_FIELDS

    def clean_body(self):
        body = check_section_body(self.cleaned_data["body"])
        # Kept for writing in bulk, which skips the sanitising in `save()`.
        self.sanitised_body = richtext.clean(body, section=True)
        if not richtext.plain_text(self.sanitised_body):
            raise ValidationError("has no text once unsafe HTML is removed")
        return body


class BylineForm(RecordForm):
    class Meta:
        model = ArticleAuthor
        fields = BYLINE_FIELDS


class KeywordForm(RecordForm):
    counterpart = Keyword._meta.get_field("name").formfield(required=False)

    class Meta:
        model = Keyword
        fields = KEYWORD_FIELDS

    def stored(self, cleaned_data):
        # A key word is one regardless of case.
        name = cleaned_data.get("name")
        return name and Keyword.objects.filter(name__iexact=name).first()

    def clean(self):
        cleaned_data = super().clean()
        name, counterpart = cleaned_data.get("name"), cleaned_data.get("counterpart")
        if name and counterpart and name.lower() == counterpart.lower():
            self.add_error("counterpart", "cannot be the key word itself")
        return cleaned_data


class TranslationForm(forms.Form):
    slug = forms.SlugField(allow_unicode=True)
    date = forms.DateField(input_formats=["%Y-%m-%d"])


# ---------------------------------------------------------------------------
# Checking


def _checked(form_class, data, where, errors, parts=()):
    """Check one record with its form, noting each problem under `where`.

    Returns the form, valid or not, or None when the record is not an object.
    """
    if not isinstance(data, dict):
        errors.append(f"{where} must be a JSON object")
        return None
    problems = dict.fromkeys(
        sorted(set(data) - set(form_class.base_fields) - set(parts)),
        "is not a field of this format",
    )
    for name, field in form_class.base_fields.items():
        # Django would read a number or a list as text; the format wants strings.
        wanted, words = (
            (bool, "true or false") if isinstance(field, forms.BooleanField) else (str, "a string")
        )
        if data.get(name) is not None and not isinstance(data[name], wanted):
            problems[name] = f"must be {words}"
    form = form_class({name: value for name, value in data.items() if name not in problems})
    form.is_valid()
    errors.extend(f"{where}: {name}: {message}" for name, message in problems.items())
    for name, messages in form.errors.items():
        if name not in problems:
            prefix = where if name == NON_FIELD_ERRORS else f"{where}: {name}"
            errors.extend(f"{prefix}: {message}" for message in messages)
    return form


def _where(kind, index, data):
    slug = data.get("slug") if isinstance(data, dict) else None
    if isinstance(slug, str) and slug:
        return f'{kind} "{slug}" (#{index + 1})'
    return f"{kind} #{index + 1}"


def _list(data, name, where, errors):
    value = data.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(f"{where}: {name}: must be a list")
        return []
    return value


def _check_authors(items, errors):
    forms_by_slug = {}
    for index, data in enumerate(items):
        where = _where("author", index, data)
        form = _checked(AuthorForm, data, where, errors)
        slug = form and form.cleaned_data.get("slug")
        if slug in forms_by_slug:
            errors.append(f"{where}: slug: appears twice in the file")
        if slug:
            forms_by_slug[slug] = form
    return forms_by_slug


@dataclass
class _ArticlePlan:
    where: str
    form: ArticleForm
    bylines: list  # (author slug, BylineForm)
    keywords: list
    sections: list  # SectionForm
    translation: tuple | None  # (slug, day)


def _check_bylines(data, where, known_authors, errors):
    bylines, seen = [], set()
    for number, entry in enumerate(_list(data, "authors", where, errors), start=1):
        if isinstance(entry, str):
            entry = {"slug": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            errors.append(f"{where}: authors: entry {number} must be an author's slug")
            continue
        slug = entry["slug"]
        if slug not in known_authors:
            errors.append(
                f"{where}: authors: no author with slug {slug!r} in the file or the database"
            )
        if slug in seen:
            errors.append(f"{where}: authors: {slug!r} is named twice")
        seen.add(slug)
        form = _checked(BylineForm, entry, f"{where}: authors: entry {number}", errors, ["slug"])
        bylines.append((slug, form))
    return bylines


def _check_keywords(data, where, errors):
    names, seen = [], set()
    name_field = KeywordForm.base_fields["name"]
    for number, name in enumerate(_list(data, "keywords", where, errors), start=1):
        try:
            if not isinstance(name, str):
                raise ValidationError("must be a key word's name")
            name = name_field.clean(name)
            Keyword._meta.get_field("name").run_validators(name)
        except ValidationError as error:
            errors.extend(f"{where}: keywords: entry {number}: {m}" for m in error.messages)
            continue
        # Key words are one regardless of case: keep the first spelling.
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


def _check_sections(data, where, errors):
    items = _list(data, "sections", where, errors)
    if too_many_sections(len(items)):
        errors.append(f"{where}: sections: {too_many_sections(len(items)).messages[0]}")
        return []
    forms = [
        _checked(SectionForm, item, f"{where}: sections: #{number}", errors)
        for number, item in enumerate(items, start=1)
    ]
    valid = [form for form in forms if form is not None and form.is_valid()]
    error = check_article_size(form.cleaned_data["body"] for form in valid)
    if error:
        errors.append(f"{where}: sections: {error.messages[0]}")
    return forms


def _check_translation(data, where, errors):
    if data.get("translation") is None:
        return None
    form = _checked(TranslationForm, data["translation"], f"{where}: translation", errors)
    if form is None or not form.is_valid():
        return None
    return (form.cleaned_data["slug"], form.cleaned_data["date"])


def _check_article(data, index, known_authors, errors, form_class=ArticleForm):
    """Check one article record; its plan (valid or not), or None if it is no object."""
    where = _where("article", index, data)
    form = _checked(form_class, data, where, errors, ARTICLE_PARTS)
    if form is None:
        return None
    plan = _ArticlePlan(
        where=where,
        form=form,
        bylines=_check_bylines(data, where, known_authors, errors),
        keywords=_check_keywords(data, where, errors),
        sections=_check_sections(data, where, errors),
        translation=_check_translation(data, where, errors),
    )
    if form.cleaned_data.get("status") == Article.Status.PUBLISHED:
        problems = Article.publishing_problems(
            authors=len(plan.bylines), sections=len(plan.sections)
        )
        errors.extend(f"{where}: {part}: {message}" for part, message in problems.items())
    return plan


@dataclass
class _ArticleKey:
    """What the rules across articles need of one, kept for the whole file
    while the records themselves are read one at a time."""

    where: str
    key: tuple | None  # (slug, day)
    language: str | None
    translation: tuple | None


def _check_articles(items, known_authors, errors, progress=None):
    """Check the articles (the file is read as a stream); keep only what the
    rules across them need."""
    keys, seen = [], set()
    for chunk in _article_plans(items, known_authors, errors):
        for plan in chunk:
            key = plan.form.key
            if key and key in seen:
                errors.append(
                    f"{plan.where}: slug: another article in the file has this slug on {key[1]}"
                )
            seen.add(key)
            keys.append(
                _ArticleKey(
                    plan.where, key, plan.form.cleaned_data.get("language"), plan.translation
                )
            )
        if progress:
            progress(len(keys))
    return keys


def _article_plans(items, known_authors, errors):
    """The articles' plans, checked a chunk of `CHUNK` at a time: the stored
    articles and DOIs a chunk's records name are read in one query each,
    not one a record."""
    index = 0
    for records in _chunks(items, CHUNK):
        form_class = _chunk_form(records)
        plans = []
        for data in records:
            plan = _check_article(data, index, known_authors, errors, form_class)
            index += 1
            if plan is not None:
                plans.append(plan)
        yield plans


def _chunk_form(records):
    """An ArticleForm that finds stored articles and DOIs among those read for
    the chunk. (The other constraint, the slug on its day, cannot fail: an
    article stored with that slug and day is the one the record updates.)"""
    records = [data for data in records if isinstance(data, dict)]
    slugs = {data["slug"] for data in records if isinstance(data.get("slug"), str)}
    dois = {data["doi"] for data in records if isinstance(data.get("doi"), str) and data["doi"]}
    stored = {
        (article.slug, article.publish_date): article
        for article in Article.objects.filter(slug__in=slugs)
    }
    doi_owners = dict(Article.objects.filter(doi__in=dois).values_list("doi", "pk"))

    class ChunkArticleForm(ArticleForm):
        def find(self, slug, day):
            return stored.get((slug, day))

        def _post_clean(self):
            self.instance.validate_constraints = self.validate_doi
            try:
                super()._post_clean()
            finally:
                del self.instance.validate_constraints

        def validate_doi(self, exclude=None):
            doi = self.instance.doi
            if doi and doi_owners.get(doi, self.instance.pk) != self.instance.pk:
                raise ValidationError({"doi": DOI_TAKEN})

    return ChunkArticleForm


DOI_TAKEN = next(
    c.violation_error_message for c in Article._meta.constraints if c.name == "unique_article_doi"
)


def _resolve_translations(keys, errors):
    by_key = {entry.key: entry for entry in keys if entry.key}
    wanted = {entry.translation for entry in keys if entry.translation}
    stored = {
        (article.slug, article.publish_date): article
        for article in Article.objects.filter(slug__in={slug for slug, _ in wanted})
    }
    for entry in keys:
        if not entry.translation:
            continue
        slug, day = entry.translation
        target = by_key.get(entry.translation) or stored.get(entry.translation)
        if target is None:
            errors.append(
                f"{entry.where}: translation: no article {slug!r} of {day} in the file or database"
            )
        elif target is entry:
            errors.append(f"{entry.where}: translation: an article cannot be its own translation")
        elif entry.language == target.language:
            errors.append(f"{entry.where}: translation: {slug!r} is in the same language")


def _check(archive, progress=None):
    """Check an archive (first pass); raise ArchiveError listing every problem.

    Returns the author and key word forms and the articles' keys.
    """
    errors = archive.shape_problems()
    authors = _check_authors(archive.items("authors"), errors)
    known = set(authors) | set(Author.objects.values_list("slug", flat=True))
    keys = _check_articles(archive.items("articles"), known, errors, progress)
    _resolve_translations(keys, errors)
    keywords = [
        form
        for index, item in enumerate(archive.items("keywords"))
        if (form := _checked(KeywordForm, item, f"key word #{index + 1}", errors))
    ]
    if errors:
        raise ArchiveError(errors)
    return authors, keys, keywords


def check_archive(data):
    """Check a decoded archive; raise ArchiveError listing every problem."""
    return _check(_DecodedArchive(data))


# ---------------------------------------------------------------------------
# Reading: a decoded archive, or a JSON file read as a stream


class _DecodedArchive:
    def __init__(self, data):
        self.data = data

    def shape_problems(self):
        if not isinstance(self.data, dict):
            raise ArchiveError(["the file must hold a JSON object with authors and articles"])
        errors = [
            f"top level: {name}: is not a part of this format"
            for name in sorted(set(self.data) - set(ARCHIVE_PARTS))
        ]
        for name in ARCHIVE_PARTS:
            _list(self.data, name, "top level", errors)
        return errors

    def items(self, name):
        value = self.data.get(name)
        return value if isinstance(value, list) else []


# The parts of an archive, each a list.
ARCHIVE_PARTS = ["authors", "articles", "keywords"]
# Nesting deeper than any archive needs (a section sits at depth 5) is refused.
MAX_DEPTH = 64


class _JsonArchive:
    """A JSON archive read record by record (ijson), never whole: an archive of
    100,000 articles is several hundred megabytes. Each pass over a part
    reads the file again."""

    def __init__(self, open_file):
        self.open_file = open_file

    def _events(self):
        with self.open_file() as stream:
            try:
                yield from ijson.parse(stream)
            except ijson.JSONError as error:
                raise ArchiveError([f"not valid JSON: {error}"]) from None

    def shape_problems(self):
        """The top level's problems: not an object, unknown parts, parts that
        are not lists. (Reads the whole file, so that malformed JSON anywhere
        is found before anything is written.)"""
        errors, kinds, first, depth = [], {}, None, 0
        for prefix, event, value in self._events():
            if event in ("start_map", "start_array"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise ArchiveError(["not valid JSON: nested too deeply"])
            elif event in ("end_map", "end_array"):
                depth -= 1
            if first is None:
                first = event
            elif prefix == "" and event == "map_key":
                if value not in ARCHIVE_PARTS:
                    errors.append(f"top level: {value}: is not a part of this format")
            elif prefix in ARCHIVE_PARTS and prefix not in kinds:
                kinds[prefix] = event
        if first is None:
            raise ArchiveError(["not valid JSON: the file is empty"])
        if first != "start_map":
            raise ArchiveError(["the file must hold a JSON object with authors and articles"])
        for name, event in kinds.items():
            if event not in ("start_array", "null"):
                errors.append(f"top level: {name}: must be a list")
        self.kinds = kinds
        return errors

    def items(self, name):
        if self.kinds.get(name) != "start_array":
            return
        with self.open_file() as stream:
            try:
                # Numbers as floats: a number where text belongs is refused by
                # the checks, which need not know about Decimal.
                yield from ijson.items(stream, f"{name}.item", use_float=True)
            except ijson.JSONError as error:
                raise ArchiveError([f"not valid JSON: {error}"]) from None


def import_archive(data, progress=None):
    """Check and write a decoded archive; all of it or, on any error, nothing."""
    return _import(_DecodedArchive(data), progress)


def import_json(text, progress=None):
    """Import an archive given as JSON text."""
    encoded = text.encode("utf-8")
    return _import(_JsonArchive(lambda: io.BytesIO(encoded)), progress)


def import_file(path, progress=None):
    """Import an archive file, read as a stream (twice: to check, then to write).

    `progress(stage, done, total)` is called as articles are checked
    (stage "check", total None) and written (stage "write")."""
    return _import(_JsonArchive(lambda: open(path, "rb")), progress)


def _import(archive, progress=None):
    check_progress = progress and (lambda done: progress("check", done, None))
    authors, keys, keywords = _check(archive, check_progress)
    write_progress = progress and (lambda done: progress("write", done, len(keys)))
    with transaction.atomic(), caching.changes_batched():
        return _write(archive, authors, keys, keywords, write_progress)


# ---------------------------------------------------------------------------
# Writing (second pass), in chunks of articles written in bulk

# Articles written per round of bulk inserts.
CHUNK = 500


def _keyword_named(name):
    existing = Keyword.objects.filter(name__iexact=name).first()
    return existing or Keyword.objects.create(name=name)


def _write(archive, authors, keys, keywords, progress=None):
    result = ImportResult()

    for form in authors.values():
        if form.instance._state.adding:
            result.authors_created += 1
        else:
            result.authors_updated += 1
        form.save()
    author_by_slug = Author.objects.in_bulk(field_name="slug")
    known = set(author_by_slug)
    keyword_cache = {}

    # The file was checked: reading it again gives the same, valid, records.
    written = 0
    for chunk in _article_plans(archive.items("articles"), known, []):
        _write_chunk(chunk, author_by_slug, keyword_cache, result)
        written += len(chunk)
        if progress:
            progress(written)

    for form in keywords:
        # Looked up again: the articles may have just made it.
        keyword = _keyword_named(form.cleaned_data["name"])
        keyword.description = form.cleaned_data["description"]
        keyword.description_fa = form.cleaned_data["description_fa"]
        keyword.save(update_fields=["description", "description_fa"])
        if form.cleaned_data["counterpart"]:
            keyword.link_counterpart(_keyword_named(form.cleaned_data["counterpart"]))
        result.keywords_described += 1

    _link_translations(keys)
    return result


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write_chunk(plans, author_by_slug, keyword_cache, result):
    """Write a chunk of checked articles with their parts: a fixed number of
    bulk queries, whatever the chunk holds. Bulk writes skip `save()`, so
    what `save()` would do is done here: the day derived from the date,
    bodies sanitised, bylines filled from profiles, the search data
    indexed, a saved version of each article, the audit trail."""
    articles = [plan.form.instance for plan in plans]
    for article in articles:
        article.publish_date = timezone.localdate(article.published_at)
    new = [article for article in articles if article._state.adding]
    old = [article for article in articles if not article._state.adding]
    result.articles_created += len(new)
    result.articles_updated += len(old)
    Article.objects.bulk_create(new)
    if old:
        now = timezone.now()
        for article in old:
            article.updated_at = now
        Article.objects.bulk_update(old, [*ARTICLE_FIELDS, "publish_date", "updated_at"])
        ids = [article.pk for article in old]
        ArticleAuthor.objects.filter(article_id__in=ids).delete()
        Section.objects.filter(article_id__in=ids).delete()
        TaggedArticle.objects.filter(content_object_id__in=ids).delete()

    bylines, sections, tags = [], [], []
    for plan, article in zip(plans, articles, strict=True):
        for order, (slug, form) in enumerate(plan.bylines):
            byline = form.instance
            byline.article, byline.author, byline.order = article, author_by_slug[slug], order
            byline.fill_from_profile()
            bylines.append(byline)
        for order, form in enumerate(plan.sections):
            section = form.instance
            section.article, section.order = article, order
            section.body = form.sanitised_body
            sections.append(section)
        for name in plan.keywords:
            tag = _keyword_cached(name, keyword_cache)
            tags.append(TaggedArticle(content_object=article, tag=tag))
    ArticleAuthor.objects.bulk_create(bylines)
    Section.objects.bulk_create(sections)
    TaggedArticle.objects.bulk_create(tags)

    search.index_articles(article.pk for article in articles)
    _save_versions(articles, bylines, sections, tags)
    record_many(None, articles, "Imported")


def _keyword_cached(name, cache):
    """The key word of that name (any case), made if new; remembered for the import."""
    folded = name.lower()
    if folded not in cache:
        cache[folded] = _keyword_named(name)
    return cache[folded]


def _save_versions(articles, bylines, sections, tags):
    """Each article gets a saved version of its own, as an admin save would:
    a revision holding the article, its sections, bylines and key word
    links (as `versions.py` registers them), written in bulk."""
    revisions = Revision.objects.bulk_create(
        Revision(date_created=timezone.now(), comment="Imported") for _ in articles
    )
    revision_of = {a.pk: revision for a, revision in zip(articles, revisions, strict=True)}
    parts = (
        [(article, article.pk) for article in articles]
        + [(row, row.article_id) for row in (*sections, *bylines)]
        + [(tag, tag.content_object_id) for tag in tags]
    )
    Version.objects.bulk_create(
        Version(
            revision=revision_of[article_id],
            object_id=str(row.pk),
            content_type=content_type,
            db=row._state.db or "default",
            format="json",
            serialized_data=data,
            object_repr=str(row),
        )
        for row, article_id, content_type, data in _serialized(parts)
    )


def _serialized(parts):
    """(row, article id, content type, the row as reversion serialises it), with
    the serialiser run once per kind of row rather than once per row."""
    by_model = {}
    for row, article_id in parts:
        by_model.setdefault(type(row), []).append((row, article_id))
    for model, items in by_model.items():
        content_type = ContentType.objects.get_for_model(model)
        listed = json.loads(serializers.serialize("json", [row for row, _ in items]))
        for (row, article_id), data in zip(items, listed, strict=True):
            yield row, article_id, content_type, json.dumps([data])


def _link_translations(keys):
    pairs = [(entry.key, entry.translation) for entry in keys if entry.translation]
    if not pairs:
        return
    slugs = {slug for pair in pairs for slug, _ in pair}
    by_key = {
        (article.slug, article.publish_date): article
        for article in Article.objects.filter(slug__in=slugs)
    }
    for key, translation in pairs:
        by_key[key].link_translation(by_key[translation])


# ---------------------------------------------------------------------------
# Export


def _fields(instance, names):
    values = {name: getattr(instance, name) for name in names}
    if "published_at" in values:
        values["published_at"] = timezone.localtime(values["published_at"]).isoformat()
    return values


def _byline_entry(line):
    if line.position == line.author.position and line.affiliation == line.author.affiliation:
        return line.author.slug
    return {"slug": line.author.slug, **_fields(line, BYLINE_FIELDS)}


def _export_article(article):
    data = {
        **_fields(article, ARTICLE_FIELDS),
        "authors": [_byline_entry(line) for line in article.bylines.all()],
        "keywords": sorted((k.name for k in article.keywords.all()), key=str.lower),
        "sections": [_fields(section, SECTION_FIELDS) for section in article.sections.all()],
    }
    if article.translation:
        data["translation"] = {
            "slug": article.translation.slug,
            "date": article.translation.publish_date.isoformat(),
        }
    return data


def export_archive():
    """Every author, described key word and article (drafts and scheduled ones too)."""
    articles = (
        Article.objects.order_by("published_at", "pk")
        .select_related("translation")
        .prefetch_related("bylines__author", "sections", "keywords")
    )
    keywords = (
        Keyword.objects.exclude(description="", description_fa="", counterpart=None)
        .select_related("counterpart")
        .order_by(Lower("name"))
    )
    return {
        "authors": [_fields(a, AUTHOR_FIELDS) for a in Author.objects.order_by("slug")],
        "keywords": [
            {
                **_fields(keyword, KEYWORD_FIELDS),
                "counterpart": keyword.counterpart.name if keyword.counterpart else None,
            }
            for keyword in keywords
        ],
        "articles": [_export_article(article) for article in articles],
    }


def export_json():
    return json.dumps(export_archive(), ensure_ascii=False, indent=2) + "\n"
