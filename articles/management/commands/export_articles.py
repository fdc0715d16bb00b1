from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange import export_json


class Command(BaseCommand):
    help = (
        "Write every author, key word and article, drafts included, as a JSON archive; "
        "with --dir, DIR/archive.json and the images and documents under DIR/media/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            help="write DIR/archive.json and the original images and documents under DIR/media/",
        )

    def handle(self, *args, **options):
        folder = options["dir"]
        if folder is None:
            self.stdout.write(export_json(), ending="")
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "archive.json").write_text(export_json(folder), encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write to {folder}: {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Exported to {folder / 'archive.json'}."))
