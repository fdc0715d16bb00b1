"""Documents readers download with an article: PDF files, checked by their content.

An upload is accepted only if it is a whole, readable PDF: it must start as
one, end as one, and be parsed by pypdf down to its page count, so an image
or a web page renamed `.pdf`, a file cut off in transfer or one locked with
a password is refused with a form error that says so. Its size and page
count are stored with it.

Each file is stored under an unguessable folder, with a name made from the
document's title: the address cannot be guessed, the name a reader's
browser saves is readable, and a file never changes at its address, so it
can be cached for good. A document's file is deleted when the document is
deleted or its file replaced, once that change commits.
"""

import secrets
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from pypdf import PasswordType, PdfReader

from . import richtext
from .changes import ContentQuerySet

MAX_SIZE = 100 * 1024 * 1024
# How much of a file's start is read to say what it is, and how much of its
# end may follow the end-of-file marker (some writers add a little).
HEAD_BYTES = 1024
TAIL_BYTES = 4096
# What some other kinds of file start with, to say what a refused file is.
SIGNATURES = [
    (b"\xff\xd8\xff", _("a JPEG image")),
    (b"\x89PNG", _("a PNG image")),
    (b"GIF8", _("a GIF image")),
    (b"RIFF", _("a WebP image or another media file")),
    (b"PK\x03\x04", _("a ZIP archive, such as a Word or OpenDocument file")),
    (b"\xd0\xcf\x11\xe0", _("an old Microsoft Office file")),
]


def _looks_like(head):
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype", b"<html", b"<?xml", b"<svg", b"<")):
        return _("a web page or other markup")
    return None


def readable_size(size):
    """A file's size as readers read it: "850 KB", "2.4 MB", "36 MB"."""
    megabytes = size / (1024 * 1024)
    if megabytes >= 10:
        return _("%(size)s MB") % {"size": number_format(round(megabytes))}
    if megabytes >= 1:
        return _("%(size)s MB") % {"size": number_format(round(megabytes, 1), 1)}
    return _("%(size)s KB") % {"size": number_format(max(1, round(size / 1024)))}


def inspect_pdf(upload):
    """The page count of an uploaded PDF; `ValidationError` if it is not a
    whole, readable PDF within the size limit.

    The size is checked before anything is read, and the file is parsed only
    after its first and last bytes show a PDF.
    """
    if upload.size > MAX_SIZE:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={"size": readable_size(upload.size), "limit": readable_size(MAX_SIZE)},
        )
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    if not head.startswith(b"%PDF-"):
        kind = _looks_like(head)
        if kind:
            message = _("The file is not a PDF: it is %(kind)s.")
        else:
            message = _("The file is not a PDF.")
        raise ValidationError(message, code="not_pdf", params={"kind": kind})
    upload.seek(max(0, upload.size - TAIL_BYTES))
    if b"%%EOF" not in upload.read(TAIL_BYTES):
        raise ValidationError(
            _("The PDF is incomplete: its end is missing. Upload the whole file again."),
            code="truncated",
        )
    upload.seek(0)
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ValidationError(
                _("The PDF is protected by a password; upload a copy without one."),
                code="encrypted",
            )
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading each page is the check
    except ValidationError:
        raise
    except Exception as error:
        # pypdf raises many kinds of errors on damaged input (its own, and
        # ValueError, KeyError, RecursionError, …): all mean the same here.
        raise ValidationError(
            _("The PDF cannot be read; it may be damaged."), code="unreadable"
        ) from error
    finally:
        upload.seek(0)
    if not pages:
        raise ValidationError(_("The PDF has no pages."), code="empty")
    return pages


def document_path(document, filename):
    """`documents/<random>/<name from the title>.pdf`, whatever the upload was called."""
    name = (
        slugify(document.title)[:80].strip("-")
        or slugify(document.title, allow_unicode=True)[:80].strip("-")
        or "document"
    )
    return f"documents/{secrets.token_urlsafe(16)}/{name}.pdf"


class Document(models.Model):
    """A PDF readers can download from an article's page."""

    article = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="documents", verbose_name=_("article")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(
        _("title"),
        max_length=200,
        validators=[richtext.validate_plain_text],
        help_text=_("As readers see it, e.g. “Full report”; the file's name is made from it."),
    )
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Left blank, the article's language."),
    )
    file = models.FileField(_("PDF file"), upload_to=document_path, max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), editable=False)
    page_count = models.PositiveIntegerField(_("pages"), editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["article", "order"], name="document_order_idx")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._inspect()
        if not self.language:
            self.language = self.article.language
        previous = None
        if self.pk and self._new_upload() is not None:
            previous = type(self).objects.filter(pk=self.pk).values_list("file", flat=True).first()
        super().save(*args, **kwargs)
        if previous and previous != self.file.name:
            _delete_on_commit(self.file.storage, previous)

    def clean(self):
        super().clean()
        try:
            self._inspect()
        except ValidationError as error:
            raise ValidationError({"file": error.error_list}) from None

    def _new_upload(self):
        """The file just uploaded, not yet stored (None if the file is stored)."""
        return None if not self.file or self.file._committed else self.file.file

    def _inspect(self):
        upload = self._new_upload()
        if upload is not None and getattr(self, "_inspected", None) is not upload:
            self.page_count = inspect_pdf(upload)
            self.size = upload.size
            self._inspected = upload


def _delete_on_commit(storage, name):
    # Only once the change is kept: a rolled-back change still needs its file.
    transaction.on_commit(partial(storage.delete, name))


@receiver(post_delete, sender=Document, dispatch_uid="document-file-delete")
def _delete_file(sender, instance, **kwargs):
    if instance.file:
        _delete_on_commit(instance.file.storage, instance.file.name)
