from django.core.management.base import BaseCommand

from articles.models import Image


class Command(BaseCommand):
    help = (
        "Make the renditions of every image in the library that lacks current ones "
        "(all of them with --all)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="remake current renditions too")

    def handle(self, *args, **options):
        images = list(Image.objects.order_by("pk"))
        todo = [image for image in images if options["all"] or not image.renditions_current]
        self.stdout.write(f"{len(images)} images, {len(todo)} to make.")
        failed = 0
        for done, image in enumerate(todo, 1):
            try:
                image.make_renditions()
            except Exception as error:  # One bad file must not stop the rest.
                failed += 1
                self.stderr.write(f"\n{image.file.name}: {error}")
            self.progress(done, len(todo))
        if todo:
            self.stdout.write("")
        if failed:
            self.stderr.write(self.style.ERROR(f"{failed} images could not be made."))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(f"Made the renditions of {len(todo)} images."))

    def progress(self, done, total, width=40):
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stdout.write(f"\r[{bar}] {done}/{total}", ending="")
        self.stdout.flush()
