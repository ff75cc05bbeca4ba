"""C7 via C2: an import's `images` column, fetched by the worker with a size
and type limit. Pictures come from a local HTTP server run by the test."""

import json
import textwrap

import pytest

from camshaft.catalog import fetching, images, importing
from camshaft.catalog.models import PartImage
from tests.factories import picture_bytes

pytestmark = pytest.mark.django_db

PARTS = """\
sku,brand,mpn,name,category,price,images
BR-1,Dorman,BR 1,Alternator Bracket,Engine > Brackets,19.99,{images}
"""


def import_parts(tmp_path, images_cell: str, capture):
    path = tmp_path / "parts.csv"
    path.write_text(textwrap.dedent(PARTS.format(images=images_cell)), encoding="utf-8")
    with capture(execute=True):
        return importing.import_file(path)


def test_C7_import_fetches_pictures_from_urls_and_files_in_the_worker(
    tmp_path, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/side.jpg").respond_with_data(
        picture_bytes("JPEG"), content_type="image/jpeg"
    )
    (tmp_path / "pics").mkdir()
    (tmp_path / "pics" / "top.png").write_bytes(picture_bytes("PNG"))
    url = httpserver.url_for("/side.jpg")
    report = import_parts(tmp_path, f"{url} | pics/top.png", django_capture_on_commit_callbacks)
    assert "Pictures: the worker fetches those of 1 part(s)" in report.summary()
    rows = list(PartImage.objects.filter(part__sku="BR-1"))
    assert [(r.source, r.is_primary) for r in rows] == [
        (url, True),
        (str(tmp_path / "pics" / "top.png"), False),
    ]


def test_C7_reimporting_the_same_pictures_adds_none(
    tmp_path, httpserver, django_capture_on_commit_callbacks
):
    httpserver.expect_request("/side.jpg").respond_with_data(
        picture_bytes("JPEG"), content_type="image/jpeg"
    )
    url = httpserver.url_for("/side.jpg")
    import_parts(tmp_path, url, django_capture_on_commit_callbacks)
    import_parts(tmp_path, url, django_capture_on_commit_callbacks)
    assert PartImage.objects.filter(part__sku="BR-1").count() == 1


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"<html>not here</html>", "text/html"),
        (b"plain text posing as a picture", "image/png"),
    ],
    ids=["wrong-type", "not-a-picture"],
)
def test_C7_import_skips_what_is_not_a_picture_and_keeps_the_part(
    tmp_path, httpserver, django_capture_on_commit_callbacks, body, content_type
):
    httpserver.expect_request("/x").respond_with_data(body, content_type=content_type)
    import_parts(tmp_path, httpserver.url_for("/x"), django_capture_on_commit_callbacks)
    assert not PartImage.objects.exists()
    assert importing.Part.objects.filter(sku="BR-1").exists()


def test_C7_fetch_stops_at_the_size_limit(httpserver, monkeypatch):
    data = picture_bytes("PNG", size=(300, 300))
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", len(data) - 1)
    httpserver.expect_request("/big.png").respond_with_data(data, content_type="image/png")
    with pytest.raises(fetching.FetchProblem, match="larger than"):
        fetching.fetch(httpserver.url_for("/big.png"))


def test_C7_fetch_follows_no_redirect_away_from_http(httpserver):
    httpserver.expect_request("/moved").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"}
    )
    with pytest.raises(fetching.FetchProblem):
        fetching.fetch(httpserver.url_for("/moved"))


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("ftp://example.com/a.jpg", "not an http(s) URL"),
        ("|".join(f"p{n}.jpg" for n in range(11)), "at most 10"),
    ],
    ids=["ftp", "too-many"],
)
def test_C7_import_rejects_a_bad_images_cell_with_its_line(tmp_path, cell, reason):
    path = tmp_path / "parts.csv"
    path.write_text(textwrap.dedent(PARTS.format(images=cell)), encoding="utf-8")
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_file(path)
    ((line, message),) = [(e.line, e.reason) for e in rejected.value.errors]
    assert line == 2 and reason in message


def test_C7_jsonl_images_are_a_list(tmp_path, httpserver, django_capture_on_commit_callbacks):
    httpserver.expect_request("/a.webp").respond_with_data(
        picture_bytes("WEBP"), content_type="image/webp"
    )
    record = {
        "type": "part",
        "sku": "BR-2",
        "brand": "Dorman",
        "mpn": "BR2",
        "name": "Bracket",
        "category": "Engine",
        "price": "5",
        "images": [httpserver.url_for("/a.webp")],
    }
    path = tmp_path / "parts.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_file(path)
    assert PartImage.objects.filter(part__sku="BR-2", is_primary=True).count() == 1
