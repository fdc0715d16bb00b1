"""Several application servers on one PostgreSQL database and one Redis: an
edit saved anywhere is served at once by every server, from its first
request after the save."""

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from .servers import free_port, stop, wait_for_port

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="servers share a PostgreSQL database"
)


def manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""


@pytest.fixture
def database():
    """A PostgreSQL database of the test's own, beside the test database."""
    settings = connection.settings_dict
    name = f"{settings['NAME']}_servers"
    server = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def servers(database, shared_cache):
    """Two gunicorn servers of two workers each, sharing the database and Redis."""
    env = {
        "DATABASE_URL": database,
        "REDIS_URL": shared_cache,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SITE_HOST": "localhost",
    }
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    ports, processes = [free_port(), free_port()], []
    for port in ports:
        process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "csr_site.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        wait_for_port(port, process)
    yield env, ports
    for process in processes:
        stop(process)


def fetch(port, path):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
    )
    with urllib.request.urlopen(request) as response:
        return response.read().decode()


def test_an_edit_is_served_at_once_by_every_server(servers):
    env, ports = servers
    path = manage(
        env,
        "shell",
        "-c",
        "from articles.models import Article; "
        "print(Article.objects.public().filter(language='en').first().get_absolute_url())",
    )
    # Every worker of both servers has the page remembered (in the shared cache).
    for port in ports * 4:
        assert "Edited on one server" not in fetch(port, path)

    # Saved through the models, as the admin of either server would save it.
    manage(
        env,
        "shell",
        "-c",
        "from articles.models import Article; "
        f"a = next(a for a in Article.objects.all() if a.get_absolute_url() == {path!r}); "
        "a.title = 'Edited on one server'; a.save()",
    )
    for port in ports * 4:
        assert "Edited on one server" in fetch(port, path)
    for port in ports:
        assert "Edited on one server" in fetch(port, "/")
