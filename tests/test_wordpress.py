"""Moving in from WordPress: `import_wordpress` on small exports written from
the WXR format's documentation (tests/fixtures/wordpress/)."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from articles.models import Article, Image, Keyword, Section
from articles.redirects import Redirect
from articles.wordpress import ImportResult, autop, sections_of
from authors.models import Author

from .factories import picture_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "wordpress"
TEHRAN = datetime.timezone(datetime.timedelta(hours=4, minutes=30))


def run(name, *options):
    out, err = StringIO(), StringIO()
    call_command("import_wordpress", str(FIXTURES / name), *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def uploads(tmp_path):
    """A copy of the blog's wp-content/uploads folder, holding the featured image."""
    folder = tmp_path / "uploads"
    (folder / "2016" / "04").mkdir(parents=True)
    (folder / "2016" / "04" / "talks.jpg").write_bytes(picture_bytes(1200, 750))
    return folder


@pytest.fixture
def imported(db, uploads):
    return run("blog-wxr-1.2.xml", "--media-dir", str(uploads))


def everything():
    """What an import can change, to compare before and after."""
    return {
        "articles": sorted(
            Article.objects.values_list("slug", "status", "title", "published_at", "updated_at")
        ),
        "sections": sorted(
            Section.objects.values_list("article__slug", "order", "heading", "body")
        ),
        "authors": sorted(Author.objects.values_list("slug", "name", "updated_at")),
        "keywords": sorted(Keyword.objects.values_list("name", flat=True)),
        "images": sorted(Image.objects.values_list("sha256", flat=True)),
        "redirects": sorted(Redirect.objects.values_list("old_path", "article_id")),
    }


def test_statuses_map_to_the_workflow(imported, now):
    article = Article.objects.get
    assert article(slug="irans-approach").status == Article.Status.PUBLISHED
    assert article(slug="irans-approach").is_public
    future = article(slug="coming-next-week")
    assert future.status == Article.Status.PUBLISHED and future.is_scheduled
    assert article(slug="an-unfinished-draft").status == Article.Status.DRAFT
    assert article(slug="waiting-for-review").status == Article.Status.REVIEW


def test_dates_keep_their_moment_and_time_zone(imported):
    # wp:post_date_gmt is UTC: 06:30 UTC is 11:00 in Tehran (+04:30 in April 2016).
    article = Article.objects.get(slug="irans-approach")
    assert article.published_at == datetime.datetime(2016, 4, 20, 11, 0, tzinfo=TEHRAN)
    # 20:00 UTC on 1 July is already 2 July in Tehran: the address has the local day.
    late = Article.objects.get(slug="drought-policy")
    assert late.get_absolute_url() == "/articles/2018/07/02/drought-policy/"
    # A draft has no UTC date: wp:post_date is the blog's local time.
    draft = Article.objects.get(slug="an-unfinished-draft")
    assert timezone.localtime(draft.published_at).replace(tzinfo=None) == datetime.datetime(
        2020, 1, 10, 9, 0
    )


def test_draft_date_in_the_blogs_own_time_zone(db):
    run("blog-wxr-1.2.xml", "--time-zone", "UTC")
    draft = Article.objects.get(slug="an-unfinished-draft")
    assert draft.published_at == datetime.datetime(2020, 1, 10, 9, 0, tzinfo=datetime.UTC)


def test_authors_from_wp_author_entries(imported):
    sara = Author.objects.get(slug="skarimi")
    assert sara.name == "Sara Karimi"
    assert list(Article.objects.get(slug="irans-approach").authors.all()) == [sara]
    # A login with a dot makes a valid slug; the display name is the name.
    persian = Author.objects.get(slug="mrezaei")
    assert persian.name == "محمد رضایی"
    assert not persian.email


def test_categories_and_tags_become_key_words(imported):
    article = Article.objects.get(slug="irans-approach")
    assert sorted(article.keywords.names()) == ["Analysis", "Cease-Fire", "Syria"]
    # "syria" in another post is the same key word; "Uncategorized" is none.
    assert sorted(Article.objects.get(slug="drought-policy").keywords.names()) == [
        "Drought",
        "Syria",
    ]
    assert not Keyword.objects.filter(name__iexact="uncategorized").exists()


def test_excerpt_becomes_the_summary(imported):
    assert Article.objects.get(slug="irans-approach").summary == "How Tehran read the talks."


def test_classic_content_split_at_headings_with_paragraphs_restored(imported):
    sections = list(Article.objects.get(slug="irans-approach").sections.all())
    assert [s.heading for s in sections] == ["", "Why bilateral negotiations?", "Iran's approach"]
    opening = sections[0].body
    # A single newline is a line break; a blank line parts paragraphs.
    assert opening.startswith("<p>The talks in Vienna opened on a cold morning.<br>")
    assert "<p>Nobody expected an agreement.</p>" in opening
    assert sections[2].body == "<p>Tehran watched closely.</p>\n<p>Its envoy said little.</p>"
    text = "".join(s.body for s in sections)
    # Shortcodes are gone, with the old site's media they showed.
    assert "[caption" not in text and "[/caption]" not in text and "[gallery" not in text
    assert "Delegates in Vienna" not in text
    assert "<blockquote>A line from the communiqué.</blockquote>" in sections[1].body


def test_block_editor_comments_are_gone(imported):
    sections = list(Article.objects.get(slug="drought-policy").sections.all())
    assert [s.heading for s in sections] == ["", "Rivers run dry"]
    text = "".join(s.body for s in sections)
    assert "wp:" not in text and "<!--" not in text
    assert sections[0].body == "<p>The drought is the worst in fifty years.</p>"
    assert "<li>Wells</li>" in sections[1].body
    # Block content already has its paragraphs: no <br> is added.
    assert "<br>" not in text


def test_persian_post_is_found_persian_and_keeps_zwnj(imported):
    article = Article.objects.get(language="fa")
    assert article.slug == "سیاست-آب"
    # The right-to-left override is gone; the zero-width non-joiner stays.
    assert article.title == "سیاست آب\u200cهای ایران"
    assert "\u200c" in article.sections.first().body
    assert article.get_absolute_url().startswith("/fa/")


def test_control_characters_are_stripped_and_counted(imported):
    out, _ = imported
    article = Article.objects.get(slug="irans-approach")
    assert article.title == "Iran's approach to the cease-fire"
    for text in Article.objects.values_list("title", flat=True):
        assert not any(c in text for c in "\u202e\u202c\u009b\u200b")
    assert not any(c in Author.objects.get(slug="mrezaei").name for c in "\u202e\u202c\u009b")
    assert "Invisible control characters removed: 10." in out


def test_language_can_be_given(db):
    run("blog-wxr-1.2.xml", "--language", "en")
    assert not Article.objects.filter(language="fa").exists()


def test_featured_image_joins_the_library(imported):
    article = Article.objects.get(slug="irans-approach")
    image = article.image
    assert image is not None
    assert image.alt == "Delegates around a table in Vienna"
    assert image.caption == "Delegates in Vienna, April 2016"
    assert (image.width, image.height) == (1200, 750)
    assert image.renditions_current


def test_featured_image_without_its_file_is_counted(db, tmp_path):
    out, _ = run("blog-wxr-1.2.xml", "--media-dir", str(tmp_path))
    assert Article.objects.get(slug="irans-approach").image is None
    assert "Featured images not found in the media folder: 1." in out


def test_old_permalinks_redirect_to_the_new_addresses(imported, client):
    response = client.get("/2016/04/20/irans-approach/")
    assert response.status_code == 301
    assert response["Location"] == "/articles/2016/04/20/irans-approach/"
    persian = client.get("/2019/03/05/سیاست-آب/")
    assert persian.status_code == 301
    assert persian["Location"].startswith("/fa/articles/2019/03/05/")
    # Drafts had no permalink of their own (?p=13): nothing to redirect; and
    # an old address never leads to a draft.
    assert not Redirect.objects.filter(article__status=Article.Status.DRAFT).exists()


def test_skipped_items_are_counted(imported):
    out, err = imported
    assert "Created: 6 articles, 2 authors, 1 images, 5 key words." in out
    assert (
        "Skipped: 1 attachment items, 2 comments, 1 nav_menu_item items, 1 page items, "
        "1 revision items." in out
    )
    assert not Article.objects.filter(title__in=["About us", "Home", "Delegates in Vienna"])
    assert "6/6 posts" in err


def test_a_second_import_changes_nothing(imported, uploads):
    before = everything()
    out, _ = run("blog-wxr-1.2.xml", "--media-dir", str(uploads))
    assert everything() == before
    assert "Created: nothing." in out
    assert "Updated: nothing." in out
    assert "Unchanged: 6 articles, 2 authors." in out


def test_an_edited_post_is_updated_in_place(imported, tmp_path, uploads):
    changed = tmp_path / "changed.xml"
    text = (FIXTURES / "blog-wxr-1.2.xml").read_text()
    changed.write_text(text.replace("Its envoy said little.", "Its envoy said more."))
    call_command("import_wordpress", str(changed), "--media-dir", str(uploads), stdout=StringIO())
    assert Article.objects.count() == 6
    assert "Its envoy said more." in Article.objects.get(slug="irans-approach").sections.last().body


def test_wxr_1_1(db):
    run("blog-wxr-1.1.xml")
    article = Article.objects.get(slug="sanctions-and-trade")
    assert article.summary == "Trade under sanctions."
    assert [s.heading for s in article.sections.all()] == ["", "Banks"]
    assert list(article.keywords.names()) == ["Sanctions"]
    assert article.published_at == datetime.datetime(2017, 9, 12, 8, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "name, line, words",
    [
        ("malformed.xml", 60, "Opening and ending tag mismatch"),
        ("undefined-entity.xml", 6, "Entity 'chips' not defined"),
        ("billion-laughs.xml", 2, "document type"),
        ("external-entity.xml", 2, "document type"),
        ("external-dtd.xml", 3, "document type"),
    ],
)
def test_malformed_or_hostile_file_changes_nothing(db, published, name, line, words):
    before = everything()
    with pytest.raises(CommandError) as refused:
        run(name)
    message = str(refused.value)
    assert "nothing was imported" in message
    assert f"line {line}:" in message
    assert words in message
    assert everything() == before


def test_a_failure_late_in_the_file_leaves_no_image_behind(db, tmp_path, uploads, settings):
    broken = tmp_path / "late.xml"
    text = (FIXTURES / "blog-wxr-1.2.xml").read_text()
    # The last item is broken: the featured image was already made when it is reached.
    broken.write_text(text.replace("<title><![CDATA[About us]]>", "<title><![CDATA[About us]]"))
    with pytest.raises(CommandError):
        call_command("import_wordpress", str(broken), "--media-dir", str(uploads))
    assert not Image.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_a_post_refused_by_the_models_names_its_line(db, tmp_path):
    bad = tmp_path / "bad.xml"
    text = (FIXTURES / "blog-wxr-1.1.xml").read_text()
    bad.write_text(text.replace("2017-09-12 08:30:00", "2217-09-12 08:30:00"))
    with pytest.raises(CommandError) as refused:
        call_command("import_wordpress", str(bad), stdout=StringIO(), stderr=StringIO())
    assert "line 39: post “Sanctions and trade”: published_at" in str(refused.value)
    assert not Article.objects.exists()
    assert not Author.objects.exists()


def test_autop_like_wordpress():
    assert autop("One\ntwo\n\nThree") == "<p>One<br>\ntwo</p>\n<p>Three</p>"
    assert autop("<ul>\n<li>a</li>\n</ul>\n\nAfter") == "<ul>\n<li>a</li>\n</ul>\n<p>After</p>"
    assert autop("<pre>keep\n\nthis</pre>") == "<pre>keep\n\nthis</pre>"
    assert autop("  \n ") == ""


def test_shortcodes_that_only_wrap_text_keep_the_text():
    sections = sections_of("[dropcap]O[/dropcap]nce upon a time [sic].", ImportResult())
    assert sections == [("", "<p>Once upon a time [sic].</p>")]


def test_any_plugins_shortcodes_go_and_bracketed_text_stays():
    content = (
        '[myplugin_box style="grey"]Inside a box[/myplugin_box] and [toc /] '
        "[related id=12] then [highlight]marked[/highlight], [sic] and note [1]."
    )
    sections = sections_of(content, ImportResult())
    assert sections == [("", "<p>Inside a box and   then marked, [sic] and note [1].</p>")]


def test_a_long_import_waits_for_its_commit_with_one_callback_an_article(
    db, tmp_path, client, django_capture_on_commit_callbacks
):
    """Search data is computed after the commit; what waits for it must not
    grow with every row written (a 20,000-post export writes 300,000)."""
    text = (FIXTURES / "blog-wxr-1.2.xml").read_text()
    head, rest = text.split("<item>", 1)
    tail = rest[rest.rindex("</item>") + len("</item>") :]
    parts = "\n".join(f"<h2>Part {n}</h2>\n<p>Text of part {n} on corridors.</p>" for n in range(6))
    items = "".join(
        f"<item><title>Long read {n}</title><dc:creator>skarimi</dc:creator>"
        f"<content:encoded><![CDATA[{parts}]]></content:encoded>"
        f"<wp:post_id>{900 + n}</wp:post_id>"
        f"<wp:post_date_gmt>2016-05-{1 + n:02d} 06:30:00</wp:post_date_gmt>"
        f"<wp:post_name>long-read-{n}</wp:post_name><wp:status>publish</wp:status>"
        f"<wp:post_type>post</wp:post_type>"
        + "".join(
            f'<category domain="post_tag" nicename="t{k}"><![CDATA[Tag {k}]]></category>'
            for k in range(4)
        )
        + "</item>"
        for n in range(20)
    )
    export = tmp_path / "long.xml"
    export.write_text(head + items + tail)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("import_wordpress", str(export), stdout=StringIO(), stderr=StringIO())
    # Each article writes a dozen rows (article, byline, 7 sections, 4 key word links).
    assert Article.objects.count() == 20
    assert len(callbacks) <= 20 + 2
    page = client.get("/search/", {"q": "corridors"}).content.decode()
    assert "Long read 19" in page and "Long read 0" in page
