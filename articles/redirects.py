"""Addresses that last: an old address answers 301 with the current one.

A `Redirect` row maps an old path either to an object (an article, a key
word, an author), whose current address is looked up when a reader comes, or
to a path an editor typed. Pointing at the object means a chain of changes
never becomes a chain of redirects, and an article's old address leads
nowhere (404) while the article is not public.

Rows are made when a published article's slug or date changes, when a key
word's or an author's slug changes, when key words are merged, when a
WordPress post moves in, and by editors in the admin. They are read only
when a page would otherwise be a 404 (`RedirectFallbackMiddleware`), so the
pages that exist pay nothing for them.
"""

from urllib.parse import unquote

from django.db import models
from django.http import HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

# The pages below an object's address that follow it when it moves: the
# part after the address, and the name of the page it is.
ARTICLE_PAGES = {
    "": "articles:detail",
    "pdf/": "articles:pdf",
    "cite.bib": "articles:citation-bib",
    "cite.ris": "articles:citation-ris",
}
KEYWORD_PAGES = {"": "articles:keyword", "feed/": "articles:keyword-feed"}
AUTHOR_PAGES = {"": "authors:detail", "feed/": "authors:feed"}
SUFFIXES = sorted({*ARTICLE_PAGES, *KEYWORD_PAGES, *AUTHOR_PAGES} - {""}, key=len, reverse=True)

# The prefixes of the editions other than the default one (see csr_site/urls.py).
EDITION_PREFIXES = ["/fa/"]


class Redirect(models.Model):
    old_path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("A path on this site, such as /articles/2016/04/20/old-slug/."),
    )
    new_path = models.CharField(
        _("new address"),
        max_length=500,
        blank=True,
        help_text=_("A path on this site, or a full address (https://…) elsewhere."),
    )
    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("article"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="redirects",
    )
    keyword = models.ForeignKey(
        "articles.Keyword",
        verbose_name=_("key word"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="redirects",
    )
    author = models.ForeignKey(
        "authors.Author",
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="redirects",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")
        constraints = [
            # Each row leads to exactly one thing.
            models.CheckConstraint(
                condition=(
                    models.Q(article__isnull=False, keyword=None, author=None, new_path="")
                    | models.Q(article=None, keyword__isnull=False, author=None, new_path="")
                    | models.Q(article=None, keyword=None, author__isnull=False, new_path="")
                    | (models.Q(article=None, keyword=None, author=None) & ~models.Q(new_path=""))
                ),
                name="redirect_has_one_target",
            )
        ]

    def __str__(self):
        return f"{self.old_path} → {self.target() or '—'}"

    def target(self, suffix=""):
        """The address this row leads to now (for the page `suffix` below it), or None."""
        if self.article_id:
            if not self.article.is_public:
                return None
            return self.article.address_in(ARTICLE_PAGES[suffix])
        if self.keyword_id:
            return reverse(KEYWORD_PAGES[suffix], kwargs={"slug": self.keyword.slug})
        if self.author_id:
            return reverse(AUTHOR_PAGES[suffix], kwargs={"slug": self.author.slug})
        return self.new_path if not suffix else None


def path_of(url):
    """A path as a request carries it (`request.path`: percent-decoded)."""
    return unquote(url)


def neutral_path(obj):
    """The address of a key word or an author without an edition's prefix; its
    redirects answer in every edition."""
    with override("en"):
        return path_of(obj.get_absolute_url())


def remember(old_path, **target):
    """Make `old_path` lead to `target` (article=, keyword=, author= or new_path=) from now on."""
    fields = {"article": None, "keyword": None, "author": None, "new_path": "", **target}
    Redirect.objects.update_or_create(old_path=old_path, defaults=fields)


# The fields an object's address is made of, by model.
ADDRESS_FIELDS = {
    "article": {"slug", "published_at", "status", "language"},
    "keyword": {"slug"},
    "author": {"slug"},
}


def address_before_save(instance, update_fields=None):
    """Where readers could reach `instance` before the save about to happen, or None.

    Read from the database, so every way of saving (admin, import, restoring
    a version, the shell) is covered.
    """
    fields = ADDRESS_FIELDS[instance._meta.model_name]
    if instance.pk is None or (update_fields is not None and not fields & set(update_fields)):
        return None
    model = type(instance)
    rows = model.objects.public() if hasattr(model.objects, "public") else model.objects.all()
    stored = rows.filter(pk=instance.pk).only(*fields).first()
    if stored is None:
        return None
    if hasattr(stored, "is_public"):
        return path_of(stored.get_absolute_url())
    return neutral_path(stored)


def moved(instance, old_path):
    """After a save: if `instance` left `old_path`, the old address leads to it."""
    new_path = (
        path_of(instance.get_absolute_url())
        if hasattr(instance, "is_public")
        else neutral_path(instance)
    )
    if old_path and old_path != new_path:
        remember(old_path, **{instance._meta.model_name: instance})


def keywords_merged(into, others):
    """The addresses of merged key words, and what led to them, lead to `into`."""
    Redirect.objects.filter(keyword__in=others).update(keyword=into)
    for keyword in others:
        remember(neutral_path(keyword), keyword=into)


def candidates(path):
    """The rows that could answer `path`, most specific first: (old path, page below it)."""
    paths = [path]
    for prefix in EDITION_PREFIXES:
        if path.startswith(prefix):
            paths.append(path[len(prefix) - 1 :])
    found = [(p, "") for p in paths]
    for p in paths:
        suffix = next((s for s in SUFFIXES if p.endswith("/" + s)), None)
        if suffix:
            found.append((p[: -len(suffix)], suffix))
    return found


def find(path):
    """Where `path` leads now, or None."""
    wanted = candidates(path)
    rows = {
        row.old_path: row
        for row in Redirect.objects.select_related("article", "keyword", "author").filter(
            old_path__in={old for old, _ in wanted}
        )
    }
    for old, suffix in wanted:
        row = rows.get(old)
        if row is None or (suffix and row.new_path):
            continue
        if row.article_id:
            pages = ARTICLE_PAGES
        else:
            pages = KEYWORD_PAGES if row.keyword_id else AUTHOR_PAGES
        if suffix and suffix not in pages:
            continue
        target = row.target(suffix)
        if target and path_of(target) != path:
            return target
        return None
    return None


class RedirectFallbackMiddleware:
    """Turns a 404 into a 301 when the address has moved (as Django's own
    `contrib.redirects` middleware does, without its Sites framework)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 404 or request.method not in ("GET", "HEAD"):
            return response
        target = find(request.path)
        if target is None:
            return response
        return HttpResponsePermanentRedirect(target)
