"""Signing in to the admin: the client's address behind the proxy, the page a
throttled login gets, the sign-in form with its two-factor code, enrolment in
two-factor sign-in, and the rule that makes it compulsory (`ADMIN_2FA=required`).
"""

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10


def client_ip(request):
    """The address a request comes from: the header named by TRUSTED_PROXY_HEADER
    (set by the site's own HTTPS proxy), or the connection's address. Of an
    X-Forwarded-For list only the last entry, the one the proxy added, is trusted."""
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        address = value.split(",")[-1].strip()
        if address:
            return address
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """The page a login gets once it is throttled, in the admin's language."""
    context = {
        **admin.site.each_context(request),
        "title": _("Too many failed sign-ins"),
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "limit": settings.AXES_FAILURE_LIMIT,
    }
    # Rendered now: this response replaces one on its way out, past the renderer.
    return render(request, "admin/locked_out.html", context, status=429)


class SignInForm(AdminAuthenticationForm):
    """The admin's sign-in: user name, password and, for staff who turned on
    two-factor sign-in, the code from their authenticator app or a backup code."""

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        help_text=_("Only if you have turned on two-factor sign-in; a backup code works too."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and any(devices_for_user(user, confirmed=True)):
            token = "".join(cleaned.get("otp_token", "").split())
            device = match_token(user, token) if token else None
            if device is None:
                # A wrong code counts as a failed sign-in, so codes cannot be guessed.
                user_login_failed.send(
                    sender=__name__,
                    credentials={"username": self.cleaned_data.get("username")},
                    request=self.request,
                )
                raise ValidationError(
                    _("Enter the current code from your authenticator app, or a backup code."),
                    code="otp",
                )
            # django-otp marks the session as verified when the login happens.
            user.otp_device = device
        return cleaned


def qr_code_svg(data):
    out = io.BytesIO()
    qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage).save(out)
    svg = out.getvalue().decode()
    # An inline <svg> element, no image request and no data: address.
    return mark_safe(svg[svg.index("<svg") :])


def two_factor(request):
    """Turn two-factor sign-in on (scan the QR code, confirm with a code, keep the
    backup codes) or off, for the signed-in staff member."""
    user = request.user
    enrolled = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    context = {
        **admin.site.each_context(request),
        "title": _("Two-factor sign-in"),
        "required": settings.ADMIN_2FA == "required",
        "enrolled": enrolled,
    }
    if request.method == "POST" and request.POST.get("action") == "remove" and enrolled:
        if settings.ADMIN_2FA == "required":
            messages.error(request, _("Two-factor sign-in is compulsory on this site."))
        elif match_token(user, "".join(request.POST.get("otp_token", "").split())) is None:
            messages.error(request, _("That code is not right; nothing was changed."))
        else:
            remove_devices(user)
            messages.success(request, _("Two-factor sign-in is off."))
        return redirect("admin:two-factor")
    if enrolled:
        return TemplateResponse(request, "admin/two_factor.html", context)

    device, _created = TOTPDevice.objects.get_or_create(
        user=user, confirmed=False, defaults={"name": "authenticator app"}
    )
    if request.method == "POST":
        if device.verify_token("".join(request.POST.get("otp_token", "").split())):
            device.confirmed = True
            device.save()
            backup = StaticDevice.objects.create(user=user, name="backup codes")
            codes = [StaticToken.random_token() for _n in range(BACKUP_CODES)]
            backup.token_set.bulk_create(StaticToken(device=backup, token=c) for c in codes)
            otp_login(request, device)
            context.update(enrolled=device, backup_codes=codes)
            return TemplateResponse(request, "admin/two_factor.html", context)
        messages.error(request, _("That code is not right. Try the current one."))
    context.update(
        qr_code=qr_code_svg(device.config_url),
        secret=base64.b32encode(device.bin_key).decode().rstrip("="),
    )
    return TemplateResponse(request, "admin/two_factor.html", context)


def remove_devices(user):
    """Turn two-factor sign-in off for `user`: every device and backup code goes."""
    count = 0
    for model in (TOTPDevice, StaticDevice):
        count += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return count


class TwoFactorRequiredMiddleware:
    """With ADMIN_2FA=required, staff use the admin only once their sign-in was
    verified by a code: those without a device are led to enrolment; those with
    one (signed in some other way) sign in again."""

    ALWAYS_OPEN = {"login", "logout", "jsi18n", "two-factor"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if settings.ADMIN_2FA != "required":
            return None
        match = request.resolver_match
        user = getattr(request, "user", None)
        if (
            match is None
            or match.url_name in self.ALWAYS_OPEN
            or "admin" not in match.namespaces
            or user is None
            or not user.is_authenticated
            or not user.is_staff
            or user.is_verified()
        ):
            return None
        if any(devices_for_user(user, confirmed=True)):
            logout(request)
            return redirect(f"{reverse('admin:login')}?next={request.path}")
        return redirect("admin:two-factor")
