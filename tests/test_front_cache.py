"""The sample nginx front cache (deploy/nginx-front-cache.conf) in front of
the site served by gunicorn: pages are kept, then revalidated, and an edit
shows within seconds."""

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .servers import ROOT, free_port, manage


def wait_for(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing answers on port {port}")


@pytest.fixture
def site(tmp_path):
    """The site with its sample articles, served by gunicorn on a port of its own."""
    port = free_port()
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'site.sqlite3'}",
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SITE_HOST": "localhost",
    }
    manage("migrate", "--noinput", env=env)
    manage("load_demo", env=env)
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "csr_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    yield env, port
    server.terminate()
    server.wait()


@pytest.fixture
def front_cache(tmp_path, site):
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if not nginx:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing")
        pytest.skip("nginx is missing")
    env, site_port = site
    port = free_port()
    conf = (ROOT / "deploy" / "nginx-front-cache.conf").read_text()
    conf = conf.replace("/var/cache/nginx/csr", str(tmp_path / "cache"))
    conf = conf.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{site_port};")
    conf = re.sub(r"listen 8080;", f"listen 127.0.0.1:{port};", conf)
    temp = tmp_path / "temp"
    temp.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        + "events {}\nhttp {\naccess_log off;\n"
        + "".join(
            f"{kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + conf
        + "\n}\n"
    )
    process = subprocess.Popen([nginx, "-c", str(main), "-p", str(tmp_path)])
    wait_for(port)
    yield env, port
    process.terminate()
    process.wait()


def fetch(port, path):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": "localhost"}
    )
    with urllib.request.urlopen(request) as response:
        return response.status, response.headers, response.read().decode()


def test_front_cache_keeps_pages_and_shows_edits_after_revalidation(front_cache):
    env, port = front_cache
    path = (
        manage(
            "shell",
            "-c",
            "from articles.models import Article; "
            "print(Article.objects.public().filter(language='en').first().get_absolute_url())",
            env=env,
        )
        .strip()
        .splitlines()[-1]
    )

    status, headers, body = fetch(port, path)
    assert status == 200 and headers["X-Cache-Status"] == "MISS"
    assert headers["ETag"]
    status, headers, again = fetch(port, path)
    assert headers["X-Cache-Status"] == "HIT" and again == body

    manage(
        "shell",
        "-c",
        "from articles.models import Article; "
        f"a = next(a for a in Article.objects.all() if a.get_absolute_url() == {path!r}); "
        "a.title = 'Edited at the front'; a.save()",
        env=env,
    )
    time.sleep(5.5)
    status, headers, body = fetch(port, path)
    assert status == 200 and "Edited at the front" in body
    assert headers["X-Cache-Status"] in {"EXPIRED", "REVALIDATED"}
    # Unchanged since: revalidated by its ETag, not sent again by the site.
    deadline = time.monotonic() + 10
    while (cached := fetch(port, path))[1]["X-Cache-Status"] == "HIT":
        assert time.monotonic() < deadline, "never revalidated"
        time.sleep(0.5)
    assert cached[1]["X-Cache-Status"] == "REVALIDATED" and cached[2] == body
    # The health check is never kept.
    status, headers, _ = fetch(port, "/healthz")
    assert status == 200 and headers.get("X-Cache-Status") is None
