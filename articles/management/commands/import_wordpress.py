import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.wordpress import WordPressError, import_wordpress


class Progress:
    """A progress line on the command's standard error, redrawn every `every` posts."""

    def __init__(self, stream, every=200):
        self.stream, self.every, self.started = stream, every, time.monotonic()

    def __call__(self, done, total):
        if done % self.every and done != total:
            return
        share = done / total if total else 1
        bar = "#" * int(share * 30)
        seconds = time.monotonic() - self.started
        ending = "\n" if done == total else ""
        self.stream.write(f"\r[{bar:<30}] {done}/{total} posts, {seconds:.0f} s", ending=ending)
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import posts, authors, categories and tags from a WordPress export (WXR) file "
        "(all or nothing; running it again changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export, from WordPress's Tools › Export")
        parser.add_argument(
            "--media-dir",
            help="a copy of the blog's wp-content/uploads folder, for featured images",
        )
        parser.add_argument(
            "--language",
            choices=["en", "fa"],
            help="the language of every post (default: found from each post's letters)",
        )
        parser.add_argument(
            "--time-zone",
            help="the blog's time zone, for posts with no UTC date, such as drafts "
            "(default: the site's)",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        media_dir = options["media_dir"]
        if media_dir and not Path(media_dir).is_dir():
            raise CommandError(f"{media_dir}: no such folder.")
        progress = Progress(self.stderr) if options["verbosity"] else None
        try:
            result = import_wordpress(
                path,
                media_dir=media_dir,
                language=options["language"],
                time_zone=options["time_zone"],
                progress=progress,
            )
        except WordPressError as error:
            raise CommandError(f"{path}: nothing was imported.\n{path}, {error}") from None
        except (KeyError, ValueError) as error:
            raise CommandError(f"{path}: nothing was imported. {error}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {path}."))
        for line in result.lines():
            self.stdout.write(line)
