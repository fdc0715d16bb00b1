"""Search, feeds, sitemap, structured data, related articles and citing."""

import datetime
import json
import re

import feedparser
import pytest
from django.db import connection
from django.utils import timezone
from lxml import etree

from articles.models import Article, Section
from articles.search import normalise

from .factories import ArticleFactory, AuthorFactory

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="ranked search is PostgreSQL's"
)


def titles(response):
    return re.findall(
        r'<h2 class="card-title"><a href="[^"]+">([^<]+)</a>', response.content.decode()
    )


# Search


@postgres_only
def test_title_match_ranks_above_body_match(client, db):
    body_match = ArticleFactory(title="A note on regional affairs", sections=[])
    Section.objects.create(article=body_match, body="<p>The ceasefire was discussed.</p>")
    ArticleFactory(
        title="Ceasefire lessons", published_at=timezone.now() - datetime.timedelta(days=400)
    )
    response = client.get("/search/", {"q": "ceasefire"})
    assert titles(response) == ["Ceasefire lessons", "A note on regional affairs"]
    assert "<mark>ceasefire</mark>" in response.content.decode().lower()


@postgres_only
def test_english_search_is_stemmed(client, db):
    ArticleFactory(title="Bilateral negotiations resumed")
    assert titles(client.get("/search/", {"q": "negotiation"})) == [
        "Bilateral negotiations resumed"
    ]


@postgres_only
def test_authors_and_keywords_are_searched(client, db):
    ArticleFactory(
        title="Untitled piece",
        authors=[AuthorFactory(name="Leila Farahmandi")],
        keywords=["Caspian Sea"],
    )
    assert titles(client.get("/search/", {"q": "Farahmandi"})) == ["Untitled piece"]
    assert titles(client.get("/search/", {"q": "caspian"})) == ["Untitled piece"]


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        ("سوریه", "سوريه"),  # Arabic yeh typed
        ("کشور", "كشور"),  # Arabic kaf typed
        ("می\u200cخواهد", "میخواهد"),  # stored with a zero-width non-joiner
        ("میخواهد", "می\u200cخواهد"),  # typed with one
        ("سوريه", "سوریه"),  # stored with Arabic yeh
        ("مُدیریت", "مدیریت"),  # diacritics stored
    ],
)
def test_persian_text_matches_in_either_form(client, db, stored, typed):
    ArticleFactory(title=f"یادداشت {stored}", language="fa")
    assert len(titles(client.get("/fa/search/", {"q": typed}))) == 1


def test_normaliser():
    assert normalise("كيك\u200cها مُ") == "کیکها م"


def test_hidden_articles_are_never_found(client, db):
    ArticleFactory(title="Visible energy piece")
    ArticleFactory(title="Draft energy piece", status="draft")
    ArticleFactory(
        title="Future energy piece", published_at=timezone.now() + datetime.timedelta(days=3)
    )
    assert titles(client.get("/search/", {"q": "energy"})) == ["Visible energy piece"]


@pytest.mark.django_db(transaction=True)
def test_search_data_follows_edits_to_sections_keywords_and_authors(client):
    author = AuthorFactory(name="Kamran Sepehrnia")
    article = ArticleFactory(title="Plain title", authors=[author])
    assert titles(client.get("/search/", {"q": "desalination"})) == []
    section = article.sections.first()
    section.body = "<p>Desalination plants on the coast.</p>"
    section.save()
    assert titles(client.get("/search/", {"q": "desalination"})) == ["Plain title"]
    article.keywords.add("Hydropolitics")
    assert titles(client.get("/search/", {"q": "hydropolitics"})) == ["Plain title"]
    author.name = "Kamran Sepehrniya"
    author.save()
    assert titles(client.get("/search/", {"q": "Sepehrniya"})) == ["Plain title"]
    article.keywords.clear()
    assert titles(client.get("/search/", {"q": "hydropolitics"})) == []


@postgres_only
def test_search_vector_has_a_gin_index(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'articles_article' "
            "AND indexdef LIKE '%%gin%%search_vector%%'"
        )
        assert cursor.fetchone() is not None


@pytest.mark.parametrize("q", ['"unclosed', "a OR OR b", "-", "!!!", "foo & | bar", "(a", "'"])
def test_odd_queries_are_ordinary_pages(client, db, q):
    ArticleFactory()
    assert client.get("/search/", {"q": q}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 201},
        {"q": "a\x00"},
        {"q": "x", "year": "abc"},
        {"q": "x", "author": "bad slug!"},
    ],
)
def test_malformed_queries_are_400(client, db, params):
    response = client.get("/search/", params)
    assert response.status_code == 400


def test_empty_search_is_a_form(client, db):
    response = client.get("/search/")
    assert response.status_code == 200
    assert '<label for="search-q">' in response.content.decode()


def test_search_filters(client, db):
    author = AuthorFactory(slug="sara")
    ArticleFactory(title="Water one", authors=[author], keywords=["Water"])
    ArticleFactory(
        title="Water two",
        keywords=["Energy"],
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20)),
    )
    assert titles(client.get("/search/", {"q": "water", "author": "sara"})) == ["Water one"]
    assert titles(client.get("/search/", {"q": "water", "keyword": "energy"})) == ["Water two"]
    assert titles(client.get("/search/", {"q": "water", "year": "2016"})) == ["Water two"]


def test_search_results_are_paginated_with_the_query_kept(client, db):
    for n in range(21):
        ArticleFactory(title=f"Trade note {n}")
    page = client.get("/search/", {"q": "trade"}).content.decode()
    assert "21 articles found." in page
    assert 'href="?q=trade&amp;page=2"' in page
    assert len(titles(client.get("/search/", {"q": "trade", "page": "2"}))) == 1


def test_snippets_are_escaped(client, db):
    ArticleFactory(title="<script>alert(1)</script> oil")
    page = client.get("/search/", {"q": "oil"}).content.decode()
    assert "<script>alert(1)</script>" not in page


def snippet(response):
    page = response.content.decode()
    return re.search(r'<p class="card-summary snippet">(.*?)</p>', page, re.S)[1]


def with_body(body, django_capture_on_commit_callbacks, **fields):
    article = ArticleFactory(summary="", sections=[], **fields)
    with django_capture_on_commit_callbacks(execute=True):
        Section.objects.create(article=article, body=body)
    return article


def test_snippets_are_cut_between_words(client, db, django_capture_on_commit_callbacks):
    filler = " ".join(f"word{n:03}" for n in range(80))
    with_body(f"<p>{filler} pipeline {filler}</p>", django_capture_on_commit_callbacks)
    text = snippet(client.get("/search/", {"q": "pipeline"}))
    assert text.startswith("…") and text.endswith("…")
    assert "<mark>pipeline</mark>" in text
    # Every piece between the ellipses is a whole word.
    assert all(re.fullmatch(r"word\d{3}", w) for w in text.strip("…").split() if "mark" not in w)


@pytest.mark.parametrize(
    ("title", "body", "cut_start", "cut_end"),
    [
        ("Pipeline politics", "{filler}", False, True),
        ("Untitled", "{filler} pipeline", True, False),
        ("Untitled", "Gas pipeline exports rose.", False, False),
    ],
)
def test_snippets_show_ellipses_only_where_cut(
    client, db, django_capture_on_commit_callbacks, title, body, cut_start, cut_end
):
    filler = " ".join(f"word{n:03}" for n in range(80))
    body = body.format(filler=filler)
    with_body(f"<p>{body}</p>", django_capture_on_commit_callbacks, title=title)
    text = snippet(client.get("/search/", {"q": "pipeline"}))
    assert "pipeline</mark>" in text.lower()
    assert (text.startswith("…"), text.endswith("…")) == (cut_start, cut_end)


@postgres_only
def test_ranked_snippets_show_ellipses_around_and_between_pieces(
    client, db, django_capture_on_commit_callbacks
):
    filler = [f"word{n:03}" for n in range(160)]
    body = " ".join([*filler[:40], "pipeline", *filler[40:120], "pipeline", *filler[120:]])
    with_body(f"<p>{body}</p>", django_capture_on_commit_callbacks, title="Untitled")
    text = snippet(client.get("/search/", {"q": "pipeline"}))
    first, second = text.split(" … ")
    assert first.startswith("…word") and "<mark>pipeline</mark> word040" in first
    assert second.endswith("…") and "<mark>pipeline</mark> word120" in second


def test_snippets_never_show_author_names_or_key_words(
    client, db, django_capture_on_commit_callbacks
):
    with_body(
        "<p>Gas exports rose.</p>",
        django_capture_on_commit_callbacks,
        title="Short piece",
        authors=[AuthorFactory(name="Leila Farahmandi")],
        keywords=["Caspian Sea"],
    )
    for q in ("exports", "Farahmandi"):
        response = client.get("/search/", {"q": q})
        assert titles(response) == ["Short piece"]
        text = snippet(response)
        assert "Gas exports rose" in re.sub("</?mark>", "", text)
        assert "Farahmandi" not in text and "Caspian" not in text


def test_only_whole_words_are_highlighted(client, db, django_capture_on_commit_callbacks):
    with_body("<p>Iranian officials spoke of Iran's ports.</p>", django_capture_on_commit_callbacks)
    text = snippet(client.get("/search/", {"q": "iran"}))
    assert "<mark>Iran</mark>'s" in text.replace("&#x27;", "'")
    assert "<mark>Iran</mark>ian" not in text and "Iranian" in text


def test_search_matches_every_word(client, db):
    ArticleFactory(title="Water and energy")
    ArticleFactory(title="Only water")
    assert titles(client.get("/search/", {"q": '"water" energy'})) == ["Water and energy"]


# Feeds


@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_site_feeds_are_well_formed_and_complete(client, db, url):
    author = AuthorFactory(name="Sara Karimi")
    ArticleFactory(title="Feed piece", authors=[author], keywords=["Syria", "US"], summary="Short.")
    ArticleFactory(title="Draft piece", status="draft")
    feed = feedparser.parse(client.get(url).content)
    assert not feed.bozo, feed.bozo_exception
    assert [entry.title for entry in feed.entries] == ["Feed piece"]
    entry = feed.entries[0]
    assert entry.author == "Sara Karimi"
    assert sorted(tag.term for tag in entry.tags) == ["Syria", "US"]
    assert entry.summary == "Short."
    assert entry.link.endswith(Article.objects.get(title="Feed piece").get_absolute_url())
    assert entry.published_parsed
    if "atom" in url:
        assert entry.updated_parsed


def test_keyword_and_author_feeds(client, db):
    author = AuthorFactory(slug="sara")
    ArticleFactory(title="Hers", authors=[author], keywords=["Water"])
    ArticleFactory(title="Other", keywords=["Energy"])
    keyword = feedparser.parse(client.get("/keywords/water/feed/").content)
    assert [e.title for e in keyword.entries] == ["Hers"]
    by_author = feedparser.parse(client.get("/authors/sara/feed/").content)
    assert [e.title for e in by_author.entries] == ["Hers"]


def test_every_page_links_its_feeds(client, published):
    page = client.get("/").content.decode()
    assert '<link rel="alternate" type="application/rss+xml"' in page
    assert 'type="application/atom+xml"' in page
    keyword_page = client.get("/keywords/syria/").content.decode()
    assert 'href="/keywords/syria/feed/"' in keyword_page


# Sitemap and robots.txt


def sitemap_locations(client, url, ns):
    tree = etree.fromstring(client.get(url).content)
    return tree, [loc.text for loc in tree.findall(".//s:loc", ns)]


def test_sitemap_lists_public_pages_with_dates(client, published, hidden):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    _, sections = sitemap_locations(client, "/sitemap.xml", ns)
    # An index of sections, the articles by year: none for a scheduled article's.
    assert sorted(sections) == [
        "http://testserver/sitemap-articles-2016.xml",
        "http://testserver/sitemap-authors.xml",
        "http://testserver/sitemap-keywords.xml",
        "http://testserver/sitemap-pages.xml",
    ]
    locations, tree = [], None
    for section in sections:
        found_tree, found = sitemap_locations(client, section.removeprefix("http://testserver"), ns)
        locations += found
        if "articles" in section:
            tree = found_tree
    assert "http://testserver" + published.get_absolute_url() in locations
    assert "http://testserver/keywords/syria/" in locations
    assert "http://testserver/authors/sara-karimi/" in locations
    assert not any("secret-draft" in loc or "scheduled-piece" in loc for loc in locations)
    assert not any("drafty-writer" in loc or "draftonly" in loc for loc in locations)
    article_url = tree.xpath(
        "//s:url[s:loc=$loc]/s:lastmod/text()",
        namespaces=ns,
        loc="http://testserver" + published.get_absolute_url(),
    )
    assert article_url and article_url[0].startswith(str(timezone.localdate().year))


def test_a_sitemap_section_that_does_not_exist_is_a_404(client, published, hidden):
    assert client.get("/sitemap-articles-1999.xml").status_code == 404
    future = timezone.localdate(hidden[1].published_at).year
    if future != 2016:
        assert client.get(f"/sitemap-articles-{future}.xml").status_code == 404
    assert client.get("/sitemap-articles-2016.xml?p=2").status_code == 404
    assert client.get("/sitemap-articles-2016.xml?p=01").status_code == 301


def test_robots_txt_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"] == "text/plain"
    body = response.content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Disallow: /admin/" in body


# Structured data and citing


@pytest.fixture
def cited(db):
    author = AuthorFactory(
        name="Sara Karimi",
        position="Researcher of Eurasia Studies",
        affiliation="The Center for Strategic Research (CSR), Tehran",
    )
    return ArticleFactory(
        title="Russia & the US </script><b>",
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20, 10, 0)),
        authors=[author, AuthorFactory(name="Ali Rezaei", position="", affiliation="")],
        keywords=["Syria", "US"],
        summary="Why talks matter.",
    )


def test_json_ld_describes_the_article_safely(client, cited):
    page = client.get(cited.get_absolute_url()).content.decode()
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    data = json.loads(scripts[0])
    assert data["@type"] == "Article"
    assert data["headline"] == "Russia & the US </script><b>"
    assert data["datePublished"] == "2016-04-20T10:00:00+04:30"
    assert data["author"][0] == {
        "@type": "Person",
        "name": "Sara Karimi",
        "url": "http://testserver/authors/" + cited.bylines.first().author.slug + "/",
        "jobTitle": "Researcher of Eurasia Studies",
        "affiliation": {
            "@type": "Organization",
            "name": "The Center for Strategic Research (CSR), Tehran",
        },
    }
    assert data["publisher"]["name"] == "Center for Strategic Research"
    assert data["keywords"] == ["Syria", "US"]
    assert "</script><b>" not in scripts[0]


def test_open_graph_and_citation_tags(client, cited):
    page = client.get(cited.get_absolute_url()).content.decode()
    assert '<meta property="og:type" content="article">' in page
    assert (
        '<meta property="og:title" content="Russia &amp; the US &lt;/script&gt;&lt;b&gt;">' in page
    )
    assert '<meta name="twitter:card" content="summary">' in page
    assert (
        '<meta name="citation_title" content="Russia &amp; the US &lt;/script&gt;&lt;b&gt;">'
        in page
    )
    assert page.count('<meta name="citation_author"') == 2
    assert '<meta name="citation_publication_date" content="2016/04/20">' in page
    assert '<meta name="citation_publisher" content="Center for Strategic Research">' in page


def test_cite_this_block_and_downloads(client, cited):
    page = client.get(cited.get_absolute_url()).content.decode()
    assert "Cite this article" in page
    assert (
        "Karimi, Sara and Ali Rezaei. “Russia &amp; the US &lt;/script&gt;&lt;b&gt;.” "
        "Center for Strategic Research, April 20, 2016." in page
    )
    assert "minute read" in page
    bib = client.get(cited.get_absolute_url() + "cite.bib")
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert 'filename="karimi2016russia.bib"' in bib["Content-Disposition"]
    text = bib.content.decode()
    assert text.startswith("@misc{karimi2016russia,")
    assert "author = {Karimi, Sara and Rezaei, Ali}" in text
    assert "title = {{Russia \\& the US </script><b>}}" in text
    ris = client.get(cited.get_absolute_url() + "cite.ris").content.decode()
    assert "TY  - ELEC\r\nAU  - Karimi, Sara\r\nAU  - Rezaei, Ali\r\n" in ris
    assert "DA  - 2016/04/20" in ris and ris.endswith("ER  - \r\n")


def test_citations_of_hidden_articles_are_404(client, db):
    draft = ArticleFactory(status="draft")
    assert client.get(draft.get_absolute_url() + "cite.bib").status_code == 404
    assert client.get(draft.get_absolute_url() + "cite.ris").status_code == 404


def test_printed_article_carries_its_address(client, published):
    page = client.get(published.get_absolute_url()).content.decode()
    assert (
        f'<p class="print-url" dir="ltr">http://testserver{published.get_absolute_url()}</p>'
        in page
    )


# Related articles


def test_related_articles_by_shared_keywords_then_recency(client, db):
    now = timezone.now()
    article = ArticleFactory(title="Main", keywords=["A", "B", "C"])
    ArticleFactory(
        title="Shares one, newest", keywords=["A"], published_at=now - datetime.timedelta(days=1)
    )
    ArticleFactory(
        title="Shares three",
        keywords=["A", "B", "C"],
        published_at=now - datetime.timedelta(days=30),
    )
    ArticleFactory(
        title="Shares two", keywords=["B", "C"], published_at=now - datetime.timedelta(days=20)
    )
    ArticleFactory(title="Shares none", keywords=["Z"])
    ArticleFactory(title="Draft sharing all", keywords=["A", "B", "C"], status="draft")
    page = client.get(article.get_absolute_url()).content.decode()
    related = re.search(r'<aside class="related".*?</aside>', page, re.S).group(0)
    order = re.findall(r'<a href="[^"]+">([^<]+)</a>', related)
    assert order == ["Shares three", "Shares two", "Shares one, newest"]


def test_no_related_block_without_shared_keywords(client, db):
    article = ArticleFactory(keywords=["Lonely"])
    assert 'class="related"' not in client.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "q", ["-" * 33, "- " * 60 + "x", "--x " * 40, "-" * 33 + "text", '"-' * 50, "x " * 100]
)
def test_operator_floods_are_ordinary_pages(client, db, q):
    ArticleFactory()
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200


def test_a_query_the_database_refuses_is_a_400(client, db, monkeypatch):
    from articles import views

    def refused(*args, **kwargs):
        return Article.objects.extra(where=["no_such_column = 1"])

    ArticleFactory()
    monkeypatch.setattr(views, "search_articles", refused)
    response = client.get("/search/", {"q": "text"})
    assert response.status_code == 400
    assert 'name="q"' in response.content.decode()
    # The request could go on: the page still lists the authors to filter by.
    assert client.get("/").status_code == 200
