"""The institute's own pages besides its articles: About (text editors keep
in both languages, at /about/ and /fa/about/), the web app manifest and the
favicon."""

from django.db import models
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import translate_url
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from django.views.generic import RedirectView, TemplateView

from . import editions, richtext


class Page(models.Model):
    """A page of the institute's own, in English and Persian."""

    slug = models.SlugField(
        _("address"), unique=True, help_text=_("“about” is the About page in the footer.")
    )
    title = models.CharField(_("title"), max_length=200, validators=[richtext.validate_plain_text])
    title_fa = models.CharField(
        _("title in Persian"), max_length=200, blank=True, validators=[richtext.validate_plain_text]
    )
    body = models.TextField(_("text"), blank=True)
    body_fa = models.TextField(_("text in Persian"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body = richtext.clean(self.body)
        self.body_fa = richtext.clean(self.body_fa)
        super().save(*args, **kwargs)

    @property
    def local_title(self):
        return editions.localised(self.title, self.title_fa)

    @property
    def local_body(self):
        return editions.localised(self.body, self.body_fa)


@require_safe
def about(request):
    """The About page: the page editors keep under "about", or a short default
    until they write one."""
    return render(
        request,
        "about.html",
        {
            "page": Page.objects.filter(slug="about").first(),
            "other_edition_url": translate_url(request.path, editions.other()),
        },
    )


manifest = TemplateView.as_view(
    template_name="manifest.webmanifest", content_type="application/manifest+json"
)


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page names; it is a static file."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs):
        return static("img/favicon.ico")


favicon = FaviconView.as_view()
