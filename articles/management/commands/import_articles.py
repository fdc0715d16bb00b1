from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange import ArchiveError, import_json


class Command(BaseCommand):
    help = (
        "Import authors, key words, articles and their images and documents from a JSON "
        "archive (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "file",
            help="the JSON file, as written by export_articles; the files it names are "
            "found relative to its folder",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        try:
            result = import_json(text, path.resolve().parent)
        except ArchiveError as error:
            raise CommandError(f"{path}: nothing was imported.\n{error}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {path}. {result}"))
