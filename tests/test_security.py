"""Security: the headers every page sends, login throttling, two-factor sign-in,
permission before anything else in the admin's own views, and the audit trail."""

import datetime
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import reversion
import time_machine
from axes.models import AccessAttempt
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import HttpResponse
from django.test import Client
from django.urls import path, reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from articles.models import Article, Keyword, PreviewLink
from articles.versions import versions_of
from csr_site import urls as site_urls

from .conftest import form_values
from .factories import ArticleFactory
from .test_page_quality import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def editor(db):
    user = User.objects.create_user("ed", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


def policy(response):
    """The Content-Security-Policy as {directive: [values]}."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# Headers


def test_public_pages_send_a_strict_policy_without_a_nonce(client, published):
    for url in ["/", published.get_absolute_url(), "/fa/", reverse("articles:search") + "?q=x"]:
        response = client.get(url)
        assert response.status_code == 200, url
        csp = policy(response)
        assert csp["script-src"] == ["'none'"], url
        assert csp["object-src"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"]
        assert csp["frame-ancestors"] == ["'none'"]
        assert csp["form-action"] == ["'self'"]
        assert "nonce-" not in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in response["Permissions-Policy"]


def test_a_remembered_public_page_is_byte_identical_with_the_same_policy(client, published):
    first = client.get(published.get_absolute_url())
    second = client.get(published.get_absolute_url())
    assert first.content == second.content
    assert first["Content-Security-Policy"] == second["Content-Security-Policy"]
    # Its only <script> is the JSON-LD data block, which CSP does not govern.
    assert first.content.count(b"<script") == 1
    assert b'<script type="application/ld+json">' in first.content


def test_admin_pages_allow_only_their_own_scripts_and_the_editors_nonce(client, editor):
    client.force_login(editor)
    for url in [reverse("admin:index"), reverse("admin:articles_article_add")]:
        response = client.get(url)
        assert response.status_code == 200
        csp = policy(response)
        assert csp["script-src"][0] == "'self'"
        assert "'unsafe-inline'" not in csp["script-src"]
        assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert csp["base-uri"] == ["'none'"] and csp["form-action"] == ["'self'"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "camera=()" in response["Permissions-Policy"]
    # The editor's import map is the one inline script, and carries the nonce.
    nonce = csp["script-src"][1].removeprefix("'nonce-").removesuffix("'")
    assert f'<script type="importmap" nonce="{nonce}">'.encode() in response.content
    login = client.get(reverse("admin:login"))
    assert policy(login)["frame-ancestors"] == ["'none'"]


def test_share_links_send_no_referrer(client, editor):
    article = ArticleFactory(status=Article.Status.DRAFT)
    link = PreviewLink.objects.create(
        article=article, created_by=editor, expires_at=timezone.now() + datetime.timedelta(days=1)
    )
    response = client.get(link.get_absolute_url())
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Content-Security-Policy" in response


def test_an_off_site_next_lands_in_the_admin(client, editor):
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example.com/",
        {"username": "ed", "password": "pw", "next": "https://evil.example.com/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-test-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "research.example.org",
}
SHOW_HSTS = (
    "from django.conf import settings; "
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "settings.SECURE_HSTS_PRELOAD)"
)


def shell(code, **env):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_hsts_preload_and_subdomains_only_when_the_operator_opts_in():
    assert shell(SHOW_HSTS, **PRODUCTION) == "31536000 False False"
    opted = {**PRODUCTION, "SECURE_HSTS_PRELOAD": "1", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1"}
    assert shell(SHOW_HSTS, **opted) == "31536000 True True"
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **opted},
        check=False,
    )
    assert check.returncode == 0, check.stderr


# The policy in a real browser. The probe below is served through the site's
# whole middleware stack (this module doubles as the URL conf of that test).

INJECTED = (
    "<!DOCTYPE html><html lang='en'><head><title>Probe</title>"
    '<script type="application/ld+json">{"@type": "Article"}</script>'
    "<script>window.injected = true;</script>"
    "</head><body><p>An injected inline script.</p></body></html>"
)


def injected_page(request):
    return HttpResponse(INJECTED)


urlpatterns = [path("injected/", injected_page), *site_urls.urlpatterns]


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_the_browser_refuses_inline_scripts_but_reads_json_ld(live_server):
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing")
        pytest.skip("Chromium is missing")
    from playwright.sync_api import sync_playwright

    article = ArticleFactory(title="Seen in a browser")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        console = []
        page.on("console", lambda message: console.append(message.text))

        page.goto(live_server.url + "/injected/")
        assert page.evaluate("typeof window.injected") == "undefined"
        refused = [text for text in console if "inline script violates" in text]
        assert refused and "blocked" in refused[0], console
        # Every feature the Permissions-Policy names is one the browser knows.
        assert not [text for text in console if "Permissions-Policy" in text], console

        console.clear()
        page.goto(live_server.url + article.get_absolute_url())
        # The JSON-LD data block is there and readable, and breaks no rule.
        data = page.evaluate(
            "JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').text)"
        )
        assert data["headline"] == "Seen in a browser"
        assert not [text for text in console if "Content Security Policy" in text], console
        # A script someone manages to add to the page later is refused too.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = true'; document.head.append(s); }"
        )
        assert page.evaluate("typeof window.injected") == "undefined"
        browser.close()


# Permission first in the admin's own views


@pytest.fixture
def manager(db):
    """Staff with no rights over articles or key words."""
    user = User.objects.create_user("am", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Author managers"))
    return user


def article_views(article, version):
    """(method, address, data) of each of the admin's own views for one article."""
    pk = article.pk
    missing = pk + 1000
    compare = f"?old={version.pk}&new={version.pk}"
    return {
        "history": ("get", reverse("admin:articles_article_history", args=[pk]), missing),
        "revision": (
            "get",
            reverse("admin:articles_article_revision", args=[pk, version.pk]),
            reverse("admin:articles_article_revision", args=[missing, version.pk]),
        ),
        "restore": (
            "post",
            reverse("admin:articles_article_revision", args=[pk, version.pk]),
            reverse("admin:articles_article_revision", args=[missing, version.pk]),
        ),
        "compare": (
            "get",
            reverse("admin:articles_article_compare", args=[pk]) + compare,
            reverse("admin:articles_article_compare", args=[missing]) + compare,
        ),
        "preview": ("get", reverse("admin:articles_article_preview", args=[pk]), missing),
    }


@pytest.fixture
def versioned(db, editor):
    article = ArticleFactory(title="Changed by Eda")
    with reversion.create_revision():
        reversion.set_user(editor)
        article.save()
    return article, versions_of(article).first()


def test_admin_views_check_the_permission_before_the_article(client, editor, manager, versioned):
    article, version = versioned
    for name, (method, url, missing_url) in article_views(article, version).items():
        if isinstance(missing_url, int):
            missing_url = url.replace(f"/{article.pk}/", f"/{missing_url}/")
        send = getattr(client, method)
        client.logout()
        response = send(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("admin:login")), name

        client.force_login(manager)
        for address in (url, missing_url):
            response = send(address, {"lock": "stale"})
            assert response.status_code == 403, (name, address)
            assert b"Eda" not in response.content and b"Changed by" not in response.content

        client.force_login(editor)
        if method == "get":
            assert send(url).status_code == 200, name
            assert send(missing_url).status_code in (302, 404), name
        else:
            # With the right, a stale restore is refused with the reason.
            response = send(url, {"lock": "stale"})
            assert response.status_code == 302, name


def test_merging_key_words_checks_the_permission_first(client, editor, manager):
    ArticleFactory(keywords=["Syria", "syrian crisis"])
    ids = [str(pk) for pk in Keyword.objects.values_list("pk", flat=True)]
    url = reverse("admin:articles_keyword_changelist")
    data = {"action": "merge", "_selected_action": ids}
    response = client.post(url, data)
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    client.force_login(manager)
    assert client.post(url, data).status_code == 403
    assert client.post(url, {**data, "_selected_action": ["99999"]}).status_code == 403
    client.force_login(editor)
    response = client.post(url, data)
    assert response.status_code == 200 and b"Merge key words" in response.content


# Login throttling


def sign_in(client, username, password, code="", language=""):
    return client.post(
        f"{language}/admin/login/?next=/admin/",
        {"username": username, "password": password, "otp_token": code, "next": "/admin/"},
    )


def test_five_failures_lock_the_login_for_fifteen_minutes(client, editor):
    with time_machine.travel("2026-03-01 10:00 +0000", tick=False) as traveller:
        for _attempt in range(4):
            assert sign_in(client, "ed", "wrong").status_code == 200
        assert sign_in(client, "ed", "wrong").status_code == 429
        refused = sign_in(client, "ed", "pw")
        assert refused.status_code == 429
        assert b"Signing in is refused for 15 minutes" in refused.content
        assert "_auth_user_id" not in client.session
        traveller.shift(datetime.timedelta(minutes=14))
        assert sign_in(client, "ed", "pw").status_code == 429
        traveller.shift(datetime.timedelta(minutes=2))
        assert sign_in(client, "ed", "pw").status_code == 302
        assert client.session["_auth_user_id"] == str(editor.pk)


def test_the_lock_covers_one_address_whatever_the_user_name(client, editor):
    for attempt in range(5):
        sign_in(client, f"guess{attempt}", "wrong")
    assert sign_in(client, "ed", "pw").status_code == 429


def test_the_lockout_page_speaks_persian_in_the_persian_admin(client, editor):
    for _attempt in range(5):
        sign_in(client, "ed", "wrong", language="/fa")
    response = sign_in(client, "ed", "pw", language="/fa")
    assert response.status_code == 429
    assert "ورود تا 15 دقیقه پذیرفته نمی‌شود".encode() in response.content


def test_the_client_address_comes_from_the_trusted_header_only(client, editor, settings):
    # Without a trusted header, a forged X-Forwarded-For changes nothing.
    for attempt in range(5):
        client.post(
            "/admin/login/",
            {"username": f"u{attempt}", "password": "x"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}",
        )
    assert sign_in(client, "ed", "pw").status_code == 429
    call_command("axes_reset", verbosity=0)
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    for attempt in range(5):
        client.post(
            "/admin/login/", {"username": f"u{attempt}", "password": "x"}, HTTP_X_REAL_IP="10.0.0.9"
        )
    # Another client behind the same proxy is not locked out.
    assert (
        client.post(
            "/admin/login/", {"username": "ed", "password": "pw"}, HTTP_X_REAL_IP="10.0.0.10"
        ).status_code
        == 302
    )


def test_a_lock_is_lifted_by_command(client, editor):
    for _attempt in range(5):
        sign_in(client, "ed", "wrong")
    assert sign_in(client, "ed", "pw").status_code == 429
    call_command("axes_reset_username", "ed", verbosity=0)
    call_command("axes_reset_ip", "127.0.0.1", verbosity=0)
    assert sign_in(client, "ed", "pw").status_code == 302


def test_a_lock_is_lifted_in_the_admin_and_shown_on_the_audit_page(client, editor):
    boss = User.objects.create_superuser("boss", "boss@example.org", "pw")
    for _attempt in range(5):
        sign_in(client, "ed", "wrong")
    assert sign_in(client, "ed", "pw").status_code == 429
    admin = Client()
    admin.force_login(boss)
    audit = admin.get(reverse("admin:admin_logentry_changelist"))
    assert audit.status_code == 200
    assert b"Sign-ins refused after too many failures" in audit.content
    assert b"<td>ed</td>" in audit.content
    attempts = AccessAttempt.objects.all()
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [str(a.pk) for a in attempts],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "ed", "pw").status_code == 302


# Two-factor sign-in


def totp_now(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def enrol(client):
    """Turn two-factor sign-in on for the signed-in user; returns the device and backup codes."""
    page = client.get(reverse("admin:two-factor"))
    assert page.status_code == 200 and b"<svg" in page.content
    device = TOTPDevice.objects.get(confirmed=False)
    assert b"Wrong" not in page.content
    done = client.post(reverse("admin:two-factor"), {"otp_token": totp_now(device)})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = [t.token for t in StaticToken.objects.filter(device__user=device.user)]
    assert len(codes) == 10 and codes[0].encode() in done.content
    return device, codes


def test_enrolment_then_login_asks_for_the_code(client, editor):
    client.force_login(editor)
    device, codes = enrol(client)
    client.logout()
    # The password alone is not enough any more.
    response = sign_in(client, "ed", "pw")
    assert response.status_code == 200
    assert b"Enter the current code from your authenticator app" in response.content
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "ed", "pw", code="000000").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=60)):
        response = sign_in(client, "ed", "pw", code=totp_now(device))
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
    client.logout()
    # A backup code works once (after the wrong code's short delay has passed).
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=120)):
        assert sign_in(client, "ed", "pw", code=codes[0]).status_code == 302
        client.logout()
        assert sign_in(client, "ed", "pw", code=codes[0]).status_code == 200


def test_wrong_codes_count_towards_the_lock(client, editor):
    client.force_login(editor)
    device, _codes = enrol(client)
    client.logout()
    for _attempt in range(5):
        sign_in(client, "ed", "pw", code="000000")
    assert sign_in(client, "ed", "pw", code=totp_now(device)).status_code == 429


def test_the_login_page_offers_the_code_field(client):
    page = client.get(reverse("admin:login"))
    assert b'name="otp_token"' in page.content and b'autocomplete="one-time-code"' in page.content


def test_two_factor_required_leads_staff_without_a_device_to_enrolment(client, editor, settings):
    settings.ADMIN_2FA = "required"
    response = sign_in(client, "ed", "pw")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    for url in [reverse("admin:index"), reverse("admin:articles_article_changelist")]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("admin:two-factor")
    assert b"requires two-factor sign-in" in client.get(reverse("admin:two-factor")).content
    enrol(client)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200
    # A session that was not verified by a code (or a device's owner signing in
    # some other way) is sent back to sign in.
    other = Client()
    other.force_login(editor)
    response = other.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_a_lost_device_is_removed_by_command(client, editor):
    client.force_login(editor)
    enrol(client)
    client.logout()
    out = StringIO()
    call_command("remove_two_factor", "ed", stdout=out)
    assert "Removed" in out.getvalue()
    assert sign_in(client, "ed", "pw").status_code == 302
    with pytest.raises(CommandError):
        call_command("remove_two_factor", "nobody")


# The audit trail


def test_the_audit_trail_shows_who_did_what(client, editor, tmp_path):
    article = ArticleFactory(title="Audited", status=Article.Status.DRAFT, keywords=["Syria"])
    ArticleFactory(keywords=["syrian crisis"])
    client.force_login(editor)
    changelist = reverse("admin:articles_article_changelist")
    data = {"action": "publish", "_selected_action": [str(article.pk)]}
    client.post(changelist, data)
    client.post(changelist, {**data, "action": "unpublish"})
    ids = [str(pk) for pk in Keyword.objects.values_list("pk", flat=True)]
    keep = Keyword.objects.get(name="Syria")
    client.post(
        reverse("admin:articles_keyword_changelist"),
        {"action": "merge", "_selected_action": ids, "into": str(keep.pk)},
    )
    archive = tmp_path / "archive.json"
    archive.write_text(
        '{"authors": [{"name": "A", "slug": "a"}], "articles": [{"title": "Brought in",'
        ' "slug": "brought-in", "published_at": "2016-04-20T10:00:00+04:30",'
        ' "authors": ["a"], "sections": [{"heading": "", "body": "<p>x</p>"}]}]}'
    )
    call_command("import_articles", str(archive), stdout=StringIO())

    page = client.get(reverse("admin:admin_logentry_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    for what in ("Published", "Unpublished", "Merged key words into it: syrian crisis", "Imported"):
        assert what in text, what
    assert "command-line" in text and "Audited" in text
    # Filters by action, content type and user, and a date hierarchy.
    filtered = client.get(reverse("admin:admin_logentry_changelist") + "?action_flag=2")
    assert filtered.status_code == 200
    assert b"content_type__id__exact" in page.content and b"user__id__exact" in page.content
    # Read only, even for editors.
    entry = LogEntry.objects.first()
    change = reverse("admin:admin_logentry_change", args=[entry.pk])
    assert client.post(change, {}).status_code == 403
    assert client.get(reverse("admin:admin_logentry_add")).status_code == 403


def test_a_restore_enters_the_audit_trail(client, editor, versioned):
    article, version = versioned
    client.force_login(editor)
    url = reverse("admin:articles_article_revision", args=[article.pk, version.pk])
    values = form_values(client.get(url), "article_form")
    assert client.post(url, values).status_code == 302
    assert LogEntry.objects.filter(change_message__startswith="Restored the version").exists()


def test_staff_without_the_right_cannot_read_the_audit_trail(client, manager):
    client.force_login(manager)
    assert client.get(reverse("admin:admin_logentry_changelist")).status_code == 403
