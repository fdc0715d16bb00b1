"""Every public page runs a fixed number of queries, whatever it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import public_urls
from .factories import ArticleFactory, AuthorFactory

# The most queries each public page may make, the first time it is shown and
# then while the content is unchanged (every page but search is then
# remembered whole: one query, for the content version). First time, a page
# reads the content version and when the next scheduled article comes out;
# a listing then the count for its pagination, the page of articles, their
# bylines and opening sections; the home page also the key words in use, the
# index the years of the archive, date archives their dates and neighbouring
# dates. The article: itself, sections, bylines, key words, then its related
# articles (candidates, articles, bylines, opening sections). Feeds: the
# articles, bylines, opening sections and key words (and the key word or
# author, for theirs). Search is never remembered whole; it reads the lists
# its filters offer once.
MAX_QUERIES = {
    "home": (6, 1),
    "index": (7, 1),
    "year": (10, 1),
    "month": (10, 1),
    "day": (11, 1),
    "detail": (8, 1),
    "keywords": (3, 1),
    "keyword": (7, 1),
    "authors": (3, 1),
    "author": (7, 1),
    "search": (9, 5),
    "feed": (6, 1),
    "atom": (6, 1),
    "keyword feed": (7, 1),
    "author feed": (7, 1),
    "sitemap": (8, 1),
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
    first, again = MAX_QUERIES[name]
    with django_assert_max_num_queries(first):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(again):
        assert client.get(url).status_code == 200


def test_query_counts_do_not_grow_with_content(client, published):
    # A second article sharing the key word, so the article has related ones.
    ArticleFactory(keywords=[published.keywords.first().name])
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
