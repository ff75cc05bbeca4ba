"""Listing photos (M1): what a photo file may be, and the clean copy stored.

A member's phone photo carries EXIF: the camera, the time, often the GPS
position of the member's home. The store keeps none of it: the picture is
turned upright by its EXIF orientation, then its pixels alone are encoded
again in the format it came in. Thumbnails are the catalogue's (C7): the
same django-imagekit specs, so a listing photo looks like a part picture."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from camshaft.catalog import images
from camshaft.marketplace import rules

#: CSS pixels a photo shows at in lists (the catalogue's thumbnail size).
LIST_WIDTH = images.LIST_WIDTH

#: Pillow's format name: (file extension, encoder options).
FORMATS = {
    "JPEG": ("jpg", {"quality": 90}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 90}),
}


class InvalidPhoto(ValidationError):
    """Not a photo the marketplace takes; the message says why."""


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    data: bytes
    extension: str
    width: int
    height: int


def refuse_by_size(size: int) -> None:
    """Refuse a file by its size alone, before anyone reads it."""
    problem = rules.photo_size_problem(size)
    if problem:
        raise InvalidPhoto(problem, code="too_large" if size else "empty")


def clean_photo(data: bytes) -> CleanPhoto:
    """A JPEG, PNG or WebP picture within the limits, upright, re-encoded
    from its pixels alone: no EXIF, GPS, XMP, ICC profile or comment left."""
    refuse_by_size(len(data))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in FORMATS:
                raise InvalidPhoto(
                    f"{kind or 'This'} files are not taken: use a JPEG, PNG or WebP photo."
                )
            # Checked before a single pixel is decoded: a decompression bomb.
            if width * height > rules.MAX_PHOTO_PIXELS:
                raise InvalidPhoto(
                    f"The photo has too many pixels ({width} × {height}); "
                    f"at most {rules.MAX_PHOTO_PIXELS // 1_000_000} megapixels."
                )
            probe.load()  # a cut-off or damaged file fails here
            upright = ImageOps.exif_transpose(probe)
    except InvalidPhoto:
        raise
    except Image.DecompressionBombError:  # Pillow's own, far larger, limit
        raise InvalidPhoto(
            f"The photo has too many pixels; at most {rules.MAX_PHOTO_PIXELS // 1_000_000} "
            "megapixels."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidPhoto("The file is not a JPEG, PNG or WebP photo, or it is damaged.") from None
    if min(upright.size) < rules.MIN_PHOTO_SIDE:
        raise InvalidPhoto(f"A photo must be at least {rules.MIN_PHOTO_SIDE} pixels on each side.")
    return _encode(upright, kind)


def _encode(picture: Image.Image, kind: str) -> CleanPhoto:
    has_alpha = kind != "JPEG" and (
        picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    )
    mode = "RGBA" if has_alpha else "RGB"
    pixels = picture.convert(mode)
    # A new image from the raw pixels carries no `info` at all, so no
    # encoder can copy metadata across.
    bare = Image.frombytes(mode, pixels.size, pixels.tobytes())
    extension, options = FORMATS[kind]
    out = io.BytesIO()
    bare.save(out, kind, **options)
    return CleanPhoto(out.getvalue(), extension, *bare.size)


def store(photo: CleanPhoto) -> str:
    """Save a clean photo under a fresh, unguessable name, with its thumbnails."""
    name = default_storage.save(
        f"listings/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}.{photo.extension}",
        ContentFile(photo.data),
    )
    images.make_thumbnails(name)
    return name


def delete_files(names) -> None:
    """A photo's file and every thumbnail of it (files are never shared)."""
    for name in names:
        for stored in [name, *images.thumbnail_names(name)]:
            default_storage.delete(stored)


def thumbnail(name: str, width: int = LIST_WIDTH) -> images.Picture:
    return images.picture(name, width)


def url(name: str) -> str:
    return default_storage.url(name)
