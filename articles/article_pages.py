"""The article page, its previews for staff and reviewers, and its citation downloads."""

import datetime

from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views.generic import DetailView, View

from . import citing
from .caching import remember
from .metadata import article_metadata
from .models import Article, PreviewLink
from .views import PublicPageMixin, other_language, reverse_in


class ArticleDetailView(PublicPageMixin, DetailView):
    """The article at its dated address; staff also see drafts and scheduled ones."""

    template_name = "articles/article_detail.html"
    context_object_name = "article"
    # Set on the preview pages: "staff" or "shared".
    preview = None

    def get_object(self, queryset=None):
        articles = Article.objects.visible_to(self.request.user).with_content_version()
        articles = articles.select_related("translation")
        return articles.get(publish_date=self.day, slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        try:
            self.day = datetime.date(int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
        except ValueError:
            raise Http404("No such date.") from None
        try:
            article = self.get_object()
        except Article.DoesNotExist:
            return self.redirect_to_only_match()
        if article.language != get_language():
            # Each article lives in the edition of its language.
            return HttpResponsePermanentRedirect(article.get_absolute_url())
        return self.render_article(article)

    def render_article(self, article):
        self.object = article
        if self.preview or not article.is_public:
            response = self.render_to_response(self.get_context_data(object=article))
            # Not for readers yet: never cached, never indexed.
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex, nofollow"
            return response
        # A public article's page is the same for every reader: remembered whole.
        content = remember(
            f"{self.page_key(article)}:whole",
            lambda: self.render_to_response(self.get_context_data(object=article)).render().content,
            version=article.content_version,
        )
        return HttpResponse(content)

    def page_key(self, article):
        """What a rendered article page depends on besides the content: the day (the
        citation's access date), the language and the host (absolute addresses)."""
        request = self.request
        parts = [str(article.pk), get_language(), request.scheme, request.get_host()]
        return ":".join(["article-page", *parts, timezone.localdate().isoformat()])

    def redirect_to_only_match(self):
        """A known slug under the wrong date leads to the article, when only one has it."""
        matches = list(Article.objects.public().filter(slug=self.kwargs["slug"])[:2])
        if len(matches) != 1:
            raise Http404("No such article.")
        return HttpResponsePermanentRedirect(matches[0].get_absolute_url())

    def get_context_data(self, **kwargs):
        article = self.object
        # The article's head tags and body, rendered once per content version
        # (for previews too); also when the next scheduled article comes out,
        # since the related articles may change then.
        fragments = remember(
            self.page_key(article),
            lambda: self.render_fragments(article),
            version=article.content_version,
        )
        return super().get_context_data(preview=self.preview, fragments=fragments, **kwargs)

    def other_edition_url(self):
        translation = self.object.translation
        if translation is not None and translation.is_public:
            return translation.get_absolute_url()
        return reverse_in(other_language(), "articles:home")

    def render_fragments(self, article):
        parts = article.reading_parts()
        keyword_ids = [keyword.pk for keyword in parts["keywords"]]
        meta = article_metadata(article, parts["bylines"], parts["keywords"], self.request)
        translation = article.translation
        if translation is not None and not translation.is_public:
            translation = None
        context = {
            "article": article,
            "meta": meta,
            "related": Article.objects.related_to(article, keyword_ids),
            "translation": translation,
            **parts,
        }
        head = {"article": article, "meta": meta, "translation": translation}
        return {
            "head": render_to_string("includes/head_meta.html", head, self.request),
            "body": render_to_string("articles/article_body.html", context, self.request),
        }


class CitationView(PublicPageMixin, View):
    """A public article's citation as a BibTeX or RIS file to download."""

    formats = {
        "bib": ("application/x-bibtex", "bibtex"),
        "ris": ("application/x-research-info-systems", "ris"),
    }

    def get(self, request, *args, **kwargs):
        try:
            day = datetime.date(int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
            article = Article.objects.public().get(publish_date=day, slug=kwargs["slug"])
        except (ValueError, Article.DoesNotExist):
            raise Http404("No such article.") from None
        parts = article.reading_parts()
        meta = article_metadata(article, parts["bylines"], parts["keywords"], request)
        content_type, key = self.formats[kwargs["format"]]
        response = HttpResponse(meta[key], content_type=f"{content_type}; charset=utf-8")
        filename = f"{citing.bibtex_key(article, meta['names'])}.{kwargs['format']}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class ArticlePreviewView(ArticleDetailView):
    """Any article as readers will see it; served inside the admin, for staff."""

    preview = "staff"

    def get(self, request, *args, **kwargs):
        articles = Article.objects.with_content_version().select_related("translation")
        article = get_object_or_404(articles, pk=kwargs["pk"])
        return self.render_article(article)


class SharedPreviewView(ArticleDetailView):
    """An article shown to an outside reviewer through a share link."""

    preview = "shared"

    def get(self, request, *args, **kwargs):
        link = PreviewLink.from_token(kwargs["token"])
        if link is None:
            raise Http404("This share link does not work (any more).")
        return self.render_article(Article.objects.with_content_version().get(pk=link.article_id))
