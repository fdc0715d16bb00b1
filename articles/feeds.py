"""RSS 2.0 and Atom feeds: the latest public articles, and those of one key word or author.

An article's lead image goes with it as an enclosure and as Media RSS
(`media:content`, with the image's description, caption and credit), which
feed readers show as the item's picture.
"""

import copy

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.translation import gettext as _

from . import editions
from .metadata import shared_image
from .models import Article, Keyword
from .richtext import without_controls

FEED_LENGTH = 20
MEDIA_NAMESPACE = "http://search.yahoo.com/mrss/"


def add_media(handler, image):
    if not image:
        return
    handler.startElement(
        "media:content",
        {
            "url": image["url"],
            "type": image["type"],
            "medium": "image",
            "width": str(image["width"]),
            "height": str(image["height"]),
            "fileSize": str(image["size"]),
        },
    )
    if image["alt"]:
        handler.addQuickElement("media:title", without_controls(image["alt"]))
    if image["caption"]:
        handler.addQuickElement("media:description", without_controls(image["caption"]))
    if image["credit"]:
        handler.addQuickElement("media:credit", without_controls(image["credit"]))
    handler.endElement("media:content")


class MediaRssFeed(Rss201rev2Feed):
    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:media": MEDIA_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        add_media(handler, item.get("image"))


class MediaAtomFeed(Atom1Feed):
    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NAMESPACE}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        add_media(handler, item.get("image"))


class LatestArticlesFeed(Feed):
    feed_type = MediaRssFeed

    def __call__(self, request, *args, **kwargs):
        # Image addresses in a feed are absolute, so items need the request:
        # each request gets its own copy of the (shared) feed object.
        feed = copy.copy(self)
        feed.request = request
        return Feed.__call__(feed, request, *args, **kwargs)

    def shared_image(self, item):
        return shared_image(item.image, self.request, credit=item.photo_credit)

    def item_extra_kwargs(self, item):
        return {"image": self.shared_image(item)}

    def item_enclosures(self, item):
        image = self.shared_image(item)
        if not image:
            return []
        return [Enclosure(image["url"], str(image["size"]), image["type"])]

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
    feed_type = MediaAtomFeed

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
