"""The files of the archive format: images and documents kept beside the JSON file.

An entry names its file relative to the archive's folder
(`"file": "media/report.pdf"`). On import each file is found there, never
outside it, and checked as an upload is (`renditions.inspect` for images,
`documents.inspect_pdf` for PDFs) before anything is stored, so a bad file
fails the import with nothing written. An image whose bytes are already in
the library (by sha256) is reused, never stored twice. If the import fails
after files were stored, they are deleted again.

On export with a folder, `Exporter` copies the originals under `media/` and
gives the entries that name them.
"""

import contextlib
import hashlib
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.text import slugify

from . import renditions
from .documents import Document, inspect_pdf
from .images import Image

# The folder, beside archive.json, that an export writes the files to.
MEDIA_FOLDER = "media"
# An entry's text fields, as the library keeps them.
IMAGE_TEXTS = ["alt", "decorative", "caption", "credit"]
# A library figure's number in a body, as stored and as the editor writes it.
FIGURE_NUMBER = re.compile(r'(<figure\b[^>]*?\bdata-image=")(\d+)(")')


def locate(folder, name):
    """The path of the file `name` in the archive's `folder`, or ValidationError."""
    if folder is None:
        raise ValidationError("files can only be imported from an archive file's folder")
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("must name a file relative to the archive's folder")
    if "\x00" in name:
        raise ValidationError("must not contain a NUL character")
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).anchor:
        raise ValidationError(f"{name}: must be relative to the archive's folder, not absolute")
    root = Path(folder).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise ValidationError(f"{name}: leads out of the archive's folder")
    if not path.is_file():
        raise ValidationError(f"{name}: no such file in the archive's folder")
    return path


@dataclass
class FoundImage:
    path: Path
    sha256: str
    texts: dict
    where: str = ""  # The record and field that name it, for messages.


@dataclass
class FoundDocument:
    path: Path
    size: int
    sha256: str
    title: str
    language: str


def _digest(fp):
    digest = hashlib.sha256()
    for chunk in iter(lambda: fp.read(1024 * 1024), b""):
        digest.update(chunk)
    fp.seek(0)
    return digest.hexdigest()


def check_image(folder, name, texts=None):
    """The image file `name`, checked as an upload is; ValidationError if refused."""
    path = locate(folder, name)
    with path.open("rb") as fp:
        try:
            facts = renditions.inspect(File(fp, name=path.name))
        except ValidationError as error:
            raise ValidationError(f"{name}: {' '.join(error.messages)}") from None
    return FoundImage(path, facts.sha256, texts or {})


def check_document(folder, name, title="", language=""):
    """The PDF file `name`, checked as an upload is; ValidationError if refused."""
    path = locate(folder, name)
    with path.open("rb") as fp:
        upload = File(fp, name=path.name)
        try:
            inspect_pdf(upload)
        except ValidationError as error:
            raise ValidationError(f"{name}: {' '.join(error.messages)}") from None
        return FoundDocument(path, upload.size, _digest(fp), title, language)


@dataclass
class Library:
    """What an import stores: each image once, and the names of every file
    stored, to delete them if the import fails."""

    images: dict = field(default_factory=dict)  # sha256: Image
    stored: list = field(default_factory=list)
    # The archive's figure numbers and the library images they now are.
    figures: dict = field(default_factory=dict)

    def store_figures(self, entries):
        """Store the images figures in bodies name (`entries`: number: FoundImage)."""
        self.figures = {number: self.image(found).pk for number, found in entries.items()}

    def renumber(self, body):
        """`body` with its figures naming the library's numbers for the archive's."""
        if not self.figures:
            return body
        return FIGURE_NUMBER.sub(lambda m: f"{m[1]}{self.figures.get(int(m[2]), m[2])}{m[3]}", body)

    def image(self, found):
        """The library image with the bytes of `found`, stored if new; its
        texts become those of the archive."""
        image = self.images.get(found.sha256)
        if image is None:
            image = Image.objects.filter(sha256=found.sha256).first()
        if image is None:
            with found.path.open("rb") as fp:
                image = Image(file=File(fp, name=found.path.name), **found.texts)
                image.save()
            self.stored.extend(image.stored_names())
        elif any(getattr(image, name) != value for name, value in found.texts.items()):
            for name, value in found.texts.items():
                setattr(image, name, value)
            image.save(update_fields=[*IMAGE_TEXTS, "updated_at"])
        self.images[found.sha256] = image
        return image

    def documents(self, article, entries):
        """Make `article`'s documents those of `entries`, keeping each stored
        one whose title, language and bytes are the same."""
        kept = []
        existing = list(article.documents.all())
        for order, found in enumerate(entries):
            # Left blank, a document is in its article's language (as `Document.save` says).
            found.language = found.language or article.language
            same = next((d for d in existing if _same_document(d, found)), None)
            if same is not None:
                existing.remove(same)
                if same.order != order:
                    same.order = order
                    same.save(update_fields=["order"])
                kept.append(same)
                continue
            with found.path.open("rb") as fp:
                document = Document(
                    article=article,
                    order=order,
                    title=found.title,
                    language=found.language,
                    file=File(fp, name=found.path.name),
                )
                try:
                    document.save()
                finally:
                    if document.file and document.file._committed:
                        self.stored.append(document.file.name)
            kept.append(document)
        for document in existing:
            document.delete()  # Its file goes once the import commits.
        return kept

    @contextlib.contextmanager
    def removing_files_on_error(self):
        """Delete the files this import stored if it fails (the rolled-back
        rows no longer point at them)."""
        try:
            yield self
        except BaseException:
            renditions.delete(self.stored)
            raise


def _same_document(document, found):
    if (document.title, document.language, document.size) != (
        found.title,
        found.language,
        found.size,
    ):
        return False
    try:
        with document.file.open("rb") as fp:
            return _digest(fp) == found.sha256
    except OSError:
        return False


class Exporter:
    """Copies the originals of an export under `folder/media/`, each once."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.names = {}  # stored name: name in the archive
        self.taken = set()

    def copy(self, field_file, readable):
        """The archive's name for a stored file (`media/<readable>.<ext>`), copying it once."""
        if field_file.name in self.names:
            return self.names[field_file.name]
        extension = posixpath.splitext(field_file.name)[1].lower()
        stem = slugify(readable)[:60].strip("-") or "file"
        name, number = f"{stem}{extension}", 1
        while name in self.taken:
            number += 1
            name = f"{stem}-{number}{extension}"
        self.taken.add(name)
        target = self.folder / MEDIA_FOLDER / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with field_file.open("rb") as source, target.open("wb") as out:
            for chunk in source.chunks():
                out.write(chunk)
        archived = f"{MEDIA_FOLDER}/{name}"
        self.names[field_file.name] = archived
        return archived

    def image(self, image):
        readable = image.alt or image.caption or f"image-{image.pk}"
        return {
            "file": self.copy(image.file, readable),
            **{name: getattr(image, name) for name in IMAGE_TEXTS},
        }

    def document(self, document):
        return {
            "file": self.copy(document.file, document.title),
            "title": document.title,
            "language": document.language,
        }
