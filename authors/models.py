"""Author profiles, kept by staff."""

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles import richtext
from articles.caching import ContentQuerySet


class AuthorQuerySet(ContentQuerySet):
    def with_public_articles(self, language=None):
        """Authors with public articles in an edition (the current one), with `article_count`."""
        from articles.models import Article

        return (
            self.filter(bylines__article__in=Article.objects.in_edition(language))
            .annotate(article_count=models.Count("bylines"))
            .order_by("name", "pk")
        )


class Author(models.Model):
    name = models.CharField(_("name"), max_length=200, validators=[richtext.validate_plain_text])
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
    portrait = models.ImageField(_("portrait"), upload_to="authors/", blank=True)
    email = models.EmailField(_("email"), blank=True, help_text=_("Staff only; never shown."))
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Offered when adding authors to articles.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.bio = richtext.clean(self.bio)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("authors:detail", kwargs={"slug": self.slug})

    def position_in(self, language):
        return (language == "fa" and self.position_fa) or self.position

    def affiliation_in(self, language):
        return (language == "fa" and self.affiliation_fa) or self.affiliation

    @property
    def local_position(self):
        """The position in the current edition's language, if given, else in English."""
        return self.position_in(get_language())

    @property
    def local_affiliation(self):
        return self.affiliation_in(get_language())
