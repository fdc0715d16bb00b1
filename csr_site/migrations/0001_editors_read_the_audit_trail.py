"""Editors may read the audit trail (the admin log); no one may change it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def allow(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.get(content_type__app_label="admin", codename="view_logentry")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.add(view)


def disallow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    view = Permission.objects.filter(content_type__app_label="admin", codename="view_logentry")
    for group in Group.objects.filter(name="Editors"):
        group.permissions.remove(*view)


class Migration(migrations.Migration):
    dependencies = [
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("articles", "0004_groups"),
    ]
    operations = [migrations.RunPython(allow, disallow)]
