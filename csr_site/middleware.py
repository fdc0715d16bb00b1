"""Middleware of the site's own: the request log; requests no page can answer,
refused before any view runs; and the security headers that depend on the
page (Content-Security-Policy, Permissions-Policy)."""

import logging
import re
import time
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.views.defaults import bad_request

request_log = logging.getLogger("csr_site.requests")
# A request id from the proxy is kept only if it is short and plain.
REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class RequestLogMiddleware:
    """One log line per request: method, path, status, duration and a request
    id, taken from `X-Request-ID` when the proxy sends one (else made here)
    and sent back in the response's `X-Request-ID`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.monotonic()
        given = request.headers.get("X-Request-ID", "")
        request.id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        duration = round((time.monotonic() - started) * 1000, 1)
        request_log.info(
            "%s %s %s %.1f ms %s",
            request.method,
            request.path,
            response.status_code,
            duration,
            request.id,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration,
                "request_id": request.id,
            },
        )
        return response


class RejectNulMiddleware:
    """A NUL character in the address or query is a 400: PostgreSQL cannot store or
    compare such text, so letting it through would end in a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = (value for _, values in request.GET.lists() for value in values)
        if "\x00" in request.path or any("\x00" in value for value in values):
            return bad_request(request, ValueError("NUL character in the request"))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's own policy on the admin's pages
    (`settings.ADMIN_CONTENT_SECURITY_POLICY`); every other page gets
    `settings.CONTENT_SECURITY_POLICY`."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        match = getattr(request, "resolver_match", None)
        if not report_only and parts.config is None and match and "admin" in match.namespaces:
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
        return parts


class PermissionsPolicyMiddleware:
    """A Permissions-Policy header turning off the browser features the site never
    uses (`settings.PERMISSIONS_POLICY`), for its pages and anything they embed."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.value = ", ".join(f"{feature}=()" for feature in settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.value)
        return response
