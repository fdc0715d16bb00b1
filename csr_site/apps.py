"""The site's own app (sign-in security, the audit trail, their commands and
templates) and the admin site it runs."""

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class SiteConfig(AppConfig):
    name = "csr_site"
    verbose_name = "Site"


class SiteAdminConfig(AdminConfig):
    default_site = "csr_site.admin_site.SiteAdmin"
