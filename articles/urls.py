from django.urls import path

from . import article_pages, feeds, views

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleIndexView.as_view(), name="index"),
    path("articles/<yyyy:year>/", views.ArticleYearView.as_view(), name="year"),
    path("articles/<yyyy:year>/<mm:month>/", views.ArticleMonthView.as_view(), name="month"),
    path("articles/<yyyy:year>/<mm:month>/<dd:day>/", views.ArticleDayView.as_view(), name="day"),
    path(
        "articles/<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/",
        article_pages.ArticleDetailView.as_view(),
        name="detail",
    ),
    path(
        "articles/<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/cite.bib",
        article_pages.CitationView.as_view(),
        {"format": "bib"},
        name="citation-bib",
    ),
    path(
        "articles/<yyyy:year>/<mm:month>/<dd:day>/<uslug:slug>/cite.ris",
        article_pages.CitationView.as_view(),
        {"format": "ris"},
        name="citation-ris",
    ),
    path("archive/<solaryear:year>/", views.SolarArchiveView.as_view(), name="solar-year"),
    path(
        "archive/<solaryear:year>/<mm:month>/",
        views.SolarArchiveView.as_view(),
        name="solar-month",
    ),
    path("search/", views.SearchView.as_view(), name="search"),
    path("preview/<str:token>/", article_pages.SharedPreviewView.as_view(), name="shared-preview"),
    path("keywords/", views.KeywordIndexView.as_view(), name="keywords"),
    path("keywords/<uslug:slug>/", views.KeywordDetailView.as_view(), name="keyword"),
    path("keywords/<uslug:slug>/feed/", feeds.KeywordFeed(), name="keyword-feed"),
    path("feed/", feeds.LatestArticlesFeed(), name="feed"),
    path("feed/atom/", feeds.LatestArticlesAtomFeed(), name="feed-atom"),
]
