"""What the public listing pages share (articles' and authors' alike).

`PublicPageMixin`: GET and HEAD only, the link to the other edition, and the
data several pages show (key words and authors in use, from the stored
counts), remembered once per content version. `ArticleListMixin`: a
paginated list of articles whose total is read from the stored counts, or
counted once per content version.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.urls import translate_url

from . import counts, editions
from .caching import publication_waiting, remember


class PublicPageMixin:
    """Public pages answer GET and HEAD (anything else is a 405), and may
    reuse data computed for an earlier request while the content is unchanged."""

    http_method_names = ["get", "head"]

    def remember(self, key, compute):
        """`compute()`'s value for this edition, computed once per content version."""
        return remember(key, compute, request=self.request)

    def other_edition_url(self):
        """The same page in the other edition; its home where there is none."""
        return translate_url(self.request.path, editions.other())

    def get_context_data(self, **kwargs):
        return super().get_context_data(other_edition_url=self.other_edition_url(), **kwargs)

    @cached_property
    def scheduled(self):
        """The scheduled articles, which stored counts leave out when read
        (nothing is read while none is scheduled)."""
        return counts.Scheduled(waiting=publication_waiting(self.request))

    def authors_with_articles(self):
        """Every author of the edition's public articles, by name, with `article_count`."""
        return self.remember(
            "authors-with-articles",
            lambda: counts.authors_in_use(editions.current(), self.scheduled),
        )

    def keywords_in_use(self):
        """Every key word of the edition's public articles, by name, with `article_count`."""
        return self.remember(
            "keywords-in-use", lambda: counts.keywords_in_use(editions.current(), self.scheduled)
        )


class CountedPaginator(Paginator):
    """A paginator that is told its total (`total()`) instead of counting its list."""

    def __init__(self, *args, total, **kwargs):
        super().__init__(*args, **kwargs)
        self.total = total

    @cached_property
    def count(self):
        return self.total()


class ArticleListMixin(PublicPageMixin):
    """A paginated list of articles, whose total is `stored_count()` or, if
    that is None, counted once per content version under `count_key()`
    (or, if that is None too, counted each time)."""

    paginate_by = 20
    context_object_name = "articles"

    def stored_count(self):
        return None

    def count_key(self):
        return None

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        if self.stored_count() is None and self.count_key() is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page)

        def total():
            stored = self.stored_count()
            if stored is not None:
                return stored
            return self.remember(f"count:{self.count_key()}", queryset.count)

        return CountedPaginator(queryset, per_page, orphans, allow_empty_first_page, total=total)
