"""What can be asked of many articles or key words at once.

`ArticleQuerySet.public()` is the one rule for what readers may see; every
public page, list, count, feed and search starts from it or from
`in_edition()`, which narrows it to one edition's language.
"""

from django.db import connection, models, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from authors.models import Author

from . import editions
from .changes import ContentQuerySet

# An article's stored search data (see search.py): long, and never shown on a page.
SEARCH_FIELDS = ["search_text", "search_vector"]
# What lists print of an article's authors (and feeds and the admin's list).
BYLINE_AUTHOR_FIELDS = ["author__name", "author__name_fa", "author__slug"]


def published_rule(through=""):
    """What `ArticleQuerySet.published()` asks of an article, as a condition
    on rows that reach articles through the relation `through`
    ("content_object__"), for stored counts (see counts.py)."""
    return models.Q(**{f"{through}status": "published"})


def related_model(queryset, name):
    """The model at the other end of `queryset`'s relation `name` (the models
    module imports this one, so its classes are reached through the relations)."""
    return queryset.model._meta.get_field(name).related_model


class KeywordQuerySet(ContentQuerySet):
    def in_use(self, language=None):
        """Key words of an edition's public articles, each with their `article_count`."""
        tagged = related_model(self, "tagged_articles")
        listed = related_model(tagged.objects, "content_object").objects.in_edition(language)
        return self.filter(tagged_articles__content_object__in=listed).annotate(
            article_count=models.Count("tagged_articles")
        )


class SectionQuerySet(ContentQuerySet):
    def update(self, **fields):
        """`QuerySet.update()`; when it changes what an article's opening
        words are read from, they are made again (see openings.py)."""
        from . import openings

        if not openings.SECTION_FIELDS.intersection(fields):
            return super().update(**fields)
        with transaction.atomic(using=self.db):
            rows = dict(self.values_list("pk", "article_id"))
            written = super().update(**fields)
            now = self.model._base_manager.using(self.db).filter(pk__in=rows)
            openings.touch({*rows.values(), *now.values_list("article_id", flat=True)}, self.db)
        return written


class ArticleQuerySet(ContentQuerySet):
    def public(self):
        """What a reader may see: published, and not scheduled for later.

        Every public page, list, count and feed starts from here.
        """
        return self.published().filter(published_at__lte=timezone.now())

    def published(self):
        """Published, whether its time has come or not: `public()` and
        `scheduled()` together. (Stored counts count these, since time makes
        a scheduled article public without a write: see counts.py.)"""
        return self.filter(published_rule())

    def in_edition(self, language=None):
        """What an edition lists: public articles in its language (the current one)."""
        return self.public().filter(language=language or editions.current())

    def in_period(self, start, end):
        """Articles published from `start` up to, not including, `end`."""
        return self.filter(published_at__gte=start, published_at__lt=end)

    def scheduled(self):
        """Published articles whose time has not come: the rest of `public()`'s rule."""
        return self.published().filter(published_at__gt=timezone.now())

    def authors(self):
        """The authors of these articles, by name, each with their `article_count`.

        `Article.objects.in_edition().authors()`: the authors an edition lists.
        """
        return (
            Author.objects.filter(bylines__article__in=self)
            .annotate(article_count=models.Count("bylines"))
            .order_by("name", "pk")
        )

    def visible_to(self, user):
        """Everything for staff who may change articles (to preview), else `public()`."""
        if user.is_active and user.is_staff and user.has_perm("articles.change_article"):
            return self.all()
        return self.public()

    def for_listing(self):
        """Everything a list of articles shows, fetched in a fixed number of queries.

        Each article gets `byline_list`, its bylines in order with their
        authors' names (what lists print of them); its lead image comes with
        it (thumbnails), its description is stored with it (see openings.py).
        Search data, which lists never show, stays behind.
        """
        bylines = related_model(self, "bylines").objects.select_related("author")
        return (
            self.select_related("image")
            .defer(*SEARCH_FIELDS)
            .prefetch_related(
                models.Prefetch(
                    "bylines",
                    queryset=bylines.only("article", "author", *BYLINE_AUTHOR_FIELDS),
                    to_attr="byline_list",
                ),
            )
        )

    def update(self, **fields):
        """`QuerySet.update()`; when it changes what stored counts count
        (status, date, language), the articles' counts are made again."""
        from . import counts  # which reads this module's rule

        if not counts.COUNTED_FIELDS.intersection(fields):
            return super().update(**fields)
        with transaction.atomic(using=self.db):
            # Read before: the filter may no longer match once written.
            before = counts.states(self)
            written = super().update(**fields)
            counts.articles_changed(before, using=self.db)
        return written

    def mark_changed(self, **fields):
        """Write `fields` and make these articles count as changed now.

        Every write that changes what an editor sees of an article without
        saving it through its form goes through here: editors who have one of
        these articles open then get a conflict message instead of saving
        the old state back over the change (see `forms.ArticleForm`).
        """
        return self.update(updated_at=timezone.now(), **fields)

    def related_to(self, article, keyword_ids, limit=4, per_keyword=100):
        """Public articles sharing most key words with `article`, then the newest.

        Candidates are the `per_keyword` latest-added articles of each key
        word, read from an index; each candidate's shared key words are
        counted from the index of its own key words. So the cost stays the
        same however large the archive grows; the public rule and the
        ranking apply to the candidates.
        """
        if not keyword_ids:
            return []
        tagged = related_model(self, "tagged_items")
        if connection.vendor == "postgresql":
            # One limited index scan a key word, planned once. (A union of
            # one subquery a key word costs more to plan, and its size is
            # misjudged: the planner then reads every article to join them.)
            candidates = RawSQL(
                f"SELECT latest.id FROM unnest(%s::bigint[]) AS keyword(id) CROSS JOIN LATERAL "
                f"(SELECT content_object_id AS id FROM {tagged._meta.db_table} "
                "WHERE tag_id = keyword.id AND content_object_id <> %s "
                "ORDER BY content_object_id DESC LIMIT %s) AS latest",
                [list(keyword_ids), article.pk, per_keyword],
            )
        else:
            # Elsewhere (SQLite), one query that numbers each key word's links.
            latest = models.Window(
                RowNumber(), partition_by=F("tag_id"), order_by=F("content_object_id").desc()
            )
            candidates = set(
                tagged.objects.exclude(content_object_id=article.pk)
                .filter(tag_id__in=keyword_ids)
                .annotate(latest=latest)
                .filter(latest__lte=per_keyword)
                .values_list("content_object_id", flat=True)
            )
        shared = (
            tagged.objects.filter(content_object_id=OuterRef("pk"), tag_id__in=keyword_ids)
            .order_by()
            .values("content_object_id")
            .annotate(count=models.Count("*"))
            .values("count")
        )
        related = (
            self.in_edition(article.language)
            .filter(pk__in=candidates)
            .annotate(shared=Coalesce(Subquery(shared), 0))
            .order_by("-shared", "-published_at", "-pk")
            .for_listing()
        )
        return list(related[:limit])

    def for_page(self):
        """What an article's page reads of the article: the row without its
        search data (which pages never show), with its translation and lead image."""
        return self.select_related("translation", "image").defer(
            *SEARCH_FIELDS, *(f"translation__{name}" for name in SEARCH_FIELDS)
        )
