"""Model rules: who sees what, bylines, key words, slugs, derived fields."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Keyword

from .factories import ArticleFactory, AuthorFactory


@pytest.mark.parametrize("status", Article.Status.values)
@pytest.mark.parametrize("days", [-1, 1])
def test_is_public_agrees_with_the_public_queryset(db, status, days):
    article = ArticleFactory(
        status=status, published_at=timezone.now() + datetime.timedelta(days=days)
    )
    in_queryset = Article.objects.public().filter(pk=article.pk).exists()
    assert article.is_public == in_queryset
    assert in_queryset == (status == Article.Status.PUBLISHED and days < 0)


def test_byline_copies_position_and_affiliation_from_the_profile(db):
    author = AuthorFactory(position="Researcher", affiliation="CSR")
    article = ArticleFactory(authors=[])
    line = ArticleAuthor.objects.create(article=article, author=author)
    assert (line.position, line.affiliation) == ("Researcher", "CSR")
    author.position = "Director"
    author.save()
    line.refresh_from_db()
    assert line.position == "Researcher"


def test_byline_keeps_what_the_editor_typed(db):
    author = AuthorFactory(position="Researcher")
    line = ArticleAuthor.objects.create(
        article=ArticleFactory(authors=[]), author=author, position="Guest fellow"
    )
    assert line.position == "Guest fellow"


def test_keywords_are_case_insensitive_everywhere(db):
    article = ArticleFactory()
    article.keywords.add("Syria")
    article.keywords.add("syria")
    assert list(article.keywords.names()) == ["Syria"]
    with pytest.raises(IntegrityError):
        Keyword.objects.create(name="SYRIA", slug="syria-upper")


def test_persian_keywords_keep_persian_slugs(db):
    article = ArticleFactory()
    article.keywords.add("رویکرد ایران")
    assert Keyword.objects.get().slug == "رویکرد-ایران"


def test_slug_is_unique_per_publication_day(db):
    moment = timezone.make_aware(datetime.datetime(2016, 4, 20, 10, 0))
    ArticleFactory(slug="same", published_at=moment)
    ArticleFactory(slug="same", published_at=moment + datetime.timedelta(days=1))
    duplicate = Article(title="x", slug="same", published_at=moment + datetime.timedelta(hours=3))
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "Another article of the same day has this slug." in str(error.value)
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_description_is_the_opening_words_when_there_is_no_summary(db):
    article = ArticleFactory(sections=[])
    assert Article.objects.get(pk=article.pk).description == ""
    section = article.sections.create(order=0, body="<p>Opening <b>words</b> here.</p>")
    article.sections.create(order=1, body="<p>Later words.</p>")
    assert Article.objects.get(pk=article.pk).description == "Opening words here."
    listed = Article.objects.for_listing().get(pk=article.pk)
    assert listed.description == "Opening words here."
    section.delete()
    assert Article.objects.get(pk=article.pk).description == "Later words."
    article.summary = "The editor's summary."
    article.save()
    assert Article.objects.for_listing().get(pk=article.pk).description == "The editor's summary."


def test_translations_and_counterparts_are_linked_both_ways(db):
    english, persian, other = ArticleFactory(), ArticleFactory(language="fa"), ArticleFactory()
    english.link_translation(persian)
    english.refresh_from_db()
    persian.refresh_from_db()
    assert english.translation == persian and persian.translation == english
    other.link_translation(persian)
    english.refresh_from_db()
    assert english.translation is None
    syria, suriye = Keyword.objects.create(name="Syria"), Keyword.objects.create(name="سوریه")
    syria.link_counterpart(suriye)
    suriye.refresh_from_db()
    assert suriye.counterpart == syria


def test_string_forms(db):
    article = ArticleFactory(title="Title", sections=["", "Heading"])
    assert str(article) == "Title"
    assert [str(s) for s in article.sections.all()] == ["Opening", "Heading"]
    assert str(article.bylines.first()) == str(article.authors.first())
