"""Addresses that last: old addresses of moved articles, key words and authors,
and the redirects editors keep in the admin."""

import datetime
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.keywords import merge_keywords
from articles.models import Article, Keyword
from articles.redirects import Redirect
from authors.models import Author

from .factories import ArticleFactory


@pytest.fixture
def editor(db):
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def moved_to(client, path):
    response = client.get(path)
    assert response.status_code == 301, (path, response.status_code)
    return response["Location"]


def rename(article, **changes):
    article = Article.objects.get(pk=article.pk)
    for name, value in changes.items():
        setattr(article, name, value)
    article.save()
    return article


def on(day, hour=10):
    return timezone.make_aware(datetime.datetime(*day, hour, 0))


# Articles


def test_changed_slug_leads_from_the_old_address(client, published):
    old = published.get_absolute_url()
    article = rename(published, slug="a-better-slug")
    assert moved_to(client, old) == "/articles/2016/04/20/a-better-slug/"
    assert client.get(article.get_absolute_url()).status_code == 200


def test_changed_date_leads_from_the_old_address(client, published):
    # Another public article shares the slug, so the wrong-date rule cannot guess.
    ArticleFactory(slug="public-analysis", published_at=on((2015, 1, 5)))
    old = published.get_absolute_url()
    rename(published, published_at=on((2016, 5, 2)))
    assert moved_to(client, old) == "/articles/2016/05/02/public-analysis/"


def test_a_chain_of_changes_is_one_redirect_to_the_current_address(client, published):
    first = published.get_absolute_url()
    second = rename(published, slug="second").get_absolute_url()
    third = rename(published, slug="third", published_at=on((2017, 1, 1))).get_absolute_url()
    rename(published, slug="fourth")
    current = "/articles/2017/01/01/fourth/"
    for old in (first, second, third):
        assert moved_to(client, old) == current
    assert client.get(current).status_code == 200


def test_pdf_and_citations_follow_the_article(client, published):
    old = published.get_absolute_url()
    rename(published, slug="renamed")
    new = "/articles/2016/04/20/renamed/"
    assert moved_to(client, old + "pdf/") == new + "pdf/"
    assert moved_to(client, old + "cite.bib") == new + "cite.bib"
    assert moved_to(client, old + "cite.ris") == new + "cite.ris"
    assert client.get(new + "cite.ris").status_code == 200


def test_old_address_never_leads_to_a_draft(client, published):
    old = published.get_absolute_url()
    article = rename(published, slug="renamed")
    article.status = Article.Status.DRAFT
    article.save()
    assert client.get(old).status_code == 404
    article.status = Article.Status.PUBLISHED
    article.published_at = timezone.now() + datetime.timedelta(days=2)
    article.save()
    assert client.get(old).status_code == 404  # scheduled: not yet
    article.published_at = on((2016, 4, 20))
    article.save()
    assert moved_to(client, old) == "/articles/2016/04/20/renamed/"


def test_a_draft_that_moves_leaves_no_redirect(client, published):
    draft = ArticleFactory(slug="draft-slug", status=Article.Status.DRAFT)
    rename(draft, slug="other-draft-slug")
    assert not Redirect.objects.filter(article=draft).exists()


def test_persian_article_redirects_in_its_edition(client, published_fa):
    old = published_fa.get_absolute_url()
    assert old.startswith("/fa/")
    rename(published_fa, slug="تحلیل-تازه")
    location = moved_to(client, old)
    assert unquote(location) == "/fa/articles/2016/04/21/تحلیل-تازه/"
    assert client.get(location).status_code == 200


def test_an_address_that_answers_is_not_redirected(client, published):
    old = published.get_absolute_url()
    rename(published, slug="renamed")
    # A new article takes the old address: it is served, not redirected.
    ArticleFactory(slug="public-analysis", published_at=on((2016, 4, 20)))
    assert client.get(old).status_code == 200


def test_pages_that_exist_pay_nothing_for_redirects(client, published):
    rename(published, slug="renamed")
    with CaptureQueriesContext(connection) as queries:
        client.get("/articles/2016/04/20/renamed/")
    assert not any("articles_redirect" in q["sql"] for q in queries.captured_queries)


# Key words and authors


def test_renamed_keyword_leads_from_its_old_address_in_both_editions(client, published):
    keyword = Keyword.objects.get(name="Syria")
    keyword.name, keyword.slug = "Syrian Arab Republic", "syrian-arab-republic"
    keyword.save()
    assert moved_to(client, "/keywords/syria/") == "/keywords/syrian-arab-republic/"
    assert moved_to(client, "/fa/keywords/syria/") == "/fa/keywords/syrian-arab-republic/"
    assert moved_to(client, "/keywords/syria/feed/") == "/keywords/syrian-arab-republic/feed/"
    assert client.get("/keywords/syrian-arab-republic/").status_code == 200


def test_merged_keyword_leads_to_the_one_it_became(client, published):
    ArticleFactory(keywords=["Drought policy"])
    ArticleFactory(keywords=["Water"])
    drought = Keyword.objects.get(name="Drought policy")
    water = Keyword.objects.get(name="Water")
    drought.slug = "drought-policy-old"
    drought.save()
    merge_keywords(water, [drought])
    assert moved_to(client, "/keywords/drought-policy/") == "/keywords/water/"
    assert moved_to(client, "/keywords/drought-policy-old/") == "/keywords/water/"
    assert moved_to(client, "/fa/keywords/drought-policy-old/") == "/fa/keywords/water/"
    # Merged again: every old address leads straight to the last one.
    ArticleFactory(keywords=["Climate"])
    climate = Keyword.objects.get(name="Climate")
    merge_keywords(climate, [water])
    for old in ("/keywords/drought-policy/", "/keywords/drought-policy-old/", "/keywords/water/"):
        assert moved_to(client, old) == "/keywords/climate/"


def test_author_with_a_new_slug_keeps_the_old_address(client, published):
    author = Author.objects.get(slug="sara-karimi")
    author.slug = "sara-karimi-tehrani"
    author.save()
    assert moved_to(client, "/authors/sara-karimi/") == "/authors/sara-karimi-tehrani/"
    assert moved_to(client, "/fa/authors/sara-karimi/") == "/fa/authors/sara-karimi-tehrani/"
    assert moved_to(client, "/authors/sara-karimi/feed/") == "/authors/sara-karimi-tehrani/feed/"
    author.slug = "s-karimi"
    author.save()
    assert moved_to(client, "/authors/sara-karimi/") == "/authors/s-karimi/"


def test_merging_keywords_of_different_languages_is_refused(client, editor, published_fa):
    syria, suria = Keyword.objects.get(name="Syria"), Keyword.objects.get(name="سوریه")
    client.force_login(editor)
    changelist = reverse("admin:articles_keyword_changelist")
    response = client.post(
        changelist,
        {"action": "merge", "_selected_action": [syria.pk, suria.pk], "into": suria.pk},
        follow=True,
    )
    text = response.content.decode()
    assert "used by articles of different languages" in text
    assert "link them as counterparts" in text
    assert Keyword.objects.filter(pk=syria.pk).exists()
    assert list(Article.objects.get(slug="public-analysis").keywords.names()) == ["Syria"]


def test_keywords_of_one_language_still_merge(client, editor, published):
    ArticleFactory(keywords=["Syrian War"])
    war = Keyword.objects.get(name="Syrian War")
    syria = Keyword.objects.get(name="Syria")
    client.force_login(editor)
    changelist = reverse("admin:articles_keyword_changelist")
    client.post(
        changelist, {"action": "merge", "_selected_action": [syria.pk, war.pk], "into": syria.pk}
    )
    assert not Keyword.objects.filter(pk=war.pk).exists()
    assert moved_to(client, "/keywords/syrian-war/") == "/keywords/syria/"


# Redirects kept by editors


def test_editor_adds_and_removes_a_redirect(client, editor, published):
    client.force_login(editor)
    add = reverse("admin:articles_redirect_add")
    response = client.post(add, {"old_path": "/reports/2016/talks", "new_path": "/authors/"})
    assert response.status_code == 302
    client.logout()
    assert moved_to(client, "/reports/2016/talks") == "/authors/"
    client.force_login(editor)
    redirect = Redirect.objects.get(old_path="/reports/2016/talks")
    listing = client.get(reverse("admin:articles_redirect_changelist")).content.decode()
    assert "/reports/2016/talks" in listing
    client.post(reverse("admin:articles_redirect_delete", args=[redirect.pk]), {"post": "yes"})
    client.logout()
    assert client.get("/reports/2016/talks").status_code == 404


def test_editor_redirect_to_an_article_follows_it_and_never_shows_a_draft(
    client, editor, published
):
    client.force_login(editor)
    add = reverse("admin:articles_redirect_add")
    client.post(add, {"old_path": "/talks/", "new_path": published.get_absolute_url()})
    client.logout()
    rename(published, slug="renamed")
    assert moved_to(client, "/talks/") == "/articles/2016/04/20/renamed/"
    rename(published, status=Article.Status.DRAFT)
    assert client.get("/talks/").status_code == 404


def test_editor_sees_generated_redirects(client, editor, published):
    rename(published, slug="renamed")
    client.force_login(editor)
    listing = client.get(reverse("admin:articles_redirect_changelist")).content.decode()
    assert "/articles/2016/04/20/public-analysis/" in listing
    assert "/articles/2016/04/20/renamed/" in listing


def test_redirects_admin_needs_the_permission(client, published):
    staff = User.objects.create_user("nobody", password="pw", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:articles_redirect_changelist")).status_code == 403
