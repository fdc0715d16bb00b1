"""The editors' workflow in the admin: states, previews, versions, conflicts, roles, key words."""

import datetime
from io import StringIO

import lxml.html
import pytest
from django.contrib.auth.models import Group, User
from django.core import signing
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from articles.keywords import merge_keywords
from articles.models import Article, Keyword, PreviewLink
from articles.versions import versions_of
from authors.models import Author

from .conftest import form_values
from .factories import ArticleFactory, AuthorFactory


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.fixture
def editor(db):
    user = User.objects.create_user("ed", password="pw", is_staff=True, first_name="Eda")
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture
def manager(db):
    user = User.objects.create_user("am", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Author managers"))
    return user


def edit(client, article, **changes):
    """Open the article's change page and save it with `changes`, as a browser would."""
    values = form_values(client.get(change_url(article)), "article_form")
    values.update({name: [value] for name, value in changes.items()})
    return client.post(change_url(article), values)


# Rich text


def test_section_bodies_and_bios_get_the_rich_text_editor(client, editor, manager):
    article = ArticleFactory()
    client.force_login(editor)
    page = client.get(change_url(article)).content.decode()
    assert "data-django-prose-editor-configurable" in page
    assert "&quot;Heading&quot;:{&quot;levels&quot;:[3,4]}" in page
    client.force_login(manager)
    author = article.authors.first()
    page = client.get(reverse("admin:authors_author_change", args=[author.pk])).content.decode()
    assert "data-django-prose-editor-configurable" in page


# States


def test_review_state_and_scheduled_label(client, editor):
    ArticleFactory(title="Waiting piece", status=Article.Status.REVIEW)
    ArticleFactory(title="Later piece", published_at=timezone.now() + datetime.timedelta(days=2))
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    page = client.get(changelist).content.decode()
    assert "In review" in page and "Scheduled" in page
    scheduled = client.get(changelist, {"state": "scheduled"}).content.decode()
    assert "Later piece" in scheduled and "Waiting piece" not in scheduled
    assert "Waiting piece" not in client.get("/articles/").content.decode()


def test_publishing_needs_authors_and_sections(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT, authors=[], sections=[])
    client.force_login(editor)
    response = edit(client, article, status="published")
    page = response.content.decode()
    assert response.status_code == 200
    assert "A published article needs at least one author." in page
    assert "A published article needs at least one section." in page
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT


def test_admin_names_the_time_zone(client, editor):
    client.force_login(editor)
    page = client.get(reverse("admin:articles_article_add")).content.decode()
    assert "In the site's time zone (Asia/Tehran)" in page


# Preview and share links


def test_staff_preview_of_a_draft(client, editor):
    article = ArticleFactory(title="Unseen draft", status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_preview", args=[article.pk])
    client.force_login(editor)
    assert url in client.get(change_url(article)).content.decode()
    response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Unseen draft</h1>" in page and "Preview (Draft)" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_preview_is_closed_to_everyone_else(client, manager):
    article = ArticleFactory(status=Article.Status.DRAFT)
    url = reverse("admin:articles_article_preview", args=[article.pk])
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(manager)
    assert client.get(url).status_code == 403


def test_share_link_works_for_its_days_and_until_revoked(client, editor):
    article = ArticleFactory(title="Shared draft", status=Article.Status.DRAFT)
    client.force_login(editor)
    response = edit(client, article, **{"preview_links-0-days": "3"})
    assert response.status_code == 302
    link = PreviewLink.objects.get()
    assert link.created_by == editor
    assert link.expires_at - timezone.now() > datetime.timedelta(days=2, hours=23)
    client.logout()

    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert "Shared draft" in response.content.decode()
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert client.get(link.get_absolute_url()[:-3] + "xx/").status_code == 404

    client.force_login(editor)
    edit(client, article, **{"preview_links-0-revoke": "on"})
    client.logout()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_share_link_is_shown_whole_with_a_copy_button_and_the_same_each_time(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    link = PreviewLink.objects.create(
        article=article, expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    client.force_login(editor)
    pages = [client.get(change_url(article)).content.decode() for _ in range(2)]
    address = f"http://testserver{link.get_absolute_url()}"
    for page in pages:
        assert f'<a href="{address}" class="share-link">{address}</a>' in page
        assert f'class="button copy-link" data-copy="{address}"' in page
        assert '<script src="/static/js/copy-link.js"' in page
    assert link.token == PreviewLink.objects.get().token
    assert PreviewLink.from_token(link.token) == link


def test_share_links_handed_out_with_a_timestamp_still_work(client, db):
    article = ArticleFactory(title="Older link", status=Article.Status.DRAFT)
    link = PreviewLink.objects.create(
        article=article, expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    old_token = signing.dumps(link.pk, salt=PreviewLink.SALT)
    response = client.get(reverse("articles:shared-preview", kwargs={"token": old_token}))
    assert "Older link" in response.content.decode()


def test_expired_share_link_is_404(client, db):
    article = ArticleFactory(status=Article.Status.DRAFT)
    link = PreviewLink.objects.create(
        article=article, expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert client.get(link.get_absolute_url()).status_code == 404


# Versions


def test_every_save_is_a_version_that_can_be_compared_and_restored(client, editor):
    article = ArticleFactory(title="First title", sections=["", "Old heading"], keywords=["Syria"])
    client.force_login(editor)
    assert edit(client, article, title="First title").status_code == 302
    values = form_values(client.get(change_url(article)), "article_form")
    values["title"] = ["Second title"]
    values["keywords"] = ["Energy"]
    values["sections-1-heading"] = ["New heading"]
    values["sections-1-body"] = ["<p>Rewritten part.</p>"]
    assert client.post(change_url(article), values).status_code == 302

    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    versions = history.context["versions"]
    assert len(versions) == 2
    compare = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"old": versions[1].pk, "new": versions[0].pk},
    ).content.decode()
    assert "<del>First</del><ins>Second</ins> title" in compare
    assert "<del>Syria</del><ins>Energy</ins>" in compare
    assert "<ins>New</ins>" in compare and "<del>Old</del>" in compare

    revision_url = reverse("admin:articles_article_revision", args=[article.pk, versions[1].pk])
    old_form = form_values(client.get(revision_url), "article_form")
    assert client.post(revision_url, old_form).status_code == 302
    article.refresh_from_db()
    assert article.title == "First title"
    assert [s.heading for s in article.sections.all()] == ["", "Old heading"]
    assert list(article.keywords.names()) == ["Syria"]
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    assert len(history.context["versions"]) == 3


def test_history_lists_versions_to_the_second(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    edit(client, article, title="Saved twice")
    edit(client, article, title="Saved twice, a moment later")
    history = client.get(reverse("admin:articles_article_history", args=[article.pk]))
    page = history.content.decode()
    for version in history.context["versions"]:
        saved = timezone.localtime(version.revision.date_created)
        assert f", {saved:%H:%M:%S}</time>" in page
        assert f'<time datetime="{saved.isoformat()}">' in page


def compare_rows(client, article):
    """The comparison of the article's two latest versions: (label, text) rows."""
    versions = versions_of(article)
    page = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]),
        {"old": versions[1].pk, "new": versions[0].pk},
    )
    table = lxml.html.fromstring(page.content).find_class("version-diff")[0]
    return [
        (row.find("th").text_content(), lxml.html.tostring(row.find("td"), encoding="unicode"))
        for row in table.iter("tr")
    ]


def test_compare_lists_sections_as_readers_see_them(client, editor):
    article = ArticleFactory(sections=["", "Why bilateral negotiations?", "Iran's approach"])
    client.force_login(editor)
    assert edit(client, article).status_code == 302
    # "Iran's approach" moves up beside the opening part: readers see it
    # second, after the opening part added before it.
    assert edit(client, article, **{"sections-2-order": "0"}).status_code == 302
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("Iran&#x27;s approach</h2>") < page.index("Why bilateral negotiations?</h2>")

    rows = [(label, text) for label, text in compare_rows(client, article) if "Section" in label]
    assert [label for label, _ in rows] == [
        "Section 1",
        "Section 2 (was section 3)",
        "Section 3 (was section 2)",
    ]
    assert "Text of part 0" in rows[0][1]
    assert "Iran's approach" in rows[1][1] and "Why bilateral" in rows[2][1]
    # Moved, not rewritten: no word of theirs is marked.
    assert all("<del>" not in text and "<ins>" not in text for _, text in rows)


def test_compare_names_new_and_removed_sections(client, editor):
    article = ArticleFactory(sections=["", "Old part", "Kept part"])
    client.force_login(editor)
    assert edit(client, article).status_code == 302
    values = form_values(client.get(change_url(article)), "article_form")
    values["sections-1-DELETE"] = ["on"]
    values["sections-3-order"] = ["3"]
    values["sections-3-heading"] = ["Added part"]
    values["sections-3-body"] = ["<p>Added text.</p>"]
    assert client.post(change_url(article), values).status_code == 302

    rows = [(label, text) for label, text in compare_rows(client, article) if "ection" in label]
    assert [label for label, _ in rows] == [
        "Section 1",
        "Section 2",
        "Section 3 (new)",
        "Removed section (was section 2)",
    ]
    assert "Kept part" in rows[1][1] and "<ins>" not in rows[1][1]
    assert "<ins>Added part" in rows[2][1]
    assert "<del>Old part" in rows[3][1]


def test_compare_with_bad_versions_returns_to_history(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    response = client.get(
        reverse("admin:articles_article_compare", args=[article.pk]), {"old": "x", "new": "99"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:articles_article_history", args=[article.pk])


# Conflicts


def test_a_stale_save_is_refused_and_changes_nothing(client, editor, db):
    article = ArticleFactory(title="Original")
    other = User.objects.create_user("other", password="pw", is_staff=True, first_name="Omid")
    other.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    mine = form_values(client.get(change_url(article)), "article_form")

    client.force_login(other)
    assert edit(client, article, title="Theirs").status_code == 302

    client.force_login(editor)
    mine["title"] = ["Mine"]
    response = client.post(change_url(article), mine)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This article was changed by Omid" in page
    assert 'value="Mine"' in page
    article.refresh_from_db()
    assert article.title == "Theirs"


def test_two_tabs_of_one_editor_cannot_overwrite_each_other(client, editor):
    article = ArticleFactory(title="Original")
    client.force_login(editor)
    first_tab = form_values(client.get(change_url(article)), "article_form")
    second_tab = form_values(client.get(change_url(article)), "article_form")
    first_tab["title"] = ["From the first tab"]
    assert client.post(change_url(article), first_tab).status_code == 302
    second_tab["title"] = ["From the second tab"]
    response = client.post(change_url(article), second_tab)
    assert response.status_code == 200 and "This article was changed by Eda" in (
        response.content.decode()
    )
    article.refresh_from_db()
    assert article.title == "From the first tab"


def test_publishing_from_the_list_makes_open_forms_stale(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    client.force_login(editor)
    open_form = form_values(client.get(change_url(article)), "article_form")
    client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "publish", "_selected_action": [article.pk]},
    )
    assert client.post(change_url(article), open_form).status_code == 200
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED


# Roles


def test_editors_change_articles_and_only_view_authors(client, editor):
    author = AuthorFactory(name="Kept Name")
    client.force_login(editor)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200
    assert client.get(reverse("admin:articles_keyword_changelist")).status_code == 200
    author_url = reverse("admin:authors_author_change", args=[author.pk])
    assert client.get(author_url).status_code == 200
    response = client.post(author_url, {"name": "Changed", "slug": author.slug})
    assert response.status_code == 403
    assert client.get(reverse("admin:authors_author_add")).status_code == 403
    assert Author.objects.get(pk=author.pk).name == "Kept Name"


def test_author_managers_change_authors_but_not_articles(client, manager):
    article = ArticleFactory(title="Kept title")
    client.force_login(manager)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(change_url(article)).status_code == 403
    assert client.post(change_url(article), {"title": "Changed"}).status_code == 403
    assert client.get(reverse("admin:authors_author_add")).status_code == 200
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/authors/author/" in index and "/admin/articles/article/" not in index
    article.refresh_from_db()
    assert article.title == "Kept title"


def test_staff_without_a_group_see_nothing(client, db):
    client.force_login(User.objects.create_user("clerk", password="pw", is_staff=True))
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(reverse("admin:authors_author_changelist")).status_code == 403


def test_add_to_group_command(db):
    User.objects.create_user("newbie", password="pw")
    out = StringIO()
    call_command("add_to_group", "newbie", "Editors", stdout=out)
    user = User.objects.get(username="newbie")
    assert user.is_staff and user.groups.filter(name="Editors").exists()
    with pytest.raises(CommandError, match="no group 'Writers'"):
        call_command("add_to_group", "newbie", "Writers")
    with pytest.raises(CommandError, match="no user 'ghost'"):
        call_command("add_to_group", "ghost", "Editors")


# Key words


def test_merge_keeps_every_article_tagged_once(client, editor):
    both = ArticleFactory(keywords=["Syria", "syrian crisis"])
    one = ArticleFactory(keywords=["Syrian War"])
    neither = ArticleFactory(keywords=["Energy"])
    ids = list(
        Keyword.objects.filter(name__in=["Syria", "syrian crisis", "Syrian War"]).values_list(
            "pk", flat=True
        )
    )
    target = Keyword.objects.get(name="Syria")
    client.force_login(editor)
    changelist = reverse("admin:articles_keyword_changelist")
    confirm = client.post(changelist, {"action": "merge", "_selected_action": ids})
    assert "Which key word should the others become?" in confirm.content.decode()
    client.post(changelist, {"action": "merge", "_selected_action": ids, "into": target.pk})
    assert list(both.keywords.names()) == ["Syria"]
    assert list(one.keywords.names()) == ["Syria"]
    assert list(neither.keywords.names()) == ["Energy"]
    assert sorted(Keyword.objects.values_list("name", flat=True)) == ["Energy", "Syria"]


def test_rename_keeps_the_slug_unless_asked(client, editor):
    ArticleFactory(keywords=["Syria"])
    keyword = Keyword.objects.get()
    url = reverse("admin:articles_keyword_change", args=[keyword.pk])
    client.force_login(editor)
    client.post(url, {"name": "Syrian Arab Republic", "slug": "syria", "description": ""})
    keyword.refresh_from_db()
    assert (keyword.name, keyword.slug) == ("Syrian Arab Republic", "syria")
    client.post(
        url, {"name": "Syrian Arab Republic", "slug": "syria", "description": "", "new_slug": "on"}
    )
    keyword.refresh_from_db()
    assert keyword.slug == "syrian-arab-republic"


def test_keyword_list_shows_counts(client, editor):
    ArticleFactory(keywords=["Water"])
    ArticleFactory(keywords=["Water"])
    client.force_login(editor)
    page = client.get(reverse("admin:articles_keyword_changelist")).content.decode()
    assert '<td class="field-article_count">2</td>' in page


# Who did what


def test_article_list_shows_who_changed_it_last(client, editor):
    article = ArticleFactory()
    client.force_login(editor)
    edit(client, article, title="Touched")
    page = client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert '<td class="field-updated_by nowrap">ed</td>' in page or ">ed<" in page


def test_restoring_over_a_newer_save_is_refused(client, editor):
    article = ArticleFactory(title="First")
    client.force_login(editor)
    edit(client, article, title="Second")
    old = list(versions_of(article))[-1]
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    old_form = form_values(client.get(revision_url), "article_form")
    edit(client, article, title="Third, saved meanwhile")
    response = client.post(revision_url, old_form)
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Third, saved meanwhile"


def test_version_naming_a_merged_keyword_is_not_restored(client, editor):
    article = ArticleFactory(keywords=["Syria"])
    client.force_login(editor)
    edit(client, article, title="Saved once")
    old = list(versions_of(article))[-1]
    merge_keywords(Keyword.objects.create(name="Levant"), [Keyword.objects.get(name="Syria")])
    revision_url = reverse("admin:articles_article_revision", args=[article.pk, old.pk])
    response = client.get(revision_url)
    assert response.status_code == 302
    assert list(article.keywords.names()) == ["Levant"]


@pytest.mark.parametrize("change", ["merge", "rename", "translation"])
def test_changes_from_elsewhere_make_open_forms_stale(client, editor, change):
    article = ArticleFactory(title="Kept", keywords=["Syria"])
    client.force_login(editor)
    open_form = form_values(client.get(change_url(article)), "article_form")
    syria = Keyword.objects.get(name="Syria")
    if change == "merge":
        merge_keywords(Keyword.objects.create(name="Levant"), [syria])
    elif change == "rename":
        client.post(
            reverse("admin:articles_keyword_change", args=[syria.pk]),
            {"name": "Syrian Arab Republic", "slug": "syria", "description": ""},
        )
    else:
        ArticleFactory(language="fa").link_translation(article)
    response = client.post(change_url(article), open_form)
    assert response.status_code == 200
    assert "This article was changed by" in response.content.decode()


def test_admin_offers_key_words_not_taggit_tags(client, editor):
    client.force_login(User.objects.create_superuser("root", "root@example.org", "pw"))
    index = client.get(reverse("admin:index")).content.decode()
    assert "/admin/articles/keyword/" in index and "/admin/taggit/" not in index
