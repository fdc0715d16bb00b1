"""What a PDF edition costs: making one for a 4,000-word article, and serving it.

Sets up a throw-away SQLite database (DEBUG off), writes an English and a
Persian article of about 4,000 words each (eight headed sections, notes, no
images), then prints for each: the time to make its PDF the first time, the
PDF's size, and the median time (of 30) to serve the made PDF beside the
median time to serve the article's page, both remembered.

    python bench/pdf.py
"""

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = tempfile.mkdtemp(prefix="csr-bench-pdf-")
os.environ.update(
    STATIC_ROOT=f"{WORK}/static",
    DJANGO_SETTINGS_MODULE="csr_site.settings",
    DEBUG="0",
    SECRET_KEY="benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    ALLOWED_HOSTS="testserver",
    DATABASE_URL=f"sqlite:///{WORK}/bench.sqlite3",
    MEDIA_ROOT=f"{WORK}/media",
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from articles.models import Article, ArticleAuthor, Section  # noqa: E402
from authors.models import Author  # noqa: E402

WORDS = {
    "en": "The negotiations that followed the cease-fire showed how far the sides had moved",
    "fa": "مذاکراتی که پس از آتش‌بس انجام شد نشان داد که طرفین تا چه اندازه پیش رفته‌اند",
}


def article(language):
    author = Author.objects.create(name=f"Author {language}", slug=f"author-{language}")
    made = Article.objects.create(
        title=f"A long analysis ({language})",
        slug=f"long-{language}",
        language=language,
        status=Article.Status.PUBLISHED,
    )
    ArticleAuthor.objects.create(article=made, author=author)
    sentence = WORDS[language] + ". "
    paragraph = "<p>" + sentence * 5 + "<span data-note>" + sentence + "</span></p>"
    for order in range(8):
        # About 500 words a section.
        Section.objects.create(
            article=made,
            order=order,
            heading=f"Part {order}" if order else "",
            body=paragraph * 7,
        )
    return made


def median_ms(client, url, runs=30):
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        response = client.get(url, secure=True)
        if response.streaming:
            b"".join(response.streaming_content)
        timings.append((time.perf_counter() - began) * 1000)
    return statistics.median(timings)


def main():
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    client = Client()
    print(f"{'':9} {'words':>6} {'make s':>7} {'size KB':>8} {'pdf ms':>7} {'page ms':>8}")
    for language in ("en", "fa"):
        made = article(language)
        words = sum(len(s.body.split()) for s in made.sections.all())
        url = made.address_in("articles:pdf")
        began = time.perf_counter()
        response = client.get(url, secure=True)
        size = len(b"".join(response.streaming_content))
        seconds = time.perf_counter() - began
        page = made.get_absolute_url()
        client.get(page, secure=True)
        print(
            f"{language:9} {words:>6} {seconds:>7.2f} {size / 1024:>8.0f} "
            f"{median_ms(client, url):>7.2f} {median_ms(client, page):>8.2f}"
        )


if __name__ == "__main__":
    main()
