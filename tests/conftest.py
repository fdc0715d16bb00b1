"""Fixtures shared by the test modules, and the list of every public URL."""

import datetime

import lxml.html
import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article

from .factories import ArticleFactory, AuthorFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # Content versions restart with each test's database; cached values must not.
    cache.clear()
    # A request to the Persian edition leaves Persian active in this thread.
    translation.activate("en")


@pytest.fixture
def now():
    return timezone.now()


def public_urls(article):
    """Every public page a reader can reach that could show `article`.

    The draft sweep and the query-count tests both walk this list, so a new
    public page is added here once and is covered by both.
    """
    day = timezone.localdate(article.published_at)
    y, m, d = f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"
    keyword = article.keywords.first()
    author = article.authors.first()
    return {
        "home": reverse("articles:home"),
        "index": reverse("articles:index"),
        "year": reverse("articles:year", args=[y]),
        "month": reverse("articles:month", args=[y, m]),
        "day": reverse("articles:day", args=[y, m, d]),
        "detail": article.get_absolute_url(),
        "keywords": reverse("articles:keywords"),
        "keyword": keyword.get_absolute_url(),
        "authors": reverse("authors:index"),
        "author": author.get_absolute_url(),
        # Every article the factories make has "Text of part …" in its body.
        "search": reverse("articles:search") + "?q=text",
        "feed": reverse("articles:feed"),
        "atom": reverse("articles:feed-atom"),
        "keyword feed": reverse("articles:keyword-feed", args=[keyword.slug]),
        "author feed": reverse("authors:feed", args=[author.slug]),
        "sitemap": reverse("sitemap"),
    }


# Pages that list names or addresses rather than article titles.
WITHOUT_TITLES = {"keywords", "authors", "sitemap"}


@pytest.fixture
def published(db):
    """A public article with an author, a key word and a headed section."""
    return ArticleFactory(
        title="The Public Analysis",
        slug="public-analysis",
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20, 10, 0)),
        authors=[AuthorFactory(name="Sara Karimi", slug="sara-karimi")],
        sections=["", "Why bilateral negotiations?"],
        keywords=["Syria"],
    )


@pytest.fixture
def hidden(db, published):
    """A draft and a scheduled article that share the public one's day, author and key word,
    each also with an author and a key word of its own."""
    author = published.authors.first()
    draft = ArticleFactory(
        title="Secret Draft Memo",
        slug="secret-draft",
        status=Article.Status.DRAFT,
        published_at=published.published_at + datetime.timedelta(hours=1),
        authors=[author, AuthorFactory(name="Drafty Writer", slug="drafty-writer")],
        keywords=["Syria", "Draftonly"],
    )
    scheduled = ArticleFactory(
        title="Forthcoming Scheduled Piece",
        slug="scheduled-piece",
        published_at=timezone.now() + datetime.timedelta(days=30),
        authors=[author, AuthorFactory(name="Future Writer", slug="future-writer")],
        keywords=["Syria", "Futureonly"],
    )
    return draft, scheduled


def form_values(response, form_id):
    """What a browser would submit from the page's form, as a dict of lists."""
    page = lxml.html.fromstring(response.content)
    form = page.get_element_by_id(form_id)
    values = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values
