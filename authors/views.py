"""Public pages for authors: the index and each author's profile."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.models import Article
from articles.views import ReadOnlyMixin

from .models import Author


class AuthorIndexView(ReadOnlyMixin, ListView):
    """Authors with public articles, alphabetically."""

    template_name = "authors/author_index.html"
    context_object_name = "authors"

    def get_queryset(self):
        return Author.objects.with_public_articles()


class AuthorDetailView(ReadOnlyMixin, ListView):
    """A profile and the author's public articles, newest first.

    Current staff have a page even before their first article appears; former
    ones keep theirs for as long as they have public articles.
    """

    template_name = "authors/author_detail.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        public = Article.objects.public()
        self.author = get_object_or_404(
            Author.objects.filter(Q(is_active=True) | Q(bylines__article__in=public)).distinct(),
            slug=self.kwargs["slug"],
        )
        return public.for_listing().filter(bylines__author=self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)
