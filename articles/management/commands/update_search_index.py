from django.core.management.base import BaseCommand

from articles.models import Article
from articles.search import index_articles


class Command(BaseCommand):
    help = "Recompute the search data of every article (it is otherwise kept current on save)."

    def handle(self, *args, **options):
        ids = list(Article.objects.values_list("pk", flat=True))
        for start in range(0, len(ids), 500):
            index_articles(ids[start : start + 500])
        self.stdout.write(self.style.SUCCESS(f"Indexed {len(ids)} articles."))
