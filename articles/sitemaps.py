"""The sitemap: public articles with their last change, key word and author pages.

`/sitemap.xml` is an index of sections: the site's pages, key words, authors,
and the articles of each year (`/sitemap-articles-2016.xml`), so that no
section grows with the whole archive. Each page is listed in the
edition(s) where it exists, with `hreflang` alternates: an article with its
translation, other pages in both editions.
"""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Count, Max
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.urls import reverse
from django.views.decorators.http import require_safe

from .caching import remember
from .models import Article, Keyword

LANGUAGES = [code for code, _ in settings.LANGUAGES]


class ArticleSitemap(Sitemap):
    """The public articles of one year."""

    changefreq = "monthly"

    def __init__(self, year, count=None, latest=None):
        # The count and the latest change, when `sections()` read them for
        # every year at once: the index then asks nothing more of each year.
        self.year, self.count, self.latest = year, count, latest

    @property
    def paginator(self):
        pages = super().paginator
        if self.count is not None:
            pages.count = self.count
        return pages

    def get_latest_lastmod(self):
        return self.latest if self.count is not None else super().get_latest_lastmod()

    def items(self):
        return (
            Article.objects.public()
            .filter(published_at__year=self.year)
            .select_related("translation")
            .only(
                "slug",
                "language",
                "published_at",
                "updated_at",
                "translation__slug",
                "translation__language",
                "translation__published_at",
                "translation__status",
            )
            .order_by("pk")
        )

    def lastmod(self, article):
        return article.updated_at

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            article, translation = url["item"], url["item"].translation
            if translation is not None and translation.is_public:
                url["alternates"] = [
                    {
                        "lang_code": other.language,
                        "location": f"{protocol}://{domain}{other.get_absolute_url()}",
                    }
                    for other in (article, translation)
                ]
        return urls


class EditionSitemap(Sitemap):
    """Pages that exist in both editions, or in the edition(s) that have articles for them."""

    i18n = True
    alternates = True
    x_default = True

    def get_languages_for_item(self, item):
        return LANGUAGES


class KeywordSitemap(EditionSitemap):
    changefreq = "weekly"

    def items(self):
        self.in_use = {
            code: set(Keyword.objects.in_use(code).values_list("pk", flat=True))
            for code in LANGUAGES
        }
        return Keyword.objects.filter(pk__in=set().union(*self.in_use.values())).order_by("pk")

    def get_languages_for_item(self, keyword):
        return [code for code in LANGUAGES if keyword.pk in self.in_use[code]]


class AuthorSitemap(EditionSitemap):
    changefreq = "weekly"

    def items(self):
        # An author's page is the same in both editions (see authors.views).
        return Article.objects.public().authors().order_by("pk")


class PageSitemap(EditionSitemap):
    changefreq = "daily"

    def items(self):
        return ["articles:home", "articles:index", "articles:keywords", "authors:index"]

    def location(self, name):
        return reverse(name)


def sections(request):
    """The sitemap's sections, by name: one for each year with public articles."""
    years = remember("sitemap-years", _years, request=request)
    return {
        "pages": PageSitemap,
        "keywords": KeywordSitemap,
        "authors": AuthorSitemap,
        **{
            f"articles-{year}": ArticleSitemap(year, count, latest) for year, count, latest in years
        },
    }


def _years():
    """Each year with public articles: how many, and their latest change (one query)."""
    by_year = (
        Article.objects.public()
        .annotate(year=ExtractYear("published_at"))
        .values("year")
        .annotate(count=Count("pk"), latest=Max("updated_at"))
        .order_by("year")
    )
    return [(row["year"], row["count"], row["latest"]) for row in by_year]


@require_safe
def index(request):
    return sitemap_views.index(request, sections(request), sitemap_url_name="sitemap-section")


@require_safe
def section(request, section):
    found = sections(request)
    if section not in found:
        raise Http404("No such sitemap.")
    return sitemap_views.sitemap(request, found, section=section)
