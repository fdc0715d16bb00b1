"""Writes that change what readers see, announced for whoever keeps derived data.

Saves and deletes announce themselves through Django's `post_save` and
`post_delete`; bulk writes (`update()`, `bulk_create()`, `bulk_update()`)
skip those, so the querysets of the models readers see send `bulk_written`
instead. The cache (`caching.py`) listens to both.

This module imports no models, so both apps' models can use it.
"""

from django.db import models, transaction
from django.dispatch import Signal

# Sent after a bulk write, inside its transaction (on the database `using`);
# `sender` is the model,
# `objs` the rows written (bulk_create, bulk_update; None for update(), which
# does not say which rows it changed), `fields` the fields written (None for
# bulk_create: all of them).
bulk_written = Signal()


class ContentQuerySet(models.QuerySet):
    """For the models readers see: bulk writes announce themselves.

    The announcement comes after the write and in the same transaction, so
    whatever it retires cannot be paired with the old content.
    """

    def _announced(self, write, *args, objs=None, fields=None, **kwargs):
        with transaction.atomic(using=self.db):
            result = write(*args, **kwargs)
            bulk_written.send(sender=self.model, objs=objs, fields=fields, using=self.db)
        return result

    def update(self, **kwargs):
        return self._announced(super().update, fields=set(kwargs), **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        return self._announced(super().bulk_create, objs, *args, objs=objs, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs = list(objs)
        return self._announced(
            super().bulk_update, objs, fields, *args, objs=objs, fields=set(fields), **kwargs
        )
