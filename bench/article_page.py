"""Render cost of the public pages as the archive grows.

Builds a PostgreSQL database of generated articles (by default 1,000, then
10,000, then 100,000), and at each size requests an article page (2 authors,
4 sections, 8 key words) and the main listings through the full middleware
stack with Django's test client, DEBUG off. Prints the median of 30 requests
per page, after warming up; `article*` is the article page with nothing
remembered (the first view after an edit).

    python bench/article_page.py                 # 1,000 / 10,000 / 100,000
    python bench/article_page.py --sizes 1000    # one size only

See archive.py for the database it uses.
"""

import argparse
import sys

from archive import grow_to, median_ms, start
from django.core.cache import cache
from django.test import Client

from articles.models import Article


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    options = parser.parse_args()

    authors, keywords = start()
    client = Client()
    print(f"{'articles':>9}  {'page':<10} {'median ms':>9}  queries")
    for size in sorted(options.sizes):
        grow_to(size, authors, keywords)
        article = Article.objects.order_by("pk")[size // 2]
        pages = {
            "article": article.get_absolute_url(),
            "home": "/",
            "index": "/articles/",
            "keyword": keywords[5].get_absolute_url(),
            "author": authors[3].get_absolute_url(),
            "keywords": "/keywords/",
        }
        for name, url in pages.items():
            ms, queries = median_ms(client, url)
            print(f"{size:>9,}  {name:<10} {ms:>9.2f}  {queries}")
        # The first view after an edit, before anything is remembered.
        for name in ("article", "home", "index", "keyword"):
            cache.clear()
            ms, queries = median_ms(client, pages[name], cold=True)
            print(f"{size:>9,}  {name + '*':<10} {ms:>9.2f}  {queries}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
