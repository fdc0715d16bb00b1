"""The image library: every picture the site shows, with its text alternative,
caption and credit, and the renditions readers are sent instead of the original.

An article's lead image, an author's portrait and the figures in section
bodies all point here, so the caption and credit travel with the picture.
"""

import posixpath
import secrets

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.functional import cached_property
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from . import renditions, richtext
from .changes import ContentQuerySet

# The `sizes` of a picture as wide as the text column (38rem, less the
# page's margins on a phone).
COLUMN_SIZES = "(min-width: 42rem) 38rem, calc(100vw - 2rem)"


def original_name(image, filename):
    """A random name, so that no address can be guessed from the uploaded file's name;
    the extension is the one of the format found in the content."""
    extension = getattr(image, "_extension", None) or posixpath.splitext(filename)[1][1:]
    return f"images/originals/{secrets.token_urlsafe(16)}.{extension.lower() or 'bin'}"


class Image(models.Model):
    file = models.FileField(
        _("file"),
        upload_to=original_name,
        max_length=200,
        help_text=_(
            "A JPEG, PNG, WebP or AVIF image, up to 25 MB and 50 megapixels. Readers get "
            "copies made for the screen, never this file."
        ),
    )
    alt = models.CharField(
        _("text alternative"),
        max_length=300,
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    decorative = models.BooleanField(
        _("decorative"),
        default=False,
        help_text=_("Tick only if the image adds nothing to the text; it then needs no alt text."),
    )
    caption = models.CharField(
        _("caption"), max_length=300, blank=True, validators=[richtext.validate_plain_text]
    )
    credit = models.CharField(
        _("credit"),
        max_length=200,
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("e.g. Sputnik News"),
    )
    # The size of the picture as seen (EXIF orientation applied).
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    # The digest of the original, to find the same file uploaded twice (null,
    # not blank, for files migrated before they could be read: unique allows
    # many nulls).
    sha256 = models.CharField(  # noqa: DJ001
        max_length=64, null=True, unique=True, editable=False
    )
    # The renditions made: {"spec": renditions.SPEC, "files": [...]}. Kept on
    # the row so a page showing the image needs no query more than the image.
    renditions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self):
        label = self.alt or self.caption or posixpath.basename(self.file.name or "")
        return f"#{self.pk} {Truncator(label).chars(60)}" if self.pk else label

    def save(self, *args, **kwargs):
        uploaded = bool(self.file) and not self.file._committed
        replaced = []
        if self.pk and uploaded:
            previous = Image.objects.filter(pk=self.pk).first()
            if previous is not None:
                replaced = previous.stored_names()
        if uploaded:
            # The admin form has checked the file already; this covers every other path.
            facts = renditions.inspect(self.file)
            self._extension = facts.extension
            self.width, self.height, self.sha256 = facts.width, facts.height, facts.sha256
            self.renditions = {}
        if not uploaded:
            super().save(*args, **kwargs)
            return
        try:
            super().save(*args, **kwargs)
            self.make_renditions()
        except BaseException:
            # A refused save leaves no file behind.
            if self.file._committed:
                renditions.delete([self.file.name])
            raise
        if replaced:
            transaction.on_commit(lambda: renditions.delete(replaced))

    def clean(self):
        super().clean()
        if not self.decorative and not self.alt.strip():
            raise ValidationError(
                {"alt": _("Describe the image, or tick “decorative” if it adds nothing.")},
                code="alt_required",
            )

    def make_renditions(self):
        """Make this image's renditions now (from its stored original) and keep
        their list; the former renditions are deleted once that is saved."""
        former = self.rendition_names()
        made = renditions.make(self.file, secrets.token_urlsafe(12))
        self.renditions = {"spec": renditions.SPEC, "files": made}
        try:
            Image.objects.filter(pk=self.pk).update(renditions=self.renditions)
        except BaseException:
            renditions.delete([item["name"] for item in made])
            raise
        self.__dict__.pop("_files", None)
        transaction.on_commit(lambda: renditions.delete(former))

    @property
    def renditions_current(self):
        return self.renditions.get("spec") == renditions.SPEC and bool(self._files)

    def rendition_names(self):
        return [item["name"] for item in self.renditions.get("files", [])]

    def stored_names(self):
        """Every file this image keeps in storage: the original and its renditions."""
        return [self.file.name, *self.rendition_names()]

    # What templates print. Addresses come from the storage, with no query.

    @cached_property
    def _files(self):
        files = [dict(item) for item in self.renditions.get("files", [])]
        for item in files:
            item["url"] = default_storage.url(item["name"])
        return files

    def _of(self, extension):
        return [item for item in self._files if item["format"] == extension]

    @cached_property
    def fallback_format(self):
        return "png" if self._of("png") else "jpg"

    @property
    def sources(self):
        """The `<source>`s of a `<picture>`: AVIF, then WebP, each with its widths."""
        return [
            {"type": items[0]["type"], "srcset": _srcset(items)}
            for items in (self._of("avif"), self._of("webp"))
            if items
        ]

    @cached_property
    def fallback(self):
        """The `<img>`: JPEG (or PNG) widths, its `src` the one nearest 720 pixels
        wide, and the picture's `width` and `height` (for the aspect ratio)."""
        items = self._of(self.fallback_format)
        if not items:
            return None
        widest = items[-1]
        src = next((item for item in items if item["width"] >= 720), widest)
        return {
            "src": src["url"],
            "srcset": _srcset(items),
            "width": widest["width"],
            "height": widest["height"],
        }

    @cached_property
    def shared(self):
        """The copy for other sites (Open Graph, feeds, JSON-LD): the JPEG or PNG
        nearest 1080 pixels wide."""
        items = self._of(self.fallback_format)
        if not items:
            return None
        return next((item for item in items if item["width"] >= 1080), items[-1])

    @property
    def thumbnail(self):
        items = self._of(self.fallback_format)
        return items[0] if items else None

    @property
    def alt_text(self):
        """What `alt` says: nothing for a decorative image."""
        return "" if self.decorative else self.alt


def _srcset(items):
    return ", ".join(f"{item['url']} {item['width']}w" for item in items)


@receiver(post_delete, sender=Image)
def _delete_files(sender, instance, **kwargs):
    names = instance.stored_names()
    transaction.on_commit(lambda: renditions.delete(names))
