"""Pages and page data remembered between requests, and how they go stale.

This is the only module that builds cache keys. Everything is cached under
the current content version (`ContentVersion`), which every save or delete
of an article, section, byline, author, key word or document changes in the same
transaction (bulk writes too: see `changes.py`). A cached value is
therefore never served after the content behind it changed, whichever
process changed it, and nothing has to find and delete stale keys. Values
that depend on which articles are public also expire when the next
scheduled article comes out.

Two things are remembered:
- whole public pages, by `public_page`, applied to views where the URLs are
  declared: pages that are the same for every reader at an address;
- data that several pages share, by `remember` (the key words and authors
  in use, the count behind a paginated list).
"""

import hashlib
import secrets
from functools import wraps

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_max_age

from authors.models import Author

from . import editions
from .changes import bulk_written
from .models import (
    Article,
    ArticleAuthor,
    ContentVersion,
    Document,
    Image,
    Keyword,
    Section,
    TaggedArticle,
)

TIMEOUT = 24 * 60 * 60
WATCHED = [Article, Section, ArticleAuthor, TaggedArticle, Keyword, Author, Image, Document]
# Response headers a remembered page is served with (the rest come from middleware).
KEPT_HEADERS = ["Content-Type", "Content-Disposition", "Last-Modified", "X-Robots-Tag"]


def content_changed(**kwargs):
    """Retire every cached value. A random value, not a counter, so a database
    restored from a backup cannot meet values cached before the restore."""
    value = secrets.randbits(62)
    if not ContentVersion.objects.filter(pk=1).update(value=value):
        ContentVersion.objects.update_or_create(pk=1, defaults={"value": value})


def current_version():
    return ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def next_publication():
    """When the next scheduled article comes out (None if none is waiting)."""
    scheduled = Article.objects.scheduled().order_by("published_at")
    return scheduled.values_list("published_at", flat=True).first()


class _RequestState:
    """The content version and the next publication, read at most once a request."""

    def __init__(self):
        self._version = self._next = None
        self._next_read = False

    @property
    def version(self):
        if self._version is None:
            self._version = current_version()
        return self._version

    @property
    def next_publication(self):
        if not self._next_read:
            self._next, self._next_read = next_publication(), True
        return self._next


def _state(request):
    if request is None:
        return _RequestState()
    if not hasattr(request, "_content_state"):
        request._content_state = _RequestState()
    return request._content_state


def _full_key(state, key):
    # The day is in the key, since pages print it (a citation's access date)
    # and say what is new. (The release is in every key: see KEY_PREFIX.)
    day = timezone.localdate().isoformat()
    return f"content:{state.version}:{day}:{editions.current()}:{key}"


def _lookup(full_key):
    """The value stored under `full_key`, or None if there is none still current."""
    entry = cache.get(full_key)
    if entry is not None and (entry[0] is None or timezone.now() < entry[0]):
        return entry[1]
    return None


def remember(key, compute, *, request=None, public=True):
    """`compute()`'s value for the current edition, computed once per content version.

    `public`: the value depends on which articles are public, so it is also
    recomputed once the next scheduled article's time has come.
    """
    state = _state(request)
    full_key = _full_key(state, key)
    value = _lookup(full_key)
    if value is None:
        # Read the expiry before computing, so an article that comes out in
        # between is at worst counted early and then recounted, never missed.
        expires = state.next_publication if public else None
        value = compute()
        cache.set(full_key, (expires, value), TIMEOUT)
    return value


def _page_key(request):
    """What a public page depends on besides the content, the day and the
    edition: its address, without the query string other than the page
    number, so that tracking parameters cannot fill the cache with copies."""
    page = request.GET.get("page", "")
    address = f"{request.scheme}://{request.get_host()}{request.path}?page={page}"
    return "page:" + hashlib.sha256(address.encode()).hexdigest()


def _may_keep(response):
    """A page is kept only if it is a success meant for everyone."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and get_max_age(response) is None
        and "private" not in response.get("Cache-Control", "")
    )


def public_page(view):
    """Serve a public page from the cache while the content is unchanged.

    For views whose page is the same for every reader at an address: a
    success is remembered whole; errors, redirects and pages marked as not
    for caching (previews, drafts seen by staff) are not.
    """

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        state = _state(request)
        full_key = _full_key(state, _page_key(request))
        stored = _lookup(full_key)
        if stored is not None:
            headers, content = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return response
        expires = state.next_publication
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if _may_keep(response):
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(full_key, (expires, (headers, response.content)), TIMEOUT)
        return response

    return cached_view


def connect_signals():
    bulk_written.connect(content_changed, dispatch_uid="content-bulk")
    for model in WATCHED:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
