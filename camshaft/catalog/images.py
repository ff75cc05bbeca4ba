"""Part pictures: what a picture file may be, its thumbnails and their URLs (C7).

Thumbnails are square, in three widths, each as WebP with a JPEG fallback,
made by django-imagekit (Pillow underneath) when a picture is stored. Pages
only ever compute their names: nothing is opened, checked or generated while
a page renders, so a listing of a hundred parts costs no storage calls."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from PIL import Image, UnidentifiedImageError
from pilkit.processors import ResizeToFit, Transpose

from camshaft.catalog.models import PartImage

THUMBNAIL_WIDTHS = (160, 320, 640)
LIST_WIDTH = 96  # CSS pixels a listing shows a picture at
PAGE_WIDTH = 480  # and the part page its main picture, at most
GALLERY_WIDTH = 72
FORMATS = {"webp": "WEBP", "jpeg": "JPEG"}
# A picture file as uploaded or fetched: the formats browsers and Pillow
# agree on, a size that a phone photo fits, and no decompression bomb.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
MIN_IMAGE_SIDE = 50
BACKGROUND = (255, 255, 255)


class InvalidImage(ValidationError):
    """Not a picture the store takes; the message says why."""


@dataclass(frozen=True, slots=True)
class CheckedImage:
    data: bytes
    extension: str
    width: int
    height: int


def check_image(data: bytes) -> CheckedImage:
    """Refuse anything but a whole JPEG, PNG, WebP or GIF picture of a sane size."""
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidImage(f"A picture may be at most {MAX_IMAGE_BYTES // (1024 * 1024)} MB.")
    if not data:
        raise InvalidImage("The picture file is empty.")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in ALLOWED_FORMATS:
                raise InvalidImage(
                    f"{kind or 'This'} files are not taken: use JPEG, PNG, WebP or GIF."
                )
            if width * height > MAX_IMAGE_PIXELS:
                raise InvalidImage("The picture has too many pixels.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # verify() skips the pixel data; a cut-off file fails here
    except InvalidImage:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidImage("The file is not a picture, or it is damaged.") from None
    if min(width, height) < MIN_IMAGE_SIDE:
        raise InvalidImage(f"The picture must be at least {MIN_IMAGE_SIDE} pixels on each side.")
    return CheckedImage(data, ALLOWED_FORMATS[kind], width, height)


def _spec(width: int, fmt: str) -> type[ImageSpec]:
    class Thumbnail(ImageSpec):
        processors = [Transpose(), ResizeToFit(width, width, mat_color=BACKGROUND)]
        format = fmt
        options = {"quality": 82}

    Thumbnail.__name__ = f"Thumbnail{width}{fmt.title()}"
    return Thumbnail


SPECS = {(w, f): _spec(w, fmt) for w in THUMBNAIL_WIDTHS for f, fmt in FORMATS.items()}


class _Named:
    """A source known by its storage name only: enough to name a thumbnail."""

    def __init__(self, name: str):
        self.name = name


def _cachefile(name: str, width: int, fmt: str, *, source=None) -> ImageCacheFile:
    return ImageCacheFile(SPECS[width, fmt](source=source or _Named(name)))


def make_thumbnails(name: str) -> None:
    """Generate every thumbnail of the stored picture `name` that is missing."""
    for width, fmt in SPECS:
        with default_storage.open(name, "rb") as source:
            source.name = name  # the local disk names it by absolute path; thumbnails go by this
            _cachefile(name, width, fmt, source=source).generate()


def thumbnail_names(name: str) -> list[str]:
    return [_cachefile(name, width, fmt).name for width, fmt in SPECS]


@dataclass(frozen=True, slots=True)
class Picture:
    """What a <picture> element needs: `width` in CSS pixels, `src` the JPEG
    fallback for browsers without srcset."""

    webp_srcset: str
    jpeg_srcset: str
    src: str
    width: int


@functools.lru_cache(maxsize=50_000)
def picture(name: str, width: int = LIST_WIDTH) -> Picture:
    """The srcsets of a stored picture, up to `width` (twice that for sharp
    screens). Pure naming, cached: demo catalogues share a few files."""
    sharp = next((w for w in THUMBNAIL_WIDTHS if w >= width * 2), THUMBNAIL_WIDTHS[-1])
    widths = [w for w in THUMBNAIL_WIDTHS if w <= sharp]
    fallback = next((w for w in THUMBNAIL_WIDTHS if w >= width), THUMBNAIL_WIDTHS[-1])

    def srcset(fmt: str) -> str:
        return ", ".join(f"{_url(name, w, fmt)} {w}w" for w in widths)

    return Picture(srcset("webp"), srcset("jpeg"), _url(name, fallback, "jpeg"), width)


def _url(name: str, width: int, fmt: str) -> str:
    return default_storage.url(_cachefile(name, width, fmt).name)


def forget_urls() -> None:
    """Storage settings changed (tests): names map to other URLs now."""
    picture.cache_clear()


def primary_pictures(part_ids: list[int], width: int = LIST_WIDTH) -> dict[int, Picture]:
    """The primary picture of each part that has one, in one query."""
    rows = PartImage.objects.filter(part_id__in=part_ids, is_primary=True).values_list(
        "part_id", "image"
    )
    return {part_id: picture(name, width) for part_id, name in rows}
