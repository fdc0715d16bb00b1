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
publishing rule of `Article.publishing_problems`). The image and document
files the records name are found, checked and stored by `archive_media`.
"""

import json
from dataclasses import dataclass

import reversion
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from authors.models import Author
from csr_site.audit import record_many

from . import archive_media, caching, figures, richtext
from .documents import Document
from .forms import check_article_size, check_section_body, too_many_sections
from .images import Image
from .models import Article, ArticleAuthor, Keyword, Section

MAX_REPORTED_ERRORS = 50

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
# An image or documents entry left out of a record leaves what is stored
# alone (a file exported without its media keeps them on re-import); `null`
# or an empty list removes them.
UNCHANGED = object()


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
        return Article.objects.filter(slug=slug, publish_date=self.key[1]).first()


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


def _check_authors(items, folder, errors):
    forms_by_slug = {}
    for index, data in enumerate(items):
        where = _where("author", index, data)
        form = _checked(AuthorForm, data, where, errors, AUTHOR_PARTS)
        if form is not None:
            form.portrait = _check_image_field(data, "portrait", where, folder, errors)
        slug = form and form.cleaned_data.get("slug")
        if slug in forms_by_slug:
            errors.append(f"{where}: slug: appears twice in the file")
        if slug:
            forms_by_slug[slug] = form
    return forms_by_slug


def _named_authors(articles):
    """The author slugs the articles name (those that could be stored)."""
    for article in articles:
        entries = article.get("authors") if isinstance(article, dict) else None
        for entry in entries if isinstance(entries, list) else []:
            slug = entry.get("slug") if isinstance(entry, dict) else entry
            if isinstance(slug, str) and "\x00" not in slug:
                yield slug


@dataclass
class _ArticlePlan:
    where: str
    form: ArticleForm
    bylines: list  # (author slug, BylineForm)
    keywords: list
    sections: list  # SectionForm
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


def _check_articles(items, known_authors, folder, errors):
    plans, seen = [], set()
    for index, data in enumerate(items):
        where = _where("article", index, data)
        form = _checked(ArticleForm, data, where, errors, ARTICLE_PARTS)
        if form is None:
            continue
        plan = _ArticlePlan(
            where=where,
            form=form,
            bylines=_check_bylines(data, where, known_authors, errors),
            keywords=_check_keywords(data, where, errors),
            sections=_check_sections(data, where, errors),
            translation=_check_translation(data, where, errors),
            image=_check_image_field(data, "image", where, folder, errors),
            documents=_check_documents(data, where, folder, errors),
        )
        if form.cleaned_data.get("status") == Article.Status.PUBLISHED:
            problems = Article.publishing_problems(
                authors=len(plan.bylines), sections=len(plan.sections)
            )
            errors.extend(f"{where}: {part}: {message}" for part, message in problems.items())
        if form.key and form.key in seen:
            errors.append(
                f"{where}: slug: another article in the file has this slug on {form.key[1]}"
            )
        seen.add(form.key)
        plans.append(plan)
    return plans


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


def _resolve_translations(plans, errors):
    by_key = {plan.form.key: plan for plan in plans if plan.form.key}
    wanted = {plan.translation for plan in plans if plan.translation}
    stored = {
        (article.slug, article.publish_date): article
        for article in Article.objects.filter(slug__in={slug for slug, _ in wanted})
    }
    for plan in plans:
        if not plan.translation:
            continue
        slug, day = plan.translation
        target = by_key.get(plan.translation) or stored.get(plan.translation)
        if target is None:
            errors.append(
                f"{plan.where}: translation: no article {slug!r} of {day} in the file or database"
            )
        elif target is plan:
            errors.append(f"{plan.where}: translation: an article cannot be its own translation")
        elif plan.form.cleaned_data.get("language") == (
            target.form.cleaned_data.get("language")
            if isinstance(target, _ArticlePlan)
            else target.language
        ):
            errors.append(f"{plan.where}: translation: {slug!r} is in the same language")


def check_archive(data, folder=None):
    """Check a decoded archive and the files it names in `folder` (the archive's
    own); raise ArchiveError listing every problem."""
    if not isinstance(data, dict):
        raise ArchiveError(["the file must hold a JSON object with authors and articles"])
    errors = [
        f"top level: {name}: is not a part of this format"
        for name in sorted(set(data) - {"authors", "articles", "keywords", "images"})
    ]
    author_items, article_items, keyword_items, image_items = (
        _list(data, name, "top level", errors)
        for name in ("authors", "articles", "keywords", "images")
    )
    figure_images = _check_figures(image_items, folder, errors)
    authors = _check_authors(author_items, folder, errors)
    stored_authors = Author.objects.filter(slug__in=set(_named_authors(article_items)))
    known = set(authors) | set(stored_authors.values_list("slug", flat=True))
    articles = _check_articles(article_items, known, folder, errors)
    _check_same_images(
        [
            *figure_images.values(),
            *(form.portrait for form in authors.values()),
            *(plan.image for plan in articles),
        ],
        errors,
    )
    _resolve_translations(articles, errors)
    keywords = [
        form
        for index, item in enumerate(keyword_items)
        if (form := _checked(KeywordForm, item, f"key word #{index + 1}", errors))
    ]
    if errors:
        raise ArchiveError(errors)
    return authors, articles, keywords, figure_images


# ---------------------------------------------------------------------------
# Writing


def _keyword_named(name):
    existing = Keyword.objects.filter(name__iexact=name).first()
    return existing or Keyword.objects.create(name=name)


def import_archive(data, folder=None):
    """Check and write a decoded archive whose files are in `folder`; all of it
    or, on any error, nothing (no row, no stored file)."""
    authors, articles, keywords, figure_images = check_archive(data, folder)
    library = archive_media.Library()
    # The content version changes once, at the end: editors saving meanwhile
    # do not wait for the whole import (see caching.changes_batched).
    with library.removing_files_on_error(), transaction.atomic(), caching.changes_batched():
        library.store_figures(figure_images)
        return _write(authors, articles, keywords, library)


def _set_image(instance, name, found, library):
    """Point `instance`'s image field `name` at the library image of `found`."""
    if found is not UNCHANGED:
        setattr(instance, name, library.image(found) if found else None)


def _write(authors, articles, keywords, library):
    result = ImportResult()

    for form in authors.values():
        if form.instance._state.adding:
            result.authors_created += 1
        else:
            result.authors_updated += 1
        _set_image(form.instance, "portrait", form.portrait, library)
        form.save()
    author_by_slug = Author.objects.in_bulk(
        {slug for plan in articles for slug, _ in plan.bylines}, field_name="slug"
    )

    for plan in articles:
        # Each article gets a saved version of its own, as an admin save would.
        with reversion.create_revision():
            reversion.set_comment("Imported")
            _write_article(plan, author_by_slug, result, library)
    record_many(None, [plan.form.instance for plan in articles], "Imported")

    for form in keywords:
        # Looked up again: the articles may have just made it.
        keyword = _keyword_named(form.cleaned_data["name"])
        keyword.description = form.cleaned_data["description"]
        keyword.description_fa = form.cleaned_data["description_fa"]
        keyword.featured = form.cleaned_data["featured"]
        keyword.save(update_fields=["description", "description_fa", "featured"])
        if form.cleaned_data["counterpart"]:
            keyword.link_counterpart(_keyword_named(form.cleaned_data["counterpart"]))
        result.keywords_described += 1

    by_key = {plan.form.key: plan.form.instance for plan in articles}
    for plan in articles:
        if plan.translation:
            target = by_key.get(plan.translation) or Article.objects.get(
                slug=plan.translation[0], publish_date=plan.translation[1]
            )
            plan.form.instance.link_translation(target)
    return result


def _write_article(plan, author_by_slug, result, library):
    if plan.form.instance._state.adding:
        result.articles_created += 1
    else:
        result.articles_updated += 1
    _set_image(plan.form.instance, "image", plan.image, library)
    article = plan.form.save()
    if plan.documents is not UNCHANGED:
        library.documents(article, plan.documents)
    article.bylines.all().delete()
    for order, (slug, form) in enumerate(plan.bylines):
        byline = form.save(commit=False)
        byline.article, byline.author, byline.order = article, author_by_slug[slug], order
        byline.save()
    article.sections.all().delete()
    for order, form in enumerate(plan.sections):
        section = form.save(commit=False)
        section.article, section.order = article, order
        section.body = library.renumber(section.body)
        section.save()
    article.keywords.set([_keyword_named(name) for name in plan.keywords])


def import_json(text, folder=None):
    """Import an archive given as JSON text, its files in `folder`."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveError([f"not valid JSON: {error}"]) from None
    except RecursionError:
        raise ArchiveError(["not valid JSON: nested too deeply"]) from None
    return import_archive(data, folder)


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
