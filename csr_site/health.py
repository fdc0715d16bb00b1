"""The health check that load balancers and monitors ask: `/healthz`.

200 when the database and the cache both answer, 503 otherwise (the body
says which failed). Never cached, and outside the editions' prefixes.
"""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

from articles.caching import cache_answers


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


@require_safe
def healthz(request):
    checks = {"database": database_answers(), "cache": cache_answers()}
    response = JsonResponse(
        {name: "ok" if answered else "failing" for name, answered in checks.items()},
        status=200 if all(checks.values()) else 503,
    )
    add_never_cache_headers(response)
    return response
