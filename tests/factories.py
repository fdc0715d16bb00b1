"""Factories for the site's models."""

import datetime
import io

import factory
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone
from PIL import Image as Pillow
from PIL import ImageDraw
from pypdf import PdfWriter

from articles.models import Article, ArticleAuthor, Document, Image, Section
from authors.models import Author


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number{n}")
    slug = factory.Sequence(lambda n: f"author-{n}")
    position = "Researcher of Eurasia Studies"
    affiliation = "The Center for Strategic Research (CSR), Tehran"
    bio = "<p>Writes about the region.</p>"


class ArticleFactory(factory.django.DjangoModelFactory):
    """A published article from a few days ago, with one author and one section.

    `authors`, `sections` (a number or a list of headings) and `keywords`
    can be given to build bigger ones.
    """

    class Meta:
        model = Article
        skip_postgeneration_save = True

    @classmethod
    def _generate(cls, strategy, params):
        # As if the article, its bylines, sections and key words were saved
        # and committed: what runs on commit (search indexing) runs, though
        # each test is one transaction that is never committed.
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super()._generate(strategy, params)

    title = factory.Sequence(lambda n: f"Analysis number {n}")
    slug = factory.Sequence(lambda n: f"analysis-{n}")
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=3))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        authors = [AuthorFactory()] if extracted is None else extracted
        for order, author in enumerate(authors):
            ArticleAuthor.objects.create(article=self, author=author, order=order)

    @factory.post_generation
    def sections(self, create, extracted, **kwargs):
        headings = [""] if extracted is None else extracted
        if isinstance(headings, int):
            headings = [""] + [f"Part {n}" for n in range(1, headings)]
        for order, heading in enumerate(headings):
            Section.objects.create(
                article=self,
                order=order,
                heading=heading,
                body=f"<p>Text of part {order} of {self.title}.</p>",
            )

    @factory.post_generation
    def keywords(self, create, extracted, **kwargs):
        if extracted:
            self.keywords.add(*extracted)


def picture_bytes(width=800, height=500, format="JPEG", mode="RGB", **options):
    """An image file made with Pillow: a gradient with some texture, like a photograph."""
    picture = Pillow.linear_gradient("L").resize((width, height)).convert(mode)
    draw = ImageDraw.Draw(picture)
    for n in range(0, width, max(1, width // 12)):
        draw.ellipse(
            (n, height // 3, n + width // 10, height // 2), fill=(200, 90, 40, 255)[: len(mode)]
        )
    out = io.BytesIO()
    picture.save(out, format, **options)
    return out.getvalue()


class ImageFactory(factory.django.DjangoModelFactory):
    """A library image whose renditions are made as on upload."""

    class Meta:
        model = Image

    file = factory.LazyFunction(lambda: ContentFile(picture_bytes(), name="photo.jpg"))
    alt = "Delegates around a table"
    caption = "The talks in Vienna."
    credit = "Sputnik News"


def pdf_bytes(pages=1, password=None):
    """A small PDF of `pages` blank pages (locked with `password`, if given)."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(user_password=password, owner_password=password + "-owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name="report.pdf", pages=1, password=None):
    return SimpleUploadedFile(name, pdf_bytes(pages, password), "application/pdf")


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document of an article, with a PDF of `pages` pages."""

    class Meta:
        model = Document

    class Params:
        pages = 2

    title = factory.Sequence(lambda n: f"Report number {n}")
    file = factory.LazyAttribute(lambda document: pdf_upload(pages=document.pages))
