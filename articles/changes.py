"""Writes that change what readers see, announced for whoever keeps derived data.

Saves and deletes announce themselves through Django's `post_save` and
`post_delete`; bulk writes (`update()`, `bulk_create()`, `bulk_update()`)
skip those, so the querysets of the models readers see send `bulk_written`
instead. The cache (`caching.py`) listens to both.

This module imports no models, so both apps' models can use it.
"""

from django.db import models, transaction
from django.dispatch import Signal

# Sent after a bulk write, inside its transaction; `sender` is the model.
bulk_written = Signal()


class ContentQuerySet(models.QuerySet):
    """For the models readers see: bulk writes announce themselves.

    The announcement comes after the write and in the same transaction, so
    whatever it retires cannot be paired with the old content.
    """

    def _announced(self, write, *args, **kwargs):
        with transaction.atomic(using=self.db):
            result = write(*args, **kwargs)
            bulk_written.send(sender=self.model)
        return result

    def update(self, **kwargs):
        return self._announced(super().update, **kwargs)

    def bulk_create(self, *args, **kwargs):
        return self._announced(super().bulk_create, *args, **kwargs)

    def bulk_update(self, *args, **kwargs):
        return self._announced(super().bulk_update, *args, **kwargs)
