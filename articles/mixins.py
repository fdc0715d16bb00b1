"""What the public listing pages share (articles' and authors' alike).

`PublicPageMixin`: GET and HEAD only, the link to the other edition, and the
data several pages show (key words and authors in use), remembered once per
content version. `ArticleListMixin`: a paginated list of articles whose total
is counted once per content version.
"""

from functools import cached_property

from django.core.paginator import Paginator
from django.urls import translate_url

from . import editions
from .caching import remember
from .models import Article, Keyword


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

    def authors_with_articles(self):
        """Every author of the edition's public articles, by name, with `article_count`."""
        return self.remember(
            "authors-with-articles", lambda: list(Article.objects.in_edition().authors())
        )

    def keywords_in_use(self):
        """Every key word of the edition's public articles, by name, with `article_count`."""
        return self.remember("keywords-in-use", Keyword.objects.counted)


class RememberedCountPaginator(Paginator):
    """A paginator whose total is counted once per content version, not per request."""

    def __init__(self, *args, view, count_key, **kwargs):
        super().__init__(*args, **kwargs)
        self.view, self.count_key = view, count_key

    @cached_property
    def count(self):
        return self.view.remember(f"count:{self.count_key}", self.object_list.count)


class ArticleListMixin(PublicPageMixin):
    """A paginated list of articles; `count_key` names what is counted."""

    paginate_by = 20
    context_object_name = "articles"

    def count_key(self):
        return None

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        key = self.count_key()
        if key is None:
            return super().get_paginator(queryset, per_page, orphans, allow_empty_first_page)
        return RememberedCountPaginator(
            queryset, per_page, orphans, allow_empty_first_page, view=self, count_key=key
        )
