"""The S3 backend against moto's server over HTTP: where objects land, and the presigned links readers follow."""

from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import urllib3

from moderation_hub.storage import S3FileStorage
from tests.storage_server import S3Server, use_dummy_credentials
from tests.unit.storage.conftest import EXPIRY_SECONDS, reader_client

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


def test_a_reader_is_redirected_to_a_short_lived_link_on_the_endpoint(
    s3_storage: S3FileStorage, s3_server: S3Server
) -> None:
    key = s3_storage.new_key()
    s3_storage.put(key, PAGE, "application/octet-stream")
    response = reader_client(s3_storage).get(f"/files/{key}", query_string={"type": "image/png"})
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    link = urlsplit(response.location)
    assert f"{link.scheme}://{link.netloc}" == s3_server.endpoint_url == s3_storage.reader_origin
    assert link.path == f"/{s3_server.bucket}/{s3_storage.prefix}/{key}"
    query = parse_qs(link.query)
    # Moto does not enforce expiry, so the link's stated lifetime is what can be checked here.
    assert query["X-Amz-Expires"] == [str(EXPIRY_SECONDS)]
    assert query["response-content-type"] == ["image/png"]

    image = urllib3.request("GET", response.location, redirect=False, timeout=10)
    assert image.status == 200
    assert image.data == PAGE
    assert image.headers["Content-Type"] == "image/png"
    assert image.headers["Cache-Control"] == f"private, max-age={EXPIRY_SECONDS}, immutable"
