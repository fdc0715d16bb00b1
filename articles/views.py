"""Public pages for articles: home, date archives, the article, key words."""

import datetime

from django.db.models.functions import Lower
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.views.generic import (
    ArchiveIndexView,
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    TemplateView,
    YearArchiveView,
)

from .models import Article, Keyword

HOME_ARTICLES = 10
HOME_KEYWORDS = 15


class ReadOnlyMixin:
    """Public pages answer GET and HEAD; anything else is a 405."""

    http_method_names = ["get", "head"]


class ArticleDateMixin(ReadOnlyMixin):
    date_field = "published_at"
    month_format = "%m"
    paginate_by = 20
    context_object_name = "articles"
    template_name = "articles/archive.html"

    def get_queryset(self):
        return Article.objects.public().for_listing()


class HomeView(ReadOnlyMixin, TemplateView):
    template_name = "articles/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            articles=Article.objects.public().for_listing()[:HOME_ARTICLES],
            keywords=Keyword.objects.in_use().order_by("-article_count", Lower("name"))[
                :HOME_KEYWORDS
            ],
            **kwargs,
        )


class ArticleIndexView(ArticleDateMixin, ArchiveIndexView):
    # An empty site is still a page, not a 404.
    allow_empty = True


class ArticleYearView(ArticleDateMixin, YearArchiveView):
    # Without this the year page lists months but no articles.
    make_object_list = True


class ArticleMonthView(ArticleDateMixin, MonthArchiveView):
    pass


class ArticleDayView(ArticleDateMixin, DayArchiveView):
    pass


class ArticleDetailView(ReadOnlyMixin, DetailView):
    """The article at its dated address; staff also see drafts and scheduled ones."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_object(self, queryset=None):
        articles = Article.objects.visible_to(self.request.user).for_detail()
        return articles.get(publish_date=self.day, slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        try:
            self.day = datetime.date(int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
        except ValueError:
            raise Http404("No such date.") from None
        try:
            self.object = self.get_object()
        except Article.DoesNotExist:
            return self.redirect_to_only_match()
        response = self.render_to_response(self.get_context_data(object=self.object))
        if not self.object.is_public:
            # A staff preview: never cached, never indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    def redirect_to_only_match(self):
        """A known slug under the wrong date leads to the article, when only one has it."""
        matches = list(Article.objects.public().filter(slug=self.kwargs["slug"])[:2])
        if len(matches) != 1:
            raise Http404("No such article.")
        return HttpResponsePermanentRedirect(matches[0].get_absolute_url())

    def get_context_data(self, **kwargs):
        article = self.object
        sections = article.headed_sections()
        headed = [section for section in sections if section.heading]
        return super().get_context_data(
            sections=sections,
            contents=headed if len(headed) >= 3 else [],
            bylines=article.bylines.all(),
            keywords=sorted(article.keywords.all()),
            **kwargs,
        )


class KeywordIndexView(ReadOnlyMixin, ListView):
    template_name = "articles/keyword_index.html"
    context_object_name = "keywords"

    def get_queryset(self):
        return Keyword.objects.in_use().order_by(Lower("name"))


class KeywordDetailView(ReadOnlyMixin, ListView):
    """Public articles with one key word; a key word with none is a 404."""

    template_name = "articles/keyword_detail.html"
    context_object_name = "articles"
    paginate_by = 20
    allow_empty = False

    def get_queryset(self):
        self.keyword = get_object_or_404(Keyword, slug=self.kwargs["slug"])
        return Article.objects.public().for_listing().filter(keywords=self.keyword)

    def get_context_data(self, **kwargs):
        return super().get_context_data(keyword=self.keyword, **kwargs)
