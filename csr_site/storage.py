"""Uploaded media in S3-compatible object storage (used when `S3_BUCKET` is set).

The bucket serves the files itself, so what a front server adds for files
under /media/ (see deploy/nginx.conf) is stored with each object instead:
a year's cache lifetime (stored names are never reused), and for a PDF a
Content-Disposition that downloads it under the readable part of its name.
"""

import posixpath

from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage


class MediaStorage(S3Storage):
    def get_object_parameters(self, name):
        parameters = super().get_object_parameters(name)
        if name.lower().endswith(".pdf"):
            parameters.setdefault(
                "ContentDisposition", content_disposition_header(True, posixpath.basename(name))
            )
        return parameters
