"""What makes an article citable: its DOI everywhere a citation reads it."""

import datetime
import io
import json
from pathlib import Path

import lxml.html
import pypdf
import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

from .conftest import form_values, page_text
from .factories import ArticleFactory, ImageFactory, picture_bytes
from .test_interchange import ARCHIVE, broken, run_export, run_import, write
from .test_page_quality import CHROMIUM, CHROMIUM_ARGS, make_boss, new_article_form, require

DOI = "10.1234/csr.2016.0420"


@pytest.fixture
def cited(published):
    published.doi = DOI
    published.save()
    return published


def test_doi_is_shown_with_the_citation_and_in_every_citation_format(client, cited):
    page = client.get(cited.get_absolute_url()).content.decode()
    tree = lxml.html.fromstring(page)
    assert tree.xpath('//meta[@name="citation_doi"]/@content') == [DOI]
    reference = tree.xpath('//p[@class="reference"]')[0].text_content()
    assert reference.endswith(f"https://doi.org/{DOI}.")
    assert tree.xpath(f'//a[@href="https://doi.org/{DOI}"]')
    schema = json.loads(tree.xpath('//script[@type="application/ld+json"]')[0].text)
    assert schema["identifier"] == {"@type": "PropertyValue", "propertyID": "DOI", "value": DOI}
    assert schema["sameAs"] == f"https://doi.org/{DOI}"
    bibtex = client.get(cited.address_in("articles:citation-bib")).content.decode()
    assert f"  doi = {{{DOI}}}" in bibtex
    ris = client.get(cited.address_in("articles:citation-ris")).content.decode()
    assert f"DO  - {DOI}\r\n" in ris


def test_article_without_a_doi_has_none_of_it(client, published):
    page = client.get(published.get_absolute_url()).content.decode()
    assert "citation_doi" not in page and "doi.org" not in page
    bibtex = client.get(published.address_in("articles:citation-bib")).content.decode()
    assert "doi =" not in bibtex


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("https://doi.org/10.1234/x", "Give the DOI as 10.NNNN/…"),
        ("10.12/short-registrant", "Give the DOI as 10.NNNN/…"),
        ("10.1234/with space", "Give the DOI as 10.NNNN/…"),
        (DOI, "Another article has this DOI."),
    ],
)
def test_admin_refuses_a_bad_or_taken_doi(admin_client, cited, value, message):
    other = ArticleFactory()
    url = reverse("admin:articles_article_change", args=[other.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["doi"] = [value]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert message in response.content.decode()
    other.refresh_from_db()
    assert other.doi == ""


def test_admin_stores_a_doi_and_filters_by_it(admin_client, published):
    url = reverse("admin:articles_article_change", args=[published.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["doi"] = [DOI]
    assert admin_client.post(url, values).status_code == 302
    published.refresh_from_db()
    assert published.doi == DOI
    ArticleFactory(title="Uncited piece")
    changelist = reverse("admin:articles_article_changelist")
    with_doi = admin_client.get(changelist, {"doi": "yes"}).content.decode()
    assert published.title in with_doi and "Uncited piece" not in with_doi
    without = admin_client.get(changelist, {"doi": "no"}).content.decode()
    assert published.title not in without and "Uncited piece" in without


def test_doi_travels_through_export_and_import(db, tmp_path):
    data = broken(lambda d: d["articles"][0].update(doi=DOI))
    run_import(write(tmp_path, data))
    assert Article.objects.get(slug=data["articles"][0]["slug"]).doi == DOI
    exported = run_export()
    assert [a.get("doi") for a in exported["articles"] if a["doi"]] == [DOI]


def test_import_refuses_a_bad_doi_and_changes_nothing(db, tmp_path):
    data = broken(lambda d: d["articles"][0].update(doi="doi:10.1234/x"))
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert 'article "russia-us-syria" (#1): doi: Give the DOI as 10.NNNN/…' in str(error.value)
    assert not Article.objects.exists()
    assert ARCHIVE["articles"][0].get("doi") is None


# Notes

NOTED = [
    '<p>First claim.<span data-note>Source <a href="https://example.org/a">one</a>.</span> '
    "More text.</p>",
    "<p>Second claim.<span data-note>Source <em>two</em>.</span> "
    "Third.<span data-note>Source three.</span></p>",
]


def noted_article(**kwargs):
    article = ArticleFactory(sections=["", "Later"], **kwargs)
    # Saved and committed, as an editor's save would be (search data included).
    with TestCase.captureOnCommitCallbacks(execute=True):
        for section, body in zip(article.sections.all(), NOTED, strict=True):
            section.body = body
            section.save()
    return article


def test_notes_are_numbered_in_reading_order_across_sections_and_link_both_ways(client, db):
    article = noted_article()
    tree = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    references = tree.xpath('//a[@role="doc-noteref"]')
    assert [a.text for a in references] == ["1", "2", "3"]
    assert [a.get("href") for a in references] == ["#note-1", "#note-2", "#note-3"]
    assert [a.getparent().tag for a in references] == ["sup", "sup", "sup"]
    notes = tree.xpath('//section[@role="doc-endnotes"]')[0]
    assert notes.xpath("h2")[0].text == "Notes"
    items = notes.xpath("ol/li")
    assert [li.get("id") for li in items] == ["note-1", "note-2", "note-3"]
    assert items[0].xpath("a")[0].get("href") == "https://example.org/a"
    assert items[1].xpath("em")[0].text == "two"
    backlinks = notes.xpath('.//a[@role="doc-backlink"]')
    assert [a.get("href") for a in backlinks] == ["#note-ref-1", "#note-ref-2", "#note-ref-3"]
    assert [a.get("id") for a in references] == ["note-ref-1", "note-ref-2", "note-ref-3"]
    # The notes come after the last section; the text keeps only the references.
    body = tree.xpath('//div[@class="article-body"]')[0].text_content()
    assert "Source" not in body and "First claim.1" in body


def test_persian_notes_have_a_persian_heading_and_digits(client, db):
    article = noted_article(language="fa")
    tree = lxml.html.fromstring(client.get(article.get_absolute_url()).content)
    assert tree.xpath('//section[@role="doc-endnotes"]/h2')[0].text == "یادداشت‌ها"
    assert [a.text for a in tree.xpath('//a[@role="doc-noteref"]')] == ["۱", "۲", "۳"]


def test_notes_are_searched_but_kept_out_of_excerpts_and_reading_time(client, db):
    article = noted_article(title="Claims with sources")
    article = Article.objects.get(pk=article.pk)
    assert article.description == "First claim. More text."
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<meta name="description" content="First claim. More text.">' in page
    found = client.get("/search/", {"q": "source three"}).content.decode()
    assert "Claims with sources" in found
    long_note = "<p>Short.<span data-note>" + "word " * 600 + "</span></p>"
    section = article.sections.first()
    section.body = long_note
    section.save()
    assert Article.objects.get(pk=article.pk).reading_parts()["reading_minutes"] == 1


def test_notes_survive_export_and_import_unchanged(db, tmp_path):
    article = noted_article(slug="noted")
    stored = [s.body for s in article.sections.all()]
    exported = run_export()
    Article.objects.all().delete()
    run_import(write(tmp_path, exported))
    assert [s.body for s in Article.objects.get(slug="noted").sections.all()] == stored


def test_notes_are_sanitised_like_the_rest_of_the_body(db):
    article = ArticleFactory()
    section = article.sections.first()
    section.body = (
        '<p>x<span data-note="1" onclick="steal()" style="color:red">n<script>1</script>'
        '</span><span class="MsoNormal">plain</span></p>'
    )
    section.save()
    assert section.body == '<p>x<span data-note="1">n</span>plain</p>'


BAD_NOTES = {
    "note in a note": (
        "<p>x<span data-note>outer<span data-note>inner</span></span></p>",
        "A note cannot hold another note.",
    ),
    "empty note": ("<p>x<span data-note> </span></p>", "A note is empty"),
    "note in a heading": (
        "<h3>Heading<span data-note>n</span></h3><p>x</p>",
        "A note cannot stand in a heading.",
    ),
}


@pytest.mark.parametrize("case", BAD_NOTES)
def test_admin_refuses_bad_notes_and_stores_nothing(admin_client, published, case):
    body, message = BAD_NOTES[case]
    url = reverse("admin:articles_article_change", args=[published.pk])
    values = form_values(admin_client.get(url), "article_form")
    values["sections-0-body"] = [body]
    response = admin_client.post(url, values)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "data-note" not in published.sections.first().body


@pytest.mark.parametrize("case", BAD_NOTES)
def test_import_refuses_bad_notes_and_changes_nothing(db, tmp_path, case):
    body, message = BAD_NOTES[case]
    data = broken(lambda d: d["articles"][0]["sections"][0].update(body=body))
    with pytest.raises(CommandError) as error:
        run_import(write(tmp_path, data))
    assert 'article "russia-us-syria" (#1): sections: #1: body: ' + message in str(error.value)
    assert not Article.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_editor_marks_a_note_and_inserts_one_at_the_cursor(live_server):
    require(CHROMIUM)
    from playwright.sync_api import sync_playwright

    make_boss()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = new_article_form(browser, live_server, "Written with notes")
        page.locator("#sections-0 [contenteditable=true]").click()
        note_button = page.locator('#sections-0 [title="Note"]')
        # Typed words made a note: the selection becomes one.
        page.keyboard.type("Its source")
        page.keyboard.press("Shift+Home")
        note_button.click()
        # At the cursor, with nothing selected: a note to write over.
        page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")
        page.keyboard.type("A claim.")
        note_button.click()
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/articles/article/")
        browser.close()

    body = Article.objects.get(slug="written-with-notes").sections.get().body
    assert body == (
        '<p><span data-note="">Its source</span></p>'
        '<p>A claim.<span data-note="">Text of the note</span></p>'
    )


# The PDF edition


def pdf_of(client, article):
    response = client.get(article.address_in("articles:pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return response


def test_every_public_article_has_a_pdf_with_its_whole_content(client, db):
    article = noted_article(title="Sanctions and Sequencing", summary="What comes first.")
    article.keywords.add("Sanctions")
    article.doi = DOI
    article.save()
    response = pdf_of(client, article)
    assert f'filename="{article.slug}.pdf"' in response["Content-Disposition"]
    text = page_text(response)
    byline = article.bylines.get()
    for expected in [
        "Sanctions and Sequencing",
        "What comes first.",
        byline.author.name,
        byline.position,
        "Later",  # a section heading
        "First claim.",
        "Source three.",  # a note
        "Notes",
        "Sanctions",
        "Center for Strategic Research",
        article.get_absolute_url(),
        DOI,
    ]:
        assert expected in text, expected
    page = client.get(article.get_absolute_url()).content.decode()
    pdf_url = article.address_in("articles:pdf")
    assert f'<a href="{pdf_url}" type="application/pdf">Download PDF</a>' in page
    assert f'<meta name="citation_pdf_url" content="http://testserver{pdf_url}">' in page


def test_a_persian_pdf_is_persian_right_to_left(client, db):
    article = ArticleFactory(
        title="امنیت انرژی در خلیج فارس",
        language="fa",
        sections=["", "رویکرد ایران"],
        published_at=timezone.make_aware(datetime.datetime(2016, 4, 20, 10)),
    )
    text = page_text(pdf_of(client, article))
    for word in ["امنیت", "انرژی", "رویکرد", "مرکز", "اردیبهشت", "۱۳۹۵"]:
        assert word in text, word


def test_a_pdf_is_made_once_and_again_only_when_the_article_changes(
    client, published, settings, django_assert_max_num_queries
):
    folder = Path(settings.MEDIA_ROOT) / "pdf"
    pdf_of(client, published)
    made = sorted(folder.rglob("*.pdf"))
    assert len(made) == 1
    first_made = made[0].stat().st_mtime_ns
    with django_assert_max_num_queries(2):
        pdf_of(client, published)
    # Another article's edit retires what pages remember, not this PDF.
    ArticleFactory()
    pdf_of(client, published)
    assert sorted(folder.rglob("*.pdf")) == made and made[0].stat().st_mtime_ns == first_made
    published.title = "A New Title"
    published.save()
    assert "A New Title" in page_text(pdf_of(client, published))
    assert len(list(folder.rglob("*.pdf"))) == 2


def test_drafts_pdfs_are_404_to_readers_and_shown_to_staff(client, admin_user, hidden):
    draft, scheduled = hidden
    for article in (draft, scheduled):
        assert client.get(article.address_in("articles:pdf")).status_code == 404
    client.force_login(admin_user)
    for article in (draft, scheduled):
        response = pdf_of(client, article)
        assert "no-store" in response["Cache-Control"]
        assert article.title in page_text(response)


def test_a_pdf_that_cannot_be_made_leads_back_to_the_article_which_then_offers_none(
    client, published, settings, caplog
):
    url = published.get_absolute_url()
    assert "Download PDF" in client.get(url).content.decode()  # and remembered
    # The media storage cannot be written (a file stands where its folder should).
    blocked = Path(settings.MEDIA_ROOT)
    blocked.parent.mkdir(parents=True, exist_ok=True)
    blocked.write_text("not a folder")
    response = client.get(published.address_in("articles:pdf"))
    assert response.status_code == 302 and response["Location"] == url
    assert "could not be stored" in caplog.text
    page = client.get(url).content.decode()
    assert "Download PDF" not in page and "citation_pdf_url" not in page
    # Once the content changes, the PDF is offered (and tried) again.
    blocked.unlink()
    published.title = "Edited"
    published.save()
    assert "Download PDF" in client.get(url).content.decode()
    assert pdf_of(client, published)


def test_the_pdf_carries_the_lead_image_and_figures_with_their_credits(client, published):
    lead = ImageFactory(caption="The talks in Vienna.", credit="Sputnik News")
    figure = ImageFactory(
        file=ContentFile(picture_bytes(900, 600), name="chart.jpg"),
        caption="Oil exports by route.",
        credit="Institute archive",
    )
    published.image = lead
    published.save()
    section = published.sections.first()
    section.body = f'<p>Before the chart.</p><figure data-image="{figure.pk}"></figure>'
    section.save()
    response = pdf_of(client, published)
    data = b"".join(response.streaming_content)
    document = pypdf.PdfReader(io.BytesIO(data))
    text = " ".join(" ".join(page.extract_text().split()) for page in document.pages)
    for words in ("The talks in Vienna.", "Sputnik News", "Oil exports by route.", "Institute"):
        assert words in text, words
    pictures = {image.data for page in document.pages for image in page.images}
    assert len(pictures) == 2


def test_a_made_pdf_the_storage_cannot_give_back_is_no_error_page(
    client, published, settings, caplog
):
    pdf_of(client, published)
    for made in (Path(settings.MEDIA_ROOT) / "pdf").rglob("*.pdf"):
        made.unlink()  # the storage lost it, or cannot be reached
    response = client.get(published.address_in("articles:pdf"))
    assert response.status_code == 302
    assert response["Location"] == published.get_absolute_url()
    assert "could not be read" in caplog.text
