"""Media storage: the filesystem by default, an S3-compatible bucket when configured.

The bucket is a real S3-compatible server (moto's) run on loopback; files
are stored through the site and fetched back over HTTP from the addresses
the pages give, as a reader's browser would.
"""

import json
import runpy
import subprocess
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from .factories import ArticleFactory, DocumentFactory, pdf_bytes
from .servers import free_port, program, stop, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"S3_ACCESS_KEY_ID": "test-key", "S3_SECRET_ACCESS_KEY": "test-secret"}


def settings_from(monkeypatch, **env):
    """The site's settings as the environment `env` makes them."""
    for name in ("S3_BUCKET", "S3_ENDPOINT_URL", "S3_CUSTOM_DOMAIN", "S3_REGION", *KEYS):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "csr_site" / "settings.py"))


def test_media_are_files_under_media_root_by_default(monkeypatch, settings, db):
    built = settings_from(monkeypatch)
    assert built["STORAGES"]["default"]["BACKEND"].endswith("FileSystemStorage")
    assert built["MEDIA_URL"] == "/media/"
    name = default_storage.save("renditions/a.webp", ContentFile(b"RIFF"))
    assert (settings.MEDIA_ROOT / name).read_bytes() == b"RIFF"
    assert default_storage.url(name) == f"/media/{name}"


def test_s3_settings_come_from_the_environment(monkeypatch):
    built = settings_from(
        monkeypatch,
        S3_BUCKET="csr-media",
        S3_ENDPOINT_URL="https://s3.example.net",
        S3_CUSTOM_DOMAIN="media.research.example.org",
        **KEYS,
    )
    storage = built["STORAGES"]["default"]
    assert storage["BACKEND"] == "csr_site.storage.MediaStorage"
    assert {
        key: storage["OPTIONS"][key]
        for key in ("bucket_name", "endpoint_url", "access_key", "secret_key", "custom_domain")
    } == {
        "bucket_name": "csr-media",
        "endpoint_url": "https://s3.example.net",
        "access_key": "test-key",
        "secret_key": "test-secret",
        "custom_domain": "media.research.example.org",
    }


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory):
    """An S3-compatible server on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [
            program("moto_server", str(Path(sys.executable).parent)),
            "-H",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture
def bucket(s3_server, monkeypatch, settings):
    """A new bucket on the server, made the site's media storage from the environment."""
    name = f"csr-media-{uuid.uuid4().hex[:12]}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=name)
    # As the README asks of a media bucket: anyone may read its files.
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read(name)))
    built = settings_from(monkeypatch, S3_BUCKET=name, S3_ENDPOINT_URL=s3_server, **KEYS)
    settings.STORAGES = built["STORAGES"]
    return f"{s3_server}/{name}/"


def public_read(bucket):
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }


def fetch(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_any_file_is_stored_in_the_bucket_and_served_from_it(bucket, settings):
    name = default_storage.save("renditions/2016/lead.webp", ContentFile(b"RIFF....WEBP"))
    url = default_storage.url(name)
    assert url.startswith(bucket)
    status, headers, body = fetch(url)
    assert (status, body) == (200, b"RIFF....WEBP")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert not (settings.MEDIA_ROOT / name).exists()


def test_document_is_uploaded_to_the_bucket_and_downloaded_from_the_page(
    bucket, client, published, django_capture_on_commit_callbacks
):
    document = DocumentFactory(article=published, title="Full report", pages=3)
    page = client.get(published.get_absolute_url()).content.decode()
    url = document.file.url
    assert url.startswith(bucket) and f'href="{url}"' in page

    status, headers, body = fetch(url)
    assert (status, body) == (200, pdf_bytes(3))
    assert headers["Content-Type"] == "application/pdf"
    assert headers["Content-Disposition"] == 'attachment; filename="full-report.pdf"'

    with django_capture_on_commit_callbacks(execute=True):
        document.delete()
    with pytest.raises(urllib.error.HTTPError) as gone:
        fetch(url)
    assert gone.value.code in (403, 404)


def test_persian_document_downloads_under_its_persian_name(bucket, db):
    document = DocumentFactory(article=ArticleFactory(language="fa"), title="گزارش کامل")
    status, headers, _ = fetch(document.file.url)
    assert status == 200
    assert headers["Content-Disposition"] == (
        "attachment; filename*=utf-8''%DA%AF%D8%B2%D8%A7%D8%B1%D8%B4-%DA%A9%D8%A7%D9%85%D9%84.pdf"
    )
