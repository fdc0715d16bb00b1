"""Every public page runs a fixed number of queries, whatever it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import public_urls
from .factories import ArticleFactory, AuthorFactory

# The most queries each public page may make. A listing: the page of articles,
# the count for its pagination, one query each for bylines and key words; date
# archives add an existence check, their list of dates and the neighbouring
# dates; key word and author pages first look up their key word or author.
MAX_QUERIES = {
    "home": 4,
    "index": 5,
    "year": 8,
    "month": 8,
    "day": 9,
    "detail": 4,
    "keywords": 1,
    "keyword": 6,
    "authors": 1,
    "author": 5,
}


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("name", MAX_QUERIES)
def test_query_count_of_each_public_page_is_pinned(
    client, published, name, django_assert_max_num_queries
):
    url = public_urls(published)[name]
    with django_assert_max_num_queries(MAX_QUERIES[name]):
        assert client.get(url).status_code == 200


def test_query_counts_do_not_grow_with_content(client, published):
    urls = public_urls(published)
    before = {name: count_queries(client, url) for name, url in urls.items()}

    author = published.authors.first()
    keyword = published.keywords.first().name
    co_authors = [author, *AuthorFactory.create_batch(9)]
    keywords = [keyword, *(f"Topic {n}" for n in range(29))]
    big = ArticleFactory(
        published_at=published.published_at,
        authors=co_authors,
        keywords=keywords,
        sections=20,
    )
    for n in range(50):
        ArticleFactory(
            published_at=published.published_at,
            authors=co_authors[n % 7 : n % 7 + 3],
            keywords=keywords[n % 20 : n % 20 + 5],
            sections=3,
        )

    after = {name: count_queries(client, url) for name, url in urls.items()}
    assert after == before
    assert count_queries(client, big.get_absolute_url()) == before["detail"]
