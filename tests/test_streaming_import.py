"""Large imports: the archive read as a stream and written a chunk of articles
at a time, in one transaction, with a version per article and progress shown."""

import datetime
import json
import tracemalloc
from io import StringIO

import pytest
import reversion
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Revision, Version

from articles import bulk_import, interchange
from articles.interchange import export_archive
from articles.models import Article, ContentVersion, Keyword, Section, TaggedArticle
from articles.redirects import Redirect
from articles.versions import versions_of
from authors.models import Author

from .conftest import form_values
from .factories import ArticleFactory
from .test_interchange import run_import, write

AUTHORS = [
    {"name": "Sara Karimi", "slug": "sara-karimi", "position": "Researcher"},
    {"name": "Ali Rezaei", "slug": "ali-rezaei", "position": "Fellow", "position_fa": "پژوهشگر"},
]


def day(n):
    return (datetime.date(2016, 4, 1) + datetime.timedelta(days=n // 2)).isoformat()


def record(n, **fields):
    """The nth article of a generated archive: English at even numbers, the
    Persian translation of the one before at odd ones; key words in both cases."""
    persian = n % 2
    data = {
        "title": f"Analysis {n}",
        "slug": f"analysis-{n}",
        "language": "fa" if persian else "en",
        "status": "published",
        "published_at": f"{day(n)}T10:00:00+04:30",
        "authors": [
            "sara-karimi",
            {"slug": "ali-rezaei", "position": f"Guest {n}", "affiliation": "X"},
        ],
        "keywords": ["Syria" if n < 4 else "SYRIA", f"Topic {n % 3}", "Energy"],
        "sections": [
            {"heading": "", "body": f"<p>Opening of {n}.<script>alert(1)</script></p>"},
            {"heading": "Why now?", "body": f"<p>Because {n}.</p>"},
        ],
    }
    if persian:
        data["translation"] = {"slug": f"analysis-{n - 1}", "date": day(n - 1)}
    return data | fields


def archive(count, **fields):
    return {
        "authors": AUTHORS,
        "keywords": [{"name": "Syria", "description": "The war.", "counterpart": "Energy"}],
        "articles": [record(n, **fields) for n in range(count)],
    }


@pytest.fixture
def editor(db):
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of three articles, so that a few articles span several."""
    monkeypatch.setattr(interchange, "CHUNK", 3)


def test_articles_spanning_chunks_are_written_whole(db, tmp_path, small_chunks):
    output = run_import(write(tmp_path, archive(8)))
    assert "Articles: 8 created, 0 updated." in output
    assert Article.objects.count() == 8
    first, last = Article.objects.get(slug="analysis-0"), Article.objects.get(slug="analysis-7")
    assert [s.body for s in last.sections.all()] == ["<p>Opening of 7.</p>", "<p>Because 7.</p>"]
    # One key word whatever its case, in every chunk; bylines filled from the
    # profile in the article's language when the file gives no titles.
    assert Keyword.objects.filter(name__iexact="syria").count() == 1
    assert sorted(last.keywords.names()) == ["Energy", "Syria", "Topic 1"]
    assert [(b.author.slug, b.position) for b in last.bylines.all()] == [
        ("sara-karimi", "Researcher"),
        ("ali-rezaei", "Guest 7"),
    ]
    # Translations named across chunks are linked both ways.
    assert first.translation.slug == "analysis-1"
    assert last.translation.slug == "analysis-6"
    assert Article.objects.get(slug="analysis-6").translation == last
    # Searchable, as the search data was written for each chunk.
    assert Article.objects.get(slug="analysis-5").search_text.startswith("Analysis 5")


def test_queries_grow_with_the_chunks_not_the_articles(db, tmp_path, monkeypatch):
    monkeypatch.setattr(interchange, "CHUNK", 25)

    def queries(name, count):
        data = {
            "authors": AUTHORS,
            "articles": [record(2 * n, slug=f"{name}-{n}") for n in range(count)],
        }
        with CaptureQueriesContext(connection) as captured:
            run_import(write(tmp_path, data, f"{name}.json"))
        # The search fallback of SQLite writes its text one article at a
        # time; PostgreSQL writes a chunk's vectors in one statement.
        return [
            q for q in captured if not q["sql"].startswith('UPDATE "articles_article" SET "search')
        ]

    one_chunk = queries("first", 25)
    four_chunks = queries("second", 100)
    # 75 articles more: three chunks of a fixed number of queries, where
    # writing an article at a time took dozens for each.
    assert len(four_chunks) - len(one_chunk) <= 3 * 30
    assert Article.objects.count() == 125


def test_reimporting_a_file_of_many_chunks_changes_nothing(db, tmp_path, small_chunks):
    path = write(tmp_path, archive(8))
    run_import(path)
    before = export_archive()
    changed = dict(Article.objects.values_list("slug", "updated_at"))
    rows = [model.objects.count() for model in (Article, Section, TaggedArticle, Keyword, Author)]
    version = ContentVersion.objects.get(pk=1).value

    assert "Articles: 0 created, 8 updated." in run_import(path)
    assert export_archive() == before
    assert [m.objects.count() for m in (Article, Section, TaggedArticle, Keyword, Author)] == rows
    # Nothing was written again: no article counts as changed, and cached
    # pages stay as they were.
    assert dict(Article.objects.values_list("slug", "updated_at")) == changed
    assert ContentVersion.objects.get(pk=1).value == version


def test_a_changed_file_updates_the_stored_articles(db, tmp_path, small_chunks):
    run_import(write(tmp_path, archive(8)))
    old = Article.objects.get(slug="analysis-4")
    data = archive(8)
    data["articles"][4] |= {
        "title": "Analysis four, revised",
        "keywords": ["Energy"],
        "sections": [{"heading": "", "body": "<p>Only part.</p>"}],
        "authors": ["ali-rezaei"],
    }
    assert "Articles: 0 created, 8 updated." in run_import(write(tmp_path, data, "new.json"))
    article = Article.objects.get(slug="analysis-4")
    assert article.pk == old.pk and article.updated_at > old.updated_at
    assert article.title == "Analysis four, revised"
    assert [s.body for s in article.sections.all()] == ["<p>Only part.</p>"]
    assert list(article.keywords.names()) == ["Energy"]
    assert [(b.author.slug, b.position) for b in article.bylines.all()] == [
        ("ali-rezaei", "Fellow")
    ]
    assert "revised" in article.search_text
    # The articles that did not change were left as they were.
    assert Article.objects.get(slug="analysis-5").updated_at < article.updated_at


def test_an_article_an_import_moves_keeps_its_old_address(client, db, tmp_path):
    data = {"authors": AUTHORS, "articles": [record(0)]}
    run_import(write(tmp_path, data))
    old = Article.objects.get().get_absolute_url()
    data["articles"][0]["language"] = "fa"
    run_import(write(tmp_path, data, "moved.json"))
    article = Article.objects.get()
    new = article.get_absolute_url()
    assert new.startswith("/fa/") and new != old
    assert Redirect.objects.filter(old_path=old, article=article).exists()
    response = client.get(old)
    assert (response.status_code, response["Location"]) == (301, new)


def test_an_error_in_the_last_record_of_a_large_file_writes_nothing(db, tmp_path, small_chunks):
    ArticleFactory(title="Already here", keywords=["Energy"])
    before = export_archive()
    data = archive(8)
    data["articles"][7]["status"] = "live"
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert 'article "analysis-7" (#8): status: Select a valid choice.' in str(error.value)
    assert export_archive() == before
    assert not Version.objects.exists() and not LogEntry.objects.exists()


def test_a_failure_while_writing_a_later_chunk_writes_nothing(
    db, tmp_path, small_chunks, monkeypatch
):
    write_chunk = bulk_import.ArticleWriter.write
    written = []

    def fails_on_the_third(self, contents):
        if len(written) == 2:
            raise RuntimeError("the database went away")
        written.append(len(contents))
        return write_chunk(self, contents)

    monkeypatch.setattr(bulk_import.ArticleWriter, "write", fails_on_the_third)
    with pytest.raises(RuntimeError):
        run_import(write(tmp_path, archive(8)))
    assert written == [3, 3]
    assert not Article.objects.exists() and not Author.objects.exists()
    assert not Keyword.objects.exists() and not Revision.objects.exists()


def test_every_article_gets_a_version_of_its_own_across_chunks(db, tmp_path, small_chunks):
    run_import(write(tmp_path, archive(8)))
    assert Revision.objects.count() == 8
    for article in Article.objects.all():
        [version] = versions_of(article)
        assert version.revision.get_comment() == "Imported"
        held = version.revision.version_set.all()
        kinds = sorted(v.content_type.model for v in held)
        assert (
            kinds == ["article"] + ["articleauthor"] * 2 + ["section"] * 2 + ["taggedarticle"] * 3
        )
        assert {v.object_id for v in held if v.content_type.model == "article"} == {str(article.pk)}
    assert LogEntry.objects.filter(change_message="Imported").count() == 8


def test_a_version_written_in_bulk_is_the_one_reversion_would_save(db):
    article = ArticleFactory(title="Şahin's <b>draft</b>", sections=["", "Part"], keywords=["Iran"])
    rows = [*article.sections.all(), *article.bylines.all(), *article.tagged_items.all()]
    with reversion.create_revision():
        reversion.add_to_revision(article)
    bulk_import.save_versions([(article, rows)], "Imported")
    by_reversion, in_bulk = Revision.objects.order_by("pk")
    assert in_bulk.get_comment() == "Imported"

    def held(revision):
        return sorted(
            (v.content_type_id, v.object_id, v.format, v.serialized_data, v.object_repr)
            for v in revision.version_set.all()
        )

    assert held(in_bulk) == held(by_reversion)


def test_an_imported_version_can_be_restored_from_history(client, editor, tmp_path):
    run_import(write(tmp_path, archive(2)))
    article = Article.objects.get(slug="analysis-0")
    article.title = "Edited later"
    article.save()
    article.sections.all().delete()
    article.keywords.set([])
    client.force_login(editor)
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    [version] = history.context["versions"]
    assert version.revision.get_comment() == "Imported"

    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    assert client.post(url, form_values(client.get(url), "article_form")).status_code == 302
    article.refresh_from_db()
    assert article.title == "Analysis 0"
    assert [s.body for s in article.sections.all()] == ["<p>Opening of 0.</p>", "<p>Because 0.</p>"]
    assert sorted(article.keywords.names()) == ["Energy", "Syria", "Topic 0"]


def test_progress_is_shown_on_standard_error(db, tmp_path, small_chunks):
    path = write(tmp_path, archive(8))
    err = StringIO()
    call_command("import_articles", path, stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("Checking articles: 0/8 (0%")
    assert any(line.startswith("Checking articles: 6/8 (75%") for line in lines)
    assert lines[-1].startswith("Writing articles: 8/8 (100%")
    quiet = StringIO()
    call_command("import_articles", path, "--no-progress", stdout=StringIO(), stderr=quiet)
    assert quiet.getvalue() == ""


def test_the_parts_of_the_file_may_come_in_any_order(db, tmp_path):
    data = archive(2)
    text = json.dumps({"articles": data["articles"], "keywords": data["keywords"]})
    text = text[:-1] + ', "authors": ' + json.dumps(AUTHORS) + "}"
    assert text.index('"articles"') < text.index('"authors"')
    assert "Articles: 2 created" in run_import(write(tmp_path, text))
    assert Keyword.objects.get(name="Syria").description == "The war."


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: [a.update(doi="10.1234/same") for a in d["articles"][1:3]],
            'article "analysis-2" (#3): doi: another article in the file has this DOI',
        ),
        (
            lambda d: d["articles"][2].update(doi="10.1234/taken"),
            'article "analysis-2" (#3): Another article has this DOI.',
        ),
    ],
)
def test_a_doi_is_refused_when_another_article_has_it(db, tmp_path, change, message):
    ArticleFactory(slug="elsewhere", doi="10.1234/taken")
    data = archive(4)
    change(data)
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert message in str(error.value)
    assert Article.objects.count() == 1


def test_an_article_keeps_its_doi_when_imported_again(db, tmp_path):
    data = archive(4)
    data["articles"][2]["doi"] = "10.1234/own"
    path = write(tmp_path, data)
    run_import(path)
    assert "Articles: 0 created, 4 updated" in run_import(path)
    assert Article.objects.get(slug="analysis-2").doi == "10.1234/own"


def test_new_key_words_get_the_slugs_taggit_would_give(db, tmp_path):
    Keyword.objects.create(name="Iran's approach")
    data = archive(2, keywords=["Irans approach", "Iran approach", "روسیه"])
    run_import(write(tmp_path, data))
    slugs = dict(Keyword.objects.values_list("name", "slug"))
    assert slugs == {
        "Iran's approach": "irans-approach",
        "Irans approach": "irans-approach_1",
        "Iran approach": "iran-approach",
        "روسیه": "روسیه",
        "Energy": "energy",
        "Syria": "syria",
    }


def test_key_words_the_bulk_insert_cannot_make_are_made_one_by_one(db, tmp_path, monkeypatch):
    Keyword.objects.create(name="Iran")
    # As if another key word had taken the slug meanwhile.
    monkeypatch.setattr(
        bulk_import.KeywordFinder,
        "_slugs",
        staticmethod(lambda names: [(n, "iran") for n in names]),
    )
    data = archive(1, keywords=["Russia", "iran"])
    del data["keywords"]
    run_import(write(tmp_path, data))
    assert sorted(Keyword.objects.values_list("name", "slug")) == [
        ("Iran", "iran"),
        ("Russia", "russia"),
    ]
    assert sorted(Article.objects.get().keywords.names()) == ["Iran", "Russia"]


def test_a_part_given_twice_is_refused(db, tmp_path):
    text = '{"authors": [], "articles": [], "authors": []}'
    with pytest.raises(CommandError, match="top level: authors: appears twice"):
        run_import(write(tmp_path, text))


def test_many_problems_are_counted_beyond_those_listed(db, tmp_path):
    data = archive(60, status="live")
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert str(error.value).endswith("… and 10 more")


def test_the_memory_an_import_takes_does_not_grow_with_the_file(db, tmp_path, monkeypatch):
    """Four times the articles, about the same memory: the file is read a
    record at a time and written a chunk at a time. (Read whole, the larger
    file alone would take more than the whole smaller import.)"""
    monkeypatch.setattr(interchange, "CHUNK", 5)
    body = "<p>" + "Words of a long section, said at length. " * 500 + "</p>"

    def peak_importing(name, count):
        data = archive(count, sections=[{"heading": "", "body": body}] * 4)
        for article in data["articles"]:
            article["slug"] = f"{name}-{article['slug']}"
            article.pop("translation", None)
        path = write(tmp_path, data, f"{name}.json")
        del data
        tracemalloc.start()
        try:
            run_import(path)
            return tracemalloc.get_traced_memory()[1], (tmp_path / f"{name}.json").stat().st_size
        finally:
            tracemalloc.stop()

    peak_importing("warm", 5)  # Caches filled once (translations, queries, content types).
    small, _ = peak_importing("small", 20)
    large, size = peak_importing("large", 80)
    assert size > 6_000_000
    assert large < 1.5 * small
    assert large < size / 2
    assert Article.objects.count() == 105
