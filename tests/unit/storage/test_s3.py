"""The S3 backend against moto's server over HTTP: where objects land, and how readers get them."""

import boto3
import pytest

from moderation_hub.storage import S3FileStorage
from tests.storage_server import S3Server, use_dummy_credentials
from tests.unit.storage.conftest import reader_client

PAGE = b"\x89PNG\r\n\x1a\n a rendered page"


def object_names(server: S3Server, prefix: str) -> list[str]:
    client = boto3.session.Session().client("s3", endpoint_url=server.endpoint_url, region_name=server.region)
    listing = client.list_objects_v2(Bucket=server.bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


def test_objects_are_named_by_prefix_and_key_alone(s3_storage: S3FileStorage, s3_server: S3Server) -> None:
    key = s3_storage.new_key()
    s3_storage.put(key, PAGE, "image/png")
    assert object_names(s3_server, s3_storage.prefix) == [f"{s3_storage.prefix}/{key}"]


def test_without_a_prefix_objects_sit_at_the_top_of_the_bucket(
    s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_dummy_credentials(monkeypatch)
    storage = S3FileStorage(s3_server.bucket, "", endpoint_url=s3_server.endpoint_url, region=s3_server.region)
    key = storage.new_key()
    storage.put(key, PAGE, "image/png")
    assert object_names(s3_server, key) == [key]
    storage.delete(key)


def test_a_reader_gets_the_image_from_the_app_and_nothing_names_the_bucket_or_the_key(
    s3_storage: S3FileStorage, s3_server: S3Server
) -> None:
    key = s3_storage.new_key()
    s3_storage.put(key, PAGE, "application/octet-stream")
    s3_tag = boto3.client("s3", endpoint_url=s3_server.endpoint_url, region_name=s3_server.region).head_object(
        Bucket=s3_server.bucket, Key=f"{s3_storage.prefix}/{key}"
    )["ETag"]

    with reader_client(s3_storage).get(f"/files/{key}", query_string={"type": "image/png"}) as response:
        assert (response.status_code, response.data) == (200, PAGE)
        headers = str(response.headers)
    assert "Location" not in response.headers
    for name in (key, s3_tag.strip('"'), s3_server.endpoint_url, s3_server.bucket):
        assert name not in headers
