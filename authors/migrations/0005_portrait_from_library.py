"""Portraits become images of the library, chosen by foreign key.

Each portrait file becomes a library image described as "Portrait of <name>"
(the text the author page printed); renditions are made by
`python manage.py make_renditions`.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

library_image = importlib.import_module("articles.migrations.0013_image_library").library_image


def into_library(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    Image = apps.get_model("articles", "Image")
    for author in Author.objects.exclude(portrait="").exclude(portrait__isnull=True).order_by("pk"):
        author.library_portrait = library_image(
            Image, author.portrait.name, alt=f"Portrait of {author.name}"
        )
        author.save(update_fields=["library_portrait"])


def out_of_library(apps, schema_editor):
    Author = apps.get_model("authors", "Author")
    for author in Author.objects.exclude(library_portrait=None).select_related("library_portrait"):
        author.portrait = author.library_portrait.file.name
        author.save(update_fields=["portrait"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_image_library"),
        ("authors", "0004_more_plain_text_validators"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="library_portrait",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="portrayed",
                to="articles.image",
                verbose_name="portrait",
            ),
        ),
        migrations.RunPython(into_library, out_of_library),
        migrations.RemoveField(model_name="author", name="portrait"),
        migrations.RenameField(
            model_name="author", old_name="library_portrait", new_name="portrait"
        ),
        migrations.AlterField(
            model_name="author",
            name="portrait",
            field=models.ForeignKey(
                blank=True,
                help_text="From the image library.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="portrayed",
                to="articles.image",
                verbose_name="portrait",
            ),
        ),
    ]
