"""Search timings on a generated archive (10,000 articles by default).

Builds the archive (see archive.py), computes every article's search data,
then times each query (median and 95th percentile of `--runs`): the search
page through the full middleware stack, and the search alone: finding,
counting and ranking the matches, and reading the first page of them with
what a listing shows. `--explain` prints PostgreSQL's plans, as run, for the
search's queries.

    python bench/search.py
    python bench/search.py --size 100000 --runs 100
    BENCH_KEEP_DB=1 python bench/search.py --size 100000 --explain

With BENCH_KEEP_DB=1 a second run reuses the archive the first one built
(and grows it to `--size` if it is smaller).
"""

import argparse
import re
import statistics
import time

from archive import grow_to, start
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Keyword
from articles.search import index_articles, search_articles
from authors.models import Author

QUERIES = {
    "one topic (an eighth of the archive)": "energy",
    "two words, both common": "bilateral negotiations",
    "a phrase": '"regional states"',
    "one article": "4321",
    "nothing": "zeppelin",
}


def build(size):
    """The archive of `size` articles, each with its search data."""
    call_command("migrate", verbosity=0)
    if Author.objects.exists():
        # Kept from an earlier run (BENCH_KEEP_DB=1).
        authors = list(Author.objects.order_by("pk"))
        keywords = list(Keyword.objects.order_by("pk"))
    else:
        authors, keywords = start()
    grow_to(size, authors, keywords)
    began = time.perf_counter()
    ids = list(Article.objects.filter(search_vector__isnull=True).values_list("pk", flat=True))
    index_articles(ids)
    with connection.cursor() as cursor:
        # As autovacuum would after such an update: the planner's statistics
        # on the search vectors are what tell rare words from common ones.
        cursor.execute("VACUUM ANALYZE articles_article")
    print(
        f"{Article.objects.count():,} articles; indexed {len(ids):,} "
        f"in {time.perf_counter() - began:.1f} s"
    )


def timed(action, runs):
    """The median and 95th percentile of `action`'s time in ms, after a warm-up."""
    for _ in range(5):
        action()
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=20)[18]


def first_page(q):
    results = search_articles(q)
    return len(results), results[:20]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="articles in the archive")
    parser.add_argument("--runs", type=int, default=50, help="timed runs of each query")
    parser.add_argument("--explain", action="store_true", help="print the queries' plans")
    options = parser.parse_args()
    build(options.size)

    client = Client()
    print(
        f"{'query':<38} {'page ms':>15} {'search ms':>15} {'n':>3}  shown\n"
        f"{'':<38} {'median    p95':>15} {'median    p95':>15}"
    )
    for label, q in QUERIES.items():

        def page(q=q):
            response = client.get("/search/", {"q": q}, secure=True)
            assert response.status_code == 200, (q, response.status_code)
            return response

        page_median, page_p95 = timed(page, options.runs)
        query_median, query_p95 = timed(lambda q=q: first_page(q), options.runs)
        with CaptureQueriesContext(connection) as queries:
            shown = re.search(r'class="result-count"[^>]*>([^<]*)<', page().content.decode())[1]
        print(
            f"{label:<38} {page_median:>7.1f} {page_p95:>7.1f} "
            f"{query_median:>7.1f} {query_p95:>7.1f} {len(queries):>3}  {shown[:40]}"
        )
    if options.explain:
        for q in QUERIES.values():
            explain(q)


def explain(q):
    """PostgreSQL's plan, as run, of each query of the search's first page."""
    with CaptureQueriesContext(connection) as queries:
        first_page(q)
    with connection.cursor() as cursor:
        for query in queries:
            print(f"--- {q}: {query['sql'][:120]}…")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            print("\n".join(line for (line,) in cursor.fetchall()))


if __name__ == "__main__":
    main()
