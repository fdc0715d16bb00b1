"""Search timings on a generated archive (10,000 articles by default).

Builds the archive (see archive.py), computes every article's search data,
then times searches through the full middleware stack (median of 30) and
the bare query for the first page of results.

    python bench/search.py
    python bench/search.py --size 2000
"""

import argparse
import statistics
import time

from archive import grow_to, median_ms, start
from django.test import Client

from articles.models import Article
from articles.search import index_articles, search_articles

QUERIES = {
    "one topic (an eighth of the archive)": "energy",
    "two words, both common": "bilateral negotiations",
    "a phrase": '"regional states"',
    "one article": "4321",
    "nothing": "zeppelin",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    options = parser.parse_args()
    authors, keywords = start()
    grow_to(options.size, authors, keywords)
    began = time.perf_counter()
    ids = list(Article.objects.values_list("pk", flat=True))
    for first in range(0, len(ids), 500):
        index_articles(ids[first : first + 500])
    print(f"indexed {len(ids):,} articles in {time.perf_counter() - began:.1f} s")

    client = Client()
    print(f"{'query':<40} {'matches':>8} {'page ms':>8} {'query ms':>9}")
    for label, q in QUERIES.items():
        page_ms, _ = median_ms(client, f"/search/?q={q}")
        timings = []
        for _ in range(30):
            started = time.perf_counter()
            list(search_articles(q)[:20])
            timings.append((time.perf_counter() - started) * 1000)
        matches = search_articles(q).count()
        print(f"{label:<40} {matches:>8,} {page_ms:>8.2f} {statistics.median(timings):>9.2f}")


if __name__ == "__main__":
    main()
