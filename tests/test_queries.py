"""Every public page runs a fixed number of queries, whatever it shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import public_urls
from .factories import ArticleFactory, AuthorFactory, DocumentFactory

# The queries each public page makes, the first time it is shown and then
# while the content is unchanged (every page but search is then remembered
# whole: one query, for the content version). First time, a page reads the
# content version and when the next scheduled article comes out; a listing
# then the count for its pagination (stored, for the index, a key word and
# an author: see counts.py), the page of articles and their bylines (their
# descriptions are stored with them: see openings.py); the home page reads
# the latest articles (with their bylines and key words: three queries), the
# key words in use (their stored counts) and the other edition's latest (one
# query, and one for their bylines when it has any: the Persian fixture's
# English edition has an article, the English fixture's Persian one none),
# the index its months' stored counts (its total and its years, in both
# calendars: one query), date archives their dates and neighbouring dates.
# The article: itself, sections, bylines, key words, its documents (all in
# one query, however many), then its related articles (candidates, articles,
# bylines; on PostgreSQL the candidates are a subquery of the articles'
# query, one query fewer). Its citations: the article, sections, bylines and
# key words. Its PDF: the same, the first time; then the article and the
# content version, which name the stored file. Feeds: the articles, bylines
# and key words (and the key word or author, for theirs). The sitemap: its
# index the years with their counts and latest changes (one query), then for
# each other section its items and their count; a section the version, the
# next publication, the years, then its items. Search is never remembered
# whole; it reads the lists its filters offer once, and runs in a savepoint
# (two statements more).
QUERIES = {
    "home": (7, 1),
    "index": (5, 1),
    "year": (9, 1),
    "month": (9, 1),
    "day": (10, 1),
    "detail": (8, 1),
    "citation bib": (6, 1),
    "citation ris": (6, 1),
    "pdf": (6, 2),
    "keywords": (3, 1),
    "keyword": (6, 1),
    "authors": (3, 1),
    "author": (6, 1),
    "search": (9, 6),
    "feed": (5, 1),
    "atom": (5, 1),
    "keyword feed": (6, 1),
    "author feed": (6, 1),
    "sitemap": (4, 1),
    "sitemap index": (7, 1),
    "sitemap pages": (3, 1),
    "sitemap keywords": (6, 1),
    "sitemap authors": (4, 1),
}
# The Persian edition's pages, and its Solar Hijri archives.
QUERIES_FA = {
    **QUERIES,
    "home": (8, 1),
    "index": (5, 1),
    "solar year": (6, 1),
    "solar month": (5, 1),
}
PAGES = [("en", name) for name in QUERIES] + [("fa", name) for name in QUERIES_FA]


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.fixture
def article(db, request, language):
    """The public article of the edition under test."""
    return request.getfixturevalue("published" if language == "en" else "published_fa")


@pytest.mark.parametrize(("language", "name"), PAGES)
def test_query_count_of_each_public_page_is_pinned(client, article, language, name):
    url = public_urls(article)[name]
    pins = QUERIES if language == "en" else QUERIES_FA
    assert (count_queries(client, url), count_queries(client, url)) == pins[name]


@pytest.mark.parametrize("language", ["en", "fa"])
def test_query_counts_do_not_grow_with_content(client, article, language):
    # A second article sharing the key word, so the article has related ones.
    ArticleFactory(language=language, keywords=[article.keywords.first().name])
    urls = public_urls(article)
    before = {name: count_queries(client, url) for name, url in urls.items()}

    author = article.authors.first()
    keyword = article.keywords.first().name
    co_authors = [author, *AuthorFactory.create_batch(9)]
    keywords = [keyword, *(f"Topic {n}" for n in range(29))]
    big = ArticleFactory(
        language=language,
        published_at=article.published_at,
        authors=co_authors,
        keywords=keywords,
        sections=20,
    )
    DocumentFactory.create_batch(5, article=big)
    for n in range(50):
        ArticleFactory(
            language=language,
            published_at=article.published_at,
            authors=co_authors[n % 7 : n % 7 + 3],
            keywords=keywords[n % 20 : n % 20 + 5],
            sections=3,
        )

    after = {name: count_queries(client, url) for name, url in urls.items()}
    assert after == before
    big_urls = public_urls(big)
    for name in ("detail", "citation bib", "citation ris"):
        assert count_queries(client, big_urls[name]) == before[name], name


def test_the_sitemap_index_reads_every_year_in_one_query(client, published):
    url = public_urls(published)["sitemap index"]
    before = count_queries(client, url)
    for year in range(2010, 2016):
        ArticleFactory(published_at=published.published_at.replace(year=year))
    assert count_queries(client, url) == before
    assert client.get(url).content.decode().count("sitemap-articles-") == 7
