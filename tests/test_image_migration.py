"""Today's article images and portraits move into the image library."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .factories import picture_bytes

BEFORE = [
    ("articles", "0012_keyword_name_plain_text"),
    ("authors", "0004_more_plain_text_validators"),
]
AFTER = [("articles", "0013_image_library"), ("authors", "0005_portrait_from_library")]


@pytest.fixture
def back_to_the_latest():
    """The database as the other tests expect it: every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_images_and_portraits_become_library_images(back_to_the_latest):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    photo = default_storage.save(
        "articles/2016/putin-obama.jpg", ContentFile(picture_bytes(640, 400))
    )
    face = default_storage.save("authors/sara.jpg", ContentFile(picture_bytes(300, 300)))
    Author = old.get_model("authors", "Author")
    Article = old.get_model("articles", "Article")
    author = Author.objects.create(name="Sara Karimi", slug="sara-karimi", portrait=face)
    now = timezone.now()
    common = {"published_at": now, "publish_date": now.date(), "image": photo}
    Article.objects.create(
        title="A",
        slug="a",
        image_alt="Two presidents",
        image_caption="In Paris.",
        photo_credit="Photo Credit: Sputnik News",
        **common,
    )
    Article.objects.create(title="B", slug="b", image_alt="Same file", **common)
    Article.objects.create(
        title="C", slug="c", photo_credit="Credit only", published_at=now, publish_date=now.date()
    )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Image = new.get_model("articles", "Image")
    Article = new.get_model("articles", "Article")
    a, b, c = (Article.objects.get(slug=slug) for slug in "abc")
    assert a.image_id == b.image_id  # One file, one library image.
    image = Image.objects.get(pk=a.image_id)
    assert (image.file.name, image.alt, image.caption) == (photo, "Two presidents", "In Paris.")
    assert image.credit == "Photo Credit: Sputnik News" and a.photo_credit == image.credit
    assert (image.width, image.height) == (640, 400) and len(image.sha256) == 64
    assert c.image_id is None and c.photo_credit == "Credit only"
    portrait = new.get_model("authors", "Author").objects.get(pk=author.pk).portrait
    assert portrait.file.name == face and portrait.alt == "Portrait of Sara Karimi"
    assert Image.objects.count() == 2
