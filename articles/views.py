"""Public listing pages: home, date and Solar Hijri archives, key words, search.

What every public page shares is in `mixins.py`; the article itself is in
`article_pages.py`.
"""

import datetime
import logging
from functools import cached_property

from django.db import DatabaseError, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import translate_url
from django.utils import timezone
from django.views.generic import (
    ArchiveIndexView,
    DayArchiveView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from . import calendar, counts, editions
from .forms import SearchForm
from .mixins import ArticleListMixin, PublicPageMixin
from .models import Article, Keyword, TaggedArticle
from .search import highlighted, search_articles

logger = logging.getLogger(__name__)

# The home page: a lead article, the next few with pictures, then a plain
# list, all from one fetch of the latest articles, which also fills the
# groups under the main key words with the older ones (so the page's queries
# do not grow with them); the other edition's latest; and the featured key
# word's articles.
HOME_ARTICLES = 10
HOME_TOP = 4
HOME_POOL = 40
HOME_GROUPS = 3
HOME_PER_GROUP = 3
HOME_OTHER_EDITION = 4
HOME_IN_DEPTH = 3
HOME_KEYWORDS = 15


class ArticleDateMixin(ArticleListMixin):
    date_field = "published_at"
    month_format = "%m"
    template_name = "articles/archive.html"

    def get_queryset(self):
        return Article.objects.in_edition().for_listing()

    def other_edition_url(self):
        # Date archives of one edition may be empty in the other: offer its index.
        return editions.reverse_in(editions.other(), "articles:index")


class HomeView(PublicPageMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        keywords = sorted(self.keywords_in_use(), key=lambda k: -k.article_count)
        pool = list(
            Article.objects.in_edition()
            .for_listing()
            .prefetch_related(
                Prefetch(
                    "tagged_items",
                    queryset=TaggedArticle.objects.only("content_object_id", "tag_id"),
                    to_attr="keyword_links",
                )
            )[:HOME_POOL]
        )
        latest = pool[:HOME_ARTICLES]
        featured = next((keyword for keyword in keywords if keyword.featured), None)
        return super().get_context_data(
            lead=latest[0] if latest else None,
            top=latest[1 : HOME_TOP + 1],
            articles=latest[HOME_TOP + 1 :],
            groups=self.groups(pool[HOME_ARTICLES:], keywords[:HOME_GROUPS]),
            featured=featured,
            in_depth=self.in_depth(featured),
            other_edition=Article.objects.in_edition(editions.other()).for_listing()[
                :HOME_OTHER_EDITION
            ],
            keywords=keywords[:HOME_KEYWORDS],
            **kwargs,
        )

    @staticmethod
    def groups(older, keywords):
        """The latest articles under each main key word, from those fetched
        beyond the ones the page already lists."""
        groups = []
        for keyword in keywords:
            articles = [
                article
                for article in older
                if any(link.tag_id == keyword.pk for link in article.keyword_links)
            ][:HOME_PER_GROUP]
            if articles:
                groups.append((keyword, articles))
        return groups

    @staticmethod
    def in_depth(keyword):
        if keyword is None:
            return []
        return list(
            Article.objects.in_edition().for_listing().filter(keywords=keyword)[:HOME_IN_DEPTH]
        )


class ArticleIndexView(ArticleDateMixin, ArchiveIndexView):
    # An empty site is still a page, not a 404.
    allow_empty = True

    def other_edition_url(self):
        return translate_url(self.request.path, editions.other())

    @cached_property
    def months(self):
        """{(year, month, Solar Hijri year): articles} of the edition, from the stored counts."""
        return counts.months(editions.current(), self.scheduled)

    def stored_count(self):
        return sum(self.months.values())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if editions.current() == editions.PERSIAN:
            context["solar_years"] = sorted({solar for _, _, solar in self.months}, reverse=True)
        return context

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        # The years of the whole archive, newest first (as the index lists them).
        years = sorted({year for year, _, _ in self.months}, reverse=True)
        return [timezone.make_aware(datetime.datetime(year, 1, 1)) for year in years]


class ArticleYearView(ArticleDateMixin, YearArchiveView):
    # Without this the year page lists months but no articles.
    make_object_list = True


class ArticleMonthView(ArticleDateMixin, MonthArchiveView):
    pass


class ArticleDayView(ArticleDateMixin, DayArchiveView):
    pass


class KeywordIndexView(PublicPageMixin, TemplateView):
    template_name = "articles/keyword_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(keywords=self.keywords_in_use(), **kwargs)


class KeywordDetailView(ArticleListMixin, ListView):
    """Public articles with one key word; a key word with none is a 404."""

    template_name = "articles/keyword_detail.html"

    def get_queryset(self):
        self.keyword = get_object_or_404(
            Keyword.objects.select_related("counterpart"), slug=self.kwargs["slug"]
        )
        return Article.objects.in_edition().for_listing().filter(keywords=self.keyword)

    @cached_property
    def public_counts(self):
        """{(key word id, language): public articles} of the key word and its counterpart."""
        return counts.keyword_counts(
            [self.keyword.pk, self.keyword.counterpart_id or self.keyword.pk], self.scheduled
        )

    def stored_count(self):
        return self.public_counts[(self.keyword.pk, editions.current())]

    @cached_property
    def counterpart(self):
        """The key word's counterpart, if the other edition has public articles with it."""
        counterpart = self.keyword.counterpart
        if counterpart is None or self.public_counts[(counterpart.pk, editions.other())] <= 0:
            return None
        return counterpart

    def other_edition_url(self):
        if self.counterpart is None:
            return editions.reverse_in(editions.other(), "articles:home")
        return editions.reverse_in(editions.other(), "articles:keyword", slug=self.counterpart.slug)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            keyword=self.keyword, counterpart=self.counterpart, **kwargs
        )
        if not context["paginator"].count:
            raise Http404("No public article has this key word.")
        return context


class SearchView(ArticleListMixin, ListView):
    """Search results; a malformed query is a 400 page, and so is one the
    database refuses (in a savepoint, so the request can go on)."""

    template_name = "articles/search.html"

    def get(self, request, *args, **kwargs):
        self.form = SearchForm(request.GET or None)
        if self.form.is_bound and not self.form.is_valid():
            return self.refuse()
        try:
            with transaction.atomic():
                response = super().get(request, *args, **kwargs)
                # The results are read here, inside the savepoint.
                response.render()
        except DatabaseError:
            logger.warning(
                "search refused by the database: %r", request.GET.get("q"), exc_info=True
            )
            return self.refuse()
        return response

    def refuse(self):
        self.object_list = Article.objects.none()
        return self.render_to_response(self.get_context_data(), status=400)

    def query(self):
        return self.form.cleaned_data.get("q", "") if self.form.is_bound else ""

    def get_queryset(self):
        if not self.query():
            return Article.objects.none()
        data = self.form.cleaned_data
        return search_articles(
            self.query(), author=data["author"], keyword=data["keyword"], year=data["year"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            form=self.form,
            query=self.query(),
            # More matched than the results hold (see `search.Results`).
            more_found=getattr(self.object_list, "more", False),
            authors=self.authors_with_articles(),
            keywords=self.keywords_in_use(),
            **kwargs,
        )
        for article in context["object_list"]:
            article.snippet = highlighted(article, self.query())
        return context


class SolarArchiveView(ArticleListMixin, ListView):
    """The Persian edition's archive by Solar Hijri year, or month."""

    template_name = "articles/solar_archive.html"

    def get_queryset(self):
        if editions.current() != editions.PERSIAN:
            raise Http404("The Solar Hijri archive belongs to the Persian edition.")
        self.year = int(self.kwargs["year"])
        self.month = int(self.kwargs["month"]) if "month" in self.kwargs else None
        if self.month is not None and not 1 <= self.month <= 12:
            raise Http404("No such month.")
        start, end = calendar.solar_range(self.year, self.month)
        self.period_articles = Article.objects.in_edition().in_period(start, end)
        return self.period_articles.for_listing()

    def count_key(self):
        return f"solar:{self.year}:{self.month}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            year=self.year,
            month=self.month,
            period=calendar.month_text(self.year, self.month)
            if self.month
            else calendar.persian_digits(self.year),
            months=self.months() if self.month is None else [],
            **kwargs,
        )
        if not context["paginator"].count:
            raise Http404("No articles in this period.")
        return context

    def months(self):
        """The months of the year that have articles, as (number, name)."""
        found = {
            calendar.solar(moment).month
            for moment in self.period_articles.values_list("published_at", flat=True)
        }
        return [(month, calendar.MONTHS[month - 1]) for month in sorted(found)]

    def other_edition_url(self):
        return editions.reverse_in(editions.ENGLISH, "articles:index")
