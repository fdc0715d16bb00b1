"""The archive format's files: images and documents exported beside the JSON and imported back."""

import copy
import json
import re
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import figures
from articles.models import Article, Document, Image, Section
from authors.models import Author

from .factories import (
    ArticleFactory,
    AuthorFactory,
    DocumentFactory,
    ImageFactory,
    pdf_bytes,
    picture_bytes,
)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def export_dir(folder):
    call_command("export_articles", "--dir", str(folder), stdout=StringIO())
    return json.loads((folder / "archive.json").read_text(encoding="utf-8"))


def run_import(path):
    out = StringIO()
    call_command("import_articles", str(path), stdout=out)
    return out.getvalue()


@pytest.fixture
def illustrated(db):
    """A published article with a lead image, a figure, two documents, and a portrait."""
    portrait = ImageFactory(
        file=ContentFile(picture_bytes(300, 400, "PNG"), name="face.png"),
        alt="Sara Karimi",
        caption="",
        credit="CSR",
    )
    author = AuthorFactory(slug="sara-karimi", portrait=portrait)
    lead = ImageFactory(alt="Delegates at a table", caption="Vienna, 2015.", credit="Sputnik")
    figure = ImageFactory(
        file=ContentFile(picture_bytes(640, 480), name="chart.jpg"),
        alt="",
        decorative=True,
        caption="A chart",
        credit="",
    )
    article = ArticleFactory(slug="talks", authors=[author], image=lead)
    Section.objects.create(
        article=article,
        order=1,
        heading="With a figure",
        body=f'<p>Before.</p><figure data-image="{figure.pk}"></figure><p>After.</p>',
    )
    DocumentFactory(article=article, order=0, title="Full report", pages=3)
    DocumentFactory(article=article, order=1, title="Annex", pages=1, language="fa")
    return article


def wipe():
    Article.objects.all().delete()
    Author.objects.all().delete()
    Image.objects.all().delete()


def snapshot():
    """What readers would notice of the articles, authors and their media."""

    def image(picture):
        if picture is None:
            return None
        with picture.file.open("rb") as fp:
            data = fp.read()
        return (data, picture.alt, picture.decorative, picture.caption, picture.credit)

    articles = []
    for article in Article.objects.order_by("slug"):
        bodies = []
        for section in article.sections.all():
            for number in sorted(figures.numbers(section.body)):
                bodies.append(image(Image.objects.get(pk=number)))
            bodies.append((section.heading, re.sub(r"\d+", "N", section.body)))
        documents = []
        for document in article.documents.all():
            with document.file.open("rb") as fp:
                documents.append(
                    (document.title, document.language, document.page_count, fp.read())
                )
        articles.append((article.slug, article.title, image(article.image), bodies, documents))
    authors = [(a.slug, image(a.portrait)) for a in Author.objects.order_by("slug")]
    return articles, authors


def test_export_dir_writes_the_archive_and_the_originals(illustrated, tmp_path):
    data = export_dir(tmp_path / "out")
    article = data["articles"][0]
    assert article["image"] == {
        "file": "media/delegates-at-a-table.jpg",
        "alt": "Delegates at a table",
        "decorative": False,
        "caption": "Vienna, 2015.",
        "credit": "Sputnik",
    }
    assert [(d["file"], d["title"], d["language"]) for d in article["documents"]] == [
        ("media/full-report.pdf", "Full report", "en"),
        ("media/annex.pdf", "Annex", "fa"),
    ]
    assert data["authors"][0]["portrait"]["file"] == "media/sara-karimi.png"
    [figure] = data["images"]
    assert figure["number"] == Image.objects.get(caption="A chart").pk
    assert figure["decorative"] is True
    with illustrated.image.file.open("rb") as fp:
        assert (tmp_path / "out" / "media" / "delegates-at-a-table.jpg").read_bytes() == fp.read()
    assert sorted(p.name for p in (tmp_path / "out" / "media").iterdir()) == [
        "a-chart.jpg",
        "annex.pdf",
        "delegates-at-a-table.jpg",
        "full-report.pdf",
        "sara-karimi.png",
    ]


def test_plain_export_leaves_the_files_out(illustrated):
    out = StringIO()
    call_command("export_articles", stdout=out)
    data = json.loads(out.getvalue())
    assert "images" not in data
    assert "portrait" not in data["authors"][0]
    assert not {"image", "documents"} & set(data["articles"][0])


def test_round_trip_with_files_restores_images_and_documents(
    illustrated, tmp_path, settings, client
):
    before = snapshot()
    export_dir(tmp_path / "out")
    wipe()
    assert Image.objects.count() == 0 and Document.objects.count() == 0
    run_import(tmp_path / "out" / "archive.json")
    assert snapshot() == before
    assert [d.page_count for d in Document.objects.order_by("order")] == [3, 1]
    # The restored images went through the upload's path: renditions made.
    assert all(image.renditions_current for image in Image.objects.all())
    # The page shows the lead image, the figure and the documents again.
    page = client.get(Article.objects.get(slug="talks").get_absolute_url()).content.decode()
    article = page[page.index('<article class="article"') : page.index("</article>")]
    # The lead image, the figure and the author's portrait in the byline.
    assert article.count("<picture>") == 3 and "A chart" in article
    assert "Full report</a> (PDF, 1 KB, 3 pages)" in page

    # A second import of the same folder changes nothing and stores nothing more.
    files = stored_files(settings)
    counts = (Image.objects.count(), Document.objects.count())
    run_import(tmp_path / "out" / "archive.json")
    assert (Image.objects.count(), Document.objects.count()) == counts == (3, 2)
    assert snapshot() == before
    assert stored_files(settings) == files


def test_import_reuses_a_library_image_with_the_same_bytes(illustrated, tmp_path):
    export_dir(tmp_path / "out")
    data = json.loads((tmp_path / "out" / "archive.json").read_text())
    data["articles"][0]["slug"] = "talks-again"
    data["articles"][0]["image"]["caption"] = "Vienna, July 2015."
    (tmp_path / "out" / "second.json").write_text(json.dumps(data))
    run_import(tmp_path / "out" / "second.json")
    assert Image.objects.count() == 3
    second = Article.objects.get(slug="talks-again")
    assert second.image == illustrated.image
    second.image.refresh_from_db()
    assert second.image.caption == "Vienna, July 2015."


def minimal_archive(folder, **article):
    (folder / "media").mkdir(parents=True, exist_ok=True)
    (folder / "media" / "photo.jpg").write_bytes(picture_bytes())
    (folder / "media" / "report.pdf").write_bytes(pdf_bytes(2))
    data = {
        "authors": [
            {
                "name": "Sara",
                "slug": "sara",
                "portrait": {"file": "media/photo.jpg", "alt": "Sara"},
            }
        ],
        "articles": [
            {
                "title": "Talks",
                "slug": "talks",
                "language": "en",
                "status": "published",
                "published_at": "2016-04-20T10:00:00+04:30",
                "authors": ["sara"],
                "sections": [{"heading": "", "body": "<p>Text.</p>"}],
                "image": {"file": "media/photo.jpg", "alt": "Sara"},
                "documents": [{"file": "media/report.pdf", "title": "Report"}],
                **article,
            }
        ],
    }
    path = folder / "archive.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_minimal_archive_imports_one_image_for_portrait_and_lead(db, tmp_path):
    run_import(minimal_archive(tmp_path / "in"))
    article = Article.objects.get(slug="talks")
    assert article.image == Author.objects.get(slug="sara").portrait
    [document] = article.documents.all()
    assert (document.title, document.language, document.page_count) == ("Report", "en", 2)
    assert Image.objects.count() == 1


def write_bad(tmp_path, name, where, value):
    """The minimal archive with `value` put at `where` (a path of keys)."""
    folder = tmp_path / "in"
    path = minimal_archive(folder)
    (folder / "media" / "notes.txt").write_text("just text")
    data = json.loads(path.read_text())
    target = data
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = value
    path.write_text(json.dumps(data))
    return path


IMAGE = ("articles", 0, "image", "file")
DOCUMENT = ("articles", 0, "documents", 0, "file")
PORTRAIT = ("authors", 0, "portrait", "file")
BAD = {
    "missing image": (IMAGE, "media/gone.jpg", 'article "talks" (#1): image: file: ', "no such"),
    "text as image": (IMAGE, "media/notes.txt", "image: file: ", "not a JPEG, PNG"),
    "pdf as image": (IMAGE, "media/report.pdf", "image: file: ", "PDF file"),
    "escaping path": (IMAGE, "../../etc/passwd", "image: file: ", "leads out of"),
    "absolute path": (IMAGE, "/etc/passwd", "image: file: ", "not absolute"),
    "image as document": (DOCUMENT, "media/photo.jpg", "documents: #1: file: ", "not a PDF"),
    "missing document": (DOCUMENT, "media/nope.pdf", "documents: #1: file: ", "no such"),
    "bad portrait": (
        PORTRAIT,
        "media/notes.txt",
        'author "sara" (#1): portrait: file: ',
        "not a JPEG",
    ),
    "no alt": (("articles", 0, "image", "alt"), "", "image: alt: ", "Describe the image"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_file_fails_the_whole_import_naming_record_and_field(db, tmp_path, settings, case):
    where, value, field, reason = BAD[case]
    path = write_bad(tmp_path, case, where, value)
    with pytest.raises(CommandError) as caught:
        run_import(path)
    message = str(caught.value)
    assert field in message and reason in message, message
    assert not Article.objects.exists() and not Author.objects.exists()
    assert not Image.objects.exists() and not Document.objects.exists()
    assert stored_files(settings) == []


def test_too_large_image_is_refused_before_anything_is_stored(db, tmp_path, settings):
    from articles import renditions

    settings_limit = renditions.MAX_BYTES
    renditions.MAX_BYTES = 1000
    try:
        with pytest.raises(CommandError, match=r"image: file: media/photo.jpg: The file is"):
            run_import(minimal_archive(tmp_path / "in"))
    finally:
        renditions.MAX_BYTES = settings_limit
    assert stored_files(settings) == [] and not Article.objects.exists()


def test_a_failure_while_writing_removes_the_files_already_stored(
    db, tmp_path, settings, monkeypatch
):
    def refuse(*args, **kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(Document, "save", refuse)
    with pytest.raises(RuntimeError):
        run_import(minimal_archive(tmp_path / "in"))
    assert stored_files(settings) == []
    assert not Image.objects.exists() and not Article.objects.exists()


def test_leaving_media_out_keeps_them_and_null_removes_them(illustrated, tmp_path):
    data = export_dir(tmp_path / "out")
    plain = copy.deepcopy(data)
    del plain["articles"][0]["image"], plain["articles"][0]["documents"], plain["images"]
    (tmp_path / "out" / "plain.json").write_text(json.dumps(plain))
    run_import(tmp_path / "out" / "plain.json")
    article = Article.objects.get(slug="talks")
    assert article.image is not None and article.documents.count() == 2

    plain["articles"][0].update(image=None, documents=[])
    (tmp_path / "out" / "plain.json").write_text(json.dumps(plain))
    run_import(tmp_path / "out" / "plain.json")
    article.refresh_from_db()
    assert article.image is None and article.documents.count() == 0


def test_same_file_with_two_texts_is_refused(db, tmp_path):
    path = minimal_archive(tmp_path / "in")
    data = json.loads(path.read_text())
    data["articles"][0]["image"]["alt"] = "Someone else"
    path.write_text(json.dumps(data))
    with pytest.raises(CommandError, match=r'article "talks" \(#1\): image: the same file as'):
        run_import(path)
