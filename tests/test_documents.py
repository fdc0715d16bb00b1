"""Documents: PDFs attached to articles in the admin, checked by content, listed as downloads."""

import re
from io import BytesIO

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfWriter

from articles.documents import MAX_SIZE
from articles.models import Article, Document

from .conftest import form_values
from .factories import ArticleFactory, AuthorFactory, DocumentFactory, pdf_bytes, pdf_upload
from .test_admin import article_form


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.org", "pw"))
    return client


STORED_NAME = re.compile(r"^documents/[-\w]{22}/full-report\.pdf$")


def with_documents(data, *documents):
    """The article form `data` with new documents (title, upload) in its inline."""
    data = {**data, "documents-TOTAL_FORMS": str(len(documents)), "documents-INITIAL_FORMS": "0"}
    for n, (title, upload) in enumerate(documents):
        data |= {
            f"documents-{n}-order": str(n),
            f"documents-{n}-title": title,
            f"documents-{n}-language": "",
            f"documents-{n}-file": upload,
        }
    return data


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_editor_attaches_documents_in_order_with_pages_and_size(admin_client, settings):
    data = with_documents(
        article_form(AuthorFactory()),
        ("Full report", pdf_upload("scan 01 (final).PDF", pages=36)),
        ("Summary", pdf_upload("summary.pdf", pages=1)),
    )
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 302, response.context["inline_admin_formsets"]
    article = Article.objects.get(slug="irans-approach")
    report, summary = article.documents.all()
    assert (report.title, report.page_count, report.language) == ("Full report", 36, "en")
    assert report.size == len(pdf_bytes(36)) and summary.page_count == 1
    # Stored under an unguessable folder, named from the title, not the upload.
    assert STORED_NAME.match(report.file.name)
    assert report.file.read().startswith(b"%PDF-")
    assert len(stored_files(settings)) == 2

    page = admin_client.get(reverse("admin:articles_article_change", args=[article.pk]))
    assert "PDF, " in page.content.decode() and "36 pages" in page.content.decode()


def test_two_uploads_of_one_title_get_different_addresses(db):
    article = ArticleFactory()
    first, second = (DocumentFactory(article=article, title="Full report") for _ in range(2))
    assert first.file.name != second.file.name
    assert all(STORED_NAME.match(d.file.name) for d in (first, second))


def test_persian_title_names_the_file_in_persian(db):
    document = DocumentFactory(article=ArticleFactory(language="fa"), title="گزارش کامل")
    assert document.file.name.endswith("/گزارش-کامل.pdf")
    assert document.language == "fa"


def png():
    return b"\x89PNG\r\n\x1a\n" + b"\0" * 200


REFUSED = {
    "an image renamed": (png(), "The file is not a PDF: it is a PNG image."),
    "a web page renamed": (
        b"<!DOCTYPE html><html><body>%PDF-1.7</body></html>" * 30,
        "The file is not a PDF: it is a web page or other markup.",
    ),
    "plain text": (b"Just some notes.\n" * 10, "The file is not a PDF."),
    "truncated": (
        pdf_bytes(3)[:-600],
        "The PDF is incomplete: its end is missing. Upload the whole file again.",
    ),
    "locked with a password": (
        pdf_bytes(2, password="secret"),
        "The PDF is protected by a password; upload a copy without one.",
    ),
    "damaged inside": (
        b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R >>\nendobj\n"
        b"xref\nnonsense\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        "The PDF cannot be read; it may be damaged.",
    ),
}


@pytest.mark.parametrize("kind", REFUSED)
def test_upload_that_is_not_a_whole_readable_pdf_is_refused(admin_client, settings, kind):
    content, message = REFUSED[kind]
    upload = SimpleUploadedFile("report.pdf", content, "application/pdf")
    data = with_documents(article_form(AuthorFactory()), ("Full report", upload))
    response = admin_client.post(reverse("admin:articles_article_add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Article.objects.exists() and not Document.objects.exists()
    assert stored_files(settings) == []


class HugeUpload(SimpleUploadedFile):
    """An upload that says it is over the limit, and may not be read."""

    def read(self, *args):
        raise AssertionError("a file over the limit was read")


def test_upload_over_100_mb_is_refused_before_it_is_read(db):
    upload = HugeUpload("huge.pdf", b"")
    upload.size = MAX_SIZE + 300 * 1024
    document = Document(article=ArticleFactory(), title="Huge", file=upload)
    with pytest.raises(ValidationError) as refused:
        document.full_clean()
    assert refused.value.message_dict["file"] == ["The file is 100 MB; the limit is 100 MB."]


def test_pdf_with_only_an_owner_password_is_accepted(db):
    # Readable by anyone (restrictions only), as many published reports are.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="", owner_password="owner")
    buffer = BytesIO()
    writer.write(buffer)
    upload = SimpleUploadedFile("restricted.pdf", buffer.getvalue())
    document = Document(article=ArticleFactory(), title="Restricted", file=upload)
    document.full_clean()
    document.save()
    assert document.page_count == 1


def test_article_page_lists_documents_as_downloads(client, published):
    report = DocumentFactory(article=published, title="Full report", pages=36, order=0)
    DocumentFactory(article=published, title="Appendix", pages=1, order=1)
    Document.objects.filter(pk=report.pk).update(size=int(2.4 * 1024 * 1024))
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Downloads" in page
    assert page.index("Full report") < page.index("Appendix")
    assert (
        f'<a href="/media/{report.file.name}" type="application/pdf" hreflang="en">'
        "Full report</a> (PDF, 2.4 MB, 36 pages)" in page
    )
    assert "Appendix</a> (PDF, 1 KB, 1 page)" in page


def test_persian_page_lists_documents_with_persian_digits(client, published_fa):
    report = DocumentFactory(article=published_fa, title="گزارش کامل", pages=36)
    english = DocumentFactory(article=published_fa, title="Summary", language="en", pages=2)
    Document.objects.filter(pk=report.pk).update(size=int(2.4 * 1024 * 1024))
    page = client.get(published_fa.get_absolute_url()).content.decode()
    assert "گزارش کامل</a> (PDF، ۲.۴ مگابایت، ۳۶ صفحه)" in page
    # A document in the other language says so to the browser.
    assert f'<a href="/media/{english.file.url[7:]}" type="application/pdf" hreflang="en"' in page
    assert 'lang="en" dir="ltr">Summary</a>' in page


def test_new_document_shows_on_the_remembered_page(client, published):
    url = published.get_absolute_url()
    assert "Downloads" not in client.get(url).content.decode()
    DocumentFactory(article=published, title="Full report")
    assert "Full report" in client.get(url).content.decode()


def test_replacing_a_file_deletes_the_old_one(
    published, settings, django_capture_on_commit_callbacks
):
    document = DocumentFactory(article=published, title="Full report", pages=2)
    old = document.file.name
    document.file = pdf_upload(pages=5)
    with django_capture_on_commit_callbacks(execute=True):
        document.save()
    assert document.page_count == 5 and document.file.name != old
    assert stored_files(settings) == [document.file.name]


def test_deleting_a_document_or_its_article_deletes_the_files(
    published, settings, django_capture_on_commit_callbacks
):
    first, second = DocumentFactory.create_batch(2, article=published)
    with django_capture_on_commit_callbacks(execute=True):
        first.delete()
    assert stored_files(settings) == [second.file.name]
    with django_capture_on_commit_callbacks(execute=True):
        published.delete()
    assert stored_files(settings) == []


def test_a_change_that_is_rolled_back_keeps_the_file(published, settings):
    document = DocumentFactory(article=published)
    document.delete()  # never committed: the test's transaction is rolled back
    assert stored_files(settings) == [document.file.name]


def test_editor_replaces_a_file_and_the_old_one_goes(
    admin_client, published, settings, django_capture_on_commit_callbacks
):
    document = DocumentFactory(article=published, title="Full report", pages=2)
    old = document.file.name
    url = reverse("admin:articles_article_change", args=[published.pk])
    values = form_values(admin_client.get(url), "article_form")

    # A refused replacement changes nothing.
    values["documents-0-file"] = SimpleUploadedFile("new.pdf", png())
    response = admin_client.post(url, values)
    assert "The file is not a PDF: it is a PNG image." in response.content.decode()
    assert stored_files(settings) == [old]

    values["documents-0-file"] = pdf_upload(pages=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, values)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.page_count == 7 and document.file.name != old
    assert stored_files(settings) == [document.file.name]

    values = form_values(admin_client.get(url), "article_form")
    values["documents-0-DELETE"] = ["on"]
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, values).status_code == 302
    assert not Document.objects.exists() and stored_files(settings) == []
