"""Settings from the environment: production refuses unsafe defaults and passes check --deploy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-test-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": "research.example.org",
}


def manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )


def test_production_without_a_secret_key_refuses_to_start():
    env = {**PRODUCTION, "SECRET_KEY": ""}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY in the environment when DEBUG is off." in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_debug_must_be_zero_or_one():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be 0 or 1" in result.stderr


# A script run inside the site, as a server process runs it: requests go
# through the WSGI application, so its request signals fire as in production.
SERVE = """
from wsgiref.util import setup_testing_defaults
from django.db import connection
from csr_site.wsgi import application

def serve(path):
    environ = {"PATH_INFO": path, "HTTP_HOST": "localhost"}
    setup_testing_defaults(environ)
    status = []
    result = application(environ, lambda line, headers, exc_info=None: status.append(line))
    body = b"".join(result).decode()
    result.close()
    return status[0], body
"""


@pytest.fixture(scope="module")
def site_database(tmp_path_factory):
    """A migrated database of its own, for the site run in another process."""
    url = f"sqlite:///{tmp_path_factory.mktemp('site') / 'site.sqlite3'}"
    result = manage("migrate", "--noinput", DATABASE_URL=url)
    assert result.returncode == 0, result.stderr
    return url


def serve(script, root=ROOT, **env):
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SERVE + script],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_one_database_connection_serves_many_requests(site_database):
    script = """
serve("/articles/")
first = connection.connection
for _ in range(3):
    assert serve("/articles/")[0] == "200 OK"
print("same connection:", first is not None and connection.connection is first)
"""
    assert "same connection: True" in serve(script, DATABASE_URL=site_database)
    # The control: without reuse, each request opens its own.
    assert "same connection: False" in serve(script, DATABASE_URL=site_database, CONN_MAX_AGE="0")


@pytest.mark.django_db
def test_a_dropped_database_connection_does_not_fail_the_next_request(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to drop a connection")
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    script = """
from django.db import connections
serve("/articles/")
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    (pid,) = cursor.fetchone()
other = connections.create_connection("default")
with other.cursor() as cursor:
    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
other.close()
print("after the drop:", serve("/articles/")[0])
"""
    assert "after the drop: 200 OK" in serve(script, DATABASE_URL=url.geturl())


def test_pages_rendered_by_one_release_are_not_served_by_the_next(
    tmp_path, shared_cache, site_database
):
    # The release before this one: the same site, with a different footer.
    old = tmp_path / "old"
    for folder in ("articles", "authors", "csr_site", "templates", "locale", "static"):
        shutil.copytree(ROOT / folder, old / folder, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", old)
    base = old / "templates" / "base.html"
    base.write_text(base.read_text().replace("<footer", "<p>Old footer</p><footer"))
    home = 'print(serve("/")[1])'
    env = {"DATABASE_URL": site_database, "REDIS_URL": shared_cache}

    assert "Old footer" in serve(home, root=old, **env)
    assert "Old footer" not in serve(home, **env)

    # RELEASE, when set, names the release instead of the code's digest.
    assert "Old footer" in serve(home, root=old, RELEASE="r41", **env)
    assert "Old footer" in serve(home, RELEASE="r41", **env)
    assert "Old footer" not in serve(home, RELEASE="r42", **env)
