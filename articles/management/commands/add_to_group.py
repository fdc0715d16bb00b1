from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = 'Add a user to a group ("Editors" or "Author managers") and let them use the admin.'

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("group", help='the group name, e.g. "Editors"')

    def handle(self, *args, username, group, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {username!r}") from None
        try:
            found = Group.objects.get(name=group)
        except Group.DoesNotExist:
            names = ", ".join(repr(g) for g in Group.objects.values_list("name", flat=True))
            raise CommandError(f"no group {group!r}; there are {names}") from None
        user.groups.add(found)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        self.stdout.write(self.style.SUCCESS(f"{username} is now in {found.name}."))
