"""The Persian edition: its own articles, right to left, Solar Hijri dates, translations."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation

from articles import calendar
from articles.models import Article, ArticleAuthor, Keyword

from .conftest import form_values, public_urls
from .factories import ArticleFactory, AuthorFactory

CATALOGUE = Path(__file__).resolve().parent.parent / "locale" / "fa" / "LC_MESSAGES" / "django.po"


def moment(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def pair(db):
    """An English article and its Persian translation, sharing an author."""
    author = AuthorFactory(
        name="Sara Karimi",
        slug="sara-karimi",
        position="Researcher",
        position_fa="پژوهشگر",
        affiliation="CSR",
        affiliation_fa="مرکز تحقیقات راهبردی",
        bio="",
    )
    english = ArticleFactory(
        title="Energy security in the Gulf",
        slug="energy-security",
        published_at=moment(2016, 4, 20, 10, 0),
        authors=[author],
        keywords=["Energy"],
    )
    persian = ArticleFactory(
        title="امنیت انرژی در خلیج فارس",
        slug="امنیت-انرژی",
        language="fa",
        published_at=moment(2016, 4, 21, 9, 0),
        authors=[author],
        keywords=["انرژی"],
    )
    section = persian.sections.get()
    section.body = "<p>متن بخش نخست.</p>"
    section.save()
    english.link_translation(persian)
    Keyword.objects.get(name="Energy").link_counterpart(Keyword.objects.get(name="انرژی"))
    english.refresh_from_db()
    persian.refresh_from_db()
    return english, persian


# Two editions


def test_each_edition_has_its_language_and_direction(client, pair):
    english = client.get("/").content.decode()
    persian = client.get("/fa/").content.decode()
    assert '<html lang="en" dir="ltr">' in english
    assert '<html lang="fa" dir="rtl">' in persian
    assert "مرکز تحقیقات راهبردی" in persian


@pytest.mark.parametrize(
    "path", ["/", "/articles/", "/articles/2016/", "/keywords/", "/authors/sara-karimi/", "/feed/"]
)
def test_each_edition_lists_the_articles_of_its_language(client, pair, path):
    english, persian = pair
    if path == "/keywords/":
        english, persian = Keyword.objects.get(name="Energy"), Keyword.objects.get(name="انرژی")
        english.title, persian.title = english.name, persian.name
    in_english = client.get(path).content.decode()
    in_persian = client.get("/fa" + path).content.decode()
    if path == "/":
        # The home page offers the other edition's latest in a box of its own.
        other = re.compile(r'<section class="other-edition".*?</section>', re.S)
        assert persian.title in other.search(in_english)[0]
        in_english, in_persian = other.sub("", in_english), other.sub("", in_persian)
    assert english.title in in_english and persian.title not in in_english
    assert persian.title in in_persian and english.title not in in_persian


def test_search_searches_the_edition(client, pair):
    assert "Energy security" in client.get("/search/", {"q": "energy"}).content.decode()
    page = client.get("/fa/search/", {"q": "انرژی"}).content.decode()
    assert "امنیت انرژی در خلیج فارس" in page and "Energy security" not in page


def test_article_addresses_belong_to_their_edition(client, pair):
    english, persian = pair
    assert english.get_absolute_url() == "/articles/2016/04/20/energy-security/"
    assert persian.get_absolute_url().startswith("/fa/articles/2016/04/21/")
    response = client.get("/fa/articles/2016/04/20/energy-security/")
    assert response.status_code == 301 and response["Location"] == english.get_absolute_url()
    response = client.get(persian.get_absolute_url().removeprefix("/fa"))
    assert response.status_code == 301 and response["Location"] == persian.get_absolute_url()


# Translations and the switcher


def test_translations_link_each_other_with_hreflang(client, pair):
    english, persian = pair
    page = client.get(english.get_absolute_url()).content.decode()
    assert f'<a href="{persian.get_absolute_url()}" hreflang="fa">Read in Persian</a>' in page
    assert (
        f'<link rel="alternate" hreflang="fa" href="http://testserver{persian.get_absolute_url()}">'
        in page
    )
    assert (
        f'<link rel="alternate" hreflang="en" href="http://testserver{english.get_absolute_url()}">'
        in page
    )
    page = client.get(persian.get_absolute_url()).content.decode()
    assert f'<a href="{english.get_absolute_url()}" hreflang="en">' in page
    assert (
        f'<link rel="alternate" hreflang="en" href="http://testserver{english.get_absolute_url()}">'
        in page
    )


def test_sitemap_pairs_translations(client, pair):
    english, persian = pair
    sitemap = client.get(public_urls(english)["sitemap"]).content.decode()
    assert f'hreflang="fa" href="http://testserver{persian.get_absolute_url()}"' in sitemap
    assert f'hreflang="en" href="http://testserver{english.get_absolute_url()}"' in sitemap


def switcher(page):
    return re.search(r'<li class="edition-switch"><a href="([^"]*)"', page).group(1)


def test_switcher_leads_to_the_same_page_in_the_other_edition(client, pair):
    english, persian = pair
    assert (
        switcher(client.get(english.get_absolute_url()).content.decode())
        == persian.get_absolute_url()
    )
    assert (
        switcher(client.get(persian.get_absolute_url()).content.decode())
        == english.get_absolute_url()
    )
    assert switcher(client.get("/articles/").content.decode()) == "/fa/articles/"
    assert switcher(client.get("/fa/authors/").content.decode()) == "/authors/"
    assert switcher(client.get("/keywords/energy/").content.decode()) == reverse_fa_keyword("انرژی")
    lonely = ArticleFactory(title="No translation")
    assert switcher(client.get(lonely.get_absolute_url()).content.decode()) == "/fa/"


def reverse_fa_keyword(name):
    with translation.override("fa"):
        return reverse("articles:keyword", args=[Keyword.objects.get(name=name).slug])


def test_keyword_pages_link_their_counterpart(client, pair):
    page = client.get("/keywords/energy/").content.decode()
    assert "In Persian:" in page and "<bdi>انرژی</bdi>" in page
    persian_page = client.get(reverse_fa_keyword("انرژی"))
    assert persian_page.status_code == 200
    assert "<bdi>Energy</bdi>" in persian_page.content.decode()


def test_persian_author_page(client, pair):
    page = client.get("/fa/authors/sara-karimi/").content.decode()
    assert "پژوهشگر" in page and "مرکز تحقیقات راهبردی" in page
    assert "امنیت انرژی در خلیج فارس" in page


def test_persian_byline_copies_the_persian_titles(pair):
    _, persian = pair
    line = ArticleAuthor.objects.get(article=persian)
    assert (line.position, line.affiliation) == ("پژوهشگر", "مرکز تحقیقات راهبردی")


# Dates


@pytest.mark.parametrize(
    ("gregorian", "solar"),
    [
        ((2016, 4, 20), "۱ اردیبهشت ۱۳۹۵"),
        ((2016, 3, 20), "۱ فروردین ۱۳۹۵"),
        ((2016, 3, 19), "۲۹ اسفند ۱۳۹۴"),
        ((2017, 3, 20), "۳۰ اسفند ۱۳۹۵"),
        ((2017, 3, 21), "۱ فروردین ۱۳۹۶"),
        ((2024, 12, 20), "۳۰ آذر ۱۴۰۳"),
        ((2024, 12, 21), "۱ دی ۱۴۰۳"),
        ((1979, 2, 11), "۲۲ بهمن ۱۳۵۷"),
    ],
)
def test_solar_hijri_dates(gregorian, solar):
    assert calendar.solar_text(datetime.date(*gregorian)) == solar


def test_persian_pages_print_solar_dates_with_iso_machine_dates(client, pair):
    _, persian = pair
    page = client.get(persian.get_absolute_url()).content.decode()
    assert '<time datetime="2016-04-21T09:00:00+04:30">۲ اردیبهشت ۱۳۹۵</time>' in page


def test_solar_archives(client, pair):
    index = client.get("/fa/articles/").content.decode()
    assert '<a href="/fa/archive/1395/">۱۳۹۵</a>' in index
    year = client.get("/fa/archive/1395/").content.decode()
    assert "امنیت انرژی در خلیج فارس" in year
    assert '<a href="/fa/archive/1395/02/">اردیبهشت</a>' in year
    month = client.get("/fa/archive/1395/02/").content.decode()
    assert "امنیت انرژی در خلیج فارس" in month and "اردیبهشت ۱۳۹۵" in month
    for empty in (
        "/fa/archive/1395/03/",
        "/fa/archive/1394/",
        "/fa/archive/1395/13/",
        "/archive/1395/",
    ):
        assert client.get(empty).status_code == 404, empty


# The interface in Persian


def catalogue():
    """(msgid, [msgstr, …]) entries of the Persian catalogue, header left out."""
    entries, current, field = [], None, None
    for line in [*CATALOGUE.read_text(encoding="utf-8").splitlines(), ""]:
        keyword = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
        if keyword:
            if keyword.group(1) == "msgid":
                current = {"msgid": "", "msgstr": []}
                entries.append(current)
            field = keyword.group(1)
            value = keyword.group(2)
            if field.startswith("msgstr"):
                current["msgstr"].append(value)
            else:
                current[field] = value
        elif line.startswith('"') and current is not None:
            if field.startswith("msgstr"):
                current["msgstr"][-1] += line[1:-1]
            else:
                current[field] += line[1:-1]
    return [(e["msgid"], e["msgstr"]) for e in entries if e["msgid"]]


def test_catalogue_is_complete():
    missing = [msgid for msgid, strings in catalogue() if not all(strings)]
    assert missing == []
    assert CATALOGUE.with_suffix(".mo").exists()


@pytest.mark.parametrize(
    "path",
    ["/fa/", "/fa/articles/", "/fa/keywords/", "/fa/authors/sara-karimi/", "ARTICLE", "KEYWORD"],
)
def test_no_english_interface_string_on_persian_pages(client, pair, path):
    _, persian = pair
    if path == "ARTICLE":
        path = persian.get_absolute_url()
    if path == "KEYWORD":
        path = reverse_fa_keyword("انرژی")
    page = client.get(path).content.decode()
    # Scripts, styles and the citation formats (BibTeX, RIS) are data, not interface.
    page = re.sub(r"<(script|style|pre)[^>]*>.*?</\1>", "", page, flags=re.S)
    visible = re.sub(r"<[^>]+>", "\n", page)
    lines = {line.strip() for line in visible.splitlines() if line.strip()}
    english_words = {
        line
        for line in lines
        if re.search(r"[A-Za-z]{3,}", line) and line not in {"English", "BibTeX ·", "RIS ·"}
    }
    # Only content may be Latin here: author names, the counterpart key word.
    allowed = {"Sara Karimi", "CSR", "Energy", settings.SITE_NAME}
    leftovers = {
        line for line in english_words if not any(a in line for a in allowed) and "http" not in line
    }
    assert leftovers == set()


# The admin


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


def test_persian_article_fields_run_right_to_left(admin_client, pair):
    english, persian = pair
    page = admin_client.get(
        reverse("admin:articles_article_change", args=[persian.pk])
    ).content.decode()
    assert re.search(r'<input type="text" name="title"[^>]*dir="rtl"', page)
    assert re.search(r'<textarea name="sections-0-body"[^>]*dir="rtl"', page)
    assert re.search(r'<textarea name="keywords"[^>]*dir="rtl"', page)
    page = admin_client.get(
        reverse("admin:articles_article_change", args=[english.pk])
    ).content.decode()
    assert re.search(r'<input type="text" name="title"[^>]*dir="ltr"', page)
    with translation.override("fa"):
        url = reverse("admin:articles_article_change", args=[persian.pk])
    page = admin_client.get(url).content.decode()
    assert url.startswith("/fa/admin/") and '<html lang="fa" dir="rtl">' in page
    assert re.search(r'<input type="text" name="title"[^>]*dir="rtl"', page)


def test_admin_keeps_translations_mutual(admin_client, db):
    english = ArticleFactory(title="English one")
    persian = ArticleFactory(title="Persian one", language="fa")
    url = reverse("admin:articles_article_change", args=[english.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["translation"] = [str(persian.pk)]
    assert admin_client.post(url, values).status_code == 302
    persian.refresh_from_db()
    assert persian.translation == english
    values = form_values(admin_client.get(url), "article_form")
    values["translation"] = [str(ArticleFactory(title="Another English").pk)]
    response = admin_client.post(url, values)
    assert "The translation must be in the other language." in response.content.decode()
    assert Article.objects.get(pk=english.pk).translation == persian


def test_counterpart_without_public_articles_is_not_shown(client, db):
    ArticleFactory(keywords=["Water"])
    ArticleFactory(language="fa", status="draft", keywords=["آب"])
    Keyword.objects.get(name="Water").link_counterpart(Keyword.objects.get(name="آب"))
    page = client.get("/keywords/water/").content.decode()
    assert "آب" not in page
    assert switcher(page) == "/fa/"


def test_solar_years_of_the_index_split_at_nowruz_in_a_fixed_number_of_queries(
    client, db, django_assert_max_num_queries
):
    def persian(*moment):
        when = timezone.make_aware(datetime.datetime(*moment))
        ArticleFactory(language="fa", published_at=when)

    persian(2016, 3, 19, 12)  # 29 Esfand 1394
    with django_assert_max_num_queries(9):
        first = client.get("/fa/articles/").content.decode()
    assert '<a href="/fa/archive/1394/">' in first and "/fa/archive/1395/" not in first
    persian(2016, 3, 20, 12)  # 1 Farvardin 1395
    for year in range(2001, 2011):
        persian(year, 7, 1, 12)
    with django_assert_max_num_queries(9):
        index = client.get("/fa/articles/").content.decode()
    years = [int(y) for y in re.findall(r'href="/fa/archive/(\d{4})/"', index)]
    assert years == [1395, 1394, *range(1389, 1379, -1)]


def test_persian_citation_and_solar_year_search(client, pair):
    _, persian = pair
    page = client.get(persian.get_absolute_url()).content.decode()
    assert "«امنیت انرژی در خلیج فارس». مرکز تحقیقات راهبردی، ۲ اردیبهشت ۱۳۹۵." in page
    assert "accessed" not in page
    download = client.get(persian.get_absolute_url() + "cite.bib")
    assert download["Content-Disposition"].startswith("attachment; filename")
    assert "=?utf-8?" not in download["Content-Disposition"]
    found = client.get("/fa/search/", {"q": "انرژی", "year": "۱۳۹۵"})
    assert found.status_code == 200 and "امنیت انرژی در خلیج فارس" in found.content.decode()
    assert (
        "امنیت انرژی"
        not in client.get("/fa/search/", {"q": "انرژی", "year": "1396"}).content.decode()
    )


def test_listing_pages_ignore_tracking_parameters(client, pair, django_assert_num_queries):
    # Remembered once, the page is served with one query (for the content
    # version) whatever tracking parameters the address carries.
    for path in ("/", "/fa/articles/"):
        page = client.get(path).content
        for n in range(3):
            with django_assert_num_queries(1):
                response = client.get(path, {"utm_source": n, "fbclid": "x"})
            assert response.content == page
