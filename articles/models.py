"""Articles, their ordered bylines and sections, and key words."""

import datetime

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from taggit.managers import TaggableManager
from taggit.models import ItemBase, NaturalKeyManager, TagBase

from authors.models import Author

from . import editions, figures, redirects, richtext
from .changes import ContentQuerySet
from .counts import AuthorCount, KeywordCount, MonthCount  # noqa: F401 - registered likewise
from .documents import Document  # noqa: F401 - registered with the app's models
from .images import Image
from .querysets import ArticleQuerySet, KeywordQuerySet, SectionQuerySet
from .redirects import Redirect  # noqa: F401 - registered with the app's models

# A DOI as registries issue them: "10.", a registrant code of four or more
# digits (with optional dot-separated parts), "/", and a suffix without spaces.
DOI_PATTERN = r"^10\.\d{4,9}(\.\d+)*/\S+$"
validate_doi = RegexValidator(
    DOI_PATTERN,
    _("Give the DOI as 10.NNNN/…, without “https://doi.org/” in front."),
    code="doi",
)

# For the reading time shown on article pages.
WORDS_PER_MINUTE = 200
# The dates the archive's addresses can hold (see converters.py).
EARLIEST = datetime.datetime(1900, 1, 2, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2099, 12, 30, tzinfo=datetime.UTC)


@transaction.atomic
def link_mutually(instance, field, other):
    """Point `instance.<field>` at `other` and `other.<field>` back (or unlink, for None).

    Former partners of either side are released first, so a link is always mutual.
    """
    rows = type(instance).objects
    ids = [obj.pk for obj in (instance, other) if obj is not None]
    rows.filter(models.Q(pk__in=ids) | models.Q(**{f"{field}__in": ids})).update(**{field: None})
    if other is not None:
        rows.filter(pk=instance.pk).update(**{field: other})
        rows.filter(pk=other.pk).update(**{field: instance})
        setattr(other, field, instance)
    setattr(instance, field, other)


class Keyword(TagBase):
    """A key word. Names are unique regardless of case; slugs keep Persian letters."""

    # taggit's field, with the check every plain-text field here has.
    name = models.CharField(
        verbose_name=pgettext_lazy("A tag name", "name"),
        unique=True,
        max_length=100,
        validators=[richtext.validate_plain_text],
    )
    description = models.TextField(_("description"), blank=True)
    description_fa = models.TextField(_("description in Persian"), blank=True)
    counterpart = models.OneToOneField(
        "self",
        verbose_name=_("counterpart in the other language"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    featured = models.BooleanField(
        _("featured on the home page"),
        default=False,
        help_text=_(
            "Its latest articles fill the home page's “In depth” slot; of several "
            "featured key words, the one with the most articles in the edition is shown."
        ),
    )

    objects = NaturalKeyManager.from_queryset(KeywordQuerySet)()

    class Meta:
        ordering = [Lower("name")]
        verbose_name = _("key word")
        verbose_name_plural = _("key words")
        constraints = [
            # The tag manager already matches names case-insensitively; this
            # keeps every other path (admin, shell, import) from adding "syria"
            # beside "Syria".
            models.UniqueConstraint(Lower("name"), name="keyword_name_case_insensitive_unique")
        ]

    def save(self, *args, **kwargs):
        # A renamed key word's old address leads to it.
        old_path = redirects.address_before_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        redirects.moved(self, old_path)

    def get_absolute_url(self):
        return editions.reverse_in(editions.current(), "articles:keyword", slug=self.slug)

    @property
    def local_description(self):
        """The description in the current edition's language, if given, else in English."""
        return editions.localised(self.description, self.description_fa)

    def slugify(self, tag, i=None):
        # Room for taggit's "_2" suffix, and a slug even for a name of punctuation.
        slug = slugify(tag, allow_unicode=True)[:90].strip("-") or "keyword"
        return slug if i is None else f"{slug}_{i}"

    def link_counterpart(self, other):
        """Make `other` this key word's counterpart, and this one its counterpart."""
        link_mutually(self, "counterpart", other)


class TaggedArticle(ItemBase):
    content_object = models.ForeignKey(
        "Article", on_delete=models.CASCADE, related_name="tagged_items"
    )
    tag = models.ForeignKey(Keyword, on_delete=models.CASCADE, related_name="tagged_articles")

    objects = NaturalKeyManager.from_queryset(ContentQuerySet)()

    class Meta:
        verbose_name = _("article key word")
        verbose_name_plural = _("article key words")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_keyword")
        ]
        # The latest articles of a key word, for related articles.
        indexes = [models.Index(fields=["tag", "-content_object"], name="keyword_latest_idx")]


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    class Language(models.TextChoices):
        ENGLISH = "en", _("English")
        PERSIAN = "fa", _("Persian")

    title = models.CharField(_("title"), max_length=300, validators=[richtext.validate_plain_text])
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        allow_unicode=True,
        help_text=_("Part of the address; unique among articles of the same day."),
    )
    summary = models.TextField(
        _("summary"),
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("For listings and search engines. Left blank, the opening text is used."),
    )
    # The opening words of the first section, for an article without a
    # summary: kept by openings.py, so lists need not read the sections.
    excerpt = models.TextField(_("opening words"), blank=True, editable=False)
    authors = models.ManyToManyField(
        Author, through="ArticleAuthor", related_name="articles", verbose_name=_("authors")
    )
    keywords = TaggableManager(
        verbose_name=_("key words"),
        through=TaggedArticle,
        blank=True,
        help_text=_("Separate key words with commas."),
    )
    image = models.ForeignKey(
        Image,
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        help_text=_("The lead image, from the image library; its caption and credit come with it."),
    )
    photo_credit = models.CharField(
        _("photo credit"),
        max_length=200,
        blank=True,
        validators=[richtext.validate_plain_text],
        help_text=_("Printed when the image has no credit of its own, or when there is no image."),
    )
    doi = models.CharField(
        _("DOI"),
        max_length=200,
        blank=True,
        validators=[validate_doi],
        help_text=_("The article's Digital Object Identifier, if it has one: 10.NNNN/…"),
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.ENGLISH
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publication date"), default=timezone.now)
    # The local calendar day of `published_at`: the day in the article's URL,
    # kept as a column so the URL is a single indexed lookup.
    publish_date = models.DateField(_("publication day"), editable=False)
    translation = models.OneToOneField(
        "self",
        verbose_name=_("translation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Search data, kept by `search.index_articles()`: the normalised text, and
    # on PostgreSQL its weighted vector (GIN-indexed by a migration).
    search_text = models.TextField(_("search text"), blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        constraints = [
            models.UniqueConstraint(
                fields=["publish_date", "slug"],
                name="unique_article_slug_per_day",
                violation_error_message=_("Another article of the same day has this slug."),
            ),
            models.UniqueConstraint(
                fields=["doi"],
                condition=~models.Q(doi=""),
                name="unique_article_doi",
                violation_error_message=_("Another article has this DOI."),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_public_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.publish_date = timezone.localdate(self.published_at)
        if kwargs.get("update_fields") is not None and "published_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "publish_date"}
        # A published article that moves leaves its old address leading to it.
        old_path = redirects.address_before_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        redirects.moved(self, old_path)

    def get_absolute_url(self):
        """The article's address, in the edition of its own language."""
        return self.address_in("articles:detail")

    def address_parts(self):
        """The year, month, day and slug of the article's addresses (page, citations).

        URL dates are local dates: an article published at 00:30 in Tehran
        lives at that day's address.
        """
        day = timezone.localdate(self.published_at)
        return {
            "year": f"{day.year:04d}",
            "month": f"{day.month:02d}",
            "day": f"{day.day:02d}",
            "slug": self.slug,
        }

    def address_in(self, name):
        """The address of one of the article's pages (`articles:citation-bib`, …),
        in the edition of its own language."""
        return editions.reverse_in(self.language, name, **self.address_parts())

    def clean(self):
        super().clean()
        if self.published_at and not EARLIEST <= self.published_at <= LATEST:
            raise ValidationError(
                {"published_at": _("Give a date between 1900 and 2099.")}, code="out_of_range"
            )

    def validate_constraints(self, exclude=None):
        # The day is derived from `published_at`: check the slug against it
        # whenever the form has the date, though the day itself is no field.
        exclude = set(exclude or ())
        if self.published_at and "published_at" not in exclude:
            self.publish_date = timezone.localdate(self.published_at)
            exclude.discard("publish_date")
        super().validate_constraints(exclude=exclude)

    @property
    def is_public(self):
        """The instance twin of `ArticleQuerySet.public()`."""
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def doi_url(self):
        """The DOI as the address that resolves it ("" without one)."""
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def is_scheduled(self):
        return self.status == self.Status.PUBLISHED and self.published_at > timezone.now()

    # Why an article cannot be published: the one rule, whichever way
    # publishing happens (the admin form, the admin action, the importer).
    PUBLISHING_NEEDS = {
        "authors": _("A published article needs at least one author."),
        "sections": _("A published article needs at least one section."),
    }

    @classmethod
    def publishing_problems(cls, **counts):
        """What keeps an article with these parts from being published.

        `counts` gives how many `authors` and/or `sections` it has (a part
        not given is not checked); the answer maps each missing part to its
        message, and is empty when nothing is missing.
        """
        return {part: cls.PUBLISHING_NEEDS[part] for part, count in counts.items() if not count}

    @property
    def description(self):
        """The summary, or the opening words when the editor wrote none."""
        return self.summary or self.excerpt

    def reading_parts(self):
        """What the article page shows besides the article's own fields.

        Sections in order, each headed one with a unique `anchor`, each with
        its `html` (the body with its notes replaced by numbered references
        and its library figures printed in full);
        the notes, in reading order across sections; the table of contents
        (three or more headed sections); bylines; key words.
        """
        taken = set()
        sections = list(self.sections.all())
        for section in sections:
            section.anchor = richtext.anchor_for(section.heading, taken) if section.heading else ""
        headed = [section for section in sections if section.heading]
        bodies, notes = richtext.number_notes(
            [section.body for section in sections], richtext.note_reference
        )
        for section, body in zip(sections, bodies, strict=True):
            section.html = body
        figures.expand(sections)
        words = sum(
            len(richtext.plain_text(richtext.without_notes(section.body)).split())
            for section in sections
        )
        return {
            "sections": sections,
            "contents": headed if len(headed) >= 3 else [],
            "notes": notes,
            "bylines": list(self.bylines.select_related("author", "author__portrait")),
            "keywords": sorted(self.keywords.all()),
            "reading_minutes": max(1, round(words / WORDS_PER_MINUTE)),
        }

    def link_translation(self, other):
        """Make `other` this article's translation, and this article its translation."""
        ids = [a.pk for a in (self, other) if a is not None]
        linked = Article.objects.filter(models.Q(pk__in=ids) | models.Q(translation__in=ids))
        partners = {pk for pair in linked.values_list("pk", "translation") for pk in pair if pk}
        link_mutually(self, "translation", other)
        # A changed link is a change to the partners too.
        Article.objects.filter(pk__in=partners).exclude(pk=self.pk).mark_changed()


class ArticleAuthor(models.Model):
    """One name in an article's byline, in order, as printed when it appeared."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", verbose_name=_("article")
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="bylines", verbose_name=_("author")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    position = models.CharField(
        _("position"),
        max_length=300,
        blank=True,
        help_text=_("As printed in this article. Left blank, copied from the profile."),
    )
    affiliation = models.CharField(_("affiliation"), max_length=300, blank=True)

    objects = ContentQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        constraints = [
            models.UniqueConstraint(fields=["article", "author"], name="unique_article_author")
        ]

    def __str__(self):
        return str(self.author)

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.fill_from_profile()
        super().save(*args, **kwargs)

    def fill_from_profile(self):
        """A new byline left blank takes the titles the author holds now; a
        later change to the profile does not rewrite old articles. (Bulk
        writes, which skip `save()`, call this themselves.)"""
        if not self.position and not self.affiliation:
            self.position = self.author.position_in(self.article.language)
            self.affiliation = self.author.affiliation_in(self.article.language)


class Section(models.Model):
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="sections", verbose_name=_("article")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(
        _("heading"),
        max_length=300,
        blank=True,
        help_text=_("The opening part needs none."),
        validators=[richtext.validate_plain_text],
    )
    body = models.TextField(_("body"))

    # How much an article may hold, the same in the admin and the importer
    # (the request size limits in settings let the admin save the largest).
    MAX_PER_ARTICLE = 500
    MAX_BODY_BYTES = 1_000_000  # of HTML, in UTF-8, per section
    MAX_TOTAL_BYTES = 5_000_000  # of HTML, all of an article's sections together

    objects = SectionQuerySet.as_manager()

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        indexes = [models.Index(fields=["article", "order"], name="section_order_idx")]

    def __str__(self):
        return self.heading or str(_("Opening"))

    def save(self, *args, **kwargs):
        self.body = richtext.clean(self.body, section=True)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        problems = richtext.note_problems(self.body)
        if problems:
            raise ValidationError({"body": problems})


class ContentVersion(models.Model):
    """One row whose value changes whenever anything readers see may have changed.

    Cached page data is stored under the value (see `caching.py`), so a write
    anywhere retires every cached value at once, in every process.
    """

    value = models.BigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("content version")

    def __str__(self):
        return str(self.value)


class PreviewLink(models.Model):
    """A link that shows an unpublished article to someone without an account.

    The address carries a signed token naming this row; it works until
    `expires_at`, or until an editor revokes it.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="preview_links", verbose_name=_("article")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    SALT = "articles.preview-link"

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("share link")
        verbose_name_plural = _("share links")

    def __str__(self):
        return str(_("Share link for “%(title)s”") % {"title": self.article.title})

    def get_absolute_url(self):
        return reverse("articles:shared-preview", kwargs={"token": self.token})

    @property
    def token(self):
        # Signed without a timestamp, so a link reads the same each time it
        # is shown (`expires_at` bounds its life, not the signature).
        return signing.Signer(salt=self.SALT).sign_object(self.pk)

    @property
    def is_valid(self):
        return self.revoked_at is None and timezone.now() < self.expires_at

    @classmethod
    def from_token(cls, token):
        """The valid link a token names, or None for a forged, expired or revoked one."""
        # Links handed out before tokens lost their timestamp carry it as a
        # third part, and still work.
        signer = signing.TimestampSigner if token.count(":") == 2 else signing.Signer
        try:
            pk = signer(salt=cls.SALT).unsign_object(token)
        except signing.BadSignature:
            return None
        link = cls.objects.select_related("article").filter(pk=pk).first()
        return link if link is not None and link.is_valid else None


from .pages import Page  # noqa: E402,F401  (the About page; its model lives with its view)
