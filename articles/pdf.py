"""The PDF edition of an article: made once from the print template, then stored.

The print template (`articles/article_print.html`) shows the article's own
content through the same includes as its page. A PDF is stored in the media
storage (so S3 serves when configured) under a name made from a digest of the
print HTML, so an unchanged article keeps its file and a changed one gets a
new file; which name is current is remembered per content version, so
serving a made PDF costs what serving a page costs. WeasyPrint (Pango) is
imported only when a PDF is made.
"""

import contextlib
import ctypes
import functools
import hashlib
import importlib.util
import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

FOLDER = "pdf"


class PDFError(Exception):
    """The PDF could not be made (logged where it happens)."""


def stored_pdf(request, article, context):
    """The storage name of the article's PDF, made now if it is not stored yet.

    `context`: what the article's page shows (`reading_parts()` and `meta`).
    """
    html = render_to_string("articles/pdf/article.html", context, request)
    digest = hashlib.sha256(html.encode()).hexdigest()[:20]
    name = f"{FOLDER}/{digest}/{article.slug}.pdf"
    with _storage(request, "stored"):
        stored = default_storage.exists(name)
    if not stored:
        made = render_pdf(html, request)
        with _storage(request, "stored"):
            default_storage.save(name, ContentFile(made))
    return name


def open_stored(request, name):
    """The stored PDF `name`, opened; PDFError if the storage cannot give it."""
    with _storage(request, "read"):
        return default_storage.open(name)


@contextlib.contextmanager
def _storage(request, doing):
    """A storage that is down or refuses (a full disk, an S3 error of any kind)
    is a PDF not to be had, never an error page."""
    try:
        yield
    except Exception as error:
        logger.exception("The PDF of %s could not be %s", request.path, doing)
        raise PDFError(str(error)) from error


def render_pdf(html, request):
    try:
        from weasyprint import HTML

        document = HTML(
            string=html, base_url=request.build_absolute_uri("/"), url_fetcher=_fetcher()
        )
        return document.write_pdf()
    except Exception as error:  # Any failure of the renderer: the reader gets the page.
        logger.exception("The PDF of %s could not be made", request.path)
        raise PDFError(str(error)) from error


def _local_file(url):
    """The bytes of a static or media file the print template names; the
    renderer reaches nothing else (no request to this site or any other)."""
    path = unquote(urlsplit(url).path)
    if path.startswith(settings.STATIC_URL):
        name = path.removeprefix(settings.STATIC_URL)
        found = finders.find(name)
        if found:
            return Path(found).read_bytes()
        with staticfiles_storage.open(name) as file:
            return file.read()
    if path.startswith(settings.MEDIA_URL):
        with default_storage.open(path.removeprefix(settings.MEDIA_URL)) as file:
            return file.read()
    raise ValueError(f"{url}: only the site's own static and media files are read")


@functools.cache
def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class SiteFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            content_type = mimetypes.guess_type(urlsplit(url).path)[0]
            return URLFetcherResponse(
                url, body=_local_file(url), headers={"Content-Type": content_type or ""}
            )

    return SiteFetcher()


def failure_key(article):
    """Where a failure to make the article's PDF is noted (see `caching.note`)."""
    return f"pdf-failed:{article.pk}"


# The libraries WeasyPrint loads when it is imported, by the names it tries.
PDF_LIBRARIES = {
    "GObject": ("libgobject-2.0.so.0", "libgobject-2.0.0.dylib", "libgobject-2.0-0.dll"),
    "Pango": ("libpango-1.0.so.0", "libpango-1.0.dylib", "libpango-1.0-0.dll"),
    "PangoFT2": ("libpangoft2-1.0.so.0", "libpangoft2-1.0.dylib", "libpangoft2-1.0-0.dll"),
    "HarfBuzz": ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll"),
    "Fontconfig": ("libfontconfig.so.1", "libfontconfig.1.dylib", "libfontconfig-1.dll"),
}


def _loads(names):
    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        return True
    return False


@functools.cache
def available():
    """Whether PDFs can be made here: WeasyPrint installed and the libraries
    it loads present. Found without importing WeasyPrint, which takes
    seconds, since every article page asks (to offer its PDF or not)."""
    if importlib.util.find_spec("weasyprint") is None:
        return False
    missing = [name for name, files in PDF_LIBRARIES.items() if not _loads(files)]
    if missing:  # Pango missing: see the README
        logger.warning("No PDF editions: WeasyPrint needs %s", ", ".join(missing))
        return False
    return True
