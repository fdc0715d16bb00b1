"""Requests a second under load, with wrk, against the site served as in production.

Builds the generated archive of archive.py (10,000 articles by default) in a
database of its own, starts a Redis of its own (so that it can be stopped),
gunicorn with two workers (DEBUG off) and nginx with the front-cache config
of deploy/, then runs wrk (Debian's `wrk` package) against:

- a trivial page (`/robots.txt`) through the same stack: the floor;
- a cached article page, in the application, and through the front cache
  beside nginx serving the same page as a file;
- a mix of pages (articles, home, index, key word, author) with 64
  connections for `--seconds` (60), then the same with Redis stopped half way.

Prints requests a second, latency (median, 99th percentile) and errors for
each run, as answers other than 2xx/3xx / socket errors (wrk's timeout: 10 s).

    BENCH_DB_NAME=csr_bench_load python bench/load.py
    python bench/load.py --size 1000 --seconds 20
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from archive import ROOT, grow_to, start

from articles.models import Article

PYTHON_BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, process):
    for _ in range(400):
        if process.poll() is not None:
            sys.exit(f"{process.args[0]} ended with status {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"nothing answers on port {port}")


def started(command, port, **options):
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **options
    )
    wait_for(port, process)
    return process


def stop(process):
    if process.poll() is None:
        process.terminate()
        process.wait(10)


WRK_SCRIPT = """
paths = {%s}
counter = 0
request = function()
    counter = counter + 1
    return wrk.format("GET", paths[counter %% #paths + 1], {
        ["Host"] = "localhost", ["X-Forwarded-Proto"] = "https"})
end
"""


def wrk(port, paths, connections, seconds, folder):
    script = Path(folder) / "paths.lua"
    script.write_text(WRK_SCRIPT % ", ".join(f'"{path}"' for path in paths))
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(connections, 4)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def find(pattern, default="0"):
        match = re.search(pattern, output)
        return match[1] if match else default

    answers = int(find(r"Non-2xx or 3xx responses: (\d+)"))
    sockets = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    rate = float(find(r"Requests/sec:\s+([\d.]+)"))
    return rate, find(r"50%\s+(\S+)"), find(r"99%\s+(\S+)"), f"{answers}/{sockets}"


def nginx_conf(folder, listen, upstream, static_root):
    """The front-cache config of deploy/, and a location serving one page as a file."""
    conf = (ROOT / "deploy" / "nginx-front-cache.conf").read_text()
    conf = conf.replace("/var/cache/nginx/csr", str(folder / "cache"))
    conf = conf.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    conf = conf.replace("listen 8080;", f"listen 127.0.0.1:{listen};")
    # Readers reach this server over HTTPS in production; here wrk speaks
    # plain HTTP to it, so it says so itself (else the site redirects).
    conf = conf.replace("X-Forwarded-Proto $scheme;", "X-Forwarded-Proto https;")
    conf = conf.replace(
        "    location = /healthz {",
        f"    location /as-a-file/ {{\n        alias {static_root}/;\n    }}\n\n"
        "    location = /healthz {",
    )
    temp = folder / "temp"
    temp.mkdir()
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        + f"error_log {folder / 'error.log'};\nevents {{}}\nhttp {{\naccess_log off;\n"
        + "".join(
            f"{kind}_temp_path {temp / kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + conf
        + "\n}\n"
    )
    return main


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=60)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")

    authors, keywords = start()
    grow_to(options.size, authors, keywords)
    articles = list(Article.objects.order_by("pk")[: options.size : max(1, options.size // 200)])
    article = articles[len(articles) // 2].get_absolute_url()
    mix = [a.get_absolute_url() for a in articles] + [
        "/",
        "/articles/",
        keywords[5].get_absolute_url(),
        authors[3].get_absolute_url(),
    ]

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        redis_port, site_port = free_port(), free_port()
        redis = started(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--maxmemory",
                "256mb",
                "--maxmemory-policy",
                "allkeys-lru",
            ],
            redis_port,
        )
        env = {
            **os.environ,
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "ALLOWED_HOSTS": "localhost",
            "SITE_HOST": "localhost",
            "LOG_LEVEL": "ERROR",
            "REQUEST_LOG_LEVEL": "WARNING",
        }
        site = started(
            [
                str(PYTHON_BIN / "gunicorn"),
                "csr_site.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{site_port}",
            ],
            site_port,
            cwd=ROOT,
            env=env,
        )
        front = None
        try:
            print(f"{options.size:,} articles; 2 gunicorn workers; Redis; wrk")
            print(f"{'run':<44} {'req/s':>8} {'p50':>8} {'p99':>8} {'errors':>9}")

            def show(label, figures):
                rate, p50, p99, errors = figures
                print(f"{label:<44} {rate:>8.0f} {p50:>8} {p99:>8} {errors:>9}")
                sys.stdout.flush()
                return rate

            wrk(site_port, [article, "/robots.txt", *mix], 4, 3, folder)  # warm up
            floor = show(
                "trivial page (/robots.txt), 16 conns",
                wrk(site_port, ["/robots.txt"], 16, 10, folder),
            )
            cached = show(
                "cached article page, 16 conns", wrk(site_port, [article], 16, 10, folder)
            )
            print(f"{'':<44} {cached / floor:>8.0%} of the trivial page")
            if nginx:
                front_port = free_port()
                page = subprocess.run(
                    [
                        "curl",
                        "-s",
                        "-H",
                        "Host: localhost",
                        "-H",
                        "X-Forwarded-Proto: https",
                        f"http://127.0.0.1:{site_port}{article}",
                    ],
                    capture_output=True,
                    check=True,
                ).stdout
                (folder / "files").mkdir()
                (folder / "files" / "page.html").write_bytes(page)
                conf = nginx_conf(folder, front_port, site_port, folder / "files")
                front = started([nginx, "-c", str(conf), "-p", str(folder)], front_port)
                wrk(front_port, [article], 4, 2, folder)
                status = subprocess.run(
                    [
                        "curl",
                        "-s",
                        "-o",
                        "/dev/null",
                        "-w",
                        "%{http_code} %header{x-cache-status}",
                        "-H",
                        "Host: localhost",
                        f"http://127.0.0.1:{front_port}{article}",
                    ],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
                print(f"front cache answers the article page: {status}")
                through = show(
                    "cached article page, front cache, 16 conns",
                    wrk(front_port, [article], 16, 10, folder),
                )
                as_file = show(
                    "the same page as a file from nginx, 16 conns",
                    wrk(front_port, ["/as-a-file/page.html"], 16, 10, folder),
                )
                print(f"{'':<44} {through / as_file:>8.0%} of nginx serving a file")
            show(
                f"mix of {len(mix)} pages, 64 conns, {options.seconds} s",
                wrk(site_port, mix, 64, options.seconds, folder),
            )
            threading.Timer(options.seconds / 2, stop, [redis]).start()
            show(
                f"the same, Redis stopped after {options.seconds // 2} s",
                wrk(site_port, mix, 64, options.seconds, folder),
            )
        finally:
            for process in (front, site, redis):
                if process:
                    stop(process)


if __name__ == "__main__":
    main()
