"""Pages and page data remembered between requests, how they go stale, and
what public pages tell browsers and shared caches.

This is the only module that builds cache keys and the only one that talks
to the cache. Everything cached is stamped with the current content version
(`ContentVersion`), which every save or delete of an article, section,
byline, author or key word changes in the same transaction (bulk writes too:
see `changes.py`), and with the day. A value is served only while its stamp
is current, so it is never served after the content behind it changed,
whichever process changed it, and nothing has to find and delete stale keys.
Values that depend on which articles are public also expire when the next
scheduled article comes out.

The cache stays bounded:
- a key names what is cached (an address, a piece of page data), never the
  version: a value computed under a newer version overwrites the retired one
  under the same key, so retired versions do not pile up; what nobody asks
  for again goes after `TIMEOUT`;
- a page's key is built only from canonical inputs: the configured site
  host (`SITE_HOST`, never the Host header: pages are rendered for that host
  too, so a stray port or alias cannot leave its name in a remembered page),
  the scheme, the path and, for paginated pages only, a page number written
  the canonical way (`?page=01` and the like redirect to `?page=1`, and what
  is not a number at all is a 404).

The cache is optional: an error or a timeout from it is logged, the value is
computed as if nothing were cached, and the cache is left alone for
`RETRY_AFTER` seconds, so a cache that is down or hangs costs each worker
one short timeout (see the socket timeouts in settings), not one per page.

Two things are remembered:
- whole public pages, by `public_page`, applied to views where the URLs are
  declared: pages that are the same for every reader at an address. They
  are sent with an `ETag` (a digest of the page) and `Cache-Control: public`
  with a short `max-age` and an `s-maxage` for shared caches; a matching
  `If-None-Match` gets a 304;
- data that several pages share, by `remember` (the key words and authors
  in use, the count behind a paginated list).
"""

import hashlib
import logging
import re
import secrets
import time
import weakref
from contextlib import contextmanager
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.cache import get_conditional_response, get_max_age, patch_cache_control
from django.utils.http import parse_http_date_safe

from authors.models import Author

from . import counts, editions, openings
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

logger = logging.getLogger(__name__)

# How long a value nobody asks for again stays; values still asked for are
# replaced as soon as the content changes.
TIMEOUT = 60 * 60
# After an error the cache is left alone for this long (per worker).
RETRY_AFTER = 10
WATCHED = [Article, Section, ArticleAuthor, TaggedArticle, Keyword, Author, Image, Document]
# Response headers a remembered page is served with (the rest come from middleware).
KEPT_HEADERS = ["Content-Type", "Content-Disposition", "Last-Modified", "X-Robots-Tag", "ETag"]
CANONICAL_PAGE = re.compile(r"[1-9][0-9]*")

try:
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is a dependency; this keeps the module importable
    RedisError = OSError
# What a cache backend raises when its server is down, slow or confused.
CACHE_ERRORS = (OSError, RedisError, EOFError)

# Per cache backend object (one per thread): when to try it again after an error.
_down_until = weakref.WeakKeyDictionary()


def _cache():
    return caches["default"]


def _cache_call(method, *args):
    """`cache.<method>(*args)`, or None when the cache fails or was failing a moment ago."""
    backend = _cache()
    if time.monotonic() < _down_until.get(backend, 0):
        return None
    try:
        return getattr(backend, method)(*args)
    except CACHE_ERRORS as error:
        _down_until[backend] = time.monotonic() + RETRY_AFTER
        logger.warning(
            "cache %s failed (%s: %s); computing pages without it for %s s",
            method,
            type(error).__name__,
            error,
            RETRY_AFTER,
        )
        return None


def cache_answers():
    """Whether the cache stores and returns a value now (for health checks);
    asks it even while `_cache_call` is leaving it alone."""
    token = secrets.token_hex(8)
    try:
        backend = _cache()
        backend.set("health", token, 30)
        return backend.get("health") == token
    except CACHE_ERRORS:
        return False


# Where a shared cache (Redis) keeps the content version, so that a
# remembered page is served without asking the database; and how long it is
# trusted before the database is asked again (which bounds how long a
# version that could not be written to the cache after a commit lives on).
VERSION_KEY = "content-version"
VERSION_TIMEOUT = 10


def shares_version():
    """Whether the cache is one every worker shares, so it may hold the version."""
    return settings.CACHES["default"]["BACKEND"].endswith("RedisCache")


def content_changed(sender=None, using=None, **kwargs):
    """Retire every cached value. A random value, not a counter, so a database
    restored from a backup cannot meet values cached before the restore.

    Inside `changes_batched()` the change is only noted, and the version is
    changed once when the batch ends."""
    connection = transaction.get_connection(using)
    if getattr(connection, "content_batch_depth", 0):
        connection.content_batch_changed = True
        return
    _bump_version(using)


def _bump_version(using=None):
    value = secrets.randbits(62)
    if not ContentVersion.objects.using(using).filter(pk=1).update(value=value):
        ContentVersion.objects.using(using).update_or_create(pk=1, defaults={"value": value})
    if shares_version():
        # Other workers learn the new version once it is committed, not
        # before: until then they must go on reading the old content under
        # the old version. (Several bumps in one transaction: the last wins.)
        transaction.on_commit(lambda: _publish_version(value), using)


def _publish_version(value):
    _cache_call("set", VERSION_KEY, value, VERSION_TIMEOUT)


@contextmanager
def changes_batched(using=None):
    """Change the content version once, at the end of the block, however many
    rows it writes (an import); and what is stored of the articles it
    touched (counts.py, openings.py).
    The version's row is then locked only from that moment to the commit,
    so editors saving meanwhile do not wait for the whole block. Use it
    inside the transaction that does the writing."""
    connection = transaction.get_connection(using)
    depth = getattr(connection, "content_batch_depth", 0)
    connection.content_batch_depth = depth + 1
    if not depth:
        connection.content_batch_changed = False
        counts.start_batch(using)
        openings.start_batch(using)
    try:
        yield
    finally:
        connection.content_batch_depth = depth
    if not depth and connection.content_batch_changed:
        _bump_version(using)
        # What is stored of the articles the block touched, made once.
        counts.flush(using)
        openings.flush(using)


def current_version():
    """The content version: from the shared cache when there is one (a
    remembered page then costs no query), else from the database. Inside a
    transaction, from the database, which knows the transaction's own changes."""
    cached = shares_version() and not transaction.get_connection().in_atomic_block
    if cached:
        value = _cache_call("get", VERSION_KEY)
        if value is not None:
            return value
    value = ContentVersion.objects.filter(pk=1).values_list("value", flat=True).first() or 0
    if cached:
        # `add`, not `set`: a version committed since the read above must not
        # be overwritten with this older one.
        _cache_call("add", VERSION_KEY, value, VERSION_TIMEOUT)
    return value


def next_publication():
    """When the next scheduled article comes out (None if none is waiting)."""
    scheduled = Article.objects.scheduled().order_by("published_at")
    return scheduled.values_list("published_at", flat=True).first()


def publication_waiting(request):
    """Whether some article is scheduled to come out later (read once a request)."""
    return _state(request).next_publication is not None


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

    @property
    def stamp(self):
        # The day is in the stamp, since pages print it (a citation's access
        # date) and say what is new. (The release is in every key: see KEY_PREFIX.)
        return (self.version, timezone.localdate().isoformat())


def _state(request):
    if request is None:
        return _RequestState()
    if not hasattr(request, "_content_state"):
        request._content_state = _RequestState()
    return request._content_state


def _full_key(key):
    return f"content:{editions.current()}:{key}"


def _lookup(state, full_key):
    """The value stored under `full_key`, or None if there is none still current."""
    entry = _cache_call("get", full_key)
    if entry is None:
        return None
    stamp, expires, value = entry
    if stamp == state.stamp and (expires is None or timezone.now() < expires):
        return value
    return None


def _store(state, full_key, expires, value):
    _cache_call("set", full_key, (state.stamp, expires, value), TIMEOUT)


def remember(key, compute, *, request=None, public=True):
    """`compute()`'s value for the current edition, computed once per content version.

    `public`: the value depends on which articles are public, so it is also
    recomputed once the next scheduled article's time has come.
    """
    state = _state(request)
    full_key = _full_key(key)
    value = _lookup(state, full_key)
    if value is None:
        # Read the expiry before computing, so an article that comes out in
        # between is at worst counted early and then recounted, never missed.
        expires = state.next_publication if public else None
        value = compute()
        _store(state, full_key, expires, value)
    return value


def recall(key, *, request=None):
    """What `remember` keeps under `key` for the content as it is, or None."""
    return _lookup(_state(request), _full_key(key))


def note(key, value, *, request=None):
    """Keep `value` under `key` until the content changes (see `remember`)."""
    _store(_state(request), _full_key(key), None, value)


def forget_page(request, path):
    """Drop the remembered page at `path`, so that its next reader gets it rendered anew."""
    _cache_call("delete", _full_key(_address_key(request.scheme, path, "")))


def site_host():
    return settings.SITE_HOST


def _page_number(request, param):
    """The page number asked for, as written in canonical addresses ("" for
    none), or a redirect to the canonical address; a 404 if it is no number."""
    values = request.GET.getlist(param)
    if not values:
        return "", None
    if len(values) == 1 and CANONICAL_PAGE.fullmatch(values[0]):
        return values[0], None
    try:
        # int() also reads "01", "+1", "1_0", " 1 " and other scripts' digits.
        number = int(values[-1])
    except ValueError:
        raise Http404("No such page.") from None
    if number < 1:
        raise Http404("No such page.")
    return None, HttpResponsePermanentRedirect(f"{request.path}?{param}={number}")


def _page_key(request, page):
    """What a public page depends on besides the content, the day and the
    edition: its address at the site's host, without the query string other
    than the page number, so that tracking parameters, host aliases and
    ports cannot fill the cache with copies."""
    return _address_key(request.scheme, request.path, page)


def _address_key(scheme, path, page):
    address = f"{scheme}://{site_host()}{path}?page={page}"
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


def _etag(content):
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def public_response(request, response):
    """Mark a response meant for everyone, which carries its ETag, as such;
    and answer a matching revalidation with a 304."""
    patch_cache_control(
        response,
        public=True,
        max_age=settings.PUBLIC_CACHE_MAX_AGE,
        s_maxage=settings.PUBLIC_CACHE_S_MAXAGE,
    )
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
        response=response,
    )


def _paginates(view):
    view_class = getattr(view, "view_class", None)
    return bool(getattr(view_class, "paginate_by", None))


def public_page(view, *, page_param=None):
    """Serve a public page from the cache while the content is unchanged.

    For views whose page is the same for every reader at an address: a
    success is remembered whole and sent as public for shared caches, with
    its ETag; errors, redirects and pages marked as not for caching
    (previews, drafts seen by staff) are neither. `page_param` names the
    view's page number parameter (found by itself for paginated
    class-based views); other views' pages do not depend on the query string.
    """
    page_param = page_param or ("page" if _paginates(view) else None)

    @wraps(view)
    def cached_view(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        page, redirect = _page_number(request, page_param) if page_param else ("", None)
        if redirect is not None:
            return redirect
        # Pages are rendered for the site's host, whatever alias or port the
        # request named, so that what is remembered matches the key.
        request.META["HTTP_HOST"] = site_host()
        request.META.pop("HTTP_X_FORWARDED_HOST", None)
        state = _state(request)
        full_key = _full_key(_page_key(request, page))
        stored = _lookup(state, full_key)
        if stored is not None:
            headers, content = stored
            response = HttpResponse(content)
            for name, value in headers.items():
                response[name] = value
            return public_response(request, response)
        expires = state.next_publication
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        if not _may_keep(response):
            return response
        response["ETag"] = _etag(response.content)
        headers = {name: response[name] for name in KEPT_HEADERS if name in response}
        _store(state, full_key, expires, (headers, response.content))
        return public_response(request, response)

    return cached_view


def connect_signals():
    bulk_written.connect(content_changed, dispatch_uid="content-bulk")
    for model in WATCHED:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-{model}")
