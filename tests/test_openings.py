"""An article without a summary is described by its opening words, stored
with it and kept right whatever writes its sections."""

import importlib
import json
from types import SimpleNamespace

import pytest
from django.db import connection

from articles import richtext
from articles.interchange import import_json
from articles.models import Article, Section

from .factories import ArticleFactory


def opening_of(article):
    """The opening words as a page prints them, read afresh."""
    return Article.objects.get(pk=article.pk).description


def first_section_words(article):
    """The opening words, made from the article's first section as it is now."""
    first = Section.objects.filter(article=article).order_by("order", "pk").first()
    return richtext.excerpt(first.body) if first else ""


def _section(article, order, text):
    return Section.objects.create(article=article, order=order, body=f"<p>{text}</p>")


def _with(section, **fields):
    for name, value in fields.items():
        setattr(section, name, value)
    return section


def _save(section, **fields):
    _with(section, **fields).save()


def _opening(article):
    return article.sections.get(body__contains="Opening")


def _put_second_first(a, b):
    _save(a.sections.get(order=1), order=0)
    _save(_opening(a), order=5)


def _add_before(a, b):
    _save(_opening(a), order=3)
    Section.objects.create(article=a, order=0, body="<p>New start.</p>")


def _create_before_in_bulk(a, b):
    _save(_opening(b), order=1)
    Section.objects.bulk_create([Section(article=b, order=0, body="<p>Bulk first.</p>")])


# Each kind of write to sections, by save, delete or in bulk (a, b: two articles).
WRITES = {
    "first section rewritten": lambda a, b: _save(_opening(a), body="<p>Rewritten.</p>"),
    "section put first": _put_second_first,
    "first section deleted": lambda a, b: _opening(a).delete(),
    "every section deleted": lambda a, b: a.sections.all().delete(),
    "section added before": _add_before,
    "section moved to another article": lambda a, b: _save(_opening(a), article=b, order=0),
    "sections rewritten in bulk": lambda a, b: Section.objects.filter(order=0).update(
        body="<p>Bulk words.</p>"
    ),
    "sections reordered in bulk": lambda a, b: Section.objects.filter(article=a, order=0).update(
        order=9
    ),
    "sections moved in bulk": lambda a, b: Section.objects.filter(article=a).update(article=b),
    "sections created in bulk": _create_before_in_bulk,
    "sections updated by rows": lambda a, b: Section.objects.bulk_update(
        [_with(_opening(a), body="<p>By rows.</p>")], ["body"]
    ),
    "sections moved by rows": lambda a, b: Section.objects.bulk_update(
        [_with(_opening(a), article=b, order=0)], ["article", "order"]
    ),
}


@pytest.fixture
def pair(db):
    a = ArticleFactory(sections=[], title="A")
    _section(a, 0, "Opening words of A, and then <span data-note>a note</span> more.")
    _section(a, 1, "Second part of A.")
    b = ArticleFactory(sections=[], title="B")
    _section(b, 0, "Opening words of B.")
    return a, b


@pytest.mark.parametrize("name", WRITES)
def test_opening_words_follow_every_write_to_sections(pair, name):
    a, b = pair
    assert opening_of(a) == "Opening words of A, and then more."
    before = [opening_of(a), opening_of(b)]
    WRITES[name](a, b)
    assert [opening_of(a), opening_of(b)] == [first_section_words(a), first_section_words(b)]
    assert [opening_of(a), opening_of(b)] != before


def test_a_summary_comes_before_the_opening_words(pair):
    a, _ = pair
    a.summary = "The editor's summary."
    a.save()
    assert opening_of(a) == "The editor's summary."


def test_an_article_saved_from_a_stale_copy_keeps_its_opening_words(pair):
    a, _ = pair
    stale = Article.objects.get(pk=a.pk)
    _save(a.sections.get(order=0), body="<p>Newer words.</p>")
    stale.title = "Retitled"
    stale.save()
    assert opening_of(a) == "Newer words."


def test_lists_print_the_opening_words(client, pair):
    page = client.get("/articles/").content.decode()
    assert "Opening words of A, and then more." in page
    assert "a note" not in page


def test_an_import_stores_the_opening_words(db):
    data = {
        "authors": [{"name": "Sara", "slug": "sara"}],
        "articles": [
            {
                "title": "Imported",
                "slug": "imported",
                "status": "published",
                "published_at": "2014-05-02T10:00:00+04:30",
                "authors": ["sara"],
                "sections": [
                    {"heading": "", "body": "<p>First imported words.</p>"},
                    {"heading": "Later", "body": "<p>Not these.</p>"},
                ],
            }
        ],
    }
    import_json(json.dumps(data))
    assert Article.objects.get(slug="imported").description == "First imported words."


def test_the_migration_stores_the_opening_words_of_stored_articles(pair):
    a, b = pair
    Article.objects.update(excerpt="")
    migration = importlib.import_module("articles.migrations.0020_article_opening_words")
    from django.apps import apps

    migration.store_opening_words(apps, SimpleNamespace(connection=connection))
    assert opening_of(a) == "Opening words of A, and then more."
    assert opening_of(b) == "Opening words of B."
