"""The production recipe: deploy/nginx.conf in front of gunicorn, as the README sets it up.

nginx (Debian's package) runs the sample configuration with only its
addresses, paths and certificate changed for the test, on free loopback
ports; gunicorn runs the site with production settings behind it, with
static files collected as the README says. A document uploaded to the
site's MEDIA_ROOT, a static file and a page are fetched through nginx.
"""

import datetime
import http.client
import json
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .factories import DocumentFactory, pdf_bytes
from .servers import ROOT, free_port, manage, program, stop, wait_for_port

WSGI = "csr_site.wsgi"
HOST = "research.example.org"
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-test-0123456789-abcdefghijkl",
    "ALLOWED_HOSTS": HOST,
}


def self_signed(folder):
    """A certificate and key for HOST, as files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def render(sample, replacements):
    """The sample with each placeholder replaced; every one must be in it."""
    for placeholder, value in replacements.items():
        assert placeholder in sample, f"{placeholder!r} is no longer in deploy/nginx.conf"
        sample = sample.replace(placeholder, value)
    return sample


@pytest.fixture(scope="module")
def front(tmp_path_factory):
    """nginx with the sample configuration, gunicorn behind it; yields the
    ports (HTTPS, HTTP) and the static and media folders."""
    nginx = program("nginx", "/usr/sbin")
    folder = tmp_path_factory.mktemp("front")
    static_root, media_root = folder / "staticfiles", folder / "media"
    media_root.mkdir()
    env = {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{folder / 'site.sqlite3'}",
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(media_root),
    }
    manage("migrate", "--noinput", env=env)
    manage("collectstatic", "--noinput", env=env)

    app_port, https_port, http_port = free_port(), free_port(), free_port()
    gunicorn = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "--bind", f"127.0.0.1:{app_port}", WSGI],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cert_file, key_file = self_signed(folder)
    site = render(
        (ROOT / "deploy" / "nginx.conf").read_text(),
        {
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen [::]:80;": "",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "listen [::]:443 ssl http2;": "",
            f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(cert_file),
            f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key_file),
            "/srv/csr/staticfiles/": f"{static_root}/",
            "/srv/csr/media/": f"{media_root}/",
            "127.0.0.1:8000": f"127.0.0.1:{app_port}",
        },
    )
    (folder / "site.conf").write_text(site)
    # What Debian's /etc/nginx/nginx.conf provides, with every path in the test's folder.
    (folder / "nginx.conf").write_text(
        f"""
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
"""
    )
    server = subprocess.Popen(
        [nginx, "-p", folder, "-e", folder / "error.log", "-c", folder / "nginx.conf"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(app_port, gunicorn)
        wait_for_port(https_port, server)
        yield {
            "https": https_port,
            "http": http_port,
            "static": static_root,
            "media": media_root,
        }
    finally:
        stop(server)
        stop(gunicorn)


def get(port, path, secure=True, **headers):
    if secure:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    connection.request("GET", path, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_uploaded_document_is_served_from_media_root(front, settings, published):
    settings.MEDIA_ROOT = front["media"]
    document = DocumentFactory(article=published, title="Full report", pages=4)
    response, body = get(front["https"], document.file.url)
    assert response.status == 200 and body == pdf_bytes(4)
    assert response.getheader("Content-Type") == "application/pdf"
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Disposition") == (
        "attachment; filename*=UTF-8''full-report.pdf"
    )


def test_persian_document_keeps_its_name(front, settings, published_fa):
    settings.MEDIA_ROOT = front["media"]
    document = DocumentFactory(article=published_fa, title="گزارش کامل")
    response, _ = get(front["https"], document.file.url)
    assert response.status == 200
    assert response.getheader("Content-Disposition") == (
        "attachment; filename*=UTF-8''%DA%AF%D8%B2%D8%A7%D8%B1%D8%B4-%DA%A9%D8%A7%D9%85%D9%84.pdf"
    )


def test_media_are_never_served_as_pages(front):
    (front["media"] / "planted.html").write_text("<script>alert(1)</script>")
    response, _ = get(front["https"], "/media/planted.html")
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/octet-stream"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert get(front["https"], "/media/no-such-file.pdf")[0].status == 404


def test_collected_static_files_are_served_compressed_and_cached(front):
    manifest = json.loads((front["static"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/site.css"]
    response, _ = get(front["https"], f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/css"
    assert response.getheader("Content-Encoding") == "gzip"
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    # An unhashed copy may change with the next release.
    response, _ = get(front["https"], "/static/css/site.css")
    assert response.getheader("Cache-Control") == "public, max-age=3600"


def test_pages_are_passed_to_the_site_which_knows_they_came_over_https(front):
    response, body = get(front["https"], "/")
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    # The site saw HTTPS and the host name: no redirect, HSTS, absolute addresses.
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert f'<link rel="canonical" href="https://{HOST}/">' in body.decode()


def test_plain_http_is_redirected_to_https(front):
    response, _ = get(front["http"], "/articles/?page=2", secure=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/articles/?page=2"
