"""Search over a large archive: what is ranked, counted and paged is bounded
by `SEARCH_RESULTS_LIMIT`, and readers are told when more matched."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.models import Section
from articles.search import search_articles

from .factories import ArticleFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ranked search is PostgreSQL's"
)


def titles(response):
    return re.findall(
        r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


def result_count(response):
    return re.search(r'<p class="result-count"[^>]*>(.*?)</p>', response.content.decode(), re.S)[1]


def matching(count, word="corridor", language="en", **fields):
    """`count` articles with `word` in their titles, one a day, newest first."""
    now = timezone.now()
    return [
        ArticleFactory(
            title=f"{word} note {n}",
            language=language,
            published_at=now - datetime.timedelta(days=n + 1),
            **fields,
        )
        for n in range(count)
    ]


def test_more_matches_than_the_limit_are_counted_as_more(client, db, settings):
    settings.SEARCH_RESULTS_LIMIT = 5
    matching(7)
    response = client.get("/search/", {"q": "corridor"})
    assert response.status_code == 200
    assert result_count(response).startswith("More than 5 articles found; these are the 5 most")
    # The five most recent of the seven.
    assert sorted(titles(response)) == [f"corridor note {n}" for n in range(5)]


def test_as_many_matches_as_the_limit_are_counted_exactly(client, db, settings):
    settings.SEARCH_RESULTS_LIMIT = 5
    matching(5)
    response = client.get("/search/", {"q": "corridor"})
    assert result_count(response) == "5 articles found."
    assert len(titles(response)) == 5


def test_the_limit_is_worded_in_persian(client, db, settings):
    settings.SEARCH_RESULTS_LIMIT = 5
    matching(6, word="دالان", language="fa")
    text = result_count(client.get("/fa/search/", {"q": "دالان"}))
    assert text.startswith("بیش از ۵ مقاله یافت شد")
    assert "More" not in text


def test_results_are_paged_within_the_limit(client, db, settings):
    settings.SEARCH_RESULTS_LIMIT = 25
    matching(28)
    first = client.get("/search/", {"q": "corridor"})
    assert len(titles(first)) == 20
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/search/", {"q": "corridor", "page": "2"})
    assert second.status_code == 200
    assert len(titles(second)) == 5
    assert 'rel="next"' not in second.content.decode()
    shown = set(titles(first)) | set(titles(second))
    assert shown == {f"corridor note {n}" for n in range(25)}
    assert client.get("/search/", {"q": "corridor", "page": "3"}).status_code == 404


def test_filters_apply_before_the_limit(client, db, settings):
    settings.SEARCH_RESULTS_LIMIT = 3
    matching(5)
    old = ArticleFactory(
        title="corridor note from 2016",
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20)),
    )
    response = client.get("/search/", {"q": "corridor", "year": "2016"})
    assert titles(response) == [old.title]
    assert result_count(response) == "1 article found."


def test_the_search_reads_one_match_past_the_limit(db, settings):
    settings.SEARCH_RESULTS_LIMIT = 4
    matching(9)
    with CaptureQueriesContext(connection) as queries:
        results = search_articles("corridor", language="en")
    assert (len(results), results.more) == (4, True)
    assert len(queries) == 1


@postgres_only
def test_best_matches_among_the_most_recent_come_first(client, db, settings):
    settings.SEARCH_RESULTS_LIMIT = 2
    now = timezone.now()
    # Older, and the best match (the word in its title): beyond the limit.
    ArticleFactory(title="Pipeline politics", published_at=now - datetime.timedelta(days=30))
    ArticleFactory(
        title="Regional notes", summary="On a pipeline.", published_at=now - datetime.timedelta(2)
    )
    ArticleFactory(title="Pipeline deal", published_at=now - datetime.timedelta(days=3))
    ArticleFactory(title="Unrelated", published_at=now - datetime.timedelta(days=1))
    response = client.get("/search/", {"q": "pipeline"})
    assert titles(response) == ["Pipeline deal", "Regional notes"]
    assert result_count(response).startswith("More than 2 articles found")


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


@postgres_only
def test_only_the_most_recent_matches_are_ranked(db, settings):
    settings.SEARCH_RESULTS_LIMIT = 5
    matching(30)
    with CaptureQueriesContext(connection) as queries:
        search_articles("corridor", language="en")
    (ranking_query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, VERBOSE, FORMAT JSON) {ranking_query['sql']}")
        (plan,) = cursor.fetchone()[0]
    ranking = [
        node
        for node in plan_nodes(plan["Plan"])
        if any("ts_rank" in column for column in node.get("Output", []))
    ]
    assert ranking, json.dumps(plan, indent=1)
    # Every node that computes a rank sees the limit's rows and one more at most.
    assert all(node["Actual Rows"] * node["Actual Loops"] <= 6 for node in ranking)


def test_a_match_far_into_a_long_article_is_marked_in_its_snippet(
    client, db, django_capture_on_commit_callbacks
):
    # Headlines are drawn from an article's opening: a match further on
    # still gets a snippet around it.
    filler = " ".join(f"word{n:04}" for n in range(600))
    article = ArticleFactory(title="Long piece", summary="", sections=[])
    with django_capture_on_commit_callbacks(execute=True):
        Section.objects.create(article=article, body=f"<p>{filler} pipeline closing words</p>")
    page = client.get("/search/", {"q": "pipeline"}).content.decode()
    text = re.search(r'<p class="card-summary snippet">(.*?)</p>', page, re.S)[1]
    assert text.startswith("…word") and text.endswith("<mark>pipeline</mark> closing words")
