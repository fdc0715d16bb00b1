"""The image library: lead images become library images chosen by foreign key.

Each article's image file, description and caption become an image of the
library (with the photo credit as its credit; the article keeps its
`photo_credit` too). The files stay where they are; their renditions are
made by `python manage.py make_renditions`.
"""

import hashlib

import django.db.models.deletion
from django.core.files.storage import default_storage
from django.db import migrations, models

import articles.images
import articles.richtext


def library_image(Image, name, **text):
    """The library image for the stored file `name`, made once per file."""
    image = Image.objects.filter(file=name).first()
    if image is not None:
        return image
    sha256 = None
    width = height = 0
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            digest = hashlib.sha256()
            for chunk in iter(lambda: stored.read(1 << 20), b""):
                digest.update(chunk)
            sha256 = digest.hexdigest()
        same = Image.objects.filter(sha256=sha256).first()
        if same is not None:
            return same
        try:
            from PIL import Image as Pillow, ImageOps

            with default_storage.open(name, "rb") as stored, Pillow.open(stored) as picture:
                width, height = ImageOps.exif_transpose(picture).size
        except Exception:
            pass
    return Image.objects.create(file=name, sha256=sha256, width=width, height=height, **text)


def into_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    Image = apps.get_model("articles", "Image")
    for article in Article.objects.exclude(image="").exclude(image__isnull=True).order_by("pk"):
        article.library_image = library_image(
            Image,
            article.image.name,
            alt=article.image_alt,
            caption=article.image_caption,
            credit=article.photo_credit,
        )
        article.save(update_fields=["library_image"])


def out_of_library(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.exclude(library_image=None).select_related("library_image"):
        picture = article.library_image
        article.image = picture.file.name
        article.image_alt = picture.alt
        article.image_caption = picture.caption
        article.save(update_fields=["image", "image_alt", "image_caption"])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0012_keyword_name_plain_text"),
    ]

    operations = [
        migrations.CreateModel(
            name='Image',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(help_text='A JPEG, PNG, WebP or AVIF image, up to 25 MB and 50 megapixels. Readers get copies made for the screen, never this file.', max_length=200, upload_to=articles.images.original_name, verbose_name='file')),
                ('alt', models.CharField(blank=True, help_text='What the image shows, for readers who cannot see it.', max_length=300, validators=[articles.richtext.validate_plain_text], verbose_name='text alternative')),
                ('decorative', models.BooleanField(default=False, help_text='Tick only if the image adds nothing to the text; it then needs no alt text.', verbose_name='decorative')),
                ('caption', models.CharField(blank=True, max_length=300, validators=[articles.richtext.validate_plain_text], verbose_name='caption')),
                ('credit', models.CharField(blank=True, help_text='e.g. Sputnik News', max_length=200, validators=[articles.richtext.validate_plain_text], verbose_name='credit')),
                ('width', models.PositiveIntegerField(default=0, editable=False, verbose_name='width')),
                ('height', models.PositiveIntegerField(default=0, editable=False, verbose_name='height')),
                ('sha256', models.CharField(editable=False, max_length=64, null=True, unique=True)),
                ('renditions', models.JSONField(blank=True, default=dict, editable=False)),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last changed')),
            ],
            options={
                'verbose_name': 'image',
                'verbose_name_plural': 'images',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name="article",
            name="library_image",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="articles.image",
                verbose_name="image",
            ),
        ),
        migrations.RunPython(into_library, out_of_library),
        migrations.RemoveField(model_name="article", name="image"),
        migrations.RemoveField(model_name="article", name="image_alt"),
        migrations.RemoveField(model_name="article", name="image_caption"),
        migrations.RenameField(model_name="article", old_name="library_image", new_name="image"),
        migrations.AlterField(
            model_name="article",
            name="image",
            field=models.ForeignKey(
                blank=True,
                help_text="The lead image, from the image library; its caption and credit come with it.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="articles",
                to="articles.image",
                verbose_name="image",
            ),
        ),
        migrations.AlterField(
            model_name="article",
            name="photo_credit",
            field=models.CharField(
                blank=True,
                help_text="Printed when the image has no credit of its own, or when there is no image.",
                max_length=200,
                validators=[articles.richtext.validate_plain_text],
                verbose_name="photo credit",
            ),
        ),
    ]
