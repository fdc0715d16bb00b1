"""What public pages tell browsers and shared caches, and how little the
cache can be made to hold."""

import datetime

import pytest
import redis
from django.contrib.auth.models import User
from django.test import override_settings
from django.urls import reverse
from django.utils.http import http_date

from articles.models import Article

from .conftest import public_urls
from .factories import ArticleFactory

# Search results differ by query and are not remembered (see articles/urls.py).
NOT_REMEMBERED = {"search"}


def remembered_urls(*articles):
    return [
        (name, url)
        for article in articles
        for name, url in public_urls(article).items()
        if name not in NOT_REMEMBERED
    ]


def test_public_pages_are_public_for_shared_caches_with_an_etag(client, published, published_fa):
    for name, url in remembered_urls(published, published_fa):
        for attempt in ("computed", "remembered"):
            response = client.get(url)
            assert response.status_code == 200, (name, attempt)
            assert response["Cache-Control"] == "public, max-age=60, s-maxage=300", name
            assert response["ETag"].startswith('"'), name


def test_a_matching_if_none_match_is_a_304_without_a_body(client, published, published_fa):
    for name, url in remembered_urls(published, published_fa):
        etag = client.get(url)["ETag"]
        response = client.get(url, headers={"if-none-match": etag})
        assert response.status_code == 304, name
        assert response.content == b"", name
        assert response["ETag"] == etag
        assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200


def test_the_etag_changes_when_what_the_page_shows_changes(client, published):
    url = published.get_absolute_url()
    before = client.get(url)["ETag"]
    assert client.get(url)["ETag"] == before
    published.title = "A New Title"
    published.save()
    response = client.get(url, headers={"if-none-match": before})
    assert response.status_code == 200
    assert "A New Title" in response.content.decode()
    assert response["ETag"] != before


def test_an_article_is_last_modified_when_it_was_updated(client, published):
    response = client.get(published.get_absolute_url())
    assert response["Last-Modified"] == http_date(published.updated_at.timestamp())
    for name in ("feed", "atom", "author feed", "sitemap"):
        assert "Last-Modified" in client.get(public_urls(published)[name]), name


@override_settings(PUBLIC_CACHE_MAX_AGE=5, PUBLIC_CACHE_S_MAXAGE=30)
def test_lifetimes_come_from_the_settings(client, published):
    assert client.get("/")["Cache-Control"] == "public, max-age=5, s-maxage=30"


def assert_private(response):
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
    assert "public" not in directives


def test_what_differs_by_user_is_private(client, published):
    draft = ArticleFactory(status=Article.Status.DRAFT)
    staff = User.objects.create_superuser("editor", "e@example.org", "pw")
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert_private(response)
    assert "ETag" not in response
    assert_private(client.get(reverse("admin:articles_article_changelist")))
    assert_private(client.get(reverse("admin:articles_article_preview", args=[draft.pk])))


@pytest.fixture
def redis_cache(shared_cache, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": shared_cache,
            "KEY_PREFIX": "bounded",
        }
    }
    return redis.Redis.from_url(shared_cache)


ODD_PAGES = {
    "01": 301,
    "+1": 301,
    "1_0": 301,
    " 2": 301,
    "\u0661": 301,  # Arabic-Indic one
    "\u06f2": 301,  # Persian two
    "1&page=1": 301,
    "0": 404,
    "-1": 404,
    "one": 404,
    "last": 404,
    "1e1": 404,
    "9999": 404,
}


def test_odd_page_numbers_and_hosts_make_no_new_cache_entries(client, published, redis_cache):
    for _ in range(25):
        ArticleFactory(published_at=published.published_at - datetime.timedelta(days=1))
    index = reverse("articles:index")
    article = published.get_absolute_url()
    for url in (index, index + "?page=1", index + "?page=2", article):
        assert client.get(url).status_code == 200
    keys = set(redis_cache.keys())

    for value, status in ODD_PAGES.items():
        response = client.get(f"{index}?page={value}")
        assert response.status_code == status, value
        if status == 301:
            assert response["Location"] == f"{index}?page={int(value.split('&')[0])}"
    for url in (
        index + "?utm_source=x",
        index + "?page=2&utm_source=x",
        article + "?page=7",
        article + "?page=x",
        article + "?anything=1",
    ):
        assert client.get(url).status_code == 200, url
    for host in ("testserver:8080", "testserver:1", "localhost", "127.0.0.1:9"):
        response = client.get(article, headers={"host": host})
        assert response.status_code == 200, host
        assert f"//{host}" not in response.content.decode()
        assert client.get(index + "?page=2", headers={"host": host}).status_code == 200
    assert set(redis_cache.keys()) == keys


def test_retired_versions_are_overwritten(client, published, redis_cache):
    urls = [url for _, url in remembered_urls(published)]
    for url in urls:
        client.get(url)
    count = redis_cache.dbsize()
    for n in range(3):
        published.title = f"Edition {n}"
        published.save()
        for url in urls:
            client.get(url)
    assert redis_cache.dbsize() == count
    assert all(0 < redis_cache.ttl(key) <= 3600 for key in redis_cache.scan_iter())
