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
(a slug or a DOI twice in the file, authors and translations named by slug,
the publishing rule of `Article.publishing_problems`). The image and document
files the records name are found, checked and stored by `archive_media`.

An archive can hold a hundred thousand articles, so the import goes in two
passes and keeps in memory only a chunk of articles (`CHUNK`) and a few
small keys of each (its slug and day, its translation's): the first pass
reads the file as a stream (`archive_reader`), checks each record and asks
the database what it must once a chunk, and puts each checked article aside
in a temporary file; the second reads them back and writes them a chunk at
a time in bulk (`bulk_import`), in one transaction.
"""

import contextlib
import io
import json
import pickle
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from authors.models import Author

from . import archive_media, bulk_import, caching, figures, richtext
from .archive_reader import ArchiveReader, UnreadableArchive
from .documents import Document
from .forms import check_article_size, check_section_body, too_many_sections
from .images import Image
from .models import Article, ArticleAuthor, Keyword, Section

MAX_REPORTED_ERRORS = 50
# Articles checked, and then written, per round of queries.
CHUNK = 500

# The fields of each kind of record, read by the import forms and written by export.
AUTHOR_FIELDS = [
    "name",
    "name_fa",
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
ARTICLE_PARTS = ["authors", "keywords", "sections", "translation", "image", "documents"]
AUTHOR_PARTS = ["portrait"]
SECTION_FIELDS = ["heading", "body"]
BYLINE_FIELDS = ["position", "affiliation"]
KEYWORD_FIELDS = ["name", "description", "description_fa", "featured"]
DOCUMENT_FIELDS = ["title", "language"]


class _Unchanged:
    """An image or documents entry left out of a record leaves what is stored
    alone (a file exported without its media keeps them on re-import); `null`
    or an empty list removes them."""

    def __repr__(self):
        return "UNCHANGED"

    def __reduce__(self):
        return "UNCHANGED"  # Itself again when read back from the spool.


UNCHANGED = _Unchanged()


class ArchiveError(Exception):
    """The file cannot be imported; `errors` says where and why, one line each
    (the first `MAX_REPORTED_ERRORS`; `total` counts them all)."""

    def __init__(self, errors, total=None):
        self.errors = list(errors)
        self.total = len(self.errors) if total is None else total
        shown = self.errors[:MAX_REPORTED_ERRORS]
        more = self.total - len(shown)
        super().__init__("\n".join(shown + ([f"… and {more} more"] if more else [])))


class _Problems:
    """The problems found so far: the first `MAX_REPORTED_ERRORS` word for
    word, the others counted (a file wrong throughout must not fill the
    memory with messages)."""

    def __init__(self, lines=()):
        self.shown, self.count = [], 0
        self.extend(lines)

    def append(self, line):
        self.count += 1
        if len(self.shown) < MAX_REPORTED_ERRORS:
            self.shown.append(line)

    def extend(self, lines):
        for line in lines:
            self.append(line)

    def __len__(self):
        return self.count

    def error(self):
        return ArchiveError(self.shown, self.count)


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


class _SharedFields(dict):
    """A form class's fields, lent to each of its forms rather than copied.

    A form deep-copies its class's fields, so that one form's changes to
    them (choices, widgets) cannot reach another. The import's forms only
    check data, which changes no field, and there is a form for every
    record of an archive of a hundred thousand articles: the copying was a
    third of the time the checks took.
    """

    def __deepcopy__(self, memo):
        return dict(self)


class RecordForm(forms.ModelForm):
    """A ModelForm fed one record of the file.

    A field the record leaves out takes the model's default (a computed one,
    like `published_at`'s "now", excepted: the file must say). The record
    already stored that `stored()` finds becomes the form's instance, so a
    re-import updates it rather than colliding with it.
    """

    def __init__(self, record):
        form_class = type(self)
        if not isinstance(form_class.base_fields, _SharedFields):
            form_class.base_fields = _SharedFields(form_class.base_fields)
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


DOI_TAKEN = next(
    c.violation_error_message for c in Article._meta.constraints if c.name == "unique_article_doi"
)


class ArticleForm(RecordForm):
    """An article record, whose key is its slug and local day.

    What the model's constraints would ask the database, two queries a
    record, is asked once for a chunk of records (see `for_chunk`): the slug
    on its day cannot clash, since an article stored with them is the one
    the record updates; the DOI can, with another article's.
    """

    # The format's dates are ISO 8601, whatever formats the locale accepts.
    published_at = forms.DateTimeField(
        input_formats=[],
        error_messages={
            "invalid": "Enter an ISO 8601 date and time, such as 2016-04-20T10:00:00+04:30."
        },
    )
    # The keys of the stored articles that hold the chunk's DOIs, by DOI.
    doi_owners = {}

    class Meta:
        model = Article
        fields = ARTICLE_FIELDS

    @classmethod
    def for_chunk(cls, records):
        """The form for a chunk of article records, with its DOIs looked up."""
        dois = {
            record["doi"].strip()
            for record in records
            if isinstance(record, dict) and isinstance(record.get("doi"), str)
        }
        owners = Article.objects.filter(doi__in=dois - {""}).values_list(
            "doi", "slug", "publish_date"
        )
        return type(cls.__name__, (cls,), {"doi_owners": {doi: key for doi, *key in owners}})

    def stored(self, cleaned_data):
        # Articles are matched by slug and local day, as their addresses are
        # (by the writer: the check needs no instance).
        self.key = None
        slug, moment = cleaned_data.get("slug"), cleaned_data.get("published_at")
        if slug and moment:
            with contextlib.suppress(OverflowError):  # Far out of range: `Article.clean` says so.
                self.key = (slug, timezone.localdate(moment))
        return None

    def _post_clean(self):
        self.instance.validate_constraints = self._validate_doi
        try:
            super()._post_clean()
        finally:
            del self.instance.validate_constraints

    def _validate_doi(self, exclude=None):
        owner = self.doi_owners.get(self.instance.doi)
        if owner is not None and tuple(owner) != self.key:
            raise ValidationError(DOI_TAKEN)


class SectionForm(RecordForm):
    class Meta:
        model = Section
        fields = SECTION_FIELDS

    def clean_body(self):
        body = check_section_body(self.cleaned_data["body"])
        if not richtext.plain_text(richtext.clean(body, section=True)):
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


class ImageEntryForm(RecordForm):
    """The text of a lead image, portrait or figure (its file is checked apart)."""

    class Meta:
        model = Image
        fields = archive_media.IMAGE_TEXTS


class DocumentEntryForm(RecordForm):
    class Meta:
        model = Document
        fields = DOCUMENT_FIELDS


class TranslationForm(forms.Form):
    slug = forms.SlugField(allow_unicode=True)
    date = forms.DateField(input_formats=["%Y-%m-%d"])


# ---------------------------------------------------------------------------
# Checking one record


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


@dataclass
class _AuthorRecord:
    fields: dict  # AUTHOR_FIELDS, cleaned
    portrait: object = UNCHANGED  # archive_media.FoundImage, None or UNCHANGED


def _check_authors(items, folder, errors):
    """The authors, checked: {slug: _AuthorRecord}."""
    records = {}
    for index, data in enumerate(items):
        where = _where("author", index, data)
        form = _checked(AuthorForm, data, where, errors, AUTHOR_PARTS)
        if form is None:
            continue
        portrait = _check_image_field(data, "portrait", where, folder, errors)
        slug = form.cleaned_data.get("slug")
        if slug in records:
            errors.append(f"{where}: slug: appears twice in the file")
        if slug and form.is_valid():
            records[slug] = _AuthorRecord(
                {name: form.cleaned_data[name] for name in AUTHOR_FIELDS}, portrait
            )
        elif slug:
            records[slug] = None
    return records


def _named_authors(articles):
    """The author slugs the articles name (those that could be stored)."""
    for article in articles:
        entries = article.get("authors") if isinstance(article, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            slug = entry.get("slug") if isinstance(entry, dict) else entry
            if isinstance(slug, str) and "\x00" not in slug:
                yield slug


@dataclass
class _ArticleRecord:
    """A checked article: what the second pass writes. Kept in the spool
    between the passes, never in memory for the whole file."""

    fields: dict  # ARTICLE_FIELDS, cleaned
    bylines: list  # (author slug, position, affiliation)
    keywords: list
    sections: list  # (heading, body), sanitised by the writer
    translation: tuple | None  # (slug, day)
    image: object = UNCHANGED  # archive_media.FoundImage, None or UNCHANGED
    documents: object = UNCHANGED  # [archive_media.FoundDocument] or UNCHANGED


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
        titles = {name: "" for name in BYLINE_FIELDS}
        if set(entry) != {"slug"}:  # A byline with titles of its own (a slug alone has none).
            label = f"{where}: authors: entry {number}"
            form = _checked(BylineForm, entry, label, errors, ["slug"])
            if form.is_valid():
                titles = {name: form.cleaned_data[name] for name in BYLINE_FIELDS}
        bylines.append((slug, titles["position"], titles["affiliation"]))
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
    """The sections as (heading, body); None for one that is wrong."""
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
    return [
        (form.cleaned_data["heading"], form.cleaned_data["body"]) if form in valid else None
        for form in forms
    ]


def _check_translation(data, where, errors):
    if data.get("translation") is None:
        return None
    form = _checked(TranslationForm, data["translation"], f"{where}: translation", errors)
    if form is None or not form.is_valid():
        return None
    return (form.cleaned_data["slug"], form.cleaned_data["date"])


def _check_image_entry(entry, where, folder, errors):
    """An image entry's text and file; the file found, or None if refused."""
    form = _checked(ImageEntryForm, entry, where, errors, ["file"])
    if form is None:
        return None
    try:
        found = archive_media.check_image(folder, entry.get("file"))
    except ValidationError as error:
        errors.extend(f"{where}: file: {message}" for message in error.messages)
        return None
    if not form.is_valid():
        return None
    found.texts = {name: form.cleaned_data[name] for name in archive_media.IMAGE_TEXTS}
    found.where = where
    return found


def _check_image_field(data, name, where, folder, errors):
    if name not in data:
        return UNCHANGED
    if data[name] is None:
        return None
    return _check_image_entry(data[name], f"{where}: {name}", folder, errors)


def _check_documents(data, where, folder, errors):
    if "documents" not in data:
        return UNCHANGED
    found = []
    for number, entry in enumerate(_list(data, "documents", where, errors), start=1):
        label = f"{where}: documents: #{number}"
        form = _checked(DocumentEntryForm, entry, label, errors, ["file"])
        if form is None:
            continue
        try:
            document = archive_media.check_document(folder, entry.get("file"))
        except ValidationError as error:
            errors.extend(f"{label}: file: {message}" for message in error.messages)
            continue
        if form.is_valid():
            document.title = form.cleaned_data["title"]
            document.language = form.cleaned_data["language"]
            found.append(document)
    return found


def _check_figures(items, folder, errors):
    """The top level's `images`: the library images figures in bodies name,
    by number. Returns {number: FoundImage}."""
    found = {}
    for index, entry in enumerate(items):
        where = f"image #{index + 1}"
        number = entry.get("number") if isinstance(entry, dict) else None
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            errors.append(f"{where}: number: must be the figure's number, a positive integer")
            continue
        where = f"image {number} (#{index + 1})"
        if number in found:
            errors.append(f"{where}: number: appears twice in the file")
        entry = {name: value for name, value in entry.items() if name != "number"}
        image = _check_image_entry(entry, where, folder, errors)
        if image is not None:
            found[number] = image
    return found


def _check_same_images(images, errors):
    """One file is one library image, with one text: the same bytes given
    twice with different texts would leave one of them unsaid."""
    first = {}
    for found in images:
        if not isinstance(found, archive_media.FoundImage):
            continue
        other = first.setdefault(found.sha256, found)
        if other is not found and other.texts != found.texts:
            errors.append(
                f"{found.where}: the same file as {other.where}, with another alt, "
                "caption, credit or decorative"
            )


# ---------------------------------------------------------------------------
# The first pass: checking the file


class _Spool:
    """The checked articles, put aside in a temporary file between the passes."""

    def __init__(self, file):
        self.file = file
        self.count = 0

    def add(self, record):
        pickle.dump(record, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.count += 1

    def records(self):
        self.file.seek(0)
        for _ in range(self.count):
            yield pickle.load(self.file)


class _ArticleChecks:
    """The articles' checks, a chunk at a time, and the rules across them;
    what they keep of each article is its key and language, and its
    translation's key if it names one."""

    def __init__(self, known_authors, folder, errors, spool):
        self.known_authors = set(known_authors)
        self.missing_authors = set()  # named, and neither in the file nor the database
        self.folder, self.errors, self.spool = folder, errors, spool
        self.count = 0
        self.languages = {}  # (slug, day): language, of every article in the file
        self.dois = {}  # DOI: key
        self.translations = []  # (where, key, language, translation's key)
        self.images = []  # lead images, for `_check_same_images`
        self.named_authors = set()

    def check(self, records):
        self._look_up_authors(records)
        form_class = ArticleForm.for_chunk(records)
        for data in records:
            index, self.count = self.count, self.count + 1
            self._check(data, index, form_class)

    def _look_up_authors(self, records):
        """Learn which of the authors the chunk names the database has (one query)."""
        unknown = set(_named_authors(records)) - self.known_authors - self.missing_authors
        if unknown:
            stored = set(Author.objects.filter(slug__in=unknown).values_list("slug", flat=True))
            self.known_authors |= stored
            self.missing_authors |= unknown - stored

    def _check(self, data, index, form_class):
        errors = self.errors
        where = _where("article", index, data)
        form = _checked(form_class, data, where, errors, ARTICLE_PARTS)
        if form is None:
            return
        record = _ArticleRecord(
            fields={name: form.cleaned_data.get(name) for name in ARTICLE_FIELDS},
            bylines=_check_bylines(data, where, self.known_authors, errors),
            keywords=_check_keywords(data, where, errors),
            sections=_check_sections(data, where, errors),
            translation=_check_translation(data, where, errors),
            image=_check_image_field(data, "image", where, self.folder, errors),
            documents=_check_documents(data, where, self.folder, errors),
        )
        language = form.cleaned_data.get("language")
        if form.cleaned_data.get("status") == Article.Status.PUBLISHED:
            problems = Article.publishing_problems(
                authors=len(record.bylines), sections=len(record.sections)
            )
            errors.extend(f"{where}: {part}: {message}" for part, message in problems.items())
        if form.key and form.key in self.languages:
            errors.append(
                f"{where}: slug: another article in the file has this slug on {form.key[1]}"
            )
        elif form.key:
            self.languages[form.key] = language
        doi = form.cleaned_data.get("doi")
        if doi and self.dois.setdefault(doi, form.key) != form.key:
            errors.append(f"{where}: doi: another article in the file has this DOI")
        if record.translation:
            self.translations.append((where, form.key, language, record.translation))
        if isinstance(record.image, archive_media.FoundImage):
            self.images.append(record.image)
        if not errors:  # Once anything is wrong nothing will be written.
            self.named_authors.update(slug for slug, _, _ in record.bylines)
            self.spool.add(record)

    def resolve_translations(self):
        """Each translation names an article in the file or the database, in the other language."""
        wanted = {target for _, _, _, target in self.translations} - set(self.languages)
        stored = _stored_articles(wanted, "language")
        for where, key, language, target in self.translations:
            slug, day = target
            other = self.languages.get(target, stored.get(target))
            if other is None:
                self.errors.append(
                    f"{where}: translation: no article {slug!r} of {day} in the file or database"
                )
            elif target == key:
                self.errors.append(
                    f"{where}: translation: an article cannot be its own translation"
                )
            elif language == other:
                self.errors.append(f"{where}: translation: {slug!r} is in the same language")


def _stored_articles(keys, column):
    """{(slug, day): column} of the stored articles with these keys, a few queries."""
    keys, found = list(keys), {}
    for first in range(0, len(keys), CHUNK):
        batch = keys[first : first + CHUNK]
        rows = Article.objects.filter(slug__in={slug for slug, _ in batch})
        for slug, day, value in rows.values_list("slug", "publish_date", column):
            found[(slug, day)] = value
    wanted = set(keys)
    return {key: value for key, value in found.items() if key in wanted}


@dataclass
class _Checked:
    """What the first pass leaves for the second."""

    figures: dict  # number: FoundImage
    authors: dict  # slug: _AuthorRecord
    keywords: list  # cleaned data of KeywordForm
    articles: _ArticleChecks
    spool: _Spool


def _chunks(items, size):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_file(reader, folder, spool, progress):
    """Check the whole archive (the first pass); raise ArchiveError listing
    every problem, or put the articles aside for the second."""
    try:
        survey = reader.survey()
        errors = _Problems(survey.problems)
        figure_images = _check_figures(survey.small["images"], folder, errors)
        authors = _check_authors(survey.small["authors"], folder, errors)
        articles = _ArticleChecks(authors, folder, errors, spool)
        progress("check", 0, survey.articles)
        for records in _chunks(reader.articles(), CHUNK):
            articles.check(records)
            progress("check", articles.count, survey.articles)
    except UnreadableArchive as error:
        raise ArchiveError([str(error)]) from None
    _check_same_images(
        [
            *figure_images.values(),
            *(record.portrait for record in authors.values() if record),
            *articles.images,
        ],
        errors,
    )
    articles.resolve_translations()
    keywords = [
        form.cleaned_data
        for index, item in enumerate(survey.small["keywords"])
        if (form := _checked(KeywordForm, item, f"key word #{index + 1}", errors))
    ]
    if errors:
        raise errors.error()
    return _Checked(figure_images, authors, keywords, articles, spool)


# ---------------------------------------------------------------------------
# The second pass: writing


def import_file(path, progress=None):
    """Import an archive file, whose media files are found relative to its
    folder; all of it or, on any error, nothing (no row, no stored file).
    `progress(stage, done, total)` hears how far the checks ("check") and the
    writing ("write") have come, a chunk of articles at a time."""
    path = Path(path)
    return _import(lambda: path.open("rb"), path.resolve().parent, progress)


def import_json(text, folder=None, progress=None):
    """Import an archive given as JSON text, its files in `folder`."""
    encoded = text.encode("utf-8")
    return _import(lambda: io.BytesIO(encoded), folder, progress)


def _import(open_file, folder, progress):
    progress = progress or (lambda stage, done, total: None)
    with tempfile.TemporaryFile() as spool_file:
        checked = _check_file(ArchiveReader(open_file), folder, _Spool(spool_file), progress)
        library = archive_media.Library()
        # The content version changes once, at the end: editors saving meanwhile
        # do not wait for the whole import (see caching.changes_batched).
        with (
            library.removing_files_on_error(),
            transaction.atomic(),
            caching.changes_batched(),
        ):
            bulk_import.check_references_as_written()
            library.store_figures(checked.figures)
            return _write(checked, library, progress)


def _write(checked, library, progress):
    result = ImportResult()
    _write_authors(checked.authors, library, result)
    articles = checked.articles
    author_by_slug = Author.objects.in_bulk(articles.named_authors, field_name="slug")
    # The articles' keys that translations link, and the pks they get.
    linked = {key for _, key, _, _ in articles.translations}
    linked |= {target for _, _, _, target in articles.translations}
    pks = {}
    writer = bulk_import.ArticleWriter(comment="Imported")
    done = 0
    progress("write", done, checked.spool.count)
    for records in _chunks(checked.spool.records(), CHUNK):
        contents = [_content(record, author_by_slug, library) for record in records]
        for record, (article, created) in zip(records, writer.write(contents), strict=True):
            if created:
                result.articles_created += 1
            else:
                result.articles_updated += 1
            if record.documents is not UNCHANGED:
                library.documents(article, record.documents)
            if (article.slug, article.publish_date) in linked:
                pks[(article.slug, article.publish_date)] = article.pk
        done += len(records)
        progress("write", done, checked.spool.count)
    _write_keywords(checked.keywords, result)
    pairs = [(key, target) for _, key, _, target in articles.translations]
    pks |= _stored_articles({target for _, target in pairs} - set(pks), "pk")
    bulk_import.link_translations((pks[key], pks[target]) for key, target in pairs)
    return result


def _content(record, author_by_slug, library):
    """What the writer needs of a checked article: its files stored, its
    figures renumbered to the library's images, its authors found."""
    fields = dict(record.fields)
    if record.image is not UNCHANGED:
        fields["image"] = library.image(record.image) if record.image else None
    return bulk_import.ArticleContent(
        fields=fields,
        bylines=[(author_by_slug[slug], *titles) for slug, *titles in record.bylines],
        keywords=record.keywords,
        sections=[(heading, library.renumber(body)) for heading, body in record.sections],
    )


def _write_authors(records, library, result):
    """Write the authors one by one (there are few), each only if it changes."""
    stored = Author.objects.in_bulk(list(records), field_name="slug")
    for slug, record in records.items():
        author = stored.get(slug)
        if author is None:
            author = Author()
            result.authors_created += 1
        else:
            result.authors_updated += 1
        changed = author.pk is None
        for name, value in record.fields.items():
            # The biography as `Author.save` would store it, to compare.
            stored_value = richtext.clean(value) if name == "bio" else value
            if getattr(author, name) != stored_value:
                setattr(author, name, value)
                changed = True
        if record.portrait is not UNCHANGED:
            portrait = library.image(record.portrait) if record.portrait else None
            if author.portrait_id != (portrait.pk if portrait else None):
                author.portrait = portrait
                changed = True
        if changed:
            author.save()


def _keyword_named(name):
    existing = Keyword.objects.filter(name__iexact=name).first()
    return existing or Keyword.objects.create(name=name)


def _write_keywords(records, result):
    """Describe the key words of the top level, and link their counterparts."""
    for data in records:
        # Looked up again: the articles may have just made it.
        keyword = _keyword_named(data["name"])
        changed = [
            name
            for name in ("description", "description_fa", "featured")
            if getattr(keyword, name) != data[name]
        ]
        for name in changed:
            setattr(keyword, name, data[name])
        if changed:
            keyword.save(update_fields=changed)
        if data["counterpart"]:
            other = _keyword_named(data["counterpart"])
            if (keyword.counterpart_id, other.counterpart_id) != (other.pk, keyword.pk):
                keyword.link_counterpart(other)
        result.keywords_described += 1


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


def _export_article(article, exporter=None):
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
    if exporter:
        data["image"] = exporter.image(article.image) if article.image else None
        data["documents"] = [exporter.document(d) for d in article.documents.all()]
    return data


def _export_author(author, exporter=None):
    data = _fields(author, AUTHOR_FIELDS)
    if exporter:
        data["portrait"] = exporter.image(author.portrait) if author.portrait else None
    return data


def _export_figures(articles, exporter):
    """The library images the figures in the articles' bodies name."""
    wanted = set()
    for article in articles:
        for section in article.sections.all():
            wanted |= figures.numbers(section.body)
    images = Image.objects.in_bulk(wanted) if wanted else {}
    return [{"number": number, **exporter.image(images[number])} for number in sorted(images)]


def export_archive(folder=None):
    """Every author, described key word and article (drafts and scheduled ones too).

    With a `folder`, the images and documents too: their originals are
    copied under `folder/media/` and the entries name them there. Without
    one, the entries are left out (a re-import leaves stored ones alone).
    """
    exporter = archive_media.Exporter(folder) if folder else None
    articles = (
        Article.objects.order_by("published_at", "pk")
        .select_related("translation", "image")
        .prefetch_related("bylines__author", "sections", "keywords", "documents")
    )
    keywords = (
        Keyword.objects.exclude(description="", description_fa="", counterpart=None, featured=False)
        .select_related("counterpart")
        .order_by(Lower("name"))
    )
    authors = Author.objects.select_related("portrait").order_by("slug")
    archive = {
        "authors": [_export_author(author, exporter) for author in authors],
        "keywords": [
            {
                **_fields(keyword, KEYWORD_FIELDS),
                "counterpart": keyword.counterpart.name if keyword.counterpart else None,
            }
            for keyword in keywords
        ],
        "articles": [_export_article(article, exporter) for article in articles],
    }
    if exporter:
        archive["images"] = _export_figures(articles, exporter)
    return archive


def export_json(folder=None):
    return json.dumps(export_archive(folder), ensure_ascii=False, indent=2) + "\n"
