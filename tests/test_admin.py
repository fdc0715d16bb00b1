"""The editors' admin: lists, forms with ordered inlines, actions."""

import datetime

import lxml.html
import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Keyword
from authors.models import Author

from .conftest import form_values
from .factories import ArticleFactory, AuthorFactory


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def article_form(author, **overrides):
    data = {
        "title": "Iran's approach to the cease-fire",
        "slug": "irans-approach",
        "language": "en",
        "status": "published",
        "published_at_0": "2016-04-20",
        "published_at_1": "10:00:00",
        "summary": "",
        "keywords": "US, Russia, Resolution 2254",
        "image_alt": "",
        "image_caption": "",
        "photo_credit": "Sputnik News",
        "bylines-TOTAL_FORMS": "1",
        "bylines-INITIAL_FORMS": "0",
        "bylines-0-order": "0",
        "bylines-0-author": str(author.pk),
        "bylines-0-position": "",
        "bylines-0-affiliation": "",
        "sections-TOTAL_FORMS": "3",
        "sections-INITIAL_FORMS": "0",
        "sections-0-order": "2",
        "sections-0-heading": "Last part",
        "sections-0-body": "<p>Third.</p>",
        "sections-1-order": "0",
        "sections-1-heading": "",
        "sections-1-body": "<p>Opening<script>alert(1)</script></p>",
        "sections-2-order": "1",
        "sections-2-heading": "Middle part",
        "sections-2-body": "<p>Second.</p>",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "preview_links-TOTAL_FORMS": "0",
        "preview_links-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_article_list_shows_the_columns_editors_need(admin_client):
    ArticleFactory(
        title="Listed article", authors=[AuthorFactory(name="Sara Karimi")], keywords=["Syria"]
    )
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Listed article", "Sara Karimi", "Syria", "Published"):
        assert text in body


def test_article_list_query_count_does_not_grow(admin_client):
    url = reverse("admin:articles_article_changelist")
    ArticleFactory(keywords=["One"])
    admin_client.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(20):
        ArticleFactory(authors=AuthorFactory.create_batch(3), keywords=[f"K{n}", "Shared"])
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_article_list_filters_and_search(admin_client):
    ArticleFactory(title="Energy piece", keywords=["Energy"], language="fa")
    ArticleFactory(title="Water piece", status="draft")
    url = reverse("admin:articles_article_changelist")
    assert (
        "Water piece" not in admin_client.get(url, {"status__exact": "published"}).content.decode()
    )
    assert "Energy piece" not in admin_client.get(url, {"q": "Water"}).content.decode()
    assert "Water piece" not in admin_client.get(url, {"language__exact": "fa"}).content.decode()


def test_add_article_with_ordered_authors_and_sections(admin_client):
    author = AuthorFactory(position="Researcher")
    response = admin_client.post(reverse("admin:articles_article_add"), article_form(author))
    assert response.status_code == 302, response.context["adminform"].errors
    article = Article.objects.get(slug="irans-approach")
    assert [s.heading for s in article.sections.all()] == ["", "Middle part", "Last part"]
    assert article.sections.first().body == "<p>Opening</p>"
    assert article.bylines.get().position == "Researcher"
    assert sorted(article.keywords.names()) == ["Resolution 2254", "Russia", "US"]
    assert article.get_absolute_url() == "/articles/2016/04/20/irans-approach/"


# Key words as typed

TYPED = ["Drought Policy", "US", "آب و برق", "Iran, Islamic Republic"]


def keyword_box(response):
    """The article form's key word field as the editor sees it: its lines."""
    page = lxml.html.fromstring(response.content.decode())
    box = page.get_element_by_id("id_keywords")
    assert box.tag == "textarea"
    return box.text_content().strip("\n").split("\n")


def saved_keywords(article):
    return list(article.tagged_items.order_by("pk").values_list("tag__name", flat=True))


def test_key_words_show_in_the_form_as_typed_and_save_back_unchanged(admin_client):
    article = ArticleFactory(keywords=TYPED)
    url = reverse("admin:articles_article_change", args=[article.pk])
    # Case, spaces, Persian and commas kept, no quotes, in the order given.
    assert keyword_box(admin_client.get(url)) == TYPED

    values = form_values(admin_client.get(url), "article_form")
    values["keywords"] = ["\n".join(keyword_box(admin_client.get(url)))]
    assert admin_client.post(url, values).status_code == 302
    assert saved_keywords(article) == TYPED
    assert Keyword.objects.count() == 4


def test_key_words_typed_on_lines_or_with_commas_keep_their_order(admin_client):
    Keyword.objects.create(name="Iran, Islamic Republic")
    article = ArticleFactory(keywords=["Energy"])
    url = reverse("admin:articles_article_change", args=[article.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["keywords"] = [
        "Water Policy\r\nUS, russia\r\nآب و برق، انرژی\r\nIran, Islamic Republic\r\n"
        '"Korea, Republic of", Energy\r\nus'
    ]
    assert admin_client.post(url, values).status_code == 302
    expected = [
        "Water Policy",
        "US",
        "russia",
        "آب و برق",
        "انرژی",
        "Iran, Islamic Republic",
        "Korea, Republic of",
        "Energy",
    ]
    assert saved_keywords(article) == expected
    assert keyword_box(admin_client.get(url)) == expected

    # A new order is kept too.
    values = form_values(admin_client.get(url), "article_form")
    values["keywords"] = ["Energy\nUS\nWater Policy"]
    assert admin_client.post(url, values).status_code == 302
    assert saved_keywords(article) == ["Energy", "US", "Water Policy"]


def test_one_key_word_of_several_words_stays_one(admin_client):
    article = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[article.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["keywords"] = ["Drought Policy"]
    assert admin_client.post(url, values).status_code == 302
    assert saved_keywords(article) == ["Drought Policy"]


def test_article_list_shows_each_key_word_apart_in_order(admin_client):
    ArticleFactory(keywords=TYPED)
    response = admin_client.get(reverse("admin:articles_article_changelist"))
    cell = lxml.html.fromstring(response.content.decode()).find_class("field-keyword_list")[0]
    assert [item.text_content() for item in cell.iter("li")] == TYPED


def test_published_article_needs_an_author(admin_client):
    author = AuthorFactory()
    data = article_form(author, **{"bylines-0-author": ""})
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert "A published article needs at least one author." in response.content.decode()
    assert not Article.objects.exists()


def test_draft_may_be_saved_without_an_author(admin_client):
    data = article_form(AuthorFactory(), status="draft", **{"bylines-0-author": ""})
    assert admin_client.post(reverse("admin:articles_article_add"), data).status_code == 302
    assert Article.objects.get().status == "draft"


def test_duplicate_slug_on_the_same_day_is_a_form_error(admin_client):
    moment = timezone.make_aware(datetime.datetime(2016, 4, 20, 8, 0))
    ArticleFactory(slug="irans-approach", published_at=moment)
    response = admin_client.post(
        reverse("admin:articles_article_add"), article_form(AuthorFactory())
    )
    assert response.status_code == 200
    assert "Another article of the same day has this slug." in response.content.decode()
    assert Article.objects.count() == 1


def test_change_page_and_view_on_site(admin_client):
    article = ArticleFactory(sections=["", "Part"])
    response = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "View on site" in body
    assert 'name="sections-1-heading"' in body and 'value="Part"' in body


def test_publish_and_unpublish_actions(admin_client):
    ready = ArticleFactory(status="draft")
    orphan = ArticleFactory(status="draft", authors=[])
    empty = ArticleFactory(status="draft", sections=[])
    url = reverse("admin:articles_article_changelist")
    selected = [ready.pk, orphan.pk, empty.pk]
    response = admin_client.post(url, {"action": "publish", "_selected_action": selected})
    assert "2 articles have no author or no section" in admin_client.get(url).content.decode()
    assert response.status_code == 302
    statuses = dict(Article.objects.values_list("pk", "status"))
    assert statuses == {ready.pk: "published", orphan.pk: "draft", empty.pk: "draft"}
    admin_client.post(url, {"action": "unpublish", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.status == "draft"


def test_author_autocomplete(admin_client):
    AuthorFactory(name="Sara Karimi")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "articles",
            "model_name": "articleauthor",
            "field_name": "author",
            "term": "Sar",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Sara Karimi"]


def test_author_admin_lists_the_authors_articles(admin_client):
    author = AuthorFactory()
    ArticleFactory(title="Her first piece", authors=[author])
    response = admin_client.get(reverse("admin:authors_author_change", args=[author.pk]))
    assert response.status_code == 200
    assert "Her first piece" in response.content.decode()


def test_author_bio_is_sanitised_from_the_admin(admin_client):
    response = admin_client.post(
        reverse("admin:authors_author_add"),
        {
            "name": "New Author",
            "slug": "new-author",
            "bio": '<p onmouseover="x()">Bio</p><script>bad()</script>',
            "is_active": "on",
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Author.objects.get(slug="new-author").bio == "<p>Bio</p>"


def test_keyword_admin_pages(admin_client):
    ArticleFactory(keywords=["Syria"])
    assert admin_client.get(reverse("admin:articles_keyword_changelist")).status_code == 200


def test_admin_requires_login(client, db):
    response = client.get(reverse("admin:articles_article_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
