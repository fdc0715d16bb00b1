"""The articles' public addresses. Pages that are the same for every reader
at an address are served through `caching.public_page`."""

from django.urls import path

from . import article_pages, feeds, views
from .caching import public_page

app_name = "articles"

ARTICLE = "articles/<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/"

urlpatterns = [
    path("", public_page(views.HomeView.as_view()), name="home"),
    path("articles/", public_page(views.ArticleIndexView.as_view()), name="index"),
    path("articles/<yyyy:year>/", public_page(views.ArticleYearView.as_view()), name="year"),
    path(
        "articles/<yyyy:year>/<mm:month>/",
        public_page(views.ArticleMonthView.as_view()),
        name="month",
    ),
    path(
        "articles/<yyyy:year>/<mm:month>/<dd:day>/",
        public_page(views.ArticleDayView.as_view()),
        name="day",
    ),
    path(ARTICLE, public_page(article_pages.article_detail), name="detail"),
    path(
        f"{ARTICLE}cite.bib",
        public_page(article_pages.citation),
        {"format": "bib"},
        name="citation-bib",
    ),
    path(
        f"{ARTICLE}cite.ris",
        public_page(article_pages.citation),
        {"format": "ris"},
        name="citation-ris",
    ),
    # A made PDF is stored; which file is current is remembered (see pdf.py).
    path(f"{ARTICLE}pdf/", article_pages.article_pdf, name="pdf"),
    path(
        "archive/<solaryear:year>/",
        public_page(views.SolarArchiveView.as_view()),
        name="solar-year",
    ),
    path(
        "archive/<solaryear:year>/<mm:month>/",
        public_page(views.SolarArchiveView.as_view()),
        name="solar-month",
    ),
    # Search results differ by query: never remembered whole.
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", article_pages.shared_preview, name="shared-preview"),
    path("keywords/", public_page(views.KeywordIndexView.as_view()), name="keywords"),
    path("keywords/<uslug:slug>/", public_page(views.KeywordDetailView.as_view()), name="keyword"),
    path("keywords/<uslug:slug>/feed/", public_page(feeds.KeywordFeed()), name="keyword-feed"),
    path("feed/", public_page(feeds.LatestArticlesFeed()), name="feed"),
    path("feed/atom/", public_page(feeds.LatestArticlesAtomFeed()), name="feed-atom"),
]
