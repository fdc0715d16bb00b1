"""Public pages for authors: the index and each author's profile."""

from functools import cached_property

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.generic import ListView, TemplateView

from articles import counts, editions
from articles.mixins import ArticleListMixin, PublicPageMixin
from articles.models import Article

from .models import Author


class AuthorIndexView(PublicPageMixin, TemplateView):
    """Authors with public articles, alphabetically."""

    template_name = "authors/author_index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(authors=self.authors_with_articles(), **kwargs)


class AuthorDetailView(ArticleListMixin, ListView):
    """A profile and the author's public articles, newest first.

    An author has a page, in both editions, from their first public article
    on, so nothing about a draft or an embargoed article, not even its author,
    reaches readers.
    """

    template_name = "authors/author_detail.html"

    def get_queryset(self):
        authors = Author.objects.select_related("portrait")
        self.author = get_object_or_404(authors, slug=self.kwargs["slug"])
        return Article.objects.in_edition().for_listing().filter(bylines__author=self.author)

    @cached_property
    def public_counts(self):
        """{language: public articles} of the author."""
        return counts.author_counts(self.author, self.scheduled)

    def stored_count(self):
        return self.public_counts[editions.current()]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, **kwargs)
        if not context["paginator"].count and not self.has_public_articles():
            raise Http404("No such author.")
        return context

    def has_public_articles(self):
        """In either edition: the profile is the same in both."""
        return any(count > 0 for count in self.public_counts.values())
