import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange import ArchiveError, import_file

STAGES = {"check": "Checking", "write": "Writing"}


class Progress:
    """How far the import has come, on standard error: on a terminal a bar
    redrawn in place, at most a few times a second; elsewhere (a log) a
    line at each tenth of the way."""

    WIDTH = 30

    def __init__(self, stream, terminal):
        self.stream, self.terminal = stream, terminal
        self.stage, self.began, self.drawn, self.tenths = None, 0.0, 0.0, -1

    def __call__(self, stage, done, total):
        now = time.monotonic()
        if stage != self.stage:
            self.stage, self.began, self.drawn, self.tenths = stage, now, 0.0, -1
        finished = done >= total
        share = done / total if total else 1.0
        label = f"{STAGES[stage]} articles"
        rate = f"{done / max(now - self.began, 1e-6):,.0f}/s"
        if self.terminal:
            if now - self.drawn < 0.2 and not finished:
                return
            self.drawn = now
            filled = round(self.WIDTH * share)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            line = f"\r{label} [{bar}] {done:,}/{total:,} {share:4.0%} {rate}  "
            self.stream.write(line + ("\n" if finished else ""))
        else:
            tenths = int(share * 10)
            if tenths == self.tenths:
                return
            self.tenths = tenths
            self.stream.write(f"{label}: {done:,}/{total:,} ({share:.0%}, {rate})\n")
        self.stream.flush()


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
        parser.add_argument(
            "--no-progress", action="store_true", help="write no progress on standard error"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb"):
                pass
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        progress = None
        if not options["no_progress"]:
            progress = Progress(self.stderr, self.stderr.isatty())
        try:
            result = import_file(path, progress)
        except ArchiveError as error:
            raise CommandError(f"{path}: nothing was imported.\n{error}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {path}. {result}"))
