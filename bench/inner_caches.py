"""Whether the data that pages share is worth remembering on its own.

Whole public pages are remembered by `caching.public_page`; inside them,
`PublicPageMixin.remember` also keeps what several pages share: the key
words and authors in use (home, indexes, search filters), the count behind
a paginated list and the years of the archive. This measures, at each
archive size, with those inner caches and without them:

- `search`: a search (never remembered whole), whose filters list every
  author and key word in use;
- `index p2`: the second page of the index just after the first was shown
  (nothing of it remembered yet but what the first page left);

median of 30 requests, DEBUG off, PostgreSQL.

    python bench/inner_caches.py --sizes 1000 10000
"""

import argparse
import statistics
import time
from unittest import mock

from archive import grow_to, median_ms, start
from django.core.cache import cache
from django.test import Client

from articles import mixins


def second_page_ms(client, runs=30):
    timings = []
    for _ in range(runs):
        cache.clear()
        client.get("/articles/", secure=True)
        began = time.perf_counter()
        response = client.get("/articles/?page=2", secure=True)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    options = parser.parse_args()
    authors, keywords = start()
    client = Client()
    print(f"{'articles':>9}  {'page':<9} {'remembered':>10} {'computed':>9}  ms")
    for size in sorted(options.sizes):
        grow_to(size, authors, keywords)
        figures = {}
        for inner in (True, False):
            patch = mock.patch.object(
                mixins, "remember", side_effect=lambda key, compute, request=None: compute()
            )
            with patch if not inner else mock.MagicMock():
                figures[("search", inner)] = median_ms(client, "/search/?q=energy")[0]
                figures[("index p2", inner)] = second_page_ms(client)
        for page in ("search", "index p2"):
            on, off = figures[(page, True)], figures[(page, False)]
            print(f"{size:>9,}  {page:<9} {on:>10.2f} {off:>9.2f}")


if __name__ == "__main__":
    main()
