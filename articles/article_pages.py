"""The article page, its previews for staff and reviewers, and its citation downloads.

One function, `render_article()`, renders an article as readers see it; the
public page, the staff preview (in the admin) and the shared preview are
short views that find the article and say which of the three they are.
"""

import datetime

from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header, http_date
from django.views.decorators.http import require_safe

from . import citing, editions, pdf
from .caching import forget_page, note, public_response, remember
from .images import COLUMN_SIZES
from .metadata import article_metadata
from .models import Article, PreviewLink

# What the banner of a preview says: see articles/article_detail.html.
STAFF, SHARED = "staff", "shared"


def render_article(request, article, preview=None):
    """The article's page; `preview` is STAFF or SHARED for a page that readers
    do not see at this address (then never cached, never indexed)."""
    parts = article.reading_parts()
    translation = article.translation
    if translation is not None and not translation.is_public:
        translation = None
    if translation is not None:
        other_edition_url = translation.get_absolute_url()
    else:
        other_edition_url = editions.reverse_in(editions.other(), "articles:home")
    context = {
        "article": article,
        "preview": preview,
        "meta": article_metadata(article, parts["bylines"], parts["keywords"], request),
        "related": Article.objects.related_to(article, [k.pk for k in parts["keywords"]]),
        "documents": list(article.documents.all()),
        "translation": translation,
        "other_edition_url": other_edition_url,
        "column_sizes": COLUMN_SIZES,
        **parts,
    }
    response = TemplateResponse(request, "articles/article_detail.html", context)
    if preview or not article.is_public:
        response.render()
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
    else:
        response["Last-Modified"] = http_date(article.updated_at.timestamp())
    return response


def _day(year, month, day):
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        raise Http404("No such date.") from None


@require_safe
def article_detail(request, year, month, day, slug):
    """The article at its dated address; staff who may change articles also
    see drafts and scheduled ones there."""
    articles = Article.objects.visible_to(request.user).for_page()
    article = articles.filter(publish_date=_day(year, month, day), slug=slug).first()
    if article is None:
        # A known slug under the wrong date leads to the article, when only one has it.
        matches = list(Article.objects.public().filter(slug=slug)[:2])
        if len(matches) != 1:
            raise Http404("No such article.")
        return HttpResponsePermanentRedirect(matches[0].get_absolute_url())
    if article.language != editions.current():
        # Each article lives in the edition of its language.
        return HttpResponsePermanentRedirect(article.get_absolute_url())
    return render_article(request, article)


def article_preview(request, pk):
    """Any article as readers will see it; served inside the admin, for staff
    (`ArticleAdmin.preview_view` checks the permission)."""
    article = get_object_or_404(Article.objects.for_page(), pk=pk)
    return render_article(request, article, preview=STAFF)


@require_safe
def shared_preview(request, token):
    """An article shown to an outside reviewer through a share link."""
    link = PreviewLink.from_token(token)
    if link is None:
        raise Http404("This share link does not work (any more).")
    article = Article.objects.for_page().get(pk=link.article_id)
    response = render_article(request, article, preview=SHARED)
    # The link is the reviewer's key: links they follow must not carry it away.
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_safe
def article_pdf(request, year, month, day, slug):
    """The article's PDF edition; staff who may change articles also get
    drafts' and scheduled ones' (never cached, never indexed)."""
    articles = Article.objects.visible_to(request.user).for_page()
    article = get_object_or_404(articles, publish_date=_day(year, month, day), slug=slug)
    if not pdf.available():
        raise Http404("PDF editions cannot be made on this server.")

    def make():
        parts = article.reading_parts()
        meta = article_metadata(article, parts["bylines"], parts["keywords"], request)
        return pdf.stored_pdf(request, article, {"article": article, "meta": meta, **parts})

    # Which file is current is remembered for readers; a preview's is looked up.
    key = f"pdf:{article.pk}"
    try:
        name = remember(key, make, request=request) if article.is_public else make()
        stored = pdf.open_stored(request, name)
    except pdf.PDFError:
        # Logged where it happened. Until the content changes, the article's
        # page offers no PDF (its remembered copy is dropped so that it does
        # at once), and the reader is led to the article itself.
        if article.is_public:
            note(pdf.failure_key(article), True, request=request)
            forget_page(request, article.get_absolute_url())
        return HttpResponseRedirect(article.get_absolute_url())
    response = FileResponse(stored, content_type="application/pdf", filename=f"{slug}.pdf")
    if not article.is_public:
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
    # The stored file's name holds the digest of what it shows.
    response["ETag"] = '"' + name.split("/")[-2] + '"'
    answer = public_response(request, response)
    if answer is not response:
        # A 304: the file is not sent. (Closing the response itself would
        # end the request, and with it the database connection.)
        response.file_to_stream.close()
    return answer


CITATION_FORMATS = {
    "bib": ("application/x-bibtex", "bibtex"),
    "ris": ("application/x-research-info-systems", "ris"),
}


@require_safe
def citation(request, year, month, day, slug, format):
    """A public article's citation as a BibTeX or RIS file to download."""
    day = _day(year, month, day)
    article = get_object_or_404(Article.objects.public().for_page(), publish_date=day, slug=slug)
    parts = article.reading_parts()
    meta = article_metadata(article, parts["bylines"], parts["keywords"], request)
    content_type, key = CITATION_FORMATS[format]
    response = HttpResponse(meta[key], content_type=f"{content_type}; charset=utf-8")
    filename = f"{citing.bibtex_key(article, meta['names'])}.{format}"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Last-Modified"] = http_date(article.updated_at.timestamp())
    return response
