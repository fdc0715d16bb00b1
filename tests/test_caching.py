"""Remembered page data never outlives the content behind it."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Keyword, Section

from .factories import ArticleFactory, AuthorFactory


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# Each kind of write, including the bulk ones that skip save(), and what a
# reader then sees: (write, page, text shown after it, text gone after it).
WRITES = {
    "section added": (
        lambda a: Section.objects.create(article=a, order=9, heading="Added part", body="<p>x</p>"),
        "article",
        "Added part",
        None,
    ),
    "section deleted": (
        lambda a: a.sections.get(heading="First heading").delete(),
        "article",
        None,
        "First heading",
    ),
    "sections updated in bulk": (
        lambda a: Section.objects.filter(article=a, order=1).update(heading="Bulk heading"),
        "article",
        "Bulk heading",
        "First heading",
    ),
    "byline reordered in bulk": (
        lambda a: ArticleAuthor.objects.filter(article=a, order=0).update(order=5),
        "article",
        '<ul class="byline">\n  <li><span class="byline-text">'
        '<a href="/authors/beta-second/"><bdi>Beta Second',
        None,
    ),
    "authors renamed in bulk": (
        lambda a: a.authors.model.objects.filter(name="Alpha First").update(name="Alpha Renamed"),
        "article",
        "Alpha Renamed",
        "Alpha First",
    ),
    "key word added": (lambda a: a.keywords.add("Energy"), "keywords", "Energy", None),
    "key word removed": (lambda a: a.keywords.remove("Syria"), "keywords", None, "Syria"),
    "key words updated in bulk": (
        lambda a: Keyword.objects.filter(name="Syria").update(description="About the war"),
        "keyword",
        "About the war",
        None,
    ),
    "articles unpublished in bulk": (
        lambda a: Article.objects.filter(pk=a.pk).update(status="draft"),
        "index",
        None,
        "Edited piece",
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_every_kind_of_write_shows_on_pages_served_before_it(client, db, name):
    write, where, shown, gone = WRITES[name]
    article = ArticleFactory(
        title="Edited piece",
        authors=[
            AuthorFactory(name="Alpha First", slug="alpha-first"),
            AuthorFactory(name="Beta Second", slug="beta-second"),
        ],
        sections=["", "First heading"],
        keywords=["Syria"],
    )
    url = {
        "article": article.get_absolute_url(),
        "keywords": reverse("articles:keywords"),
        "keyword": reverse("articles:keyword", args=["syria"]),
        "index": reverse("articles:index"),
    }[where]
    before = page(client, url)
    assert shown is None or shown not in before
    assert gone is None or gone in before
    write(article)
    after = page(client, url)
    assert shown is None or shown in after
    assert gone is None or gone not in after


def test_article_page_shows_edits_at_once(client, db):
    author = AuthorFactory(name="Old Name")
    article = ArticleFactory(authors=[author], sections=["", "First heading"], keywords=["Syria"])
    url = article.get_absolute_url()
    assert "First heading" in page(client, url)

    section = article.sections.get(heading="First heading")
    section.heading = "Second heading"
    section.save()
    assert "Second heading" in page(client, url)

    author.name = "New Name"
    author.save()
    assert "New Name" in page(client, url)

    keyword = Keyword.objects.get(name="Syria")
    keyword.name = "Syrian Arab Republic"
    keyword.save()
    assert "Syrian Arab Republic" in page(client, url)

    article.keywords.clear()
    assert "Syrian Arab Republic" not in page(client, url)


def test_lists_and_counts_follow_publishing_and_unpublishing(client, db):
    article = ArticleFactory(title="Counted piece", keywords=["Water"])
    draft = ArticleFactory(title="Later piece", status="draft", keywords=["Water"])
    assert '<span class="count">(1)</span>' in page(client, "/keywords/")
    assert "Later piece" not in page(client, "/articles/")

    changelist = reverse("admin:articles_article_changelist")
    client.force_login(User.objects.create_superuser("boss", "b@example.org", "pw"))
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    client.logout()
    assert '<span class="count">(2)</span>' in page(client, "/keywords/")
    assert "Later piece" in page(client, "/articles/")

    Article.objects.filter(pk=article.pk).update(status="draft")
    assert "Counted piece" not in page(client, "/articles/")
    assert "Counted piece" not in page(client, "/keywords/water/")


def test_scheduled_article_is_counted_once_its_time_comes(client, db, time_machine):
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    ArticleFactory(keywords=["Water"])
    ArticleFactory(
        title="Timed piece",
        keywords=["Water"],
        published_at=now + datetime.timedelta(hours=1),
    )
    assert '<span class="count">(1)</span>' in page(client, "/keywords/")
    assert "Timed piece" not in page(client, "/articles/")
    time_machine.move_to(now + datetime.timedelta(minutes=59), tick=False)
    assert "Timed piece" not in page(client, "/articles/")
    time_machine.move_to(now + datetime.timedelta(hours=1), tick=False)
    assert '<span class="count">(2)</span>' in page(client, "/keywords/")
    assert "Timed piece" in page(client, "/articles/")
