"""C7 at scale: pictures and thumbnails on S3-compatible storage through
django-storages, against moto's S3 server running in the test process."""

import pytest

from camshaft.catalog import images
from tests.factories import PartFactory, add_pictures

pytestmark = pytest.mark.django_db

BUCKET = "camshaft-pictures"


@pytest.fixture
def s3(settings, monkeypatch):
    boto3 = pytest.importorskip("boto3")
    server_module = pytest.importorskip("moto.server")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    images.forget_urls()
    yield client, endpoint
    images.forget_urls()
    server.stop()


def test_C7_pictures_and_thumbnails_go_to_the_bucket_when_configured(s3, settings):
    client, endpoint = s3
    (picture,) = add_pictures(PartFactory(), fmt="JPEG")
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {picture.image.name, *images.thumbnail_names(picture.image.name)}
    assert not (settings.MEDIA_ROOT / picture.image.name).exists()
    shown = images.picture(picture.image.name)
    assert shown.src.startswith(f"{endpoint}/{BUCKET}/thumbs/")
