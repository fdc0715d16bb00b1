"""The opening words of each article, stored with it (`Article.excerpt`):
its description in lists and head tags when the editor wrote no summary,
read with the article instead of from its first section on every page.

They are made again, in the writer's transaction, whenever the article or
its sections are written, by save, delete or in bulk; inside
`caching.changes_batched()` (imports) once at the end, for every article
touched.
"""

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, Window
from django.db.models.functions import RowNumber

from . import richtext

# Articles whose first sections are read at once.
BATCH = 500
# The fields of a section its article's opening words depend on.
SECTION_FIELDS = {"body", "order", "article", "article_id"}


def refresh(article_ids, using=None):
    """Store the opening words of these articles' first sections."""
    from .models import Article, Section

    ids = sorted(set(article_ids) - {None})
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        first = Window(
            RowNumber(), partition_by=F("article_id"), order_by=[F("order").asc(), F("pk").asc()]
        )
        bodies = dict(
            Section.objects.using(using)
            .filter(article_id__in=chunk)
            .annotate(place=first)
            .filter(place=1)
            .values_list("article_id", "body")
        )
        # A plain queryset: the sections' own writes have announced the change.
        articles = models.QuerySet(Article).using(using)
        changed = [
            Article(pk=pk, excerpt=excerpt)
            for pk, stored in articles.filter(pk__in=chunk).values_list("pk", "excerpt")
            if (excerpt := richtext.excerpt(bodies[pk]) if pk in bodies else "") != stored
        ]
        articles.bulk_update(changed, ["excerpt"])


def touch(article_ids, using=None):
    """Refresh these articles' opening words now, or at the end of a batch."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    if getattr(connection, "content_batch_depth", 0):
        connection.openings_pending = getattr(connection, "openings_pending", None) or set()
        connection.openings_pending.update(article_ids)
    else:
        refresh(article_ids, using)


def start_batch(using=None):
    """Forget what an earlier batch that failed left noted."""
    connections[using or DEFAULT_DB_ALIAS].openings_pending = None


def flush(using=None):
    """Refresh what a batch noted (at the end of `caching.changes_batched()`)."""
    connection = connections[using or DEFAULT_DB_ALIAS]
    pending, connection.openings_pending = getattr(connection, "openings_pending", None), None
    if pending:
        refresh(pending, using)


# Signal receivers (connected in `connect_signals()`).


def article_saved(sender, instance, using=None, **kwargs):
    # Also when the article itself is saved: its form holds the opening words
    # as they were when it was read, and saves them back.
    touch([instance.pk], using)


def section_before_save(sender, instance, using=None, **kwargs):
    if instance.pk is not None:
        rows = sender._base_manager.using(using).filter(pk=instance.pk)
        instance._opening_of = rows.values_list("article_id", flat=True).first()


def section_written(sender, instance, using=None, origin=None, **kwargs):
    if _deletes_article(origin):
        # The article goes too: nothing to refresh.
        return
    moved_from = instance.__dict__.pop("_opening_of", None)
    touch([instance.article_id, moved_from], using)


def _deletes_article(origin):
    model = origin.model if isinstance(origin, models.QuerySet) else type(origin)
    return getattr(model, "_meta", None) is not None and model._meta.model_name == "article"


def sections_written(sender, objs=None, fields=None, using=None, **kwargs):
    """Sections written in bulk: their articles (`SectionQuerySet.update()`
    refreshes its own)."""
    if sender._meta.model_name != "section" or objs is None:
        return
    if fields is not None and {"article", "article_id"} & fields:
        # Sections moved to other articles, from articles not known: all of them.
        touch(
            sender._meta.get_field("article").related_model.objects.values_list("pk", flat=True),
            using,
        )
    elif fields is None or SECTION_FIELDS & fields:
        touch([section.article_id for section in objs], using)


def connect_signals():
    from django.db.models.signals import post_delete, post_save, pre_save

    from . import changes
    from .models import Article, Section

    post_save.connect(article_saved, sender=Article, dispatch_uid="openings-article")
    pre_save.connect(section_before_save, sender=Section, dispatch_uid="openings-section")
    post_save.connect(section_written, sender=Section, dispatch_uid="openings-section")
    post_delete.connect(section_written, sender=Section, dispatch_uid="openings-section")
    changes.bulk_written.connect(sections_written, dispatch_uid="openings-bulk")
