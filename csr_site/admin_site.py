"""The admin site: Django's, with the sign-in form that asks for the two-factor
code and the page where staff turn two-factor sign-in on."""

from django.contrib import admin
from django.urls import path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy

from articles import editions

from . import security


class SiteAdmin(admin.AdminSite):
    login_form = security.SignInForm
    # Titled with the institute's name (in the editor's language), not Django's.
    site_header = site_title = lazy(editions.site_name, str)()
    index_title = gettext_lazy("Publishing")

    def get_urls(self):
        return [
            path("two-factor/", self.admin_view(security.two_factor), name="two-factor"),
            *super().get_urls(),
        ]
