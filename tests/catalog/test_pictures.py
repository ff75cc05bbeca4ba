"""C7 pictures: checked files, thumbnails in WebP and JPEG, one primary, order;
and C6 listings and the part page showing them."""

import io
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from PIL import Image

from camshaft.catalog import images, selectors, services
from camshaft.catalog.models import PartImage
from camshaft.search import services as search_services
from tests.factories import (
    CategoryFactory,
    FitmentFactory,
    PartFactory,
    VehicleFactory,
    add_pictures,
    picture_bytes,
)

pytestmark = pytest.mark.django_db


def stored(name: str):
    return settings.MEDIA_ROOT / name


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a picture at all", "not a picture"),
        (picture_bytes("JPEG")[:200], "not a picture"),
        (picture_bytes("BMP"), "BMP files are not taken"),
        (picture_bytes(size=(20, 400)), "at least 50 pixels"),
        (b"", "empty"),
    ],
    ids=["text", "cut-off-jpeg", "bmp", "too-narrow", "empty"],
)
def test_C7_check_image_refuses_what_is_not_a_whole_usable_picture(data, reason):
    with pytest.raises(images.InvalidImage, match=reason):
        images.check_image(data)


def test_C7_check_image_refuses_a_file_over_the_size_limit(monkeypatch):
    data = picture_bytes("PNG")
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", len(data) - 1)
    with pytest.raises(images.InvalidImage, match="at most"):
        images.check_image(data)


def test_C7_check_image_refuses_a_decompression_bomb(monkeypatch):
    monkeypatch.setattr(images, "MAX_IMAGE_PIXELS", 100 * 100)
    with pytest.raises(images.InvalidImage, match="too many pixels"):
        images.check_image(picture_bytes(size=(200, 200)))


def test_C7_added_picture_gets_webp_and_jpeg_thumbnails_in_three_widths():
    part = PartFactory()
    (picture,) = add_pictures(part, fmt="JPEG", size=(800, 400))
    assert (picture.width, picture.height) == (800, 400)
    assert stored(picture.image.name).exists()
    made = {}
    for name in images.thumbnail_names(picture.image.name):
        with Image.open(stored(name)) as thumb:
            made[thumb.format, thumb.size] = name
    assert set(made) == {(fmt, (w, w)) for w in images.THUMBNAIL_WIDTHS for fmt in ("WEBP", "JPEG")}


def test_C7_first_picture_is_primary_and_later_ones_follow_in_order():
    part = PartFactory()
    first, second = add_pictures(part, count=2)
    (third,) = add_pictures(part)
    rows = list(PartImage.objects.filter(part=part))
    assert [r.id for r in rows] == [first.id, second.id, third.id]
    assert [r.is_primary for r in rows] == [True, False, False]


def test_C7_one_bad_file_refuses_the_whole_upload_and_stores_nothing():
    part = PartFactory()
    with pytest.raises(images.InvalidImage, match="Picture 2: "):
        services.add_part_images(
            part=part,
            pictures=[
                services.NewPicture(picture_bytes()),
                services.NewPicture(b"GIF89a but not really"),
            ],
        )
    assert not PartImage.objects.filter(part=part).exists()
    assert not (settings.MEDIA_ROOT / "parts").exists()


def test_C7_staff_reorder_choose_primary_and_remove():
    part = PartFactory()
    a, b, c = add_pictures(part, count=3)
    services.arrange_part_images(part=part, order=[c.id, a.id, b.id], primary_id=b.id)
    rows = list(PartImage.objects.filter(part=part))
    assert [(r.id, r.position, r.is_primary) for r in rows] == [
        (c.id, 0, False),
        (a.id, 1, False),
        (b.id, 2, True),
    ]
    services.arrange_part_images(part=part, order=[c.id, a.id], remove=[b.id])
    rows = list(PartImage.objects.filter(part=part))
    assert [(r.id, r.is_primary) for r in rows] == [(c.id, True), (a.id, False)]


def test_C7_removing_the_last_use_of_a_file_deletes_it_and_its_thumbnails(
    django_capture_on_commit_callbacks,
):
    part = PartFactory()
    (picture,) = add_pictures(part)
    names = [picture.image.name, *images.thumbnail_names(picture.image.name)]
    other = PartFactory()
    shared = PartImage.objects.create(part=other, image=picture.image.name, is_primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.arrange_part_images(part=part, order=[], remove=[picture.id])
    assert all(stored(name).exists() for name in names), "another part still shows it"
    with django_capture_on_commit_callbacks(execute=True):
        services.arrange_part_images(part=other, order=[], remove=[shared.id])
    assert not any(stored(name).exists() for name in names)


def test_C7_arranging_with_another_parts_picture_is_refused_and_changes_nothing():
    part, other = PartFactory(), PartFactory()
    (mine,) = add_pictures(part)
    (theirs,) = add_pictures(other)
    with pytest.raises(services.PictureProblem):
        services.arrange_part_images(part=part, order=[mine.id], remove=[theirs.id])
    assert PartImage.objects.filter(id=theirs.id, is_primary=True).exists()


def picture_tags(html: str) -> list[str]:
    return re.findall(r"<picture.*?</picture>", html, flags=re.S)


@pytest.fixture
def pictured():
    category = CategoryFactory(name="Brackets", slug="brackets")
    part = PartFactory(
        sku="BR-1", name="Alternator Bracket", category=category, price=Decimal("19.00")
    )
    bare = PartFactory(sku="BR-2", name="Plain Bracket", category=category)
    first, second = add_pictures(part, count=2)
    vehicle = VehicleFactory()
    FitmentFactory(part=part, vehicle=vehicle)
    FitmentFactory(part=bare, vehicle=vehicle)
    search_services.rebuild_index()
    return {"part": part, "bare": bare, "primary": first, "other": second, "vehicle": vehicle}


def test_C6_part_page_shows_primary_image_srcset(client, pictured):
    html = client.get(reverse("part", args=["BR-1"])).content.decode()
    main, gallery = picture_tags(html)
    primary = pictured["primary"].image.name
    assert main.count('type="image/webp"') == 1
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', main).group(1)
    assert [w.rsplit(" ", 1)[1] for w in webp.split(", ")] == ["160w", "320w", "640w"]
    assert all(url.startswith(settings.MEDIA_URL) for url in re.findall(r"(\S+) \d+w", webp))
    assert f"{settings.MEDIA_URL}thumbs/{primary.rsplit('.', 1)[0]}/" in webp
    assert 'alt="' + pictured["part"].brand.name + ' Alternator Bracket"' in main
    assert 'loading="eager"' in main
    assert 'loading="lazy"' in gallery and "picture 2" in gallery


def test_C6_every_thumbnail_url_on_the_part_page_is_a_stored_file(client, pictured):
    html = client.get(reverse("part", args=["BR-1"])).content.decode()
    urls = set(re.findall(r'(/media/\S+?)[ "]', html))
    assert urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        Image.open(io.BytesIO(b"".join(response.streaming_content))).verify()


def test_C6_search_results_show_lazy_thumbnails_with_the_parts_name(client, pictured):
    html = client.get(reverse("search"), {"q": "bracket"}).content.decode()
    (tag,) = picture_tags(html)
    assert 'loading="lazy"' in tag and 'alt="' in tag and "Alternator Bracket" in tag
    assert html.count('class="thumb none"') == 1  # the part without a picture keeps its place


def test_C6_category_and_vehicle_pages_show_thumbnails(client, pictured):
    category = client.get(reverse("category", args=["brackets"])).content.decode()
    vehicle = client.get(reverse("vehicle_parts", args=[pictured["vehicle"].id])).content.decode()
    for html in (category, vehicle):
        (tag,) = picture_tags(html)
        assert "Alternator Bracket" in tag


def test_C6_listing_pictures_cost_no_extra_query(django_assert_num_queries, pictured):
    ids = [pictured["part"].id, pictured["bare"].id]
    selectors.part_summaries(ids)  # brand and category names, once per process
    with django_assert_num_queries(1):
        rows = selectors.part_summaries(ids)
    assert rows[0].image is not None and rows[1].image is None


def test_C5_result_rows_name_a_renamed_brand_and_a_new_category_at_once(
    pictured, django_capture_on_commit_callbacks
):
    """Names come from each process's copies; a rename drops them, and a
    brand or category newer than the copy is read from the database."""
    part = pictured["part"]
    (row,) = selectors.part_summaries([part.id])
    part.brand.name = "Renamed Brand"
    with django_capture_on_commit_callbacks(execute=True):
        part.brand.save()
    part.category = CategoryFactory(name="Brand New Shelf")
    part.save()
    (row,) = selectors.part_summaries([part.id])
    assert (row.brand, row.category) == ("Renamed Brand", "Brand New Shelf")
