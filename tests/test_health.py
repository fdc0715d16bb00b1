"""/healthz: 200 while the database and the cache answer, 503 otherwise, never cached."""

import pytest
from django.db import OperationalError, connection
from django.test import override_settings

from .test_cache_resilience import redis_caches


def assert_never_cached(response):
    assert "no-store" in response["Cache-Control"]
    assert "ETag" not in response


@pytest.mark.django_db
def test_healthy_site_answers_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    assert_never_cached(response)
    # Not an edition's page: no Persian twin.
    assert client.get("/fa/healthz").status_code == 404


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_a_503(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "failing", "cache": "ok"}
    assert_never_cached(response)


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_is_a_503(client, silent_server):
    with override_settings(CACHES=redis_caches(silent_server)):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"database": "ok", "cache": "failing"}
    assert_never_cached(response)


@pytest.mark.django_db
def test_a_working_redis_is_healthy(client, shared_cache):
    with override_settings(CACHES=redis_caches(shared_cache)):
        assert client.get("/healthz").status_code == 200
