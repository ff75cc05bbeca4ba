"""Bringing in a picture an import names: a URL or a file on this machine (C7).

Only the worker does this (`services.fetch_part_images`), never a page. A
download stops at MAX_IMAGE_BYTES, refuses types other than the picture types
the store takes, gives up after FETCH_TIMEOUT_SECONDS, and follows redirects
to http(s) only."""

import urllib.error
import urllib.request
from pathlib import Path

from camshaft.catalog import images

FETCH_TIMEOUT_SECONDS = 15
PICTURE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
WEB = ("http://", "https://")

# http(s) only: no file:, ftp: or data: URL reaches the worker, not even
# through a redirect.
_opener = urllib.request.OpenerDirector()
for _handler in (
    urllib.request.HTTPHandler(),
    urllib.request.HTTPSHandler(),
    urllib.request.HTTPRedirectHandler(),
    urllib.request.HTTPDefaultErrorHandler(),
    urllib.request.HTTPErrorProcessor(),
):
    _opener.add_handler(_handler)


class FetchProblem(Exception):
    """The source could not give a picture; the message says why."""


def is_url(source: str) -> bool:
    return source.lower().startswith(WEB)


def fetch(source: str) -> bytes:
    """The bytes of the picture at `source` (a URL or an absolute file path)."""
    limit = images.MAX_IMAGE_BYTES
    if not is_url(source):
        path = Path(source)
        if not path.is_file():
            raise FetchProblem(f"{source}: no such file")
        if path.stat().st_size > limit:
            raise FetchProblem(f"{source}: larger than {limit} bytes")
        return path.read_bytes()
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
        source,
        headers={"Accept": ", ".join(sorted(PICTURE_TYPES)), "User-Agent": "Camshaft"},
    )
    try:
        with _opener.open(request, timeout=FETCH_TIMEOUT_SECONDS) as response:
            kind = response.headers.get_content_type()
            if kind not in PICTURE_TYPES:
                raise FetchProblem(f"{source}: {kind} is not a picture type the store takes")
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise FetchProblem(f"{source}: larger than {limit} bytes")
            data = response.read(limit + 1)
    except (urllib.error.URLError, TimeoutError, ValueError, OSError) as problem:
        raise FetchProblem(f"{source}: {problem}") from None
    if len(data) > limit:
        raise FetchProblem(f"{source}: larger than {limit} bytes")
    return data
