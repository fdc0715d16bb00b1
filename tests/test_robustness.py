"""Odd and hostile input gets a clear error page or message, never a server error."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from articles.models import Article, Keyword

from .conftest import form_values
from .factories import ArticleFactory, AuthorFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def test_unknown_host_is_a_400_page(client, db):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/articles/9999/", "/articles/9999/12/31/", "/articles/0001/", "/articles/0001/01/01/x/"],
)
def test_years_outside_the_archive_are_404(client, db, url):
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/search/?q=a%00b", "/articles/?page=%00", "/search/?author=%00"])
def test_nul_in_the_query_is_a_400(client, db, url):
    assert client.get(url).status_code == 400


def test_nul_in_an_admin_filter_is_a_400(admin_client):
    url = reverse("admin:articles_article_changelist") + "?language__exact=%00"
    assert admin_client.get(url).status_code == 400


def test_keyword_of_punctuation_gets_a_usable_slug(client, db):
    article = ArticleFactory(keywords=["!!!", "???"])
    slugs = sorted(Keyword.objects.values_list("slug", flat=True))
    assert slugs == ["keyword", "keyword_1"]
    for url in ("/", "/keywords/", article.get_absolute_url(), "/keywords/keyword/"):
        assert client.get(url).status_code == 200, url


def test_long_keyword_names_keep_slugs_within_their_column(db):
    article = ArticleFactory()
    article.keywords.add("x" * 100, "x" * 99 + "!")
    assert all(len(slug) <= 100 for slug in Keyword.objects.values_list("slug", flat=True))


def test_admin_refuses_dates_outside_the_archive_and_long_keywords(admin_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["published_at_0"] = ["0001-01-01"]
    values["keywords"] = ["y" * 101 + ", Bell\x07"]
    page = admin_client.post(url, values).content.decode()
    assert "Give a date between 1900 and 2099." in page
    assert "Ensure this value has at most 100 characters (it has 101)." in page
    assert "Bell: Remove the invisible control characters from this text." in page
    assert Article.objects.get().published_at == article.published_at


def test_author_with_only_unpublished_articles_has_no_page(client, db):
    guest = AuthorFactory(slug="guest-minister")
    ArticleFactory(authors=[guest], status="draft")
    assert client.get("/authors/guest-minister/").status_code == 404
    assert client.get("/authors/guest-minister/feed/").status_code == 404


def import_file(tmp_path, data):
    path = tmp_path / "archive.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    call_command("import_articles", str(path), stdout=StringIO())


def article(**fields):
    return {
        "title": "T",
        "slug": "t",
        "status": "draft",
        "published_at": "2016-04-20T10:00:00+04:30",
        **fields,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"authors": [{"slug": ["a"], "name": "x"}]}, "slug: must be a string"),
        ({"articles": [article(authors=[{"slug": ["a"]}])]}, "entry 1 must be an author's slug"),
        (
            {"articles": [article(published_at="0001-01-01T00:00:00+04:30")]},
            "between 1900 and 2099",
        ),
        (
            {"articles": [article(published_at="9999-12-31T23:00:00-12:00")]},
            "between 1900 and 2099",
        ),
        ({"keywords": [{"name": "Syria", "counterpart": "z" * 101}]}, "at most 100 characters"),
        ({"articles": [article(title="a\x00b")]}, "title: Null characters are not allowed."),
        ({"articles": [article(title="a\x0bb")]}, "title: Remove the invisible control characters"),
        ({"articles": [article(keywords=["a\x00b"])]}, "keywords: entry 1: Null characters"),
        ({"articles": [article(translation={"slug": "a\x00", "date": "2016-01-01"})]}, "slug"),
        (
            {"articles": [article(sections=[{"body": "<p>x</p>"}] * 501)]},
            "sections: An article may have at most 500 sections; this one has 501.",
        ),
        (
            {"articles": [article(sections=[{"body": "<p>" + "x" * 1_800_000 + "</p>"}])]},
            "sections: #1: body: This section is 1.8 MB of HTML; a section may be at most 1.0 MB.",
        ),
        (
            {"articles": [article(sections=[{"body": "<p>" + "x" * 900_000 + "</p>"}] * 6)]},
            "sections: The sections hold 5.4 MB of HTML together; an article may hold at most 5.0",
        ),
        ("[" * 100000 + "]" * 100000, "nested too deeply"),
    ],
)
def test_hostile_import_files_are_refused_cleanly(db, tmp_path, data, message):
    with pytest.raises(CommandError) as error:
        import_file(tmp_path, data)
    assert message in str(error.value)
    assert not Article.objects.exists()


def test_control_characters_are_refused_and_never_break_feeds(client, admin_client):
    article = ArticleFactory(title="Clean title")
    Article.objects.filter(pk=article.pk).update(title="Pasted\x0btitle")
    feed = client.get("/feed/")
    assert feed.status_code == 200 and b"Pastedtitle" in feed.content
    url = reverse("admin:articles_article_change", args=[article.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["title"] = ["Another\x0bpaste"]
    page = admin_client.post(url, values).content.decode()
    assert "Remove the invisible control characters from this text." in page
