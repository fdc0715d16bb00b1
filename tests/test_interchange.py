"""import_articles and export_articles: one format, all or nothing."""

import copy
import datetime
import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from articles.interchange import export_archive
from articles.models import Article, Keyword
from articles.versions import versions_of
from authors.models import Author

from .factories import ArticleFactory, AuthorFactory

ARCHIVE = {
    "authors": [
        {
            "name": "Sara Karimi",
            "slug": "sara-karimi",
            "position": "Researcher of Eurasia Studies",
            "affiliation": "The Center for Strategic Research (CSR), Tehran",
            "bio": "<p>Writes on Russia.</p>",
        },
        {
            "name": "Ali <Rezaei>",
            "slug": "ali-rezaei",
            "position": "",
            "affiliation": "",
            "bio": "",
        },
    ],
    "keywords": [
        {"name": "Syria", "description": "The war and its diplomacy.", "counterpart": "سوریه"},
        {"name": "US", "featured": True},
    ],
    "articles": [
        {
            "title": "Russia, the US and <b>Syria</b>",
            "slug": "russia-us-syria",
            "language": "en",
            "status": "published",
            "published_at": "2016-04-20T10:00:00+04:30",
            "authors": [
                "sara-karimi",
                {"slug": "ali-rezaei", "position": "Guest", "affiliation": "X"},
            ],
            "summary": "Why talks matter.",
            "photo_credit": "Photo Credit: Sputnik News",
            "keywords": ["US", "Russia", "Syria", "syria"],
            "sections": [
                {"heading": "", "body": "<p>Opening.<script>alert(1)</script></p>"},
                {"heading": "Why bilateral negotiations?", "body": "<p>Because.</p>"},
            ],
            "translation": {"slug": "روسیه-آمریکا", "date": "2016-04-20"},
        },
        {
            "title": "روسیه، آمریکا و سوریه",
            "slug": "روسیه-آمریکا",
            "language": "fa",
            "status": "draft",
            "published_at": "2016-04-20T12:00:00+04:30",
            "authors": ["sara-karimi"],
            "keywords": ["سوریه"],
            "sections": [{"heading": "", "body": "<p>متن.</p>"}],
        },
    ],
}


def write(tmp_path, data, name="archive.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def run_import(path):
    out = StringIO()
    call_command("import_articles", path, stdout=out)
    return out.getvalue()


def run_export():
    out = StringIO()
    call_command("export_articles", stdout=out)
    return json.loads(out.getvalue())


def test_import_writes_everything(db, tmp_path):
    output = run_import(write(tmp_path, ARCHIVE))
    assert "Articles: 2 created" in output
    article = Article.objects.get(slug="russia-us-syria")
    assert article.title == "Russia, the US and <b>Syria</b>"
    assert [line.author.slug for line in article.bylines.all()] == ["sara-karimi", "ali-rezaei"]
    first, second = article.bylines.all()
    assert first.position == "Researcher of Eurasia Studies"
    assert (second.position, second.affiliation) == ("Guest", "X")
    assert [s.heading for s in article.sections.all()] == ["", "Why bilateral negotiations?"]
    assert article.sections.first().body == "<p>Opening.</p>"
    assert sorted(article.keywords.names()) == ["Russia", "Syria", "US"]
    persian = Article.objects.get(slug="روسیه-آمریکا")
    assert article.translation == persian and persian.translation == article
    syria = Keyword.objects.get(name="Syria")
    assert syria.description == "The war and its diplomacy."
    assert syria.counterpart.name == "سوریه"
    assert Keyword.objects.get(name="سوریه").counterpart == syria
    assert list(Keyword.objects.filter(featured=True).values_list("name", flat=True)) == ["US"]


def test_plain_text_fields_are_escaped_on_output(client, db, tmp_path):
    run_import(write(tmp_path, ARCHIVE))
    body = client.get("/articles/2016/04/20/russia-us-syria/").content.decode()
    assert "Russia, the US and &lt;b&gt;Syria&lt;/b&gt;" in body
    assert "Ali &lt;Rezaei&gt;" in body


def test_reimport_creates_no_duplicates(db, tmp_path):
    path = write(tmp_path, ARCHIVE)
    run_import(path)
    counts = (Article.objects.count(), Author.objects.count(), Keyword.objects.count())
    output = run_import(path)
    assert "Articles: 0 created, 2 updated" in output
    assert (Article.objects.count(), Author.objects.count(), Keyword.objects.count()) == counts
    assert Article.objects.get(slug="russia-us-syria").sections.count() == 2


def test_export_reimports_to_the_same_content(db, tmp_path):
    run_import(write(tmp_path, ARCHIVE))
    ArticleFactory(title="A factory one", keywords=["Energy"])
    first = run_export()
    assert {a["status"] for a in first["articles"]} == {"published", "draft"}
    Article.objects.all().delete()
    Keyword.objects.all().delete()
    Author.objects.all().delete()
    run_import(write(tmp_path, first, "export.json"))
    assert run_export() == first


def test_export_writes_drafts_and_scheduled_articles(db):
    ArticleFactory(title="Draft one", status="draft")
    ArticleFactory(title="Later one", published_at=timezone.now() + datetime.timedelta(days=9))
    titles = [a["title"] for a in export_archive()["articles"]]
    assert set(titles) == {"Draft one", "Later one"}


def test_import_matches_existing_authors_by_slug(db, tmp_path):
    AuthorFactory(slug="sara-karimi", name="Old name")
    run_import(write(tmp_path, ARCHIVE))
    assert Author.objects.get(slug="sara-karimi").name == "Sara Karimi"
    assert Author.objects.filter(slug="sara-karimi").count() == 1


def broken(change):
    data = copy.deepcopy(ARCHIVE)
    change(data)
    return data


BAD_FILES = {
    "missing title": (
        broken(lambda d: d["articles"][0].pop("title")),
        'article "russia-us-syria" (#1): title: This field is required.',
    ),
    "bad slug": (
        broken(lambda d: d["articles"][0].update(slug="bad slug!")),
        "(#1): slug: Enter a valid “slug” consisting of Unicode letters",
    ),
    "unknown author": (
        broken(lambda d: d["articles"][1].update(authors=["nobody"])),
        "(#2): authors: no author with slug 'nobody'",
    ),
    "bad date": (
        broken(lambda d: d["articles"][0].update(published_at="20 April 2016")),
        "published_at: Enter an ISO 8601 date and time, such as 2016-04-20T10:00:00+04:30.",
    ),
    "bad status": (
        broken(lambda d: d["articles"][0].update(status="live")),
        "status: Select a valid choice. live is not one of the available choices.",
    ),
    "bad language": (
        broken(lambda d: d["articles"][0].update(language="de")),
        "language: Select a valid choice. de is not one of the available choices.",
    ),
    "published without authors": (
        broken(lambda d: d["articles"][0].update(authors=[])),
        "authors: A published article needs at least one author.",
    ),
    "published without sections": (
        broken(lambda d: d["articles"][0].update(sections=[])),
        "sections: A published article needs at least one section.",
    ),
    "duplicate article": (
        broken(lambda d: d["articles"].append(copy.deepcopy(d["articles"][0]))),
        "(#3): slug: another article in the file has this slug on 2016-04-20",
    ),
    "sections not a list": (
        broken(lambda d: d["articles"][0].update(sections="text")),
        "sections: must be a list",
    ),
    "body with nothing safe": (
        broken(lambda d: d["articles"][0]["sections"].append({"body": "<script>x</script>"})),
        "sections: #3: body: has no text once unsafe HTML is removed",
    ),
    "unknown field": (
        broken(lambda d: d["articles"][0].update(subtitle="x")),
        "subtitle: is not a field of this format",
    ),
    "missing translation": (
        broken(lambda d: d["articles"][0].update(translation={"slug": "x", "date": "2016-01-01"})),
        "translation: no article 'x' of 2016-01-01",
    ),
    "title too long": (
        broken(lambda d: d["articles"][0].update(title="x" * 301)),
        "title: Ensure this value has at most 300 characters (it has 301).",
    ),
    "second article bad": (
        broken(lambda d: d["articles"][1].update(status=None)),
        'article "روسیه-آمریکا" (#2): status',
    ),
    "duplicate author": (
        broken(lambda d: d["authors"].append(dict(d["authors"][0]))),
        'author "sara-karimi" (#3): slug: appears twice in the file',
    ),
    "article not an object": (
        broken(lambda d: d["articles"].append("text")),
        "article #3 must be a JSON object",
    ),
    "date in words": (
        broken(lambda d: d["articles"][0].update(published_at="20/04/2016")),
        "published_at: Enter an ISO 8601 date and time",
    ),
    "date out of range": (
        broken(lambda d: d["articles"][0].update(published_at="1800-01-01T10:00:00+03:30")),
        "published_at: Give a date between 1900 and 2099.",
    ),
    "title not a string": (
        broken(lambda d: d["articles"][0].update(title=["Russia"])),
        'article "russia-us-syria" (#1): title: must be a string',
    ),
    "heading with control characters": (
        broken(lambda d: d["articles"][0]["sections"][1].update(heading="Why\x0b?")),
        "sections: #2: heading: Remove the invisible control characters from this text.",
    ),
    "section field unknown": (
        broken(lambda d: d["articles"][0]["sections"][1].update(level=2)),
        "sections: #2: level: is not a field of this format",
    ),
    "byline position too long": (
        broken(lambda d: d["articles"][0]["authors"][1].update(position="x" * 301)),
        "authors: entry 2: position: Ensure this value has at most 300 characters",
    ),
    "key word too long": (
        broken(lambda d: d["articles"][0]["keywords"].append("k" * 101)),
        "keywords: entry 5: Ensure this value has at most 100 characters (it has 101).",
    ),
    "translation date not a date": (
        broken(lambda d: d["articles"][0]["translation"].update(date="20 April 2016")),
        "translation: date: Enter a valid date.",
    ),
    "author without a name": (
        broken(lambda d: d["authors"][1].update(name=" ")),
        'author "ali-rezaei" (#2): name: This field is required.',
    ),
    "author email": (
        broken(lambda d: d["authors"][0].update(email="sara at csr")),
        'author "sara-karimi" (#1): email: Enter a valid email address.',
    ),
    "key word with control characters": (
        broken(lambda d: d["articles"][0]["keywords"].append("Bell\x07")),
        "keywords: entry 5: Remove the invisible control characters from this text.",
    ),
    "author position with control characters": (
        broken(lambda d: d["authors"][0].update(position="Researcher\x1b")),
        "position: Remove the invisible control characters from this text.",
    ),
    "author active not a boolean": (
        broken(lambda d: d["authors"][0].update(is_active="no")),
        "is_active: must be true or false",
    ),
    "key word its own counterpart": (
        broken(lambda d: d["keywords"][0].update(counterpart="syria")),
        "key word #1: counterpart: cannot be the key word itself",
    ),
    "translation in the same language": (
        broken(lambda d: d["articles"][1].update(language="en")),
        "translation: 'روسیه-آمریکا' is in the same language",
    ),
    "top level not an object": ([], "the file must hold a JSON object"),
    "malformed JSON": ('{"articles": [', "not valid JSON"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_file_is_refused_and_changes_nothing(db, tmp_path, case):
    ArticleFactory(title="Already here", keywords=["Energy"])
    before = export_archive()
    data, message = BAD_FILES[case]
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert message in str(error.value)
    assert "nothing was imported" in str(error.value)
    assert export_archive() == before


def test_missing_file_is_a_one_line_error(db, tmp_path):
    with pytest.raises(CommandError, match=r"cannot read .*nope.json"):
        run_import(str(tmp_path / "nope.json"))


def test_command_fails_with_a_non_zero_exit_and_no_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "import_articles", str(tmp_path / "nope.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "cannot read" in result.stderr and "Traceback" not in result.stderr


def test_each_imported_article_gets_a_version_of_its_own(db, tmp_path):
    run_import(write(tmp_path, ARCHIVE))
    for article in Article.objects.all():
        versions = list(versions_of(article))
        assert len(versions) == 1
        assert versions[0].revision.get_comment() == "Imported"
        assert {
            v.object_id
            for v in versions[0].revision.version_set.filter(content_type__model="article")
        } == {str(article.pk)}
