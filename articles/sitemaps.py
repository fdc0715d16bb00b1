"""The sitemap: public articles with their last change, key word and author pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from authors.models import Author

from .models import Article, Keyword


class ArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return Article.objects.public().only("slug", "published_at", "updated_at").order_by("pk")

    def lastmod(self, article):
        return article.updated_at


class KeywordSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Keyword.objects.in_use().order_by("pk")


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Author.objects.with_public_articles().order_by("pk")


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["articles:home", "articles:index", "articles:keywords", "authors:index"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {
    "pages": PageSitemap,
    "articles": ArticleSitemap,
    "keywords": KeywordSitemap,
    "authors": AuthorSitemap,
}
