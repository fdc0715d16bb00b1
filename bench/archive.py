"""A generated archive for the benchmarks, in a PostgreSQL database of its own.

Importing this module points Django at the database BENCH_DB_NAME (default
`csr_bench`) on the server BENCH_DATABASE_URL names (default
postgres://postgres@127.0.0.1:5432), drops and makes that database anew, and
sets up Django with DEBUG off. Give each concurrent run its own BENCH_DB_NAME.
BENCH_NO_CACHE=1 runs with no cache at all (Django's dummy cache).
BENCH_KEEP_DB=1 keeps the database if it exists, for a benchmark that reuses
the archive it built before (100,000 articles take minutes to build).
"""

import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB_NAME = os.environ.get("BENCH_DB_NAME", "csr_bench")
os.environ.update(
    DJANGO_SETTINGS_MODULE="csr_site.settings",
    DEBUG="0",
    SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS="testserver",
    DATABASE_URL=f"{SERVER}/{DB_NAME}",
    STATIC_ROOT=os.environ.get("BENCH_STATIC_ROOT", "/tmp/csr-bench-static"),
    # One log line per request would bury the tables the benchmarks print.
    REQUEST_LOG_LEVEL=os.environ.get("REQUEST_LOG_LEVEL", "WARNING"),
)

import psycopg  # noqa: E402
import psycopg.sql  # noqa: E402


def recreate_database():
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        name = psycopg.sql.Identifier(DB_NAME)
        if (
            os.environ.get("BENCH_KEEP_DB") == "1"
            and connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]
            ).fetchone()
        ):
            return
        connection.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))


recreate_database()

import django  # noqa: E402

django.setup()

if os.environ.get("BENCH_NO_CACHE") == "1":
    # Every page computed in full, as on a site with no cache at all.
    from django.test.utils import override_settings

    override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    ).enable()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles import richtext  # noqa: E402
from articles.models import Article, ArticleAuthor, Keyword, Section, TaggedArticle  # noqa: E402
from authors.models import Author  # noqa: E402

PARAGRAPH = (
    "<p>The negotiations that followed the cease-fire showed how far the two sides "
    "had moved since the previous round, and how much remained to be settled. "
    "<strong>Verification</strong>, sequencing and the role of regional states were "
    'discussed at length; see <a href="https://example.org/report">the report</a>.</p>'
)
# Generated rows are written in bulk for speed, which skips save(): the bodies
# are cleaned here once instead, so the stored HTML is what save() would keep.
BODY = richtext.clean(PARAGRAPH * 4)
HEADINGS = ["", "Why bilateral negotiations?", "Iran's approach", "What comes next"]
# One topic word in each title, so that a search for one finds an eighth.
TOPICS = ["energy", "water", "sanctions", "caspian", "corridor", "nuclear", "trade", "drought"]


def start():
    """Migrate the new database; return its authors and key words."""
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    authors = [
        Author.objects.create(name=f"Author {n}", slug=f"author-{n}", position="Researcher")
        for n in range(40)
    ]
    keywords = [Keyword.objects.create(name=f"Key word {n}") for n in range(300)]
    return authors, keywords


def grow_to(total, authors, keywords):
    """Add generated public articles until there are `total` of them."""
    start = Article.objects.count()
    base = timezone.now() - datetime.timedelta(days=1)
    batch = 2000
    for first in range(start, total, batch):
        numbers = range(first, min(first + batch, total))
        with transaction.atomic():
            articles = Article.objects.bulk_create(
                Article(
                    title=f"Generated analysis number {n} on {TOPICS[n % len(TOPICS)]}",
                    slug=f"generated-analysis-{n}",
                    status=Article.Status.PUBLISHED,
                    published_at=base - datetime.timedelta(hours=3 * n),
                    publish_date=timezone.localdate(base - datetime.timedelta(hours=3 * n)),
                )
                for n in numbers
            )
            ArticleAuthor.objects.bulk_create(
                ArticleAuthor(
                    article=article,
                    author=authors[(article.pk + k) % len(authors)],
                    order=k,
                    position="Researcher",
                    affiliation="The Center for Strategic Research (CSR), Tehran",
                )
                for article in articles
                for k in range(2)
            )
            Section.objects.bulk_create(
                Section(article=article, order=k, heading=heading, body=BODY)
                for article in articles
                for k, heading in enumerate(HEADINGS)
            )
            TaggedArticle.objects.bulk_create(
                TaggedArticle(
                    content_object=article, tag=keywords[(article.pk * 7 + k) % len(keywords)]
                )
                for article in articles
                for k in range(8)
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def median_ms(client, url, runs=30, cold=False):
    for _ in range(5):
        client.get(url, secure=True)
    timings = []
    for _ in range(runs):
        if cold:
            cache.clear()
        began = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    if cold:
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, secure=True)
    return statistics.median(timings), len(queries)
