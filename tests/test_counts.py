"""Stored counts (key words, authors and months of each edition) stay what
counting the public articles gives, whatever writes the articles."""

import datetime
import importlib
import json
from collections import Counter
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles import counts
from articles.interchange import ArchiveError, import_json
from articles.keywords import merge_keywords
from articles.models import Article, ArticleAuthor, Keyword, KeywordCount, TaggedArticle

from .factories import ArticleFactory, AuthorFactory

LANGUAGES = ["en", "fa"]


def stored(language):
    """What the pages read from the stored counts."""
    scheduled = counts.Scheduled()
    return {
        "keywords": {
            (k.name, k.article_count) for k in counts.keywords_in_use(language, scheduled)
        },
        "authors": [(a.slug, a.article_count) for a in counts.authors_in_use(language, scheduled)],
        "months": counts.months(language, scheduled),
    }


def counted(language):
    """The same, counted from the public articles themselves."""
    public = Article.objects.in_edition(language)
    days = public.values_list("publish_date", flat=True)
    return {
        "keywords": {(k.name, k.article_count) for k in Keyword.objects.in_use(language)},
        "authors": [(a.slug, a.article_count) for a in public.authors()],
        "months": Counter(counts.month_of(language, day)[1:] for day in days),
    }


def assert_counts_right():
    for language in LANGUAGES:
        assert stored(language) == counted(language), language


@pytest.fixture
def archive(db):
    """Articles of both editions, with shared key words and authors, a
    draft and a scheduled one."""
    sara, ali = AuthorFactory(slug="sara"), AuthorFactory(slug="ali")
    day = timezone.make_aware(datetime.datetime(2016, 3, 25, 10, 0))
    return SimpleNamespace(
        sara=sara,
        ali=ali,
        first=ArticleFactory(
            published_at=day, authors=[sara, ali], keywords=["Syria", "Energy"], slug="first"
        ),
        second=ArticleFactory(
            published_at=day - datetime.timedelta(days=10),
            authors=[sara],
            keywords=["Syria"],
            slug="second",
        ),
        persian=ArticleFactory(
            language="fa", published_at=day, authors=[sara], keywords=["سوریه"], slug="persian"
        ),
        draft=ArticleFactory(status="draft", authors=[ali], keywords=["Syria", "Water"]),
        scheduled=ArticleFactory(
            published_at=timezone.now() + datetime.timedelta(days=2),
            authors=[ali],
            keywords=["Syria", "Oil"],
        ),
    )


def _set_date(article, moment):
    article.published_at = moment
    article.save()


def _replace_byline_author(archive):
    line = ArticleAuthor.objects.get(article=archive.first, author=archive.ali)
    line.author = AuthorFactory(slug="newcomer")
    line.save()


# Each kind of write that can change what is counted.
WRITES = {
    "published": lambda a: _with(a.draft, status="published").save(),
    "unpublished": lambda a: _with(a.first, status="draft").save(),
    "saved without a counted change": lambda a: _with(a.first, title="Renamed").save(),
    "saved with only other fields": lambda a: _with(a.first, title="Renamed").save(
        update_fields=["title"]
    ),
    "moved to another month": lambda a: _set_date(
        a.first, timezone.make_aware(datetime.datetime(2015, 7, 1, 10, 0))
    ),
    "moved across Nowruz": lambda a: _set_date(
        a.first, timezone.make_aware(datetime.datetime(2016, 3, 19, 10, 0))
    ),
    "moved into the future": lambda a: _set_date(
        a.first, timezone.now() + datetime.timedelta(days=1)
    ),
    "language changed": lambda a: _with(a.first, language="fa").save(),
    "deleted": lambda a: a.first.delete(),
    "deleted in bulk": lambda a: Article.objects.filter(pk__in=[a.first.pk, a.second.pk]).delete(),
    "unpublished in bulk": lambda a: Article.objects.filter(language="en").update(status="draft"),
    "published in bulk": lambda a: Article.objects.filter(pk=a.draft.pk).mark_changed(
        status="published"
    ),
    "dated in bulk": lambda a: Article.objects.filter(pk=a.second.pk).update(
        published_at=timezone.make_aware(datetime.datetime(2010, 1, 5)),
        publish_date=datetime.date(2010, 1, 5),
    ),
    "bulk-updated by rows": lambda a: Article.objects.bulk_update(
        [_with(a.first, status="draft"), _with(a.second, language="fa")], ["status", "language"]
    ),
    "created in bulk": lambda a: _bulk_article(a),
    "key word added": lambda a: a.second.keywords.add("Energy", "Water"),
    "key word removed": lambda a: a.first.keywords.remove("Energy"),
    "key words replaced": lambda a: a.first.keywords.set(["Oil", "Gas"]),
    "key words cleared": lambda a: a.first.keywords.clear(),
    "key word links added in bulk": lambda a: TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object=a.second, tag=Keyword.objects.get(name="Water"))]
    ),
    "key word links moved in bulk": lambda a: TaggedArticle.objects.filter(
        tag__name="Energy"
    ).update(tag=Keyword.objects.get(name="Water")),
    "key word link moved": lambda a: _move_link(a),
    "key word deleted": lambda a: Keyword.objects.get(name="Syria").delete(),
    "key words merged": lambda a: merge_keywords(
        Keyword.objects.get(name="Energy"), list(Keyword.objects.filter(name__in=["Syria", "Oil"]))
    ),
    "byline added": lambda a: ArticleAuthor.objects.create(article=a.second, author=a.ali, order=3),
    "byline removed": lambda a: ArticleAuthor.objects.get(article=a.first, author=a.ali).delete(),
    "byline given to another author": _replace_byline_author,
    "bylines added in bulk": lambda a: ArticleAuthor.objects.bulk_create(
        [ArticleAuthor(article=a.persian, author=a.ali, order=1)]
    ),
    "bylines moved in bulk": lambda a: (
        ArticleAuthor.objects.filter(author=a.sara).exclude(article=a.first).update(author=a.ali)
    ),
}


def _with(article, **fields):
    article = Article.objects.get(pk=article.pk)
    for name, value in fields.items():
        setattr(article, name, value)
    return article


def _bulk_article(archive):
    day = timezone.make_aware(datetime.datetime(2012, 8, 1, 12, 0))
    (article,) = Article.objects.bulk_create(
        [
            Article(
                title="Bulk",
                slug="bulk",
                status="published",
                published_at=day,
                publish_date=timezone.localdate(day),
            )
        ]
    )
    ArticleAuthor.objects.bulk_create([ArticleAuthor(article=article, author=archive.sara)])
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(content_object=article, tag=Keyword.objects.get(name="Water"))]
    )


def _move_link(archive):
    link = TaggedArticle.objects.get(content_object=archive.first, tag__name="Energy")
    link.tag = Keyword.objects.get(name="Water")
    link.save()


# Writes that change nothing counted.
UNCOUNTED = {"saved without a counted change", "saved with only other fields"}


@pytest.mark.parametrize("name", WRITES)
def test_stored_counts_stay_right_after_each_kind_of_write(archive, name):
    assert_counts_right()
    before = [stored(language) for language in LANGUAGES]
    WRITES[name](archive)
    assert_counts_right()
    # (Each write but those changes what is counted: else the test proves nothing.)
    assert ([stored(language) for language in LANGUAGES] == before) == (name in UNCOUNTED)


def test_scheduled_articles_are_counted_once_their_time_comes(archive, time_machine):
    assert ("Oil", 1) not in stored("en")["keywords"]
    time_machine.move_to(timezone.now() + datetime.timedelta(days=3), tick=False)
    assert ("Oil", 1) in stored("en")["keywords"]
    assert ("Syria", 3) in stored("en")["keywords"]
    assert_counts_right()


def test_pages_show_the_stored_counts(client, archive):
    keywords = client.get("/keywords/").content.decode()
    assert '<bdi>Syria</bdi></a> <span class="count">(2)</span>' in keywords
    assert "Oil" not in keywords and "Water" not in keywords
    authors = client.get("/authors/").content.decode()
    assert "2 articles" in authors and "1 article<" in authors
    assert client.get("/keywords/oil/").status_code == 404
    assert client.get("/keywords/water/").status_code == 404
    assert client.get(archive.ali.get_absolute_url()).status_code == 200
    index = client.get("/articles/").content.decode()
    assert 'href="/articles/2016/"' in index
    persian = client.get("/fa/articles/").content.decode()
    assert 'href="/fa/archive/1395/"' in persian
    assert 'href="/fa/archive/1394/"' not in persian


def test_an_author_with_only_drafts_and_scheduled_articles_has_no_page(client, archive):
    Article.objects.filter(pk=archive.first.pk).update(status="draft")
    assert client.get(archive.ali.get_absolute_url()).status_code == 404
    assert client.get(archive.sara.get_absolute_url()).status_code == 200


def test_admin_publishing_and_unpublishing_keep_counts_right(client, archive):
    client.force_login(User.objects.create_superuser("boss", "b@example.org", "pw"))
    changelist = reverse("admin:articles_article_changelist")
    client.post(changelist, {"action": "publish", "_selected_action": [archive.draft.pk]})
    assert ("Water", 1) in stored("en")["keywords"]
    assert_counts_right()
    client.post(changelist, {"action": "unpublish", "_selected_action": [archive.first.pk]})
    assert ("Energy", 1) not in stored("en")["keywords"]
    assert_counts_right()


def test_an_import_keeps_counts_right_and_a_failed_one_changes_none(archive):
    data = {
        "authors": [{"name": "Sara", "slug": "sara"}],
        "articles": [
            {
                "title": "Imported",
                "slug": "imported",
                "language": "en",
                "status": "published",
                "published_at": "2014-05-02T10:00:00+04:30",
                "authors": ["sara"],
                "keywords": ["Syria", "Trade"],
                "sections": [{"heading": "", "body": "<p>Text.</p>"}],
            },
            {
                "title": "Second",
                "slug": "second",
                "language": "en",
                "status": "draft",
                "published_at": archive.second.published_at.isoformat(),
                "authors": ["sara"],
                "keywords": ["Syria"],
                "sections": [{"heading": "", "body": "<p>Text.</p>"}],
            },
        ],
    }
    import_json(json.dumps(data))
    assert ("Trade", 1) in stored("en")["keywords"]
    assert_counts_right()
    before = {language: stored(language) for language in LANGUAGES}
    data["articles"][0]["status"] = "draft"
    data["articles"][1]["authors"] = ["nobody"]
    with pytest.raises(ArchiveError):
        import_json(json.dumps(data))
    assert {language: stored(language) for language in LANGUAGES} == before


def test_an_admin_save_that_changes_key_words_keeps_counts_right(client, archive):
    from .conftest import form_values

    client.force_login(User.objects.create_superuser("boss", "b@example.org", "pw"))
    url = reverse("admin:articles_article_change", args=[archive.first.pk])
    values = form_values(client.get(url), "article_form")
    values["keywords"] = ["Water, Gas"]
    assert client.post(url, values).status_code == 302
    assert ("Water", 1) in stored("en")["keywords"]
    assert_counts_right()


def test_the_command_and_the_migration_count_everything_again(archive):
    KeywordCount.objects.all().delete()
    counts.MonthCount.objects.update(count=99)
    out = StringIO()
    call_command("recount_articles", stdout=out)
    assert "Counted" in out.getvalue()
    assert_counts_right()

    counts.AuthorCount.objects.all().delete()
    migration = importlib.import_module("articles.migrations.0019_stored_article_counts")
    from django.apps import apps

    migration.count_articles(apps, SimpleNamespace(connection=connection))
    assert_counts_right()


def test_counts_read_in_one_query_and_none_more_for_scheduled_articles_unless_some_wait(
    archive, django_assert_num_queries
):
    with django_assert_num_queries(1):
        counts.keywords_in_use("en", counts.Scheduled(waiting=False))
    with django_assert_num_queries(3):
        counts.keywords_in_use("en", counts.Scheduled(waiting=True))
