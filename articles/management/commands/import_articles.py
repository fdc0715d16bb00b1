import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange import ArchiveError, import_file


class Progress:
    """A progress line on standard error, redrawn at most a few times a second."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = 0.0
        self.began = time.monotonic()

    def __call__(self, stage, done, total):
        now = time.monotonic()
        if now - self.shown < 0.2 and done != total:
            return
        self.shown = now
        rate = done / max(now - self.began, 1e-6)
        if total:
            width = 30
            filled = width * done // total
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,}"
        else:
            bar = f"{done:,}"
        label = "Checking" if stage == "check" else "Writing "
        self.stream.write(f"\r{label} articles {bar} ({rate:,.0f}/s)  ")
        self.stream.flush()
        if stage == "check":
            return
        if done == total:
            self.stream.write("\n")

    def stage_done(self):
        self.began = time.monotonic()


class Command(BaseCommand):
    help = "Import authors, key words and articles from a JSON archive (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the JSON file, as written by export_articles")
        parser.add_argument(
            "--no-progress", action="store_true", help="print no progress line on stderr"
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            with path.open("rb"):
                pass
        except OSError as error:
            raise CommandError(f"cannot read {path}: {error}") from None
        progress = None
        if not options["no_progress"] and sys.stderr.isatty():
            progress = self._progress(sys.stderr)
        try:
            result = import_file(path, progress)
        except ArchiveError as error:
            raise CommandError(f"{path}: nothing was imported.\n{error}") from None
        self.stdout.write(self.style.SUCCESS(f"Imported {path}. {result}"))

    def _progress(self, stream):
        bar = Progress(stream)
        stage = ["check"]

        def report(name, done, total):
            if name != stage[0]:
                # Checking is over: end its line, and time writing on its own.
                stream.write("\n")
                stage[0] = name
                bar.stage_done()
            bar(name, done, total)

        return report
