"""Imports and saves at scale: one content version change per import, and
editors' saves never held up for long by an import running beside them."""

import threading
import time
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from articles import bulk_import, interchange
from articles.models import Article, ContentVersion

from .conftest import form_values
from .factories import ArticleFactory
from .test_interchange import ARCHIVE, write
from .test_workflow import change_url

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks between connections are PostgreSQL's"
)


def many_articles(count):
    article = ARCHIVE["articles"][0]
    return {
        "authors": ARCHIVE["authors"],
        "articles": [
            {**article, "slug": f"analysis-{n}", "translation": None} for n in range(count)
        ],
    }


def test_an_import_changes_the_content_version_once(db, tmp_path):
    ContentVersion.objects.update_or_create(pk=1, defaults={"value": 1})
    path = write(tmp_path, many_articles(5))
    with CaptureQueriesContext(connection) as queries:
        call_command("import_articles", path, stdout=StringIO())
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if "articles_contentversion" in q["sql"] and not q["sql"].startswith("SELECT")
    ]
    assert len(writes) == 1
    assert ContentVersion.objects.get(pk=1).value != 1
    assert Article.objects.count() == 5


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_editor_save_during_an_import_is_not_held_up(tmp_path, monkeypatch):
    article = ArticleFactory(title="Before")
    written, release = threading.Event(), threading.Event()
    write_chunk = bulk_import.ArticleWriter.write

    def paused(*args):
        result = write_chunk(*args)
        written.set()  # the import's transaction is open, with a chunk written
        release.wait(10)
        return result

    monkeypatch.setattr(bulk_import.ArticleWriter, "write", paused)
    monkeypatch.setattr(interchange, "CHUNK", 2)
    path = write(tmp_path, many_articles(4))
    importer = threading.Thread(
        target=lambda: (
            call_command("import_articles", path, stdout=StringIO()),
            connections.close_all(),
        )
    )
    importer.start()
    try:
        assert written.wait(20)
        began = time.monotonic()
        with transaction.atomic():
            article.title = "During"
            article.save()
        assert time.monotonic() - began < 1
    finally:
        release.set()
        importer.join(30)
    assert Article.objects.get(pk=article.pk).title == "During"
    assert Article.objects.count() == 5


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_admin_save_that_waits_on_a_lock_gets_a_message(client, admin_user):
    article = ArticleFactory(title="Original")
    client.force_login(admin_user)
    values = form_values(client.get(change_url(article)), "article_form")
    values["title"] = ["Mine"]
    locked, release = threading.Event(), threading.Event()

    def hold_the_row():
        with transaction.atomic():
            Article.objects.select_for_update().get(pk=article.pk)
            locked.set()
            release.wait(10)
        connections.close_all()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(10)
        began = time.monotonic()
        response = client.post(change_url(article), values)
        assert time.monotonic() - began < 5
    finally:
        release.set()
        holder.join(10)
    assert response.status_code == 200
    page = response.content.decode()
    assert "could not be saved just now" in page
    assert 'value="Mine"' in page
    assert Article.objects.get(pk=article.pk).title == "Original"
