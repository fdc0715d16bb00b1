"""RSS 2.0 and Atom feeds: the latest public articles, and those of one key word or author."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from . import editions
from .models import Article, Keyword
from .richtext import without_controls

FEED_LENGTH = 20


class LatestArticlesFeed(Feed):
    feed_type = Rss201rev2Feed

    def title(self, obj=None):
        return editions.site_name()

    def link(self, obj=None):
        return reverse("articles:index")

    def feed_url(self, obj=None):
        return reverse("articles:feed")

    def description(self, obj=None):
        return _("The latest analysis from the %(site)s.") % {"site": editions.site_name()}

    def subtitle(self, obj=None):
        return self.description(obj)

    def articles(self, obj):
        return Article.objects.in_edition()

    def items(self, obj=None):
        articles = self.articles(obj).for_listing().prefetch_related("keywords")
        return articles[:FEED_LENGTH]

    # Text saved before control characters were refused must not break the XML.
    def item_title(self, item):
        return without_controls(item.title)

    def item_description(self, item):
        return without_controls(item.description)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return without_controls(", ".join(line.author.name for line in item.byline_list)) or None

    def item_categories(self, item):
        return sorted(without_controls(keyword.name) for keyword in item.keywords.all())


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed

    def feed_url(self, obj=None):
        return reverse("articles:feed-atom")


class KeywordFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        # Like the key word's page: none for a key word no public article has.
        return get_object_or_404(Keyword.objects.in_use(), slug=slug)

    def title(self, obj=None):
        return f"{editions.site_name()}: {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def feed_url(self, obj=None):
        return reverse("articles:keyword-feed", kwargs={"slug": obj.slug})

    def description(self, obj=None):
        return _("Articles with the key word %(name)s.") % {"name": obj.name}

    def articles(self, obj):
        return Article.objects.in_edition().filter(keywords=obj)


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        # Like the author's page: only for an author with public articles.
        return get_object_or_404(Article.objects.in_edition().authors(), slug=slug)

    def title(self, obj=None):
        return f"{editions.site_name()}: {obj.name}"

    def link(self, obj=None):
        return obj.get_absolute_url()

    def feed_url(self, obj=None):
        return reverse("authors:feed", kwargs={"slug": obj.slug})

    def description(self, obj=None):
        return _("Articles by %(name)s.") % {"name": obj.name}

    def articles(self, obj):
        return Article.objects.in_edition().filter(bylines__author=obj)
