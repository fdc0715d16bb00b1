"""Public pages: their status codes and what a reader sees on them."""

import datetime
import re

import pytest
from django.utils import timezone

from articles.models import Article, ArticleAuthor, Keyword

from .conftest import public_urls
from .factories import ArticleFactory, AuthorFactory


@pytest.mark.parametrize(
    "name",
    ["home", "index", "year", "month", "day", "detail", "keywords", "keyword", "authors", "author"],
)
def test_every_public_page_is_a_complete_html_page(client, published, name):
    response = client.get(public_urls(published)[name])
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("<!DOCTYPE html>")
    assert '<html lang="en" dir="ltr">' in body
    assert re.search(r"<title>[^<]+</title>", body)
    assert re.search(r'<meta name="description" content="[^"]+">', body)
    assert '<link rel="canonical" href="http://testserver/' in body
    assert '<meta name="viewport"' in body
    assert len(re.findall(r"<h1[ >]", body)) == 1
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in body


@pytest.mark.parametrize(
    "name",
    ["home", "index", "year", "month", "day", "detail", "keywords", "keyword", "authors", "author"],
)
def test_public_pages_answer_get_and_head_only(client, published, name):
    url = public_urls(published)[name]
    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


def test_article_page_shows_the_whole_article(client, db):
    author = AuthorFactory(
        name="Sara Karimi",
        slug="sara-karimi",
        position="Researcher of Eurasia Studies",
        affiliation="The Center for Strategic Research (CSR), Tehran",
    )
    article = ArticleFactory(
        title="Russia, the US and <Syria>",
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20, 10, 0)),
        authors=[author],
        sections=["", "Why bilateral negotiations?", "Iran's approach", "What next"],
        keywords=["US", "Resolution 2254", "سوریه"],
        photo_credit="Photo Credit: Sputnik News",
    )
    body = client.get(article.get_absolute_url()).content.decode()
    assert "<h1>Russia, the US and &lt;Syria&gt;</h1>" in body
    assert '<time datetime="2016-04-20T10:00:00+04:30">April 20, 2016</time>' in body
    assert '<a href="/authors/sara-karimi/"><bdi>Sara Karimi</bdi></a>' in body
    assert "Researcher of Eurasia Studies, The Center for Strategic Research (CSR), Tehran" in body
    assert "<p>Text of part 0 of" in body
    assert re.findall(r"<h2 id=\"([^\"]+)\">([^<]+)</h2>", body) == [
        ("why-bilateral-negotiations", "Why bilateral negotiations?"),
        ("irans-approach", "Iran&#x27;s approach"),
        ("what-next", "What next"),
    ]
    assert '<a href="#why-bilateral-negotiations">Why bilateral negotiations?</a>' in body
    assert '<a href="/keywords/resolution-2254/"><bdi>Resolution 2254</bdi></a>' in body
    assert '<a href="/keywords/%D8%B3%D9%88%D8%B1%DB%8C%D9%87/"><bdi>سوریه</bdi></a>' in body
    assert '<p class="credit">Photo Credit: Sputnik News</p>' in body


def test_table_of_contents_needs_three_headed_sections(client, db):
    article = ArticleFactory(sections=["", "One", "Two"])
    body = client.get(article.get_absolute_url()).content.decode()
    assert 'class="toc"' not in body
    assert '<h2 id="one">One</h2>' in body


def test_byline_keeps_the_titles_printed_when_the_article_appeared(client, db):
    author = AuthorFactory(position="Researcher")
    article = ArticleFactory(authors=[author])
    author.position = "Director"
    author.save()
    body = client.get(article.get_absolute_url()).content.decode()
    assert "Researcher, The Center" in body and "Director" not in body


def test_authors_are_listed_in_byline_order(client, db):
    first, second = AuthorFactory(name="Zahra Last"), AuthorFactory(name="Ali First")
    article = ArticleFactory(authors=[first, second])
    body = client.get(article.get_absolute_url()).content.decode()
    assert body.index("Zahra Last") < body.index("Ali First")
    ArticleAuthor.objects.filter(article=article, author=first).update(order=5)
    body = client.get(article.get_absolute_url()).content.decode()
    assert body.index("Ali First") < body.index("Zahra Last")


def test_home_leads_with_the_latest_then_lists_the_next_newest_first(client, db):
    articles = [
        ArticleFactory(
            title=f"Home piece {n:02d}",
            published_at=timezone.now() - datetime.timedelta(days=n + 1),
            keywords=["Energy"] if n % 2 else ["Oil"],
        )
        for n in range(14)
    ]
    body = client.get("/").content.decode()
    top, rest = body.split('class="layout"')
    assert top.index('class="lead-card"') < top.index("Home piece 00") < top.index("Home piece 04")
    assert "Home piece 05" not in top
    more, topics = rest.split('class="topic"', 1)
    assert more.index("Home piece 05") < more.index("Home piece 09")
    assert "Home piece 10" not in more
    # Older pieces appear under their key words, after the ten latest.
    assert '<a href="/keywords/energy/"><bdi>Energy</bdi></a>' in topics
    assert topics.index("Home piece 11") < topics.index("Home piece 13")
    assert not any(article.title in topics for article in articles[:10])


def test_home_shows_the_other_editions_latest_and_the_featured_key_word(client, db):
    persian = ArticleFactory(language="fa", title="تحلیل تازه")
    ArticleFactory(title="Not yet featured", keywords=["Grain"])
    body = client.get("/").content.decode()
    assert persian.title in body.split('class="other-edition"')[1]
    assert "In depth" not in body
    Keyword.objects.filter(name="Grain").update(featured=True)
    Keyword.objects.get(name="Grain").save()  # as the admin saves it: the page changes
    body = client.get("/").content.decode()
    in_depth = body.split('class="in-depth"')[1].split("</section>")[0]
    assert "Grain" in in_depth and "Not yet featured" in in_depth
    assert "تحلیل تازه" not in body.split('class="other-edition"')[0]


def test_article_index_is_newest_first_and_paginated(client, db):
    for n in range(21):
        ArticleFactory(
            title=f"Indexed piece {n:02d}",
            published_at=timezone.now() - datetime.timedelta(days=n + 1),
        )
    first = client.get("/articles/").content.decode()
    assert first.index("Indexed piece 00") < first.index("Indexed piece 19")
    assert "Indexed piece 20" not in first
    assert 'href="?page=2"' in first
    second = client.get("/articles/?page=2")
    assert "Indexed piece 20" in second.content.decode()
    assert '<link rel="canonical" href="http://testserver/articles/?page=2">' in (
        second.content.decode()
    )
    for bad in ("3", "0", "-1", "abc", "1.5", "99999999999999999999"):
        assert client.get(f"/articles/?page={bad}").status_code == 404, bad


def test_empty_site_still_has_an_article_index(client, db):
    assert client.get("/articles/").status_code == 200
    assert client.get("/").status_code == 200


def test_date_archives(client, published):
    assert "The Public Analysis" in client.get("/articles/2016/").content.decode()
    assert "The Public Analysis" in client.get("/articles/2016/04/").content.decode()
    assert "The Public Analysis" in client.get("/articles/2016/04/20/").content.decode()
    assert "April 20, 2016" in client.get("/articles/2016/04/20/").content.decode()
    for empty in ("/articles/2015/", "/articles/2016/05/", "/articles/2016/04/21/"):
        assert client.get(empty).status_code == 404, empty


@pytest.mark.parametrize(
    "url",
    [
        "/articles/2016/4/",
        "/articles/2016/04/2/",
        "/articles/16/",
        "/articles/2016/13/",
        "/articles/2016/00/",
        "/articles/2016/02/30/",
        "/articles/2016/02/30/public-analysis/",
        "/articles/2016/13/01/public-analysis/",
        "/articles/2016/04/20/no-such-article/",
        "/articles/2016/04/20/bad%20slug/",
        "/keywords/no-such-key-word/",
        "/authors/nobody/",
        "/no-such-page/",
    ],
)
def test_bad_addresses_are_404_pages(client, published, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_known_slug_under_a_wrong_date_redirects_permanently(client, published):
    response = client.get("/articles/2017/01/05/public-analysis/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/2016/04/20/public-analysis/"


def test_ambiguous_slug_under_a_wrong_date_is_404(client, published):
    ArticleFactory(
        slug="public-analysis", published_at=published.published_at - datetime.timedelta(days=40)
    )
    assert client.get("/articles/2017/01/05/public-analysis/").status_code == 404


def test_article_published_just_after_midnight_lives_at_its_local_date(client, db):
    # 00:30 in Tehran is still the previous day in UTC.
    moment = timezone.make_aware(datetime.datetime(2016, 4, 20, 0, 30))
    article = ArticleFactory(slug="midnight", published_at=moment)
    assert article.get_absolute_url() == "/articles/2016/04/20/midnight/"
    assert client.get("/articles/2016/04/20/midnight/").status_code == 200
    assert "midnight" in client.get("/articles/2016/04/20/").content.decode()


def test_keyword_page_lists_its_public_articles(client, published):
    ArticleFactory(title="Unrelated piece", keywords=["Energy"])
    body = client.get("/keywords/syria/").content.decode()
    assert "The Public Analysis" in body and "Unrelated piece" not in body


def test_keywords_are_one_regardless_of_case(client, db):
    ArticleFactory(keywords=["Syria"])
    ArticleFactory(keywords=["syria"])
    body = client.get("/keywords/").content.decode()
    assert body.count('href="/keywords/syria/"') == 1
    assert '<span class="count">(2)</span>' in body


def test_persian_keyword_page(client, db):
    ArticleFactory(title="Persian tagged", keywords=["سوریه"])
    response = client.get("/keywords/سوریه/")
    assert response.status_code == 200
    assert "Persian tagged" in response.content.decode()


def test_author_pages(client, published):
    index = client.get("/authors/").content.decode()
    assert '<a href="/authors/sara-karimi/"><bdi>Sara Karimi</bdi></a>' in index
    profile = client.get("/authors/sara-karimi/").content.decode()
    assert "<h1><bdi>Sara Karimi</bdi></h1>" in profile
    assert "The Public Analysis" in profile
    assert "Writes about the region." in profile


def test_author_email_is_never_shown(client, db):
    author = AuthorFactory(email="private@example.org")
    article = ArticleFactory(authors=[author])
    for url in (author.get_absolute_url(), article.get_absolute_url(), "/authors/"):
        assert "private@example.org" not in client.get(url).content.decode()


def test_former_author_without_public_articles_has_no_page(client, db):
    author = AuthorFactory(is_active=False)
    ArticleFactory(authors=[author], status=Article.Status.DRAFT)
    assert client.get(author.get_absolute_url()).status_code == 404
    ArticleFactory(authors=[author])
    assert client.get(author.get_absolute_url()).status_code == 200


def test_summary_is_derived_from_the_opening_when_blank(client, db):
    article = ArticleFactory(summary="", sections=["", "Later"])
    body = client.get("/articles/").content.decode()
    assert f"Text of part 0 of {article.title}." in body
    article.summary = "An editor's summary."
    article.save()
    body = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="An editor&#x27;s summary.">' in body


def test_persian_edition_is_served_under_fa(client, published):
    response = client.get("/fa/")
    assert response.status_code == 200
    assert '<html lang="fa" dir="rtl">' in response.content.decode()
    assert client.get("/").content.decode().startswith('<!DOCTYPE html>\n<html lang="en"')


def test_server_error_page_stands_alone(client, db):
    from django.template.loader import get_template

    html = get_template("500.html").render()
    assert "Something went wrong" in html and "{%" not in html


def test_archives_link_to_the_next_level_down(client, published):
    assert '<a href="/articles/2016/">2016</a>' in client.get("/articles/").content.decode()
    assert (
        '<a href="/articles/2016/04/">April</a>' in client.get("/articles/2016/").content.decode()
    )
    month = client.get("/articles/2016/04/").content.decode()
    assert '<a href="/articles/2016/04/20/">20</a>' in month


def test_navigation_marks_the_current_section(client, published):
    body = client.get("/keywords/").content.decode()
    assert '<a href="/keywords/" aria-current="page">' in body
    body = client.get(published.get_absolute_url()).content.decode()
    assert '<a href="/articles/" aria-current="true">' in body
    assert "aria-current" not in client.get("/").content.decode()


def test_listing_pages_link_pages_without_other_parameters(client, db):
    for n in range(21):
        ArticleFactory(title=f"Paged piece {n}")
    page = client.get("/articles/", {"utm_source": "mail"}).content.decode()
    assert 'href="?page=2"' in page and "utm_source" not in page


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("script_prefix", ["/", "/site/"])
def test_addresses_are_those_django_reverses(language, script_prefix):
    from django.urls import get_script_prefix, reverse, set_script_prefix
    from django.utils.translation import override

    from articles import editions

    parts = {"year": "2016", "month": "04", "day": "20", "slug": "روسیه-آمریکا_2"}
    before = get_script_prefix()
    set_script_prefix(script_prefix)
    try:
        for name, kwargs in [
            ("articles:detail", parts),
            ("articles:citation-bib", parts),
            ("articles:keyword", {"slug": "سوریه"}),
            ("authors:detail", {"slug": "sara-karimi"}),
            ("articles:month", {"year": "2016", "month": "04"}),
        ]:
            with override(language):
                expected = reverse(name, kwargs=kwargs)
            assert editions.reverse_in(language, name, **kwargs) == expected
    finally:
        set_script_prefix(before)
