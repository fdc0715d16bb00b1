from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = _("Articles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import caching, counts, openings, search, versions  # noqa: F401 - versions registers

        # The cache's receivers first: the stored counts are made again
        # once the content version's row is held (see counts.py).
        caching.connect_signals()
        search.connect_signals()
        counts.connect_signals()
        openings.connect_signals()
