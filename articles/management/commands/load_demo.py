import secrets
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from articles.interchange import import_json
from articles.models import Article

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# The sample archive; its images and documents, in demo/media/, are drawn
# and written by articles/demo/draw.py.
DEMO_FILE = DEMO_DIR / "demo.json"


class Command(BaseCommand):
    help = "Fill an empty database with sample articles; optionally make an admin login."

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin",
            action="store_true",
            help='create or reset the superuser "admin" with a new random password, and print it',
        )

    def handle(self, *args, **options):
        if Article.objects.exists():
            self.stdout.write("The database already has articles; no sample content loaded.")
        else:
            result = import_json(DEMO_FILE.read_text(encoding="utf-8"), DEMO_DIR)
            self.stdout.write(self.style.SUCCESS(f"Sample content loaded. {result}"))
        if options["admin"]:
            password = secrets.token_urlsafe(12)
            user, _ = get_user_model().objects.get_or_create(
                username="admin", defaults={"email": "admin@example.org"}
            )
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
            self.stdout.write(
                self.style.SUCCESS(f"Admin login: user 'admin', password '{password}' at /admin/")
            )
