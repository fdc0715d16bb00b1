"""Page data remembered between requests, and how it goes stale.

Values are cached under the current content version (`ContentVersion`),
which every save or delete of an article, section, byline, author or key
word changes in the same transaction. A cached value is therefore never
served after the content behind it changed, whichever process changed it,
and nothing has to find and delete stale keys. Values that depend on which
articles are public also expire when the next scheduled article comes out.
"""

import secrets

from django.apps import apps
from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .changes import bulk_written

TIMEOUT = 24 * 60 * 60
WATCHED = [
    "articles.Article",
    "articles.Section",
    "articles.ArticleAuthor",
    "articles.TaggedArticle",
    "articles.Keyword",
    "authors.Author",
]


def content_changed(**kwargs):
    """Retire every cached value. A random value, not a counter, so a database
    restored from a backup cannot meet values cached before the restore."""
    versions = apps.get_model("articles", "ContentVersion").objects
    value = secrets.randbits(62)
    if not versions.filter(pk=1).update(value=value):
        versions.update_or_create(pk=1, defaults={"value": value})


def current_version():
    versions = apps.get_model("articles", "ContentVersion").objects
    return versions.filter(pk=1).values_list("value", flat=True).first() or 0


def next_publication():
    """When the next scheduled article comes out (None if none is waiting)."""
    scheduled = apps.get_model("articles", "Article").objects.scheduled()
    return scheduled.order_by("published_at").values_list("published_at", flat=True).first()


def remember(key, compute, *, version, public=True, expiry=next_publication):
    """`compute()`'s value, computed once per content version.

    `public`: the value depends on which articles are public, so it is also
    recomputed once the next scheduled article's time has come (`expiry()`
    says when that is; a page asking several values passes one answer).
    """
    full_key = f"content:{version}:{key}"
    entry = cache.get(full_key)
    now = timezone.now()
    if entry is not None and (entry[0] is None or now < entry[0]):
        return entry[1]
    # Read the expiry before computing, so an article that comes out in
    # between is at worst counted early and then recounted, never missed.
    expires = expiry() if public else None
    value = compute()
    cache.set(full_key, (expires, value), TIMEOUT)
    return value


def connect_signals():
    bulk_written.connect(content_changed, dispatch_uid="content-bulk")
    for label in WATCHED:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"content-{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-{label}")
