"""The editors' admin for articles and key words."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Article, ArticleAuthor, Keyword, Section


class BylineFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        if self.instance.status != Article.Status.PUBLISHED:
            return
        kept = [
            form
            for form in self.forms
            if form.cleaned_data.get("author") and not form.cleaned_data.get("DELETE")
        ]
        if not kept:
            raise ValidationError(_("A published article needs at least one author."))


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["order", "author", "position", "affiliation"]
    extra = 1
    verbose_name = _("author")
    verbose_name_plural = _("authors, in byline order")


class SectionInline(admin.StackedInline):
    model = Section
    fields = ["order", "heading", "body"]
    extra = 1
    verbose_name_plural = _("sections, in reading order")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "byline", "status", "published_at", "keyword_list", "language"]
    list_filter = ["status", "language", ("authors", admin.RelatedOnlyFieldListFilter), "keywords"]
    list_select_related = False
    search_fields = ["title", "summary", "slug", "authors__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ArticleAuthorInline, SectionInline]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "language", "status", "published_at", "summary"]}),
        (_("Key words"), {"fields": ["keywords"]}),
        (
            _("Image"),
            {"fields": ["image", "image_alt", "image_caption", "photo_credit"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).for_listing().prefetch_related("keywords")

    @admin.display(description=_("authors"))
    def byline(self, article):
        return ", ".join(line.author.name for line in article.byline_list)

    @admin.display(description=_("key words"))
    def keyword_list(self, article):
        return ", ".join(sorted(keyword.name for keyword in article.keywords.all()))

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        ready = queryset.filter(bylines__isnull=False).distinct()
        skipped = queryset.exclude(pk__in=ready.values("pk")).count()
        published = Article.objects.filter(pk__in=ready.values("pk")).update(
            status=Article.Status.PUBLISHED
        )
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", published) % published,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d article has no author and was left as it was.",
                    "%d articles have no author and were left as they were.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        count = queryset.update(status=Article.Status.DRAFT)
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "counterpart"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug", "description", "counterpart"]
    autocomplete_fields = ["counterpart"]
