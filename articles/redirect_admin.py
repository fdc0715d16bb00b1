"""The admin of redirects: editors see the old addresses kept for good, and
add or remove their own."""

from urllib.parse import urlsplit

from django import forms
from django.contrib import admin
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from .models import Article
from .redirects import ARTICLE_PAGES, Redirect, path_of


def _article_at(path):
    """The article whose page `path` is (at any status), or None."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.view_name != ARTICLE_PAGES[""]:
        return None
    parts = match.kwargs
    return Article.objects.filter(
        publish_date=f"{parts['year']}-{parts['month']}-{parts['day']}", slug=parts["slug"]
    ).first()


class RedirectForm(forms.ModelForm):
    class Meta:
        model = Redirect
        fields = ["old_path", "new_path"]

    def clean_old_path(self):
        value = path_of(self.cleaned_data["old_path"].strip())
        if not value.startswith("/") or urlsplit(value).query:
            raise forms.ValidationError(_("Give a path on this site, starting with “/”."))
        return value

    def clean_new_path(self):
        value = self.cleaned_data["new_path"].strip()
        if not value and self.instance.pk and not self.instance.new_path:
            return value  # a redirect to an article, key word or author keeps its target
        if not (value.startswith("/") or value.startswith(("https://", "http://"))):
            raise forms.ValidationError(
                _("Give a path on this site (starting with “/”) or a full address.")
            )
        return path_of(value) if value.startswith("/") else value

    def clean(self):
        cleaned = super().clean()
        old, new = cleaned.get("old_path"), cleaned.get("new_path")
        if old and new and old == new:
            self.add_error("new_path", _("A redirect cannot lead to its own address."))
        return cleaned

    def save(self, commit=True):
        redirect = super().save(commit=False)
        # A redirect to an article's page follows the article: to its current
        # address while it is public, to nowhere (404) while it is not, so a
        # redirect never shows a draft.
        article = _article_at(redirect.new_path) if redirect.new_path.startswith("/") else None
        if article is not None:
            redirect.new_path, redirect.article = "", article
        if commit:
            redirect.save()
        return redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    form = RedirectForm
    list_display = ["old_path", "leads_to", "kind", "created_at"]
    search_fields = ["old_path", "new_path"]
    readonly_fields = ["leads_to", "kind"]
    list_select_related = ["article", "keyword", "author"]

    @admin.display(description=_("leads to now"))
    def leads_to(self, redirect):
        return redirect.target() or _("nowhere (the article is not public)")

    @admin.display(description=_("kind"))
    def kind(self, redirect):
        if redirect.article_id:
            return _("article “%s”") % redirect.article
        if redirect.keyword_id:
            return _("key word “%s”") % redirect.keyword
        if redirect.author_id:
            return _("author “%s”") % redirect.author
        return _("typed by an editor")
