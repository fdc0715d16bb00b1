"""Checking uploaded images by their content, and making the renditions readers get.

`inspect()` reads an upload's header only (Pillow opens files lazily), so a
file too large or with too many pixels is refused before any pixel is
decoded; it then decodes the pixels of what passed, so that a truncated file
is refused too. `make()` writes the renditions of a stored original: EXIF
orientation applied, colours in sRGB, every metadata block left out, in the
widths the layout needs, as AVIF, WebP and a JPEG (PNG when transparent)
fallback. Readers are only ever sent renditions, never the original.
"""

import contextlib
import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageCms, ImageFile, ImageOps

MAX_BYTES = 25 * 1024 * 1024
MAX_PIXELS = 50_000_000
# Anything Pillow opens elsewhere is held to the same limit (Pillow warns
# above it and refuses at twice it).
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

# Formats accepted, by what Pillow reads from the content, with the
# extension the original is stored under.
ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "AVIF": "avif"}

# The widths the layout uses: a 38rem column (608 CSS pixels) at one and two
# device pixels per CSS pixel, and phones from 360 px. A desktop at twice its
# density needs 1216 pixels: 1280 serves it, where 1440 would cost a fifth
# more bytes for pixels nobody sees. None is made wider than the original.
WIDTHS = (360, 720, 1080, 1280)
# Qualities chosen so that a phone (720 px at twice its density) loads at
# most 60 KB and a desktop (1280 px at twice its density) at most 200 KB for
# a detailed lead image; see bench/renditions.py.
ENCODERS = {
    "avif": ("AVIF", "image/avif", {"quality": 50, "speed": 6}),
    "webp": ("WEBP", "image/webp", {"quality": 60, "method": 4}),
    "jpg": ("JPEG", "image/jpeg", {"quality": 72, "optimize": True, "progressive": True}),
    "png": ("PNG", "image/png", {"optimize": True}),
}
# Widths above this are only picked by screens of twice the density, whose
# small pixels hide a lower quality: there, these qualities keep a detailed
# photograph within the desktop's 200 KB (WebP at 60 would be about 180 KB,
# JPEG at 72 about 190 KB, too close to the limit).
DENSE_FROM = 1081
DENSE_QUALITY = {"avif": 50, "webp": 55, "jpg": 65}
# Changes when the widths or encoders change, so `make_renditions` knows
# which images to redo.
SPEC = hashlib.sha256(repr((WIDTHS, ENCODERS, DENSE_FROM, DENSE_QUALITY)).encode()).hexdigest()[:12]

_SRGB = ImageCms.createProfile("sRGB")


@dataclass
class Upload:
    format: str
    width: int
    height: int
    sha256: str

    @property
    def extension(self):
        return ACCEPTED[self.format]


def _megapixels(pixels):
    return f"{pixels / 1_000_000:.3g}"


def _open_header(fp):
    """The image in `fp`, opened by its content among the accepted formats,
    without Pillow's own pixel-count check (ours gives the figures)."""
    Image.init()
    fp.seek(0)
    prefix = fp.read(16)
    fp.seek(0)
    for name in ACCEPTED:
        factory, accept = Image.OPEN[name]
        accepted = accept(prefix) if accept else True
        if accepted and not isinstance(accepted, str):
            return factory(fp)
    return None


@contextlib.contextmanager
def _strict_decoding():
    """A truncated file is an error, never an image with a grey band, whatever
    else in the process relaxed Pillow's setting (the PDF renderer does)."""
    relaxed = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = relaxed


def _kind_of(prefix):
    """A word for what a refused file seems to be, for the message."""
    head = prefix.lstrip().lower()
    if prefix.startswith(b"GIF8"):
        return "GIF"
    if prefix.startswith(b"%PDF"):
        return "PDF"
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        return "SVG"
    if head.startswith((b"<!doctype html", b"<html", b"<")):
        return "HTML"
    return None


def inspect(upload):
    """Check an uploaded file; the facts about it, or ValidationError saying what is wrong."""
    # Strict from the first read: reading the orientation may decode pixels.
    with _strict_decoding():
        return _inspect(upload)


def _inspect(upload):
    size = upload.size
    if not size:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > MAX_BYTES:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024},
            code="too_large",
        )
    upload.seek(0)
    prefix = upload.read(512)
    upload.seek(0)
    try:
        image = _open_header(upload)
    except Exception:
        image = None
    if image is None:
        kind = _kind_of(prefix)
        if kind:
            message = _("This is a %(kind)s file, not a JPEG, PNG, WebP or AVIF image.") % {
                "kind": kind
            }
        else:
            message = _("This file is not a JPEG, PNG, WebP or AVIF image.")
        raise ValidationError(message, code="format")
    width, height = image.size
    oriented = (height, width) if _rotated(image) else (width, height)
    if width * height > MAX_PIXELS:
        raise ValidationError(
            _("The image is %(width)d × %(height)d pixels; the limit is %(limit)s megapixels.")
            % {"width": width, "height": height, "limit": _megapixels(MAX_PIXELS)},
            code="too_many_pixels",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except Exception:
        raise ValidationError(
            _("The %(format)s image is damaged or incomplete (truncated).")
            % {"format": image.format},
            code="damaged",
        ) from None
    # (Not closed: closing the image would close the upload with it.)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Upload(image.format, *oriented, digest.hexdigest())


def _rotated(image):
    # EXIF orientations 5 to 8 turn the picture a quarter.
    try:
        return image.getexif().get(0x0112, 1) in (5, 6, 7, 8)
    except Exception:
        return False


def widths_for(width):
    """The rendition widths of an image `width` pixels wide."""
    return sorted({*(w for w in WIDTHS if w < width), min(width, WIDTHS[-1])})


def _to_srgb(image):
    """Pixels as RGB or RGBA in sRGB, whatever the original's mode and profile."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    icc = image.info.get("icc_profile")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if image.mode not in ("RGB", "RGBA", "CMYK", "L"):
                image = image.convert(mode)
            converted = ImageCms.profileToProfile(image, source, _SRGB, outputMode=mode)
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # A broken profile: keep the pixels as they are.
    if image.mode != mode:
        image = image.convert(mode)
    if mode == "RGBA" and image.getchannel("A").getextrema()[0] == 255:
        image = image.convert("RGB")  # An alpha channel that hides nothing.
    return image


def _encoded(image, extension):
    pil_format, _mime, options = ENCODERS[extension]
    if image.width >= DENSE_FROM and extension in DENSE_QUALITY:
        options = {**options, "quality": DENSE_QUALITY[extension]}
    # No metadata goes out: no EXIF (GPS, camera serial), XMP, ICC or comments.
    image.info = {}
    out = io.BytesIO()
    image.save(out, pil_format, **options)
    return out.getvalue()


def make(original, stem, storage=None):
    """Write the renditions of the stored `original` (a File) under `images/<stem>/`.

    Returns their list ({format, type, width, height, name, size}); if any
    fails, those already written are deleted and the error is raised.
    """
    storage = storage or default_storage
    written = []
    try:
        original.open("rb")
        with Image.open(original) as image:
            oriented_width = image.height if _rotated(image) else image.width
            widest = min(oriented_width, WIDTHS[-1])
            if image.format == "JPEG":
                # Decode at a fraction of the size when the renditions are
                # much smaller: far less time and memory for a large photo.
                scale = widest / oriented_width
                image.draft("RGB", (image.width * scale, image.height * scale))
            image = ImageOps.exif_transpose(image)
            image = _to_srgb(image)
            formats = ["avif", "webp", "png" if image.mode == "RGBA" else "jpg"]
            for width in reversed(widths_for(oriented_width)):
                height = max(1, round(image.height * width / image.width))
                if (width, height) != image.size:
                    image = image.resize((width, height), Image.LANCZOS, reducing_gap=3.0)
                for extension in formats:
                    data = _encoded(image.copy(), extension)
                    name = storage.save(f"images/{stem}/{width}.{extension}", ContentFile(data))
                    written.append(
                        {
                            "format": extension,
                            "type": ENCODERS[extension][1],
                            "width": width,
                            "height": height,
                            "name": name,
                            "size": len(data),
                        }
                    )
    except BaseException:
        delete([item["name"] for item in written], storage)
        raise
    finally:
        original.close()
    return sorted(written, key=lambda item: (item["format"], item["width"]))


def delete(names, storage=None):
    storage = storage or default_storage
    for name in names:
        if name:
            storage.delete(name)
