"""Middleware of the site's own: the request log, and requests no page can
answer, refused before any view runs."""

import logging
import re
import time
import uuid

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
