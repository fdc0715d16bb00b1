"""Every form of the site.

The article editor: `ArticleForm` refuses to save over changes made since the
editor opened the article (its lock); the inline formsets refuse to publish
without authors or sections; `PreviewLinkForm` makes and revokes share links.
`KeywordForm` renames key words; `SearchForm` reads a reader's search;
`ImageForm` checks uploads to the image library by their content.
"""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.text import format_lazy, slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.forms import TagField, TextareaTagWidget

from . import editions, renditions, richtext
from .images import Image
from .keywords import order_keywords
from .models import Article, Keyword, PreviewLink, Section
from .search import MAX_QUERY_LENGTH


def text_direction(article):
    """How the article's text runs, by its language; "auto" for a new one."""
    if article is None or not article.pk:
        return "auto"
    return editions.direction(article.language)


def set_direction(form, names, article):
    """Make the form's text fields run like the article's language, whatever the admin's."""
    direction = text_direction(article)
    for name in names:
        if name in form.fields:
            form.fields[name].widget.attrs["dir"] = direction


def body_bytes(body):
    return len(body.encode())


def megabytes(size):
    return formats.number_format(round(size / 1_000_000, 1), 1)


class SectionForm(forms.ModelForm):
    def __init__(self, *args, article=None, **kwargs):
        super().__init__(*args, **kwargs)
        set_direction(self, ["heading", "body"], article)

    def clean_body(self):
        return check_section_body(self.cleaned_data["body"])


def check_section_body(body):
    """`body`, if a section may hold that much (the admin and the importer ask)."""
    if body_bytes(body) > Section.MAX_BODY_BYTES:
        raise ValidationError(
            _("This section is %(size)s MB of HTML; a section may be at most %(limit)s MB."),
            params={
                "size": megabytes(body_bytes(body)),
                "limit": megabytes(Section.MAX_BODY_BYTES),
            },
            code="too_long",
        )
    return body


def too_many_sections(count):
    """The error for an article of `count` sections, if that is too many, or None."""
    if count <= Section.MAX_PER_ARTICLE:
        return None
    return ValidationError(
        _("An article may have at most %(limit)s sections; this one has %(count)s."),
        params={"limit": Section.MAX_PER_ARTICLE, "count": count},
        code="too_many",
    )


def check_article_size(bodies):
    """The error for an article whose sections go over the limits, or None
    (the admin and the importer ask)."""
    bodies = list(bodies)
    if too_many_sections(len(bodies)):
        return too_many_sections(len(bodies))
    total = sum(body_bytes(body) for body in bodies)
    if total > Section.MAX_TOTAL_BYTES:
        return ValidationError(
            _(
                "The sections hold %(size)s MB of HTML together; "
                "an article may hold at most %(limit)s MB."
            ),
            params={"size": megabytes(total), "limit": megabytes(Section.MAX_TOTAL_BYTES)},
            code="too_long",
        )
    return None


class KeywordsWidget(TextareaTagWidget):
    """Key words one a line, as typed (see `keywords.keywords_text`), each line
    running in the direction of its own text (admin.css); as tall as the list."""

    def __init__(self, attrs=None):
        super().__init__({"class": "keyword-lines", "cols": 40, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        lines = (context["widget"]["value"] or "").count("\n") + 1
        context["widget"]["attrs"]["rows"] = min(max(lines + 1, 3), 15)
        return context


class KeywordsField(TagField):
    widget = KeywordsWidget

    def has_changed(self, initial, data):
        # In order: putting the key words in another order is a change.
        if self.disabled:
            return False
        try:
            typed = self.clean(data)
        except ValidationError:
            return True
        return [keyword.name for keyword in initial or []] != typed


def lock_token(article):
    return article.updated_at.isoformat() if article.updated_at else ""


class ArticleForm(forms.ModelForm):
    # What `updated_at` was when the editor opened the article: a save on top
    # of a newer version is refused, whoever made it and in whichever tab.
    lock = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "language",
            "status",
            "published_at",
            "summary",
            "doi",
            "keywords",
            "image",
            "photo_credit",
            "translation",
        ]
        field_classes = {"keywords": KeywordsField}
        help_texts = {
            "keywords": _(
                "One key word a line, or several on a line separated by commas. A line "
                "holding the whole name of an existing key word stays one key word "
                "(“Iran, Islamic Republic”); a new name with a comma goes in double "
                "quotes. Key words are listed in the order given."
            ),
            "published_at": format_lazy(
                _(
                    "In the site's time zone ({zone}). A time in the future schedules the "
                    "article: readers see it from then on."
                ),
                zone=settings.TIME_ZONE,
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Restoring an old version: the form shows the old text, but is
            # locked against the article as it stands (see ArticleAdmin).
            self.fields["lock"].initial = self.restoring_over or lock_token(self.instance)
            # In the order they were given (taggit reads them in no set order).
            self.initial["keywords"] = [
                link.tag for link in self.instance.tagged_items.select_related("tag").order_by("pk")
            ]
        text_fields = ["title", "slug", "summary", "keywords"]
        set_direction(self, text_fields, self.instance)

    def _save_m2m(self):
        super()._save_m2m()
        if "keywords" in self.cleaned_data:
            order_keywords(self.instance, self.cleaned_data["keywords"])

    def clean_translation(self):
        translation = self.cleaned_data.get("translation")
        language = self.cleaned_data.get("language")
        if translation is None:
            return None
        if translation.pk == self.instance.pk:
            raise ValidationError(_("An article cannot be its own translation."))
        if translation.language == language:
            raise ValidationError(_("The translation must be in the other language."))
        return translation

    def clean_keywords(self):
        names = self.cleaned_data["keywords"]
        # The checks of the key word's own name field (length, control characters).
        name_field = Keyword._meta.get_field("name")
        problems = []
        for name in names:
            try:
                name_field.run_validators(name)
            except ValidationError as error:
                shown = richtext.without_controls(name)[:30]
                problems += [f"{shown}: {message}" for message in error.messages]
        if problems:
            raise ValidationError(problems)
        return names

    @property
    def restoring_over(self):
        """When an old version is being restored: the lock of the article as it
        stands, which the restore view has checked already."""
        return getattr(self.instance, "restoring_over", None)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.restoring_over:
            self.refuse_stale_save()
        return cleaned

    def refuse_stale_save(self):
        # The admin saves in a transaction: the row stays locked from this
        # check to the save, so two saves cannot both pass it.
        current = (
            Article.objects.select_for_update(of=("self",))
            .select_related("updated_by")
            .filter(pk=self.instance.pk)
            .first()
        )
        if current is None or self.data.get("lock", "") == lock_token(current):
            return
        raise ValidationError(
            _(
                "This article was changed by %(who)s at %(when)s, after you opened it. "
                "Nothing has been saved, and your text is still in the form below. Open "
                "the article in a new tab to see the other changes, bring yours across "
                "there, and save that."
            ),
            code="conflict",
            params=last_change(current),
        )


def last_change(article):
    """Who changed `article` last, and when, for messages."""
    who = article.updated_by
    return {
        "who": (who.get_full_name() or who.get_username()) if who else _("someone"),
        "when": formats.date_format(timezone.localtime(article.updated_at), "DATETIME_FORMAT"),
    }


class PublishRequirementFormSet(BaseInlineFormSet):
    """An inline that a published article cannot be without (see
    `Article.publishing_problems`); `part` names it there."""

    part = None

    def clean(self):
        super().clean()
        if self.instance.status == Article.Status.PUBLISHED:
            kept = sum(1 for _ in self.kept_forms())
            problems = Article.publishing_problems(**{self.part: kept})
            if problems:
                raise ValidationError(problems[self.part])

    def kept_forms(self):
        for form in self.forms:
            data = getattr(form, "cleaned_data", {})
            if data and not data.get("DELETE") and self.is_filled(data):
                yield form

    def is_filled(self, data):
        raise NotImplementedError


class BylineFormSet(PublishRequirementFormSet):
    part = "authors"

    def is_filled(self, data):
        return bool(data.get("author"))


class SectionFormSet(PublishRequirementFormSet):
    part = "sections"

    def is_filled(self, data):
        return bool(data.get("body"))

    def clean(self):
        super().clean()
        error = check_article_size(f.cleaned_data["body"] for f in self.kept_forms())
        if error:
            raise error


class PreviewLinkForm(forms.ModelForm):
    days = forms.IntegerField(
        label=_("valid for (days)"),
        min_value=1,
        max_value=90,
        required=False,
        help_text=_("Fill in to make a new link."),
    )
    revoke = forms.BooleanField(label=_("revoke"), required=False)

    class Meta:
        model = PreviewLink
        fields = []

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("days"):
            raise ValidationError(_("Say for how many days the new link works."))
        return cleaned

    def save(self, commit=True):
        link = super().save(commit=False)
        now = timezone.now()
        if not link.pk:
            link.expires_at = now + datetime.timedelta(days=self.cleaned_data["days"])
        if self.cleaned_data.get("revoke") and link.revoked_at is None:
            link.revoked_at = now
        if commit:
            link.save()
        return link


class KeywordForm(forms.ModelForm):
    new_slug = forms.BooleanField(
        label=_("make a new slug from the name"),
        required=False,
        help_text=_(
            "Leave unticked to keep the key word's address when renaming it, "
            "so links to it keep working."
        ),
    )

    class Meta:
        model = Keyword
        fields = ["name", "slug", "description", "description_fa", "counterpart", "featured"]
        widgets = {"description_fa": forms.Textarea(attrs={"dir": "rtl", "lang": "fa"})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_slug") and cleaned.get("name"):
            slug = slugify(cleaned["name"], allow_unicode=True)
            if Keyword.objects.exclude(pk=self.instance.pk).filter(slug=slug).exists():
                self.add_error("new_slug", _("Another key word already has the slug %s.") % slug)
            cleaned["slug"] = slug
            self.instance.slug = slug
        return cleaned


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"), max_length=MAX_QUERY_LENGTH, required=False, strip=True
    )
    author = forms.SlugField(label=_("Author"), required=False, allow_unicode=True)
    keyword = forms.SlugField(label=_("Key word"), required=False, allow_unicode=True)
    # A Gregorian year, or in the Persian edition also a Solar Hijri one (1395).
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1200, max_value=2099)

    def clean_q(self):
        value = self.cleaned_data["q"]
        if "\x00" in value:
            raise forms.ValidationError(_("The search contains a character it cannot have."))
        return value


class ImageForm(forms.ModelForm):
    """An image of the library. The file is judged by its content, never its name."""

    class Meta:
        model = Image
        fields = ["file", "alt", "decorative", "caption", "credit"]
        widgets = {"file": forms.ClearableFileInput(attrs={"accept": "image/*"})}

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or isinstance(upload, FieldFile):
            return upload  # The stored file, unchanged.
        facts = renditions.inspect(upload)
        same = Image.objects.filter(sha256=facts.sha256).exclude(pk=self.instance.pk).first()
        if same is not None:
            # The same file twice would be two images to keep in step: use the first.
            url = reverse("admin:articles_image_change", args=[same.pk])
            raise ValidationError(
                format_html(
                    gettext(
                        'This file is already in the library as <a href="{}">{}</a>; '
                        "choose that image."
                    ),
                    url,
                    str(same),
                ),
                code="duplicate",
            )
        return upload
