"""The admin site: Django's, with the sign-in form that asks for the two-factor
code and the page where staff turn two-factor sign-in on."""

from django.contrib import admin
from django.urls import path

from . import security


class SiteAdmin(admin.AdminSite):
    login_form = security.SignInForm

    def get_urls(self):
        return [
            path("two-factor/", self.admin_view(security.two_factor), name="two-factor"),
            *super().get_urls(),
        ]
