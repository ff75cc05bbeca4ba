"""Listing photos (M1): only real JPEG, PNG and WebP pictures within the
size and pixel limits, stored re-encoded without metadata (EXIF, GPS),
with thumbnails; added, ordered and removed by the seller only, on the
edit page and the API; shown on the listing page and "also sold by";
listed in Download my data and deleted, files included, on erasure."""

import io
import struct
import zlib
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import ExifTags, Image

from camshaft.catalog import images
from camshaft.marketplace import photos, rules, selectors, services
from camshaft.marketplace.models import ListingPhoto
from camshaft.privacy import selectors as privacy_selectors
from camshaft.privacy import services as privacy_services
from tests.factories import FitmentFactory, PartFactory, picture_bytes
from tests.marketplace.helpers import bearer, seller

pytestmark = pytest.mark.django_db

API = "/api/v1/marketplace/listings"


def listing_of(shop, **changes):
    fields = {
        "title": "Front brake caliper",
        "condition": "used",
        "price": Decimal("40.00"),
        "quantity": 1,
        "part_code": PartFactory().sku,
    }
    fields.update(changes)
    return services.create_listing(user=shop.user, draft=services.ListingDraft(**fields))


def gps_jpeg(size=(400, 300), orientation: int = 1) -> bytes:
    """A phone photo: GPS position, camera make, and an orientation tag."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    buffer = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buffer, "JPEG", exif=exif, comment=b"home")
    return buffer.getvalue()


def bomb_png(width=8000, height=8000) -> bytes:
    """A PNG whose header promises 64 megapixels in a file of a few bytes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit grey
    pixels = zlib.compress(b"\x00" * (width + 1) * 16)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def stored(photo: ListingPhoto):
    return settings.MEDIA_ROOT / photo.image.name


# The file itself -----------------------------------------------------------------------


def test_M1_a_jpeg_with_gps_exif_is_stored_with_no_metadata_at_all():
    shop = seller()
    listing = listing_of(shop)
    original = gps_jpeg()
    assert b"PhoneMaker" in original  # the test's photo does carry it
    photo = services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=original)
    data = stored(photo).read_bytes()
    assert b"Exif" not in data and b"PhoneMaker" not in data and b"home" not in data
    with Image.open(io.BytesIO(data)) as kept:
        assert kept.format == "JPEG"
        assert not kept.getexif()
        assert kept.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}
        assert "exif" not in kept.info and "comment" not in kept.info


def test_M1_the_exif_orientation_is_applied_before_it_is_removed():
    shop = seller()
    listing = listing_of(shop)
    # Orientation 6: the camera was turned; the picture is to be shown rotated.
    photo = services.add_listing_photo(
        user=shop.user, listing_id=listing.pk, data=gps_jpeg(size=(400, 300), orientation=6)
    )
    assert (photo.width, photo.height) == (300, 400)
    with Image.open(stored(photo)) as kept:
        assert kept.size == (300, 400)


def test_M1_png_and_webp_keep_their_format_and_get_thumbnails():
    shop = seller()
    listing = listing_of(shop)
    for fmt in ("PNG", "WEBP"):
        photo = services.add_listing_photo(
            user=shop.user, listing_id=listing.pk, data=picture_bytes(fmt)
        )
        with Image.open(stored(photo)) as kept:
            assert kept.format == fmt
        for name in images.thumbnail_names(photo.image.name):
            assert (settings.MEDIA_ROOT / name).exists()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"This is a text file with a .jpg name.\n" * 10, "not a JPEG, PNG or WebP"),
        (gps_jpeg()[:300], "not a JPEG, PNG or WebP"),
        (picture_bytes("GIF"), "GIF files are not taken"),
        (picture_bytes("BMP"), "BMP files are not taken"),
        (picture_bytes(size=(20, 400)), "at least 50 pixels"),
        (b"", "empty"),
    ],
    ids=["text-named-jpg", "cut-off-jpeg", "gif", "bmp", "too-narrow", "empty"],
)
def test_M1_what_is_not_a_whole_jpeg_png_or_webp_is_refused_and_nothing_stored(data, reason):
    shop = seller()
    listing = listing_of(shop)
    with pytest.raises(photos.InvalidPhoto, match=reason):
        services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=data)
    assert not ListingPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "listings").exists()


def test_M1_a_decompression_bomb_png_is_refused_before_it_is_decoded():
    data = bomb_png()
    assert len(data) < 100_000  # small file, 64 megapixels
    with pytest.raises(photos.InvalidPhoto, match="too many pixels"):
        photos.clean_photo(data)


def test_M1_a_png_larger_than_pillows_own_bomb_limit_is_refused_the_same_way():
    with pytest.raises(photos.InvalidPhoto, match="too many pixels"):
        photos.clean_photo(bomb_png(20_000, 20_000))


def test_M1_size_limit_is_named_once_and_refuses_with_the_files_size():
    assert rules.photo_size_problem(rules.MAX_PHOTO_BYTES) == ""
    message = rules.photo_size_problem(50 * 1024 * 1024)
    assert message == "A photo may be at most 10 MB; this file is 50.0 MB."


# Who may add, and how many ------------------------------------------------------------


def test_M1_someone_elses_listing_is_a_404_and_nothing_is_stored():
    listing = listing_of(seller("owner"))
    intruder = seller("intruder")
    with pytest.raises(services.NotYourListing):
        services.add_listing_photo(user=intruder.user, listing_id=listing.pk, data=gps_jpeg())
    assert not ListingPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "listings").exists()


def test_M1_a_listing_takes_at_most_eight_photos():
    shop = seller()
    listing = listing_of(shop)
    for _ in range(rules.MAX_PHOTOS):
        services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=picture_bytes())
    with pytest.raises(services.SellerProblem, match="at most 8 photos"):
        services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=picture_bytes())
    assert listing.photos.count() == rules.MAX_PHOTOS


def test_M1_photos_are_reordered_and_removed_with_their_files():
    shop = seller()
    listing = listing_of(shop)
    first, second, third = (
        services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=picture_bytes())
        for _ in range(3)
    )
    with pytest.raises(services.NotYourListing):
        services.arrange_listing_photos(
            user=seller("intruder").user,
            listing_id=listing.pk,
            positions={third.pk: 0},
            alt_texts={},
        )
    with django_capture_commits():
        services.arrange_listing_photos(
            user=shop.user,
            listing_id=listing.pk,
            positions={third.pk: 1, first.pk: 3},
            alt_texts={third.pk: "Piston side"},
            remove=frozenset({second.pk}),
        )
    kept = list(listing.photos.all())
    assert [p.pk for p in kept] == [third.pk, first.pk]
    assert [p.position for p in kept] == [0, 1]
    assert kept[0].alt_text == "Piston side"
    assert not stored(second).exists()
    assert stored(first).exists()


def django_capture_commits():
    """Run on_commit callbacks (file deletion) inside the test's transaction."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


# Pages --------------------------------------------------------------------------------------


def test_M1_the_seller_adds_a_photo_on_the_edit_page_without_javascript(client):
    shop = seller()
    listing = listing_of(shop)
    client.force_login(shop.user)
    page = client.get(reverse("listing_edit", args=[listing.pk]))
    assert 'enctype="multipart/form-data"' in page.text
    upload = SimpleUploadedFile("caliper.jpg", gps_jpeg(), content_type="image/jpeg")
    with django_capture_commits():
        response = client.post(
            reverse("listing_photo_add", args=[listing.pk]),
            {"photo": upload, "alt_text": "Caliper from the left"},
        )
    assert response.status_code == 302
    photo = listing.photos.get()
    assert photo.alt_text == "Caliper from the left"
    page = client.get(reverse("listing_edit", args=[listing.pk]))
    assert f'name="position_{photo.pk}"' in page.text and "<picture" in page.text


def test_M1_a_text_file_named_jpg_is_refused_on_the_page_with_a_reason(client):
    shop = seller()
    listing = listing_of(shop)
    client.force_login(shop.user)
    upload = SimpleUploadedFile("photo.jpg", b"just text\n" * 50, content_type="image/jpeg")
    response = client.post(reverse("listing_photo_add", args=[listing.pk]), {"photo": upload})
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP photo" in response.text
    assert not ListingPhoto.objects.exists()


def test_M1_a_50_mb_upload_is_refused_cleanly_on_the_page_and_in_the_api(client):
    shop = seller()
    listing = listing_of(shop)
    big = b"\xff\xd8\xff" + bytes(50 * 1024 * 1024)
    client.force_login(shop.user)
    response = client.post(
        reverse("listing_photo_add", args=[listing.pk]),
        {"photo": SimpleUploadedFile("big.jpg", big, content_type="image/jpeg")},
    )
    assert response.status_code == 413
    assert "at most 10 MB; this file is 50.0 MB" in response.text
    response = client.post(
        f"{API}/{listing.pk}/photos",
        {"photo": SimpleUploadedFile("big.jpg", big, content_type="image/jpeg")},
        headers=bearer(shop.user),
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "A photo may be at most 10 MB; this file is 50.0 MB."}
    assert not ListingPhoto.objects.exists()
    assert not (settings.MEDIA_ROOT / "listings").exists()


def test_M1_someone_elses_listing_page_photo_upload_is_a_404(client):
    listing = listing_of(seller("owner"))
    client.force_login(seller("intruder").user)
    upload = SimpleUploadedFile("p.png", picture_bytes(), content_type="image/png")
    response = client.post(reverse("listing_photo_add", args=[listing.pk]), {"photo": upload})
    assert response.status_code == 404
    response = client.post(
        reverse("listing_photos_arrange", args=[listing.pk]), {"position_1": "0"}
    )
    assert response.status_code == 404
    assert not ListingPhoto.objects.exists()


def test_M1_the_public_listing_page_shows_the_listing_its_photos_and_fitment(client):
    shop = seller("calipers")
    part = PartFactory()
    fitment = FitmentFactory(part=part)
    listing = listing_of(shop, part_code=part.sku, condition_notes="Slight rust on the bracket")
    services.add_listing_photo(
        user=shop.user, listing_id=listing.pk, data=picture_bytes(), alt_text="The caliper"
    )
    page = client.get(reverse("listing_page", args=[listing.pk]))
    assert page.status_code == 200
    text = page.text
    assert "Front brake caliper" in text and "Slight rust on the bracket" in text
    assert "calipers" in text and "no ratings yet" in text
    assert 'alt="The caliper"' in text
    assert str(fitment.vehicle.year) in text
    assert "No returns." in text
    assert shop.user.email not in text


def test_M1_a_paused_listing_has_no_public_page(client):
    shop = seller()
    listing = listing_of(shop)
    services.set_paused(user=shop.user, listing_id=listing.pk, paused=True)
    assert client.get(reverse("listing_page", args=[listing.pk])).status_code == 404


def test_M1_also_sold_by_shows_the_first_photo_as_a_thumbnail(client):
    shop = seller()
    part = PartFactory()
    listing = listing_of(shop, part_code=part.sku)
    services.add_listing_photo(
        user=shop.user, listing_id=listing.pk, data=picture_bytes(), alt_text="First"
    )
    services.add_listing_photo(
        user=shop.user, listing_id=listing.pk, data=picture_bytes(), alt_text="Second"
    )
    offers = selectors.also_sold_by(part=part)
    assert [p.alt_text for p in offers[0].listing.first_photos] == ["First"]
    page = client.get(reverse("part", args=[part.sku]))
    assert 'alt="First"' in page.text and 'alt="Second"' not in page.text
    assert reverse("listing_page", args=[listing.pk]) in page.text


# API ------------------------------------------------------------------------------------------


def test_M1_api_adds_lists_and_deletes_photos(client):
    shop = seller()
    listing = listing_of(shop)
    upload = SimpleUploadedFile("p.jpg", gps_jpeg(), content_type="image/jpeg")
    response = client.post(
        f"{API}/{listing.pk}/photos",
        {"photo": upload, "alt_text": "Side view"},
        headers=bearer(shop.user),
    )
    assert response.status_code == 201, response.text
    added = response.json()
    assert added["alt_text"] == "Side view" and added["url"].endswith(".jpg")
    assert added["thumbnail_url"]
    listed = client.get(f"{API}/{listing.pk}", headers=bearer(shop.user)).json()
    assert [p["id"] for p in listed["photos"]] == [added["id"]]
    with django_capture_commits():
        response = client.delete(
            f"{API}/{listing.pk}/photos/{added['id']}", headers=bearer(shop.user)
        )
    assert response.status_code == 204
    assert not ListingPhoto.objects.exists()
    assert not list((settings.MEDIA_ROOT / "listings").rglob("*.jpg"))


def test_M1_api_refuses_a_text_file_and_someone_elses_listing(client):
    listing = listing_of(seller("owner"))
    intruder = seller("intruder")
    response = client.post(
        f"{API}/{listing.pk}/photos",
        {"photo": SimpleUploadedFile("p.jpg", picture_bytes(), content_type="image/jpeg")},
        headers=bearer(intruder.user),
    )
    assert response.status_code == 404
    mine = listing_of(intruder)
    response = client.post(
        f"{API}/{mine.pk}/photos",
        {"photo": SimpleUploadedFile("p.jpg", b"text " * 100, content_type="image/jpeg")},
        headers=bearer(intruder.user),
    )
    assert response.status_code == 422
    assert "not a JPEG, PNG or WebP photo" in response.json()["errors"][0]["message"]
    photo = services.add_listing_photo(
        user=listing.seller.user, listing_id=listing.pk, data=picture_bytes()
    )
    response = client.delete(f"{API}/{listing.pk}/photos/{photo.pk}", headers=bearer(intruder.user))
    assert response.status_code == 404
    assert ListingPhoto.objects.filter(pk=photo.pk).exists()


# Privacy ------------------------------------------------------------------------------------


def test_M1_download_my_data_lists_the_photos():
    shop = seller()
    listing = listing_of(shop)
    photo = services.add_listing_photo(
        user=shop.user, listing_id=listing.pk, data=picture_bytes(), alt_text="Front"
    )
    data = privacy_selectors.personal_data(shop.user)
    rows = data["marketplace_listing_photos"]
    assert rows == [
        {
            "listing_id": listing.pk,
            "file": photo.image.name,
            "url": photo.image.url,
            "position": 0,
            "alt_text": "Front",
            "width": 400,
            "height": 300,
            "created_at": photo.created_at.isoformat(),
        }
    ]


def test_M1_erasure_deletes_the_photo_files_not_just_the_rows(admin_user):
    shop = seller()
    listing = listing_of(shop)
    photo = services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=gps_jpeg())
    files = [stored(photo)] + [
        settings.MEDIA_ROOT / name for name in images.thumbnail_names(photo.image.name)
    ]
    assert all(f.exists() for f in files)
    with django_capture_commits():
        privacy_services.erase_person(user=shop.user, reason="Asked to", by=admin_user)
    assert not ListingPhoto.objects.exists()
    assert not any(f.exists() for f in files)


def test_M1_the_seller_reorders_and_removes_photos_on_the_page(client):
    shop = seller()
    listing = listing_of(shop)
    one, two, three = (
        services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=picture_bytes())
        for _ in range(3)
    )
    client.force_login(shop.user)
    with django_capture_commits():
        response = client.post(
            reverse("listing_photos_arrange", args=[listing.pk]),
            {
                f"position_{one.pk}": "3",
                f"position_{two.pk}": "2",
                f"position_{three.pk}": "1",
                f"alt_{two.pk}": "Back",
                f"remove_{three.pk}": "1",
            },
        )
    assert response.status_code == 302
    assert [(p.pk, p.alt_text) for p in listing.photos.all()] == [
        (two.pk, "Back"),
        (one.pk, listing.title),
    ]
    assert not stored(three).exists()
    response = client.post(
        reverse("listing_photos_arrange", args=[listing.pk]), {f"position_{one.pk}": "first"}
    )
    assert response.status_code == 400
    assert "whole number" in response.text


def test_M1_the_listing_page_costs_the_same_queries_whatever_its_photos_and_vehicles(
    django_assert_max_num_queries,
):
    shop = seller()
    part = PartFactory()
    for _ in range(5):
        FitmentFactory(part=part)
    listing = listing_of(shop, part_code=part.sku)
    for _ in range(3):
        services.add_listing_photo(user=shop.user, listing_id=listing.pk, data=picture_bytes())
    with django_assert_max_num_queries(5):
        page = selectors.listing_page(listing.pk)
        [str(v) for v in page.vehicles]
    assert len(page.vehicles) == 5 and len(page.photos) == 3
