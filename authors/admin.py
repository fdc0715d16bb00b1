"""Staff's admin for author profiles."""

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles import richtext
from articles.admin import IMAGE_CHOOSER_JS, thumbnail_html
from articles.models import ArticleAuthor

from .models import Author


class BylineInline(admin.TabularInline):
    """The author's articles, newest first; read here, edited on the article."""

    model = ArticleAuthor
    fields = ["article", "position", "affiliation"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False
    verbose_name = _("article")
    verbose_name_plural = _("articles")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("article")
            .order_by("-article__published_at")
        )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Author)
class AuthorAdmin(richtext.EditorAdminMixin, admin.ModelAdmin):
    list_display = ["portrait_thumbnail", "name", "position", "affiliation", "is_active"]
    list_display_links = ["name"]
    list_select_related = ["portrait"]
    autocomplete_fields = ["portrait"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_fa", "slug", "position", "affiliation"]
    prepopulated_fields = {"slug": ["name"]}
    fields = [
        ("name", "name_fa"),
        "slug",
        ("position", "affiliation"),
        ("position_fa", "affiliation_fa"),
        "bio",
        "portrait",
        "email",
        "is_active",
    ]
    formfield_overrides = {models.TextField: {"widget": richtext.editor_widget()}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name.endswith("_fa"):
            field.widget.attrs.update(dir="rtl", lang="fa")
        return field

    inlines = [BylineInline]

    @admin.display(description=_("portrait"))
    def portrait_thumbnail(self, author):
        return thumbnail_html(author.portrait)

    class Media:
        js = IMAGE_CHOOSER_JS
