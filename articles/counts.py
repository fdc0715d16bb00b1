"""How many published articles each key word, author and month has in each
edition: stored, so that no page counts over the whole archive.

Every write that can change a count (an article's status, date or language,
its key words and bylines, deletions, key word merges, imports, bulk
updates) has the counts it touches made again from the articles themselves,
in its own transaction: made again, never incremented, so a count cannot
drift from what it counts. By then the writer holds the content version's
row (`caching.content_changed` runs first), so two writers never count
without each other's change. Inside `caching.changes_batched()` (imports)
what is touched is noted, and counted once at the end.

Scheduled articles are counted with the published ones, since time makes
them public without any write; they are taken away again when counts are
read (`Scheduled`), which costs nothing while no article is scheduled.

`python manage.py recount_articles` makes every count again.
"""

import datetime
import functools
import operator
from collections import Counter
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models import Count, Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import calendar
from .querysets import published_rule

# What an article is counted by: its status, its edition and its day.
COUNTED_FIELDS = {"status", "published_at", "publish_date", "language"}
# Every count of a kind, for `recount()` and `touch()`.
ALL = "all"


class KeywordCount(models.Model):
    """How many published articles of an edition have a key word."""

    keyword = models.ForeignKey(
        "Keyword", on_delete=models.CASCADE, related_name="counts", verbose_name=_("key word")
    )
    language = models.CharField(_("language"), max_length=2)
    count = models.PositiveIntegerField(_("articles"))

    class Meta:
        verbose_name = _("key word count")
        verbose_name_plural = _("key word counts")
        constraints = [
            models.UniqueConstraint(fields=["keyword", "language"], name="unique_keyword_count")
        ]

    def __str__(self):
        return f"{self.keyword_id} ({self.language}): {self.count}"


class AuthorCount(models.Model):
    """How many published articles of an edition an author has a byline in."""

    author = models.ForeignKey(
        "authors.Author",
        on_delete=models.CASCADE,
        related_name="article_counts",
        verbose_name=_("author"),
    )
    language = models.CharField(_("language"), max_length=2)
    count = models.PositiveIntegerField(_("articles"))

    class Meta:
        verbose_name = _("author count")
        verbose_name_plural = _("author counts")
        constraints = [
            models.UniqueConstraint(fields=["author", "language"], name="unique_author_count")
        ]

    def __str__(self):
        return f"{self.author_id} ({self.language}): {self.count}"


class MonthCount(models.Model):
    """How many published articles of an edition a month has, by their local day.

    A March is split where the Solar Hijri year begins (Nowruz), so the rows
    give the years of both calendars.
    """

    language = models.CharField(_("language"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    solar_year = models.PositiveSmallIntegerField(_("Solar Hijri year"))
    count = models.PositiveIntegerField(_("articles"))

    class Meta:
        ordering = ["language", "year", "month", "solar_year"]
        verbose_name = _("month count")
        verbose_name_plural = _("month counts")
        constraints = [
            models.UniqueConstraint(
                fields=["language", "year", "month", "solar_year"], name="unique_month_count"
            )
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} ({self.language}): {self.count}"


MONTH_FIELDS = ["language", "year", "month", "solar_year"]


def month_of(language, day):
    """The month row (language, year, month, Solar Hijri year) a local day is counted in."""
    return (language, day.year, day.month, calendar.solar(day).year)


def _fields_of(row):
    return dict(zip(MONTH_FIELDS, row, strict=True))


def _days_in(row):
    """The articles a month row counts, as a condition: its language and days."""
    language, year, month, solar_year = row
    start = datetime.date(year, month, 1)
    end = datetime.date(year + month // 12, month % 12 + 1, 1)
    solar_start, solar_end = (moment.date() for moment in calendar.solar_range(solar_year))
    return {
        "language": language,
        "publish_date__gte": max(start, solar_start),
        "publish_date__lt": min(end, solar_end),
    }


def _any_of(conditions):
    return functools.reduce(operator.or_, (Q(**condition) for condition in conditions))


# ---------------------------------------------------------------------------
# Counting again


def _app_models(apps=None):
    """The models counting reads and writes: the app's, or a migration's (`apps`)."""
    names = ["Article", "ArticleAuthor", "TaggedArticle", "KeywordCount", "AuthorCount"]
    names.append("MonthCount")
    if apps is None:
        from . import models as app_models

        return SimpleNamespace(**{name: getattr(app_models, name) for name in names})
    return SimpleNamespace(**{name: apps.get_model("articles", name) for name in names})


def recount(keywords=(), authors=(), months=(), *, using=None, apps=None):
    """Make the counts of these key word and author ids and month rows again
    (`ALL` for every count of a kind, the stored ones thrown away)."""
    m = _app_models(apps)
    using = using or DEFAULT_DB_ALIAS
    if keywords:
        rows = m.KeywordCount.objects.using(using)
        links = m.TaggedArticle.objects.using(using).filter(published_rule("content_object__"))
        if keywords != ALL:
            rows, links = rows.filter(keyword__in=keywords), links.filter(tag__in=keywords)
        rows.delete()
        counted = links.values_list("tag_id", "content_object__language").annotate(n=Count("*"))
        m.KeywordCount.objects.using(using).bulk_create(
            m.KeywordCount(keyword_id=pk, language=language, count=n)
            for pk, language, n in counted.order_by()
        )
    if authors:
        rows = m.AuthorCount.objects.using(using)
        lines = m.ArticleAuthor.objects.using(using).filter(published_rule("article__"))
        if authors != ALL:
            rows, lines = rows.filter(author__in=authors), lines.filter(author__in=authors)
        rows.delete()
        counted = lines.values_list("author_id", "article__language").annotate(n=Count("*"))
        m.AuthorCount.objects.using(using).bulk_create(
            m.AuthorCount(author_id=pk, language=language, count=n)
            for pk, language, n in counted.order_by()
        )
    if months:
        rows = m.MonthCount.objects.using(using)
        articles = m.Article.objects.using(using).filter(published_rule())
        if months != ALL:
            rows = rows.filter(_any_of(_fields_of(row) for row in months))
            articles = articles.filter(_any_of(_days_in(row) for row in months))
        rows.delete()
        totals = Counter()
        days = articles.values_list("language", "publish_date").annotate(n=Count("*"))
        for language, day, n in days.order_by():
            totals[month_of(language, day)] += n
        m.MonthCount.objects.using(using).bulk_create(
            m.MonthCount(**_fields_of(row), count=n) for row, n in totals.items()
        )


# ---------------------------------------------------------------------------
# What writes touch


def touch(*, keywords=(), authors=(), months=(), using=None, later=False):
    """Count these key words, authors and month rows again (with whatever
    was noted before); or only note them, with `later` or inside a batch."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    pending = getattr(connection, "counts_pending", None) or {
        "keywords": set(),
        "authors": set(),
        "months": set(),
    }
    for kind, touched in (("keywords", keywords), ("authors", authors), ("months", months)):
        if touched == ALL or pending[kind] == ALL:
            pending[kind] = ALL
        else:
            pending[kind].update(touched)
    connection.counts_pending = pending
    if not later and not getattr(connection, "content_batch_depth", 0):
        flush(using)


def start_batch(using=None):
    """Forget what an earlier batch that failed left noted."""
    connections[using or DEFAULT_DB_ALIAS].counts_pending = None


def flush(using=None):
    """Count again what was noted (at the end of `caching.changes_batched()`, too)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    pending = getattr(connection, "counts_pending", None)
    connection.counts_pending = None
    if not pending or not any(pending.values()):
        return
    outside = not connection.in_atomic_block
    with transaction.atomic(using=using):
        if outside:
            _hold_version(using)
        recount(**pending, using=using)


def _hold_version(using):
    # Outside a transaction the content version's row was written and let go
    # already: held again, so that no other writer counts meanwhile.
    from .models import ContentVersion

    ContentVersion.objects.using(using).select_for_update().filter(pk=1).exists()


def _state(status, language, day):
    """The month row an article is counted in: None for one not published."""
    return month_of(language, day) if status == "published" else None


def states(articles):
    """{pk: month row or None} of a queryset's articles, for `articles_changed()`."""
    rows = articles.values_list("pk", "status", "language", "publish_date")
    return {pk: _state(status, language, day) for pk, status, language, day in rows}


def articles_changed(before, after=None, *, linked=True, using=None):
    """Count again what articles are counted in, given the month rows they
    were counted in before a write and after it (`states()`, read again if
    not given); their key words and authors too when they count differently
    now (`linked`: they may have some)."""
    m = _app_models()
    if after is None:
        after = states(m.Article.objects.using(using).filter(pk__in=before))
    moved = [pk for pk in before.keys() | after.keys() if before.get(pk) != after.get(pk)]
    if not moved:
        return
    months = {row for pk in moved for row in (before.get(pk), after.get(pk)) if row}
    keywords = authors = ()
    if linked:
        links = m.TaggedArticle.objects.using(using).filter(content_object__in=moved)
        keywords = set(links.values_list("tag_id", flat=True))
        lines = m.ArticleAuthor.objects.using(using).filter(article__in=moved)
        authors = set(lines.values_list("author_id", flat=True))
    touch(keywords=keywords, authors=authors, months=months, using=using)


# Signal receivers (connected in `connect_signals()`, after the cache's).

_UNCHANGED = object()


def article_before_save(sender, instance, using=None, update_fields=None, **kwargs):
    # (A restored version is saved raw, as if new, over the row it replaces:
    # so the row is looked for whenever there may be one.)
    if instance.pk is None:
        instance._counted_before = None
    elif update_fields is not None and not COUNTED_FIELDS.intersection(update_fields):
        instance._counted_before = _UNCHANGED
    else:
        found = states(sender._base_manager.using(using).filter(pk=instance.pk))
        instance._counted_before = found.get(instance.pk)


def article_saved(sender, instance, created, using=None, **kwargs):
    before = instance.__dict__.pop("_counted_before", _UNCHANGED)
    if before is _UNCHANGED:
        return
    after = _state(instance.status, instance.language, instance.publish_date)
    articles_changed({instance.pk: before}, {instance.pk: after}, linked=not created, using=using)


def article_deleted(sender, instance, using=None, **kwargs):
    # Its key words and bylines went first (noted for now: see link_deleted).
    row = _state(instance.status, instance.language, instance.publish_date)
    touch(months=[row] if row else [], using=using)


def _linked_to(sender):
    """The field of a key word link or a byline that counts are kept by."""
    return "tag_id" if sender._meta.model_name == "taggedarticle" else "author_id"


def _touch_linked(sender, ids, using, later=False):
    kind = "keywords" if _linked_to(sender) == "tag_id" else "authors"
    touch(**{kind: ids}, using=using, later=later)


def link_before_save(sender, instance, using=None, **kwargs):
    if instance.pk is not None:
        # A link moved to another key word or author changes the old one's count too.
        rows = sender._base_manager.using(using).filter(pk=instance.pk)
        instance._counted_before = rows.values_list(_linked_to(sender), flat=True).first()


def link_saved(sender, instance, using=None, **kwargs):
    before = instance.__dict__.pop("_counted_before", None)
    linked = getattr(instance, _linked_to(sender))
    _touch_linked(sender, {linked, before} - {None}, using)


def link_deleted(sender, instance, using=None, origin=None, **kwargs):
    origin_model = origin.model if isinstance(origin, models.QuerySet) else type(origin)
    name = origin_model._meta.model_name if hasattr(origin_model, "_meta") else None
    if name == "keyword" and sender._meta.model_name == "taggedarticle":
        # The key word itself goes, and its counts with it.
        return
    # When articles are deleted, their links go first: counted once, as the
    # articles go (see article_deleted), not once a link.
    later = name == "article"
    _touch_linked(sender, [getattr(instance, _linked_to(sender))], using, later=later)


def bulk_written(sender, objs=None, fields=None, using=None, **kwargs):
    """Bulk writes say which rows they wrote (bulk_create, bulk_update), or
    only which fields (update()); `ArticleQuerySet.update()` counts itself."""
    name = sender._meta.model_name
    created = objs is not None and fields is None
    fields = fields or set()
    if name in ("taggedarticle", "articleauthor"):
        linked = _linked_to(sender)
        if created:
            _touch_linked(sender, {getattr(obj, linked) for obj in objs}, using)
        elif fields & {linked, linked.removesuffix("_id"), "article", "article_id"} or (
            fields & {"content_object", "content_object_id"}
        ):
            _touch_linked(sender, ALL, using)
    elif name == "article" and objs is not None:
        if created:
            rows = {_state(obj.status, obj.language, obj.publish_date) for obj in objs}
            touch(months=rows - {None}, using=using)
        elif COUNTED_FIELDS & fields:
            # What they were counted in before is not known: everything again.
            touch(keywords=ALL, authors=ALL, months=ALL, using=using)


# ---------------------------------------------------------------------------
# Reading


class Scheduled:
    """The scheduled articles, which the stored counts count and readers
    may not see yet. Read only when `waiting` (some article is scheduled)."""

    def __init__(self, waiting=True):
        self.waiting = waiting

    @cached_property
    def articles(self):
        """{pk: month row}"""
        if not self.waiting:
            return {}
        from .models import Article

        rows = Article.objects.scheduled().values_list("pk", "language", "publish_date")
        return {pk: month_of(language, day) for pk, language, day in rows}

    @cached_property
    def keywords(self):
        """Counter of (key word id, language)."""
        from .models import TaggedArticle

        return self._linked(TaggedArticle.objects.filter(content_object__in=list(self.articles)))

    @cached_property
    def authors(self):
        """Counter of (author id, language)."""
        from .models import ArticleAuthor

        return self._linked(ArticleAuthor.objects.filter(article__in=list(self.articles)))

    def _linked(self, rows):
        if not self.articles:
            return Counter()
        linked = _linked_to(rows.model)
        article = "content_object_id" if linked == "tag_id" else "article_id"
        pairs = rows.values_list(linked, article)
        return Counter((pk, self.articles[article_id][0]) for pk, article_id in pairs)

    @cached_property
    def months(self):
        """Counter of month rows."""
        return Counter(self.articles.values())


def _in_use(things, scheduled, language):
    """`things` (annotated with their stored `article_count`) whose count,
    scheduled articles taken away, is more than none."""
    found = []
    for thing in things:
        thing.article_count -= scheduled[(thing.pk, language)]
        if thing.article_count > 0:
            found.append(thing)
    return found


def keywords_in_use(language, scheduled):
    """The key words of an edition's public articles, by name, each with its `article_count`."""
    from .models import Keyword

    keywords = Keyword.objects.filter(counts__language=language).annotate(
        article_count=models.F("counts__count")
    )
    found = _in_use(keywords.order_by(), scheduled.keywords, language)
    return sorted(found, key=lambda keyword: (keyword.name.lower(), keyword.pk))


def authors_in_use(language, scheduled):
    """The authors of an edition's public articles, by name, each with their `article_count`."""
    from authors.models import Author

    authors = Author.objects.filter(article_counts__language=language).annotate(
        article_count=models.F("article_counts__count")
    )
    return _in_use(authors.order_by("name", "pk"), scheduled.authors, language)


def keyword_counts(keywords, scheduled):
    """{(key word id, language): public articles} of some key words."""
    rows = KeywordCount.objects.filter(keyword__in=keywords)
    counts = Counter({(row.keyword_id, row.language): row.count for row in rows})
    counts.subtract(scheduled.keywords)
    return counts


def author_counts(author, scheduled):
    """{language: public articles} of an author."""
    counts = Counter(dict(author.article_counts.values_list("language", "count")))
    for (pk, language), n in scheduled.authors.items():
        if pk == author.pk:
            counts[language] -= n
    return counts


def months(language, scheduled):
    """{(year, month, Solar Hijri year): public articles} of an edition."""
    rows = MonthCount.objects.filter(language=language)
    counts = Counter({(row.year, row.month, row.solar_year): row.count for row in rows.order_by()})
    counts.subtract({row[1:]: n for row, n in scheduled.months.items() if row[0] == language})
    return +counts


def connect_signals():
    from django.db.models.signals import post_delete, post_save, pre_save

    from . import changes
    from .models import Article, ArticleAuthor, TaggedArticle

    pre_save.connect(article_before_save, sender=Article, dispatch_uid="counts-article")
    post_save.connect(article_saved, sender=Article, dispatch_uid="counts-article")
    post_delete.connect(article_deleted, sender=Article, dispatch_uid="counts-article")
    for model in (TaggedArticle, ArticleAuthor):
        uid = f"counts-{model._meta.model_name}"
        pre_save.connect(link_before_save, sender=model, dispatch_uid=uid)
        post_save.connect(link_saved, sender=model, dispatch_uid=uid)
        post_delete.connect(link_deleted, sender=model, dispatch_uid=uid)
    changes.bulk_written.connect(bulk_written, dispatch_uid="counts-bulk")
