"""Root URLs: the English edition unprefixed, the Persian one under /fa/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, register_converter
from django.views.generic import TemplateView

from articles import converters, pages, sitemaps
from articles.caching import public_page

from .health import healthz

register_converter(converters.FourDigitYear, "yyyy")
register_converter(converters.SolarYear, "solaryear")
register_converter(converters.TwoDigits, "mm")
register_converter(converters.TwoDigits, "dd")
register_converter(converters.UnicodeSlug, "uslug")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", pages.favicon, name="favicon"),
    path("manifest.webmanifest", pages.manifest, name="manifest"),
    path("sitemap.xml", public_page(sitemaps.index), name="sitemap"),
    path(
        "sitemap-<slug:section>.xml",
        public_page(sitemaps.section, page_param="p"),
        name="sitemap-section",
    ),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain"),
        name="robots",
    ),
]
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("authors/", include("authors.urls")),
    path("about/", pages.about, name="about"),
    path("", include("articles.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
