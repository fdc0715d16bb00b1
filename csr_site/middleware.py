"""Requests no page can answer, refused before any view runs."""

from django.views.defaults import bad_request


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
