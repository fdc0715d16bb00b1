from django.core.management.base import BaseCommand
from django.db import transaction

from articles import caching, counts


class Command(BaseCommand):
    help = (
        "Count again the published articles of every key word, author and month "
        "(the counts are otherwise kept current on every write)."
    )

    def handle(self, *args, **options):
        with transaction.atomic():
            # Pages showing the old counts are retired, and no writer counts meanwhile.
            caching.content_changed()
            counts.recount(keywords=counts.ALL, authors=counts.ALL, months=counts.ALL)
        self.stdout.write(self.style.SUCCESS("Counted every key word, author and month again."))
