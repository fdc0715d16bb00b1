"""Fixtures shared by the test modules, and the list of every public URL."""

import datetime
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import lxml.html
import pypdf
import pytest
import redis
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from articles import calendar
from articles.models import Article

from .factories import ArticleFactory, AuthorFactory


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The test client's host: pages name it in their absolute addresses.
    settings.SITE_HOST = "testserver"
    # Content versions restart with each test's database; cached values must not.
    cache.clear()
    # A request to the Persian edition leaves Persian active in this thread.
    translation.activate("en")


@pytest.fixture
def now():
    return timezone.now()


def public_urls(article):
    """Every public page a reader can reach that could show `article`, in its edition.

    The draft sweep and the query-count tests both walk this list, so a new
    public page is added here once and is covered by both, in both editions.
    """
    day = timezone.localdate(article.published_at)
    y, m, d = f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"
    keyword = article.keywords.first()
    author = article.authors.first()
    with translation.override(article.language):
        urls = {
            "home": reverse("articles:home"),
            "index": reverse("articles:index"),
            "year": reverse("articles:year", args=[y]),
            "month": reverse("articles:month", args=[y, m]),
            "day": reverse("articles:day", args=[y, m, d]),
            "detail": article.get_absolute_url(),
            "citation bib": reverse("articles:citation-bib", args=[y, m, d, article.slug]),
            "citation ris": reverse("articles:citation-ris", args=[y, m, d, article.slug]),
            "pdf": reverse("articles:pdf", args=[y, m, d, article.slug]),
            "keywords": reverse("articles:keywords"),
            "keyword": keyword.get_absolute_url(),
            "authors": reverse("authors:index"),
            "author": author.get_absolute_url(),
            # Every article the factories make has "Text of part …" in its body.
            "search": reverse("articles:search") + "?q=text",
            "feed": reverse("articles:feed"),
            "atom": reverse("articles:feed-atom"),
            "keyword feed": reverse("articles:keyword-feed", args=[keyword.slug]),
            "author feed": reverse("authors:feed", args=[author.slug]),
        }
        if article.language == "fa":
            solar = calendar.solar(day)
            urls["solar year"] = reverse("articles:solar-year", args=[f"{solar.year}"])
            urls["solar month"] = reverse(
                "articles:solar-month", args=[f"{solar.year}", f"{solar.month:02d}"]
            )
    # One sitemap for both editions: an index of sections, the articles by year.
    urls["sitemap index"] = reverse("sitemap")
    urls["sitemap"] = reverse("sitemap-section", args=[f"articles-{day.year}"])
    urls["sitemap pages"] = reverse("sitemap-section", args=["pages"])
    urls["sitemap keywords"] = reverse("sitemap-section", args=["keywords"])
    urls["sitemap authors"] = reverse("sitemap-section", args=["authors"])
    return urls


# Pages that list names or addresses rather than article titles.
WITHOUT_TITLES = {
    "keywords",
    "authors",
    "sitemap",
    "sitemap index",
    "sitemap pages",
    "sitemap keywords",
    "sitemap authors",
}


def page_text(response):
    """What a reader reads of a response: its text, or a PDF's text."""
    if response["Content-Type"] == "application/pdf":
        document = pypdf.PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        return " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    return response.content.decode()


@pytest.fixture
def published(db):
    """A public article with an author, a key word and a headed section."""
    return ArticleFactory(
        title="The Public Analysis",
        slug="public-analysis",
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20, 10, 0)),
        authors=[AuthorFactory(name="Sara Karimi", slug="sara-karimi")],
        sections=["", "Why bilateral negotiations?"],
        keywords=["Syria"],
    )


@pytest.fixture
def published_fa(db, published):
    """A public article of the Persian edition, by the same author."""
    return ArticleFactory(
        title="تحلیل عمومی",
        slug="tahlil-omumi",
        language="fa",
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 21, 10, 0)),
        authors=[published.authors.first()],
        sections=["", "چرا مذاکرات دوجانبه؟"],
        keywords=["سوریه"],
    )


def hidden_twins(public, suffix=""):
    """A draft and a scheduled article that share `public`'s edition, day, author and key
    word, each also with an author and a key word of its own."""
    author = public.authors.first()
    keyword = public.keywords.first().name
    draft = ArticleFactory(
        title="Secret Draft Memo" + suffix,
        slug="secret-draft" + suffix,
        language=public.language,
        status=Article.Status.DRAFT,
        published_at=public.published_at + datetime.timedelta(hours=1),
        authors=[
            author,
            AuthorFactory(name="Drafty Writer" + suffix, slug="drafty-writer" + suffix),
        ],
        keywords=[keyword, "Draftonly" + suffix],
    )
    scheduled = ArticleFactory(
        title="Forthcoming Scheduled Piece" + suffix,
        slug="scheduled-piece" + suffix,
        language=public.language,
        published_at=timezone.now() + datetime.timedelta(days=30),
        authors=[
            author,
            AuthorFactory(name="Future Writer" + suffix, slug="future-writer" + suffix),
        ],
        keywords=[keyword, "Futureonly" + suffix],
    )
    return draft, scheduled


@pytest.fixture
def hidden(db, published):
    """A draft and a scheduled twin of the public English article."""
    return hidden_twins(published)


@pytest.fixture
def hidden_fa(db, published_fa):
    """A draft and a scheduled twin of the public Persian article."""
    return hidden_twins(published_fa, suffix="-fa")


def form_values(response, form_id):
    """What a browser would submit from the page's form, as a dict of lists."""
    page = lxml.html.fromstring(response.content)
    form = page.get_element_by_id(form_id)
    values = {}
    for name, value in form.form_values():
        values.setdefault(name, []).append(value)
    return values


@pytest.fixture
def shared_cache(tmp_path):
    """A Redis server of this test's own, as several server processes share one."""
    server = shutil.which("redis-server")
    if not server:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing")
        pytest.skip("redis-server is missing")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp_path],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait()


ROOT = Path(__file__).resolve().parent.parent


def redis_caches(url):
    """The CACHES the settings make for REDIS_URL=url."""
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "import json; from django.conf import settings; print(json.dumps(settings.CACHES))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "REDIS_URL": url},
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def closed_port():
    """The address of a Redis that is down: nothing listens there."""
    return f"redis://127.0.0.1:{free_port()}/0"


@pytest.fixture
def silent_server():
    """The address of a Redis that hangs: it accepts connections and says nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()
