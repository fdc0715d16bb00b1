"""One log line per request, with a request id; JSON when LOG_FORMAT=json."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "csr_site.requests"]


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_id(client, published, caplog):
    caplog.set_level(logging.INFO, logger="csr_site.requests")
    response = client.get(published.get_absolute_url())
    (line,) = request_lines(caplog)
    assert (line.method, line.path, line.status) == ("GET", published.get_absolute_url(), 200)
    assert line.duration_ms >= 0
    assert len(line.request_id) == 32 and response["X-Request-ID"] == line.request_id

    caplog.clear()
    assert client.get("/no/such/page/").status_code == 404
    (line,) = request_lines(caplog)
    assert line.status == 404


@pytest.mark.django_db
def test_a_request_id_from_the_proxy_is_kept(client, caplog):
    caplog.set_level(logging.INFO, logger="csr_site.requests")
    response = client.get("/", headers={"x-request-id": "req-42.abc"})
    assert response["X-Request-ID"] == "req-42.abc"
    assert request_lines(caplog)[0].request_id == "req-42.abc"
    # Not one that could forge log lines.
    response = client.get("/", headers={"x-request-id": "a\nfake line"})
    assert response["X-Request-ID"] != "a\nfake line"


SCRIPT = """
from django.test import Client
Client().get("/healthz", headers={"x-request-id": "abc"})
"""


@pytest.mark.parametrize("log_format", ["json", "text"])
def test_log_lines_are_json_when_asked(tmp_path, log_format):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "LOG_FORMAT": log_format,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        },
        check=True,
    )
    (line,) = [line for line in result.stderr.splitlines() if "abc" in line]
    if log_format == "json":
        entry = json.loads(line)
        assert entry["method"] == "GET" and entry["path"] == "/healthz"
        assert entry["request_id"] == "abc" and isinstance(entry["duration_ms"], float)
        assert entry["status"] in (200, 503)
    else:
        assert "GET /healthz" in line and "abc" in line
