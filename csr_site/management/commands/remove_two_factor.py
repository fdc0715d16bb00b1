"""Turn two-factor sign-in off for a staff member who lost their phone and backup codes."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from csr_site.audit import record
from csr_site.security import remove_devices


class Command(BaseCommand):
    help = (
        "Remove a user's two-factor devices and backup codes, so they can sign in with "
        "their password and enrol again."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        count = remove_devices(user)
        record(None, user, "Two-factor sign-in removed from the command line")
        self.stdout.write(f"Removed {count} two-factor device(s) of {username}.")
