from django.core.management.base import BaseCommand

from articles.interchange import export_json


class Command(BaseCommand):
    help = "Write every author, key word and article, drafts included, as a JSON archive."

    def handle(self, *args, **options):
        self.stdout.write(export_json(), ending="")
