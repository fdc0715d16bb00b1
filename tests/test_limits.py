"""One set of limits on what an article holds, the same in the admin and the
importer, and request limits that let the admin save the largest article."""

import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Section

from .factories import AuthorFactory
from .test_admin import article_form


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def sections(bodies):
    data = {"sections-TOTAL_FORMS": str(len(bodies)), "sections-INITIAL_FORMS": "0"}
    for number, body in enumerate(bodies):
        data[f"sections-{number}-order"] = str(number)
        data[f"sections-{number}-heading"] = f"Part {number}" if number else ""
        data[f"sections-{number}-body"] = body
    return data


def post(admin_client, bodies):
    author = AuthorFactory()
    data = {**article_form(author), **sections(bodies)}
    # Everything a browser sends for a section of a new article.
    for number in range(len(bodies)):
        data[f"sections-{number}-id"] = ""
        data[f"sections-{number}-article"] = ""
    return admin_client.post(reverse("admin:articles_article_add"), data)


def test_a_section_over_the_limit_is_a_form_error(admin_client):
    response = post(admin_client, ["<p>" + "x" * 1_800_000 + "</p>"])
    assert response.status_code == 200
    assert "This section is 1.8 MB of HTML; a section may be at most 1.0 MB." in (
        response.content.decode()
    )
    assert not Article.objects.exists()


def test_too_many_sections_are_a_form_error(admin_client):
    response = post(admin_client, ["<p>x</p>"] * (Section.MAX_PER_ARTICLE + 1))
    assert response.status_code == 200
    assert "An article may have at most 500 sections; this one has 501." in (
        response.content.decode()
    )
    assert not Article.objects.exists()


def largest_bodies():
    size = Section.MAX_TOTAL_BYTES // Section.MAX_PER_ARTICLE - 20
    return ["<p>" + "x" * (size - 7) + "</p>"] * Section.MAX_PER_ARTICLE


def test_the_admin_saves_the_largest_article_the_importer_accepts(admin_client, tmp_path):
    bodies = largest_bodies()
    response = post(admin_client, bodies)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert Section.objects.count() == Section.MAX_PER_ARTICLE

    archive = tmp_path / "archive.json"
    AuthorFactory(slug="importer")
    record = {
        "title": "Imported",
        "slug": "imported",
        "status": "published",
        "published_at": "2016-04-20T10:00:00+04:30",
        "authors": ["importer"],
        "sections": [{"heading": "", "body": body} for body in bodies],
    }
    archive.write_text(json.dumps({"articles": [record]}))
    call_command("import_articles", str(archive))
    assert Article.objects.get(slug="imported").sections.count() == Section.MAX_PER_ARTICLE
