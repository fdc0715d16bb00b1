"""Import and export of the JSON archive format.

One format both ways, so an export re-imports to the same content. Import
checks the whole file before it writes anything, then writes it in one
transaction: a bad file changes nothing, and every problem is reported with
the record (slug, or position in the file) and the field it is in.
"""

import datetime
import json
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_unicode_slug
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from authors.models import Author

from . import richtext
from .models import EARLIEST, LATEST, Article, ArticleAuthor, Keyword, Section

MAX_REPORTED_ERRORS = 50


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
# Reading and checking


class _Record:
    """Reads the fields of one JSON object, noting each problem under its name."""

    def __init__(self, data, where, errors, known):
        self.data, self.where, self.errors = data, where, errors
        if not isinstance(data, dict):
            self.error(None, "must be a JSON object")
            self.data = {}
            return
        for name in sorted(set(data) - set(known)):
            self.error(name, "is not a field of this format")

    def error(self, name, message):
        self.errors.append(
            f"{self.where}: {name}: {message}" if name else f"{self.where} {message}"
        )

    def text(self, name, *, model=None, required=False, default=""):
        value = self.data.get(name, default)
        if value is None:
            value = default
        if not isinstance(value, str):
            self.error(name, "must be a string")
            return default
        if "\x00" in value:
            self.error(name, "contains a NUL character")
            return default
        if model is not None and richtext.CONTROL_CHARACTERS.search(value):
            self.error(name, "contains invisible control characters")
            return default
        value = value.strip() if model is not None else value
        if required and not value.strip():
            self.error(name, "is required")
        limit = model._meta.get_field(name).max_length if model is not None else None
        if limit and len(value) > limit:
            self.error(name, f"is longer than {limit} characters")
        return value

    def slug(self, name, model):
        value = self.text(name, model=model, required=True)
        if value:
            try:
                validate_unicode_slug(value)
            except ValidationError:
                self.error(name, f"{value!r} is not a valid slug (letters, digits, - and _)")
        return value

    def choice(self, name, choices, default):
        value = self.data.get(name, default)
        if value not in choices:
            self.error(name, f"must be one of {', '.join(choices)}, not {value!r}")
        return value

    def list(self, name):
        value = self.data.get(name, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(name, "must be a list")
            return []
        return value


def _where(kind, index, data):
    slug = data.get("slug") if isinstance(data, dict) else None
    if isinstance(slug, str) and slug:
        return f'{kind} "{slug}" (#{index + 1})'
    return f"{kind} #{index + 1}"


def _parse_moment(value):
    """An ISO 8601 date and time; without an offset it is read in the site's zone."""
    try:
        moment = datetime.datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        in_range = EARLIEST <= moment <= LATEST
    except OverflowError:
        in_range = False
    if not in_range:
        raise ValueError("out of range")
    return moment


@dataclass
class _ArticlePlan:
    where: str
    fields: dict
    bylines: list
    keywords: list
    sections: list
    translation: tuple | None = None
    day: datetime.date | None = None
    instance: Article | None = field(default=None, repr=False)


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
ARTICLE_TEXT_FIELDS = ["summary", "photo_credit", "image_caption", "image_alt"]
ARTICLE_FIELDS = [
    "title",
    "slug",
    "language",
    "status",
    "published_at",
    "authors",
    "keywords",
    "sections",
    "translation",
    *ARTICLE_TEXT_FIELDS,
]


def _check_authors(items, errors):
    plans, seen = {}, set()
    for index, data in enumerate(items):
        record = _Record(data, _where("author", index, data), errors, AUTHOR_FIELDS)
        values = {
            "name": record.text("name", model=Author, required=True),
            "slug": record.slug("slug", Author),
            "position": record.text("position", model=Author),
            "affiliation": record.text("affiliation", model=Author),
            "position_fa": record.text("position_fa", model=Author),
            "affiliation_fa": record.text("affiliation_fa", model=Author),
            "bio": record.text("bio"),
            "email": record.text("email", model=Author),
        }
        if values["email"]:
            try:
                validate_email(values["email"])
            except ValidationError:
                record.error("email", f"{values['email']!r} is not an email address")
        is_active = record.data.get("is_active", True)
        if not isinstance(is_active, bool):
            record.error("is_active", "must be true or false")
        values["is_active"] = is_active is not False
        if values["slug"] in seen:
            record.error("slug", "appears twice in the file")
        seen.add(values["slug"])
        plans[values["slug"]] = values
    return plans


def _check_bylines(record, known_authors):
    bylines, seen = [], set()
    for number, entry in enumerate(record.list("authors"), start=1):
        if isinstance(entry, str):
            entry = {"slug": entry}
        if not isinstance(entry, dict) or not isinstance(entry.get("slug"), str):
            record.error("authors", f"entry {number} must be an author's slug")
            continue
        slug = entry["slug"]
        unknown = set(entry) - {"slug", "position", "affiliation"}
        if unknown:
            record.error("authors", f"entry {number} has unknown fields {sorted(unknown)}")
        if slug not in known_authors:
            record.error("authors", f"no author with slug {slug!r} in the file or the database")
        if slug in seen:
            record.error("authors", f"{slug!r} is named twice")
        seen.add(slug)
        position, affiliation = entry.get("position"), entry.get("affiliation")
        for name, value in (("position", position), ("affiliation", affiliation)):
            if value is not None and not isinstance(value, str):
                record.error("authors", f"entry {number}: {name} must be a string")
        bylines.append((slug, position, affiliation))
    return bylines


def _check_keywords(record):
    names, seen = [], set()
    limit = Keyword._meta.get_field("name").max_length
    for number, name in enumerate(record.list("keywords"), start=1):
        if (
            not isinstance(name, str)
            or not name.strip()
            or richtext.CONTROL_CHARACTERS.search(name)
        ):
            record.error(
                "keywords", f"entry {number} must be a non-empty string without control characters"
            )
            continue
        name = name.strip()
        if len(name) > limit:
            record.error("keywords", f"{name[:20]!r}… is longer than {limit} characters")
        # Key words are one regardless of case: keep the first spelling.
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


MAX_SECTIONS = 500


def _check_sections(record):
    sections, items = [], record.list("sections")
    if len(items) > MAX_SECTIONS:
        record.error("sections", f"more than {MAX_SECTIONS}")
        return sections
    for number, data in enumerate(items, start=1):
        section = _Record(
            data, f"{record.where}: sections: #{number}", record.errors, ["heading", "body"]
        )
        heading = section.text("heading", model=Section)
        body = section.text("body", required=True)
        if body.strip() and not richtext.plain_text(richtext.clean(body)):
            section.error("body", "has no text once unsafe HTML is removed")
        sections.append((heading, body))
    return sections


def _check_translation(record):
    value = record.data.get("translation")
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"slug", "date"}:
        record.error("translation", 'must be {"slug": …, "date": "YYYY-MM-DD"}')
        return None
    try:
        day = datetime.date.fromisoformat(value["date"])
    except (TypeError, ValueError):
        record.error("translation", f"date {value['date']!r} is not a date (YYYY-MM-DD)")
        return None
    try:
        validate_unicode_slug(value["slug"])
    except (ValidationError, TypeError):
        record.error("translation", f"slug {value['slug']!r} is not a valid slug")
        return None
    return (value["slug"], day)


def _check_articles(items, known_authors, errors):
    plans, seen = [], set()
    for index, data in enumerate(items):
        record = _Record(data, _where("article", index, data), errors, ARTICLE_FIELDS)
        fields = {
            "title": record.text("title", model=Article, required=True),
            "slug": record.slug("slug", Article),
            "language": record.choice("language", Article.Language.values, "en"),
            "status": record.choice("status", Article.Status.values, Article.Status.DRAFT),
        }
        for name in ARTICLE_TEXT_FIELDS:
            fields[name] = record.text(name, model=Article)
        plan = _ArticlePlan(
            where=record.where,
            fields=fields,
            bylines=_check_bylines(record, known_authors),
            keywords=_check_keywords(record),
            sections=_check_sections(record),
            translation=_check_translation(record),
        )
        published_at = record.data.get("published_at")
        try:
            fields["published_at"] = _parse_moment(published_at)
            plan.day = timezone.localdate(fields["published_at"])
        except (TypeError, ValueError):
            record.error(
                "published_at",
                f"{published_at!r} is not an ISO 8601 date and time between 1900 and 2099",
            )
        if fields["status"] == Article.Status.PUBLISHED:
            problems = Article.publishing_problems(
                authors=len(plan.bylines), sections=len(plan.sections)
            )
            for part, message in problems.items():
                record.error(part, message)
        key = (fields["slug"], plan.day)
        if plan.day and key in seen:
            record.error("slug", f"another article in the file has this slug on {plan.day}")
        seen.add(key)
        plans.append(plan)
    return plans


def _check_keyword_descriptions(items, errors):
    described = []
    for index, data in enumerate(items):
        record = _Record(
            data,
            f"key word #{index + 1}",
            errors,
            ["name", "description", "description_fa", "counterpart"],
        )
        name = record.text("name", model=Keyword, required=True)
        counterpart = record.data.get("counterpart") or None
        if counterpart is not None and (
            not isinstance(counterpart, str) or not counterpart.strip()
        ):
            record.error("counterpart", "must be a key word's name")
            counterpart = None
        if counterpart and counterpart.strip().lower() == name.lower():
            record.error("counterpart", "cannot be the key word itself")
        limit = Keyword._meta.get_field("name").max_length
        if counterpart and len(counterpart.strip()) > limit:
            record.error("counterpart", f"is longer than {limit} characters")
            counterpart = None
        described.append(
            (
                name,
                record.text("description"),
                record.text("description_fa"),
                counterpart and counterpart.strip(),
            )
        )
    return described


def _resolve_translations(plans, errors):
    by_key = {(plan.fields["slug"], plan.day): plan for plan in plans}
    wanted = [plan.translation for plan in plans if plan.translation]
    stored = {}
    if wanted:
        for article in Article.objects.filter(slug__in={slug for slug, _ in wanted}):
            stored[(article.slug, article.publish_date)] = article
    for plan in plans:
        if not plan.translation:
            continue
        target = by_key.get(plan.translation) or stored.get(plan.translation)
        slug, day = plan.translation
        if target is None:
            errors.append(
                f"{plan.where}: translation: no article {slug!r} of {day} in the file or database"
            )
            continue
        language = (
            target.fields["language"] if isinstance(target, _ArticlePlan) else target.language
        )
        if language == plan.fields["language"]:
            errors.append(f"{plan.where}: translation: {slug!r} is in the same language")
        if target is plan:
            errors.append(f"{plan.where}: translation: an article cannot be its own translation")


def check_archive(data):
    """Check a decoded archive; raise ArchiveError listing every problem."""
    errors = []
    if not isinstance(data, dict):
        raise ArchiveError(["the file must hold a JSON object with authors and articles"])
    for name in sorted(set(data) - {"authors", "articles", "keywords"}):
        errors.append(f"top level: {name}: is not a part of this format")
    lists = {}
    for name in ("authors", "articles", "keywords"):
        lists[name] = data.get(name) or []
        if not isinstance(lists[name], list):
            errors.append(f"top level: {name}: must be a list")
            lists[name] = []
    authors = _check_authors(lists["authors"], errors)
    known = set(authors) | set(
        Author.objects.filter(
            slug__in={
                slug
                for article in lists["articles"]
                if isinstance(article, dict) and isinstance(article.get("authors"), list)
                for entry in article["authors"]
                for slug in [entry.get("slug") if isinstance(entry, dict) else entry]
                if isinstance(slug, str) and "\x00" not in slug
            }
        ).values_list("slug", flat=True)
    )
    articles = _check_articles(lists["articles"], known, errors)
    _resolve_translations(articles, errors)
    keywords = _check_keyword_descriptions(lists["keywords"], errors)
    if errors:
        raise ArchiveError(errors)
    return authors, articles, keywords


# ---------------------------------------------------------------------------
# Writing


def _keyword_named(name):
    existing = Keyword.objects.filter(name__iexact=name).first()
    return existing or Keyword.objects.create(name=name)


def import_archive(data):
    """Check and write a decoded archive; all of it or, on any error, nothing."""
    authors, articles, keywords = check_archive(data)
    with transaction.atomic():
        return _write(authors, articles, keywords)


def _write(authors, articles, keywords):
    result = ImportResult()

    for slug, values in authors.items():
        _, created = Author.objects.update_or_create(slug=slug, defaults=values)
        if created:
            result.authors_created += 1
        else:
            result.authors_updated += 1
    author_by_slug = Author.objects.in_bulk(
        {slug for plan in articles for slug, _, _ in plan.bylines}, field_name="slug"
    )

    for plan in articles:
        # Each article gets a saved version of its own, as an admin save would.
        with reversion.create_revision():
            reversion.set_comment("Imported")
            _write_article(plan, author_by_slug, result)

    for name, description, description_fa, counterpart in keywords:
        keyword = _keyword_named(name)
        keyword.description, keyword.description_fa = description, description_fa
        keyword.save(update_fields=["description", "description_fa"])
        if counterpart:
            keyword.link_counterpart(_keyword_named(counterpart))
        result.keywords_described += 1

    by_key = {(plan.fields["slug"], plan.day): plan.instance for plan in articles}
    for plan in articles:
        if plan.translation:
            target = by_key.get(plan.translation) or Article.objects.get(
                slug=plan.translation[0], publish_date=plan.translation[1]
            )
            plan.instance.link_translation(target)
    return result


def _write_article(plan, author_by_slug, result):
    article = Article.objects.filter(slug=plan.fields["slug"], publish_date=plan.day).first()
    if article is None:
        article = Article(**plan.fields)
        result.articles_created += 1
    else:
        for name, value in plan.fields.items():
            setattr(article, name, value)
        result.articles_updated += 1
    article.save()
    plan.instance = article
    article.bylines.all().delete()
    for order, (slug, position, affiliation) in enumerate(plan.bylines):
        ArticleAuthor(
            article=article,
            author=author_by_slug[slug],
            order=order,
            position=position or "",
            affiliation=affiliation or "",
        ).save()
    article.sections.all().delete()
    for order, (heading, body) in enumerate(plan.sections):
        Section(article=article, order=order, heading=heading, body=body).save()
    article.keywords.set([_keyword_named(name) for name in plan.keywords])


def import_json(text):
    """Import an archive given as JSON text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ArchiveError([f"not valid JSON: {error}"]) from None
    except RecursionError:
        raise ArchiveError(["not valid JSON: nested too deeply"]) from None
    return import_archive(data)


def _byline_entry(line):
    if line.position == line.author.position and line.affiliation == line.author.affiliation:
        return line.author.slug
    return {"slug": line.author.slug, "position": line.position, "affiliation": line.affiliation}


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
        "authors": [
            {
                "name": author.name,
                "slug": author.slug,
                "position": author.position,
                "affiliation": author.affiliation,
                "position_fa": author.position_fa,
                "affiliation_fa": author.affiliation_fa,
                "bio": author.bio,
                "email": author.email,
                "is_active": author.is_active,
            }
            for author in Author.objects.order_by("slug")
        ],
        "keywords": [
            {
                "name": keyword.name,
                "description": keyword.description,
                "description_fa": keyword.description_fa,
                "counterpart": keyword.counterpart.name if keyword.counterpart else None,
            }
            for keyword in keywords
        ],
        "articles": [_export_article(article) for article in articles],
    }


def _export_article(article):
    data = {
        "title": article.title,
        "slug": article.slug,
        "language": article.language,
        "status": article.status,
        "published_at": timezone.localtime(article.published_at).isoformat(),
        "authors": [_byline_entry(line) for line in article.bylines.all()],
        **{name: getattr(article, name) for name in ARTICLE_TEXT_FIELDS},
        "keywords": sorted((k.name for k in article.keywords.all()), key=str.lower),
        "sections": [{"heading": s.heading, "body": s.body} for s in article.sections.all()],
    }
    if article.translation:
        data["translation"] = {
            "slug": article.translation.slug,
            "date": article.translation.publish_date.isoformat(),
        }
    return data


def export_json():
    return json.dumps(export_archive(), ensure_ascii=False, indent=2) + "\n"
