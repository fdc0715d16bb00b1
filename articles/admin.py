"""The editors' admin for articles and key words."""

from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, models, transaction
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy
from psycopg.errors import LockNotAvailable
from reversion.admin import VersionAdmin
from reversion.models import Version
from taggit.models import Tag

from csr_site.audit import record, record_many

from . import (
    redirect_admin,  # noqa: F401 - registers the redirects admin
    richtext,
    versions,
)
from .article_pages import article_preview
from .forms import (
    ArticleForm,
    BylineFormSet,
    ImageForm,
    KeywordForm,
    PreviewLinkForm,
    SectionForm,
    SectionFormSet,
    last_change,
    lock_token,
)
from .keywords import merge_keywords
from .models import (
    Article,
    ArticleAuthor,
    Document,
    Image,
    Keyword,
    Page,
    PreviewLink,
    Section,
    TaggedArticle,
)
from .templatetags.articles_tags import document_facts

# How long an admin save waits for rows another transaction holds.
LOCK_WAIT = "1s"
BUSY_MESSAGE = _(
    "The article could not be saved just now: another change to it (an import, "
    "say) is being written. Nothing has been saved, and your text is still in the "
    "form below; save again in a moment."
)

# Key words are this site's tags; taggit's own tag model is not used.
admin.site.unregister(Tag)


# The article form's tables of bylines, documents and share links, with a label
# in each cell, so that admin.css can stack them on a phone.
LABELLED_TABULAR = "admin/edit_inline/tabular_labelled.html"


class ArticleAuthorInline(admin.TabularInline):
    model = ArticleAuthor
    template = LABELLED_TABULAR
    formset = BylineFormSet
    autocomplete_fields = ["author"]
    fields = ["order", "author", "position", "affiliation"]
    extra = 1
    verbose_name = _("author")
    verbose_name_plural = _("authors, in byline order")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class SectionInline(admin.StackedInline):
    model = Section
    form = SectionForm
    formset = SectionFormSet
    fields = ["order", "heading", "body"]
    formfield_overrides = {models.TextField: {"widget": richtext.editor_widget(section=True)}}
    extra = 1
    verbose_name_plural = _("sections, in reading order")


class DocumentInline(admin.TabularInline):
    model = Document
    template = LABELLED_TABULAR
    fields = ["order", "title", "language", "file", "facts"]
    readonly_fields = ["facts"]
    extra = 1
    verbose_name_plural = _("documents to download (PDF), in the order listed")

    @admin.display(description=_("size and pages"))
    def facts(self, document):
        return document_facts(document) if document.pk else ""


class PreviewLinkInline(admin.TabularInline):
    model = PreviewLink
    template = LABELLED_TABULAR
    form = PreviewLinkForm
    fields = ["address", "created_by", "expires_at", "revoked_at", "days", "revoke"]
    readonly_fields = ["address", "created_by", "expires_at", "revoked_at"]
    extra = 1
    can_delete = False
    verbose_name = _("share link for reviewers without an account")
    verbose_name_plural = _("share links for reviewers without an account")

    class Media:
        js = ["js/copy-link.js"]

    def get_formset(self, request, obj=None, **kwargs):
        # The admin makes its inlines afresh for each request, so the request
        # kept here is this page's: `address` needs its scheme and host.
        self.request = request
        return super().get_formset(request, obj, **kwargs)

    @admin.display(description=_("address"))
    def address(self, link):
        if not link.pk:
            return ""
        if not link.is_valid:
            return _("(no longer works)")
        url = self.request.build_absolute_uri(link.get_absolute_url())
        return format_html(
            '<a href="{}" class="share-link">{}</a> '
            '<button type="button" class="button copy-link" data-copy="{}" data-done="{}">'
            "{}</button>",
            url,
            url,
            url,
            pgettext_lazy("share link", "Copied"),
            pgettext_lazy("share link", "Copy"),
        )


class StatusFilter(admin.SimpleListFilter):
    """Status as editors think of it: a published article may still be waiting."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("public", _("Published")),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "scheduled":
                return queryset.scheduled()
            case "public":
                return queryset.public()
            case "draft" | "review" as status:
                return queryset.filter(status=status)
        return queryset


class DoiFilter(admin.SimpleListFilter):
    title = _("DOI")
    parameter_name = "doi"

    def lookups(self, request, model_admin):
        return [("yes", _("With a DOI")), ("no", _("Without a DOI"))]

    def queryset(self, request, queryset):
        match self.value():
            case "yes":
                return queryset.exclude(doi="")
            case "no":
                return queryset.filter(doi="")
        return queryset


# Thumbnails in the image chooser: loaded after Django's autocomplete script,
# which it extends for choosers of library images.
IMAGE_CHOOSER_JS = [
    "admin/js/vendor/jquery/jquery.js",
    "admin/js/vendor/select2/select2.full.js",
    "admin/js/jquery.init.js",
    "admin/js/autocomplete.js",
    "js/image-chooser.js",
]


def thumbnail_html(image):
    """A small rendition of a library image, for the admin's lists and forms."""
    thumbnail = image.thumbnail if image is not None else None
    if thumbnail is None:
        return ""
    return format_html(
        '<img class="admin-thumbnail" src="{}" alt="" width="80" height="{}">',
        thumbnail["url"],
        round(80 * thumbnail["height"] / thumbnail["width"]),
    )


class ImageChooserView(AutocompleteJsonView):
    def serialize_result(self, obj, to_field_name):
        thumbnail = obj.thumbnail
        return {
            **super().serialize_result(obj, to_field_name),
            "thumbnail": thumbnail["url"] if thumbnail else "",
        }


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageForm
    list_display = ["preview", "__str__", "caption", "credit", "size", "created_at"]
    list_display_links = ["preview", "__str__"]
    list_filter = ["decorative"]
    search_fields = ["alt", "caption", "credit"]
    fields = ["file", "preview", "alt", "decorative", "caption", "credit", "size", "used_by"]
    readonly_fields = ["preview", "size", "used_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("articles", "portrayed")

    def autocomplete_view(self, request):
        return ImageChooserView.as_view(admin_site=self.admin_site)(request)

    @admin.display(description=_("preview"))
    def preview(self, image):
        return thumbnail_html(image)

    @admin.display(description=_("size"))
    def size(self, image):
        if not image.width:
            return ""
        return f"{image.width} × {image.height}"

    @admin.display(description=_("used by"))
    def used_by(self, image):
        users = [*image.articles.all(), *image.portrayed.all()]
        return ", ".join(str(user) for user in users) or "—"


@admin.register(Article)
class ArticleAdmin(richtext.EditorAdminMixin, VersionAdmin):
    form = ArticleForm
    list_display = [
        "image_thumbnail",
        "title",
        "byline",
        "state",
        "published_at",
        "keyword_list",
        "language",
        "updated_at",
        "updated_by",
    ]
    list_display_links = ["title"]
    list_filter = [
        StatusFilter,
        DoiFilter,
        "language",
        ("authors", admin.RelatedOnlyFieldListFilter),
        "keywords",
    ]
    list_select_related = ["updated_by"]
    # A filtered list needs no second count of the whole archive.
    show_full_result_count = False
    search_fields = ["title", "summary", "slug", "doi", "authors__name"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    inlines = [ArticleAuthorInline, SectionInline, DocumentInline, PreviewLinkInline]
    autocomplete_fields = ["translation", "image"]
    actions = ["publish", "unpublish"]
    readonly_fields = ["updated_at", "updated_by"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "language",
                    "status",
                    "published_at",
                    "summary",
                    "doi",
                    "lock",
                ]
            },
        ),
        (_("Key words and translation"), {"fields": ["keywords", "translation"]}),
        (_("Image"), {"fields": ["image", "photo_credit"]}),
        (_("Changes"), {"fields": ["updated_at", "updated_by"]}),
    ]
    change_form_template = "admin/articles/article/change_form.html"
    object_history_template = "admin/articles/article/object_history.html"

    def get_queryset(self, request):
        keyword_links = models.Prefetch(
            "tagged_items",
            queryset=TaggedArticle.objects.select_related("tag").order_by("pk"),
            to_attr="keyword_links",
        )
        return super().get_queryset(request).for_listing().prefetch_related(keyword_links)

    def get_urls(self):
        own = [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="articles_article_preview",
            ),
            path(
                "<int:pk>/history/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="articles_article_compare",
            ),
        ]
        return own + super().get_urls()

    @admin.display(description=_("image"))
    def image_thumbnail(self, article):
        return thumbnail_html(article.image)

    @admin.display(description=_("authors"))
    def byline(self, article):
        return ", ".join(line.author.name for line in article.byline_list)

    @admin.display(description=_("status"), ordering="status")
    def state(self, article):
        if article.is_scheduled:
            return _("Scheduled")
        return article.get_status_display()

    @admin.display(description=_("key words"))
    def keyword_list(self, article):
        # Each name apart, as given: a comma may be part of one ("Iran, Islamic Republic").
        if not article.keyword_links:
            return ""
        return format_html(
            '<ul class="keyword-names">{}</ul>',
            format_html_join(
                "", '<li dir="auto">{}</li>', ((link.tag.name,) for link in article.keyword_links)
            ),
        )

    class Media:
        # Paragraphs in the rich-text editor run in the direction of their own text.
        css = {"all": ["css/admin.css"]}
        js = IMAGE_CHOOSER_JS

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, SectionInline):
            kwargs["form_kwargs"] = {"article": obj}
        return kwargs

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if "status" in form.changed_data and Article.Status.PUBLISHED in (
            obj.status,
            form.initial.get("status"),
        ):
            published = obj.status == Article.Status.PUBLISHED
            record(request.user, obj, "Published" if published else "Unpublished")
        if "translation" in form.changed_data:
            # Both articles point at each other, and at nothing else.
            obj.link_translation(form.cleaned_data["translation"])

    def save_formset(self, request, form, formset, change):
        for link in formset.save(commit=False):
            if isinstance(link, PreviewLink) and not link.pk:
                link.created_by = request.user
            link.save()
        for gone in formset.deleted_objects:
            gone.delete()
        formset.save_m2m()

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        restoring = getattr(request, "restoring_over", None)
        if article is not None and restoring is not None:
            # An old version, brought back for the form: it is locked against
            # the article as it stands now (see revision_view and ArticleForm).
            article.restoring_over = restoring
        return article

    # The admin's own views for one article check the permission before they
    # look the article up: staff without it get the same 403 whether the
    # article exists or not, and learn nothing about it (not even who last
    # changed it, which the restore's conflict message would say).

    def require_permission(self, request, change=False):
        allowed = (
            self.has_change_permission(request)
            if change
            else self.has_view_or_change_permission(request)
        )
        if not allowed:
            raise PermissionDenied

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self.require_permission(request, change=request.method == "POST")
        article = get_object_or_404(Article.objects.select_related("updated_by"), pk=object_id)
        version = get_object_or_404(versions.versions_of(article), pk=version_id)
        history = redirect("admin:articles_article_history", article.pk)
        if versions.missing_references(version):
            messages.error(
                request,
                _(
                    "This version names key words or authors that have since been merged "
                    "or deleted, so it cannot be restored as it was. Compare it with the "
                    "current version and copy what you need."
                ),
            )
            return history
        if request.method == "POST" and request.POST.get("lock") != lock_token(article):
            messages.error(
                request,
                _(
                    "The article was changed by %(who)s at %(when)s, after you opened this "
                    "version. Nothing was restored; open the version again."
                )
                % last_change(article),
            )
            return history
        request.restoring_over = lock_token(article)
        response = super().revision_view(request, object_id, version_id, extra_context)
        if request.method == "POST" and response.status_code == 302:
            saved = timezone.localtime(version.revision.date_created)
            record(request.user, article, f"Restored the version saved {saved:%Y-%m-%d %H:%M}")
        return response

    def _changeform_view(self, request, object_id, form_url, extra_context):
        # A save waits at most LOCK_WAIT for rows another transaction holds
        # (an import, say); then the form comes back with a message, and the
        # worker is free again.
        if request.method != "POST" or connection.vendor != "postgresql":
            return super()._changeform_view(request, object_id, form_url, extra_context)
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_WAIT}'")
        savepoint = transaction.savepoint()
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except OperationalError as error:
            if not isinstance(error.__cause__, LockNotAvailable):
                raise
            transaction.savepoint_rollback(savepoint)
        request.article_busy = True
        return super()._changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if not getattr(request, "article_busy", False):
            return form

        class BusyArticleForm(form):
            def clean(self):
                raise ValidationError(BUSY_MESSAGE, code="busy")

        return BusyArticleForm

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, object_id)
        if article is not None:
            extra_context = {"pdf_url": article.address_in("articles:pdf"), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self.require_permission(request)
        article = get_object_or_404(Article, pk=object_id)
        context = {"versions": list(versions.versions_of(article)), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    def preview_view(self, request, pk):
        """The article through the public template, for staff, whatever its status."""
        self.require_permission(request)
        return article_preview(request, pk)

    def compare_view(self, request, pk):
        self.require_permission(request)
        article = get_object_or_404(Article, pk=pk)
        available = versions.versions_of(article)
        try:
            old = available.get(pk=int(request.GET.get("old", "")))
            new = available.get(pk=int(request.GET.get("new", "")))
        except (ValueError, Version.DoesNotExist):
            messages.error(request, _("Choose two saved versions of this article to compare."))
            return redirect("admin:articles_article_history", article.pk)
        if old.revision.date_created > new.revision.date_created:
            old, new = new, old
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": article,
            "title": _("Compare versions of “%(title)s”") % {"title": article.title},
            "old": old,
            "new": new,
            "rows": versions.compare(old, new),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    @admin.action(description=_("Publish the selected articles"), permissions=["change"])
    def publish(self, request, queryset):
        counted = queryset.annotate(
            author_count=models.Count("bylines", distinct=True),
            section_count=models.Count("sections", distinct=True),
        ).values_list("pk", "author_count", "section_count")
        ready = [
            pk
            for pk, authors, sections in counted
            if not Article.publishing_problems(authors=authors, sections=sections)
        ]
        skipped = len(counted) - len(ready)
        published = Article.objects.filter(pk__in=ready).mark_changed(
            status=Article.Status.PUBLISHED, updated_by=request.user
        )
        record_many(request.user, Article.objects.filter(pk__in=ready), "Published")
        self.message_user(
            request,
            ngettext("Published %d article.", "Published %d articles.", published) % published,
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%d article has no author or no section and was left as it was.",
                    "%d articles have no author or no section and were left as they were.",
                    skipped,
                )
                % skipped,
                messages.WARNING,
            )

    @admin.action(description=_("Unpublish the selected articles"), permissions=["change"])
    def unpublish(self, request, queryset):
        chosen = list(queryset)
        count = queryset.mark_changed(status=Article.Status.DRAFT, updated_by=request.user)
        record_many(request.user, chosen, "Unpublished")
        self.message_user(
            request,
            ngettext("Unpublished %d article.", "Unpublished %d articles.", count) % count,
            messages.SUCCESS,
        )


@admin.register(Keyword)
class KeywordAdmin(admin.ModelAdmin):
    form = KeywordForm
    list_display = ["name", "slug", "article_count", "counterpart", "featured"]
    list_filter = ["featured"]
    list_editable = ["featured"]
    search_fields = ["name", "slug"]
    fields = [
        "name",
        "slug",
        "new_slug",
        "description",
        "description_fa",
        "counterpart",
        "featured",
    ]
    autocomplete_fields = ["counterpart"]
    actions = ["merge"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("counterpart")
            .annotate(article_count=models.Count("tagged_articles"))
        )

    @admin.display(description=_("articles"), ordering="article_count")
    def article_count(self, keyword):
        return keyword.article_count

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        counterpart = form.cleaned_data.get("counterpart")
        if "counterpart" in form.changed_data:
            obj.link_counterpart(counterpart)
        if change and "name" in form.changed_data:
            # Editors with one of these articles open must not save the old name back.
            Article.objects.filter(tagged_items__tag=obj).mark_changed()

    @admin.action(description=_("Merge the selected key words into one"), permissions=["change"])
    def merge(self, request, queryset):
        # Merging deletes the others: a permission checked before anything is read.
        if not self.has_delete_permission(request):
            raise PermissionDenied
        keywords = list(queryset.order_by(Lower("name")))
        if len(keywords) < 2:
            self.message_user(request, _("Select two or more key words to merge."), messages.ERROR)
            return None
        if "into" in request.POST:
            into = next((k for k in keywords if str(k.pk) == request.POST["into"]), None)
            if into is None:
                self.message_user(request, _("Choose the key word to keep."), messages.ERROR)
            else:
                names = ", ".join(k.name for k in keywords if k.pk != into.pk)
                try:
                    count = merge_keywords(into, keywords)
                except ValidationError as refusal:
                    self.message_user(request, " ".join(refusal.messages), messages.ERROR)
                    return None
                record(request.user, into, f"Merged key words into it: {names}")
                self.message_user(
                    request,
                    _("Merged into “%(name)s”, which %(count)d articles now carry.")
                    % {"name": into.name, "count": count},
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Merge key words"),
            "keywords": keywords,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/articles/keyword/merge.html", context)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "updated_at"]
    fields = [("title", "title_fa"), "slug", "body", "body_fa"]
    formfield_overrides = {models.TextField: {"widget": richtext.editor_widget()}}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name.endswith("_fa"):
            field.widget.attrs.update(dir="rtl", lang="fa")
        return field
