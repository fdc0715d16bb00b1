"""Remembered page data never outlives the content behind it."""

import datetime

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from articles.caching import current_version
from articles.models import Article, ArticleAuthor, Keyword, Section

from .factories import ArticleFactory, AuthorFactory


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_every_kind_of_write_changes_the_content_version(db):
    article = ArticleFactory(keywords=["Syria"])
    writes = [
        lambda: Section.objects.create(article=article, order=9, body="<p>x</p>"),
        lambda: article.sections.first().delete(),
        lambda: Section.objects.filter(article=article).update(heading="New"),
        lambda: ArticleAuthor.objects.filter(article=article).update(order=3),
        lambda: article.keywords.add("Energy"),
        lambda: article.keywords.remove("Energy"),
        lambda: Keyword.objects.filter(name="Syria").update(description="x"),
        lambda: AuthorFactory(),
        lambda: Article.objects.filter(pk=article.pk).update(status="draft"),
    ]
    for write in writes:
        before = current_version()
        write()
        assert current_version() != before


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
