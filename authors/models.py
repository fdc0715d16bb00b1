"""Author profiles, kept by staff."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from articles import editions, redirects, richtext
from articles.changes import ContentQuerySet


class Author(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[richtext.validate_plain_text])
    name_fa = models.CharField(
        _("name in Persian"),
        max_length=200,
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("Shown in the Persian edition; the English name is used when blank."),
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True, allow_unicode=True)
    position = models.CharField(
        _("position"),
        max_length=300,
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("e.g. Researcher of Eurasia Studies"),
    )
    affiliation = models.CharField(
        _("affiliation"),
        max_length=300,
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("e.g. The Center for Strategic Research (CSR), Tehran"),
    )
    position_fa = models.CharField(
        _("position in Persian"),
        max_length=300,
        blank=True,
        validators=[richtext.validate_plain_text],
    )
    affiliation_fa = models.CharField(
        _("affiliation in Persian"),
        max_length=300,
        blank=True,
        validators=[richtext.validate_plain_text],
    )
    bio = models.TextField(_("biography"), blank=True)
    portrait = models.ForeignKey(
        "articles.Image",
        verbose_name=_("portrait"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="portrayed",
        help_text=_("From the image library."),
    )
    email = models.EmailField(_("email"), blank=True, help_text=_("Staff only; never shown."))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Offered when adding authors to articles.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.bio = richtext.clean(self.bio)
        # An author whose slug changes keeps the old address leading to the profile.
        old_path = redirects.address_before_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        redirects.moved(self, old_path)

    def get_absolute_url(self):
        return editions.reverse_in(editions.current(), "authors:detail", slug=self.slug)

    def name_in(self, language=None):
        """The name in `language` (the current edition's), if given, else in English."""
        return editions.localised(self.name, self.name_fa, language)

    @property
    def local_name(self):
        return self.name_in()

    def position_in(self, language=None):
        """The position in `language` (the current edition's), if given, else in English."""
        return editions.localised(self.position, self.position_fa, language)

    def affiliation_in(self, language=None):
        return editions.localised(self.affiliation, self.affiliation_fa, language)

    @property
    def local_position(self):
        return self.position_in()

    @property
    def local_affiliation(self):
        return self.affiliation_in()
