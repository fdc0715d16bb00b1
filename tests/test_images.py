"""The image library: uploads checked by content, renditions, and pictures on pages."""

import io
import json
import struct
import zlib
from io import StringIO

import feedparser
import lxml.html
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image as Pillow
from PIL import ImageFile

from articles import renditions, richtext
from articles.models import Article, Image, Section
from bench.renditions import draw

from .factories import ArticleFactory, AuthorFactory, ImageFactory, picture_bytes
from .test_page_quality import CHROMIUM, CHROMIUM_ARGS, make_boss, new_article_form, require

ADD_URL = "/admin/articles/image/add/"


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def png_header(width, height):
    """The first bytes of a PNG claiming `width` × `height` pixels, and nothing else."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


def gif_bytes():
    out = io.BytesIO()
    Pillow.new("RGB", (20, 20), "red").save(out, "GIF")
    return out.getvalue()


def jpeg_with_metadata(width=800, height=400, orientation=6):
    """A JPEG with a GPS position, a camera serial, an orientation and an ICC profile."""
    picture = Pillow.new("RGB", (width, height), (30, 120, 200))
    picture.paste((250, 20, 20), (0, 0, width // 4, height // 4))  # A red top-left corner.
    exif = Pillow.Exif()
    exif[0x0112] = orientation
    exif[0xA431] = "SERIAL-123456"  # BodySerialNumber
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (35.0, 41.0, 20.0), 3: "E", 4: (51.0, 23.0, 10.0)}
    from PIL import ImageCms

    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, icc_profile=icc, quality=90)
    return out.getvalue()


def upload(admin_client, data, name="photo.jpg", **fields):
    values = {"alt": "A photograph", "caption": "", "credit": "", **fields}
    values["file"] = SimpleUploadedFile(name, data)
    return admin_client.post(ADD_URL, values)


def file_errors(response):
    assert response.status_code == 200, response.status_code
    return response.context["adminform"].form.errors.get("file", [])


BAD_FILES = {
    "svg with script": (
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "photo.jpg",
        "SVG",
    ),
    "html renamed": (b"<!DOCTYPE html><html><body>hello</body></html>", "photo.jpg", "HTML"),
    "text renamed": (b"just some text, not a picture", "photo.jpg", "not a JPEG, PNG"),
    "gif": (gif_bytes(), "photo.gif", "GIF"),
    "gif with html named pdf": (
        gif_bytes() + b"<html><script>alert(1)</script></html>",
        "report.pdf",
        "GIF",
    ),
    "pdf": (b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF", "photo.jpg", "PDF"),
    "truncated jpeg": (picture_bytes(600, 400)[:2000], "photo.jpg", "truncated"),
    "truncated png": (picture_bytes(600, 400, "PNG")[:900], "photo.png", "truncated"),
    "zero bytes": (b"", "photo.jpg", "empty"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_upload_gets_a_form_error_and_leaves_nothing(admin_client, settings, case):
    data, name, says = BAD_FILES[case]
    errors = file_errors(upload(admin_client, data, name))
    assert errors and says in " ".join(errors), errors
    assert not Image.objects.exists()
    assert stored_files(settings) == []


def test_too_many_pixels_refused_from_the_header_alone(admin_client, settings, monkeypatch):
    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    errors = file_errors(upload(admin_client, png_header(40000, 40000), "huge.png"))
    assert errors == ["The image is 40000 × 40000 pixels; the limit is 50 megapixels."]
    assert not Image.objects.exists()
    assert stored_files(settings) == []


def test_file_over_25_mb_refused_with_its_size(admin_client, settings):
    data = picture_bytes(100, 100)
    data += b"\0" * (26 * 1024 * 1024 - len(data))
    errors = file_errors(upload(admin_client, data))
    assert errors == ["The file is 26.0 MB; the limit is 25 MB."]
    assert stored_files(settings) == []


def test_alt_text_is_required_unless_decorative(admin_client):
    response = upload(admin_client, picture_bytes(), alt="")
    assert response.context["adminform"].form.errors["alt"]
    assert not Image.objects.exists()
    response = upload(admin_client, picture_bytes(), alt="", decorative="on")
    assert response.status_code == 302
    image = Image.objects.get()
    assert image.decorative and image.alt_text == ""


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "AVIF"])
def test_accepted_formats_are_stored_under_random_names(admin_client, settings, format):
    response = upload(admin_client, picture_bytes(500, 300, format), "putin-obama.jpg")
    assert response.status_code == 302
    image = Image.objects.get()
    assert (image.width, image.height) == (500, 300)
    assert image.file.name.endswith("." + renditions.ACCEPTED[format])
    assert all("putin" not in str(path) for path in stored_files(settings))
    assert {item["format"] for item in image.renditions["files"]} >= {"avif", "webp"}


def test_duplicate_upload_points_at_the_image_already_there(admin_client, settings):
    first = ImageFactory(file=ContentFile(picture_bytes(), name="a.jpg"))
    before = stored_files(settings)
    errors = file_errors(upload(admin_client, picture_bytes(), "copy.jpg"))
    assert "already in the library" in errors[0]
    assert f"/admin/articles/image/{first.pk}/change/" in errors[0]
    assert Image.objects.count() == 1
    assert stored_files(settings) == before


def test_renditions_apply_orientation_and_drop_every_metadata_block(db):
    image = ImageFactory(file=ContentFile(jpeg_with_metadata(800, 400), name="a.jpg"))
    # Orientation 6 turns the 800 × 400 picture upright: 400 wide, 800 high.
    assert (image.width, image.height) == (400, 800)
    files = image.renditions["files"]
    assert {item["format"] for item in files} == {"avif", "webp", "jpg"}
    assert {item["width"] for item in files} == {360, 400}
    for item in files:
        with default_storage.open(item["name"]) as stored, Pillow.open(stored) as picture:
            assert picture.size == (item["width"], item["height"])
            assert item["height"] == 2 * item["width"]
            assert not picture.getexif(), item["name"]
            assert "icc_profile" not in picture.info and "xmp" not in picture.info
            assert b"SERIAL-123456" not in stored.open().read()
            # The red corner, top left before turning, is now top right.
            rgb = picture.convert("RGB")
            red, green, _ = rgb.getpixel((picture.width - 5, 5))
            assert red > 180 and green < 90, item["name"]


def test_widths_never_exceed_the_original(db):
    image = ImageFactory(file=ContentFile(picture_bytes(1200, 600), name="a.jpg"))
    assert sorted({item["width"] for item in image.renditions["files"]}) == [360, 720, 1080, 1200]
    wide = ImageFactory(file=ContentFile(picture_bytes(3000, 1000), name="b.jpg"))
    assert max(item["width"] for item in wide.renditions["files"]) == 1280


def test_transparent_image_falls_back_to_png(db):
    data = picture_bytes(400, 300, "PNG", mode="RGBA")
    picture = Pillow.open(io.BytesIO(data)).convert("RGBA")
    picture.putpixel((0, 0), (0, 0, 0, 0))
    out = io.BytesIO()
    picture.save(out, "PNG")
    image = ImageFactory(file=ContentFile(out.getvalue(), name="logo.png"))
    assert {item["format"] for item in image.renditions["files"]} == {"avif", "webp", "png"}
    assert image.fallback["src"].endswith(".png")


def test_replacing_an_image_deletes_its_old_files(
    admin_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        image = ImageFactory()
    old = [settings.MEDIA_ROOT / name for name in image.stored_names()]
    assert all(path.exists() for path in old)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/articles/image/{image.pk}/change/",
            {"file": SimpleUploadedFile("new.jpg", picture_bytes(900, 500)), "alt": "New"},
        )
    assert response.status_code == 302
    image.refresh_from_db()
    assert not any(path.exists() for path in old)
    assert sorted(stored_files(settings)) == sorted(
        settings.MEDIA_ROOT / name for name in image.stored_names()
    )


def test_deleting_an_image_deletes_its_files(settings, db, django_capture_on_commit_callbacks):
    image = ImageFactory()
    assert stored_files(settings)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert stored_files(settings) == []


def test_make_renditions_remakes_only_what_is_not_current(db):
    current = ImageFactory()
    stale = ImageFactory(file=ContentFile(picture_bytes(700, 400), name="b.jpg"))
    Image.objects.filter(pk=stale.pk).update(renditions={})
    out = StringIO()
    call_command("make_renditions", stdout=out)
    assert "2 images, 1 to make." in out.getvalue() and "1/1" in out.getvalue()
    stale.refresh_from_db()
    assert stale.renditions_current
    assert Image.objects.get(pk=current.pk).renditions == current.renditions


# Pages


@pytest.fixture
def illustrated(published):
    published.image = ImageFactory(caption="Delegates in Vienna.", credit="Sputnik News")
    published.save()
    figure = ImageFactory(
        file=ContentFile(picture_bytes(1000, 700), name="b.jpg"),
        alt="A map of the corridor",
        caption="The corridor from the Gulf to the Baltic.",
        credit="CSR Maps",
    )
    section = published.sections.first()
    section.body += f'<figure data-image="{figure.pk}"></figure>'
    section.save()
    published.figure = figure
    return published


def test_article_page_serves_pictures_with_widths_formats_and_sizes(client, illustrated):
    page = client.get(illustrated.get_absolute_url())
    html = page.content.decode()
    tree = lxml.html.fromstring(page.content)
    lead, figure = tree.xpath("//article//picture")
    assert [s.get("type") for s in lead.xpath(".//source")] == ["image/avif", "image/webp"]
    img = lead.xpath(".//img")[0]
    assert img.get("loading") is None and img.get("width") and img.get("height")
    assert img.get("alt") == "Delegates around a table"
    assert " 360w" in img.get("srcset") and img.get("sizes")
    assert figure.xpath(".//img")[0].get("loading") == "lazy"
    assert figure.xpath(".//img")[0].get("alt") == "A map of the corridor"
    captions = [c.text_content() for c in tree.xpath("//figcaption")]
    assert any("Delegates in Vienna." in c and "Sputnik News" in c for c in captions)
    assert any(
        "The corridor from the Gulf to the Baltic." in c and "CSR Maps" in c for c in captions
    )
    # Never the original.
    for image in (illustrated.image, illustrated.figure):
        assert image.file.url not in html
        assert "/originals/" not in html


def test_open_graph_json_ld_and_feeds_carry_the_image_and_its_text(client, illustrated):
    tree = lxml.html.fromstring(client.get(illustrated.get_absolute_url()).content)
    og = {m.get("property"): m.get("content") for m in tree.xpath("//meta[@property]")}
    assert og["og:image"].startswith("http://testserver/media/images/")
    assert og["og:image:alt"] == "Delegates around a table"
    assert og["og:image:width"] and og["og:image:type"] == "image/jpeg"
    schema = json.loads(tree.xpath('//script[@type="application/ld+json"]')[0].text)
    assert schema["image"]["caption"] == "Delegates in Vienna."
    assert schema["image"]["creditText"] == "Sputnik News"
    assert schema["image"]["contentUrl"] == og["og:image"]
    for url in ("/feed/", "/feed/atom/"):
        feed = feedparser.parse(client.get(url).content)
        assert not feed.bozo, url
        entry = feed.entries[0]
        assert entry.media_content[0]["url"] == og["og:image"]
        assert entry.media_credit[0]["content"] == "Sputnik News"
        assert "Delegates in Vienna." in client.get(url).content.decode()
        assert any(link.get("rel") == "enclosure" for link in entry.links)


def test_photo_credit_without_an_image_is_still_printed(client, published):
    published.photo_credit = "Photo Credit: Sputnik News"
    published.save()
    tree = lxml.html.fromstring(client.get(published.get_absolute_url()).content)
    assert "Photo Credit: Sputnik News" in tree.xpath('//*[@class="credit"]')[0].text_content()
    assert not tree.xpath("//picture")


def test_portrait_and_card_thumbnail(client, illustrated):
    author = illustrated.authors.first()
    author.portrait = ImageFactory(
        file=ContentFile(picture_bytes(400, 400), name="p.jpg"),
        alt="Portrait of Sara Karimi",
        credit="CSR",
    )
    author.save()
    tree = lxml.html.fromstring(client.get(author.get_absolute_url()).content)
    portrait = tree.xpath('//*[@class="portrait"]')[0]
    assert portrait.xpath(".//img")[0].get("alt") == "Portrait of Sara Karimi"
    assert "CSR" in portrait.xpath(".//figcaption")[0].text_content()
    card_image = tree.xpath('//*[@class="card"]//img[@class="card-image"]')[0]
    assert card_image.get("loading") == "lazy" and card_image.get("alt") == ""


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_images_cost_no_query_on_pages_and_figures_one(client, published, settings):
    from django.core.cache import cache

    from .conftest import public_urls

    urls = public_urls(published)
    before = {}
    for name, url in urls.items():
        cache.clear()
        before[name] = count(client, url)
    del urls["search"], before["search"]  # Its count varies by its own caches; pinned elsewhere.
    published.image = ImageFactory()
    published.save()
    author = published.authors.first()
    author.portrait = ImageFactory(file=ContentFile(picture_bytes(300, 300), name="p.jpg"))
    author.save()
    for name, url in urls.items():
        cache.clear()
        assert count(client, url) == before[name], name
    # Figures in the body: one query for all of them, however many.
    section = published.sections.first()
    for n in range(3):
        figure = ImageFactory(file=ContentFile(picture_bytes(300 + n, 200), name="f.jpg"))
        section.body += f'<figure data-image="{figure.pk}"></figure>'
        section.save()
        cache.clear()
        assert count(client, urls["detail"]) == before["detail"] + 1


def test_sanitiser_keeps_library_figures_only_in_bodies(db):
    body = (
        '<p>Text</p><figure data-image="12" onclick="x()"><img src="x.png" onerror="y()">'
        '</figure><figure data-image="javascript:1"></figure>'
    )
    cleaned = richtext.clean(body, section=True)
    assert '<figure data-image="12"></figure>' in cleaned
    assert "onclick" not in cleaned and "<img" not in cleaned and "javascript" not in cleaned
    assert "figure" not in richtext.clean(body)
    author = AuthorFactory(bio=body)
    assert "figure" not in author.bio
    section = Section(article=ArticleFactory(), body=body)
    section.save()
    assert section.body.startswith('<p>Text</p><figure data-image="12"></figure>')


def test_a_figure_whose_image_is_gone_prints_nothing(client, published):
    section = published.sections.first()
    section.body += '<figure data-image="999"></figure>'
    section.save()
    page = client.get(published.get_absolute_url())
    assert page.status_code == 200 and b"<figure" not in page.content


def chosen(files, slot, density):
    """The rendition a browser picks for a slot `slot` CSS pixels wide."""
    wanted = slot * density
    return next((f for f in files if f["width"] >= wanted), files[-1])


@pytest.mark.parametrize("extension", ["avif", "webp", "jpg"])
def test_lead_image_stays_within_the_phone_and_desktop_budgets(db, tmp_path, extension):
    # As detailed at the rendition widths as bench/renditions.py's 24 megapixels.
    draw(tmp_path / "big.jpg", 2400, 1600)
    image = ImageFactory(file=ContentFile((tmp_path / "big.jpg").read_bytes(), name="big.jpg"))
    files = sorted(image._of(extension), key=lambda f: f["width"])
    # A 360 px phone at twice its density: the column is 100vw - 2rem.
    assert chosen(files, 360 - 32, 2)["size"] <= 60 * 1024
    # A 1280 px desktop at one and twice its density: the column is 38rem.
    for density in (1, 2):
        assert chosen(files, 38 * 16, density)["size"] <= 200 * 1024, density


@pytest.mark.django_db(transaction=True)
def test_the_editors_figure_button_inserts_a_library_figure(live_server):
    require(CHROMIUM)
    from playwright.sync_api import sync_playwright

    make_boss()
    image = ImageFactory()
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept(f"#{image.pk}")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = new_article_form(browser, live_server, "Written with a figure")
        page.on("dialog", answer)
        page.locator("#sections-0 [contenteditable=true]").click()
        page.keyboard.type("Before the figure.")
        page.locator('#sections-0 [title="Insert a figure from the image library"]').click()
        page.click("input[name=_save]")
        page.wait_for_url("**/admin/articles/article/")
        browser.close()

    assert asked and "Number of the image in the library" in asked[0]
    body = Article.objects.get(slug="written-with-a-figure").sections.get().body
    assert body == f'<p>Before the figure.</p><figure data-image="{image.pk}"></figure>'
