"""The two editorial groups and what each may do."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Editors": {
        "articles": {
            "article": ["add", "change", "delete", "view"],
            "section": ["add", "change", "delete", "view"],
            "articleauthor": ["add", "change", "delete", "view"],
            "keyword": ["add", "change", "delete", "view"],
            "taggedarticle": ["add", "change", "delete", "view"],
            "previewlink": ["add", "change", "delete", "view"],
        },
        "authors": {"author": ["view"]},
    },
    "Author managers": {
        "authors": {"author": ["add", "change", "delete", "view"]},
    },
}


def make_groups(apps, schema_editor):
    # Permissions are normally made after all migrations have run; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, apps_models in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, models in apps_models.items():
            for model, actions in models.items():
                group.permissions.add(
                    *Permission.objects.filter(
                        content_type__app_label=app_label,
                        codename__in=[f"{action}_{model}" for action in actions],
                    )
                )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_workflow"),
        ("authors", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]
