"""Drafts and scheduled articles: invisible to readers everywhere, previewable by staff."""

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse
from django.utils import timezone, translation

from articles.models import Article

from .conftest import WITHOUT_TITLES, page_text, public_urls

HIDDEN_TEXT = [
    "Secret Draft Memo",
    "Forthcoming Scheduled Piece",
    "Drafty Writer",
    "Future Writer",
    "Draftonly",
    "Futureonly",
    "secret-draft",
    "scheduled-piece",
]


def test_hidden_articles_are_absent_from_every_public_page(
    client, published, published_fa, hidden, hidden_fa
):
    for public in (published, published_fa):
        for name, url in public_urls(public).items():
            response = client.get(url)
            assert response.status_code == 200, (public.language, name)
            body = page_text(response)
            shown = public.slug if name == "sitemap" else public.title
            if name not in WITHOUT_TITLES - {"sitemap"}:
                assert shown in body, (public.language, name)
            for text in HIDDEN_TEXT:
                assert text not in body, (public.language, name, text)


def test_counts_include_public_articles_only(client, published, hidden):
    keywords = client.get(reverse("articles:keywords")).content.decode()
    assert 'Syria</bdi></a> <span class="count">(1)</span>' in keywords
    authors = client.get(reverse("authors:index")).content.decode()
    assert "1 article<" in authors
    assert "Drafty Writer" not in authors and "Future Writer" not in authors


@pytest.mark.parametrize("language", ["en", "fa"])
def test_hidden_articles_and_their_only_pages_are_404_for_readers(client, request, language):
    draft, scheduled = request.getfixturevalue("hidden" if language == "en" else "hidden_fa")
    for article in (draft, scheduled):
        for name in ("detail", "citation bib", "citation ris"):
            assert client.get(public_urls(article)[name]).status_code == 404, (article, name)
        for keyword in article.keywords.exclude(name__in=["Syria", "سوریه"]):
            with translation.override(language):
                assert client.get(keyword.get_absolute_url()).status_code == 404, keyword
    future_year = str(timezone.localdate(scheduled.published_at).year)
    with translation.override(language):
        assert client.get(reverse("articles:year", args=[future_year])).status_code == 404
        # A hidden article's slug under another date leads nowhere either.
        wrong_date = reverse("articles:detail", args=["2015", "01", "01", draft.slug])
    assert client.get(wrong_date).status_code == 404


@pytest.mark.parametrize("language", ["en", "fa"])
def test_publishing_makes_an_article_appear_everywhere(
    client, request, language, django_capture_on_commit_callbacks
):
    draft, _ = request.getfixturevalue("hidden" if language == "en" else "hidden_fa")
    draft.status = Article.Status.PUBLISHED
    with django_capture_on_commit_callbacks(execute=True):
        draft.save()
    for name, url in public_urls(draft).items():
        response = client.get(url)
        assert response.status_code == 200, name
        shown = draft.slug if name == "sitemap" else draft.title
        if name not in WITHOUT_TITLES - {"sitemap"}:
            assert shown in page_text(response), name
    with translation.override(language):
        only = draft.keywords.get(name__startswith="Draftonly").get_absolute_url()
    assert client.get(only).status_code == 200


@pytest.fixture
def editor(db):
    user = User.objects.create_user("editor", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_article"))
    return user


def test_staff_who_may_change_articles_preview_drafts(client, editor, hidden):
    draft, scheduled = hidden
    client.force_login(editor)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "Draft: readers cannot see this article." in body
    assert '<meta name="robots" content="noindex, nofollow">' in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-cache" in response["Cache-Control"]
    response = client.get(scheduled.get_absolute_url())
    assert response.status_code == 200
    assert "Scheduled: readers will see this article from" in response.content.decode()


def test_what_staff_see_of_a_draft_never_reaches_readers(client, editor, hidden):
    draft, scheduled = hidden
    client.force_login(editor)
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 200
    client.logout()
    for article in (draft, scheduled):
        assert client.get(article.get_absolute_url()).status_code == 404


def test_staff_without_the_permission_cannot_preview(client, hidden):
    draft, _ = hidden
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=True))
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_public_article_has_no_preview_banner(client, editor, published):
    client.force_login(editor)
    response = client.get(published.get_absolute_url())
    body = response.content.decode()
    assert "readers cannot see" not in body and "noindex" not in body
    assert "X-Robots-Tag" not in response
