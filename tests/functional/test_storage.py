"""The app's storage: local under the instance by default, S3 when STORAGE_URL says so; images come from this site
either way, so the CSP names no other."""

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from flask import Flask
from sqlalchemy import Connection

from moderation_hub import create_app
from moderation_hub.config import ConfigurationError
from moderation_hub.storage import LocalFileStorage, S3FileStorage, storage
from tests.conftest import build_test_app
from tests.storage_server import S3Server, running_s3_server, use_dummy_credentials


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


def image_sources(app: Flask) -> str:
    policy = app.test_client().get("/healthz").headers["Content-Security-Policy"]
    return next(directive for directive in policy.split("; ") if directive.startswith("img-src "))


def test_by_default_files_are_kept_in_a_local_folder(app: Flask, tmp_path: Path) -> None:
    assert isinstance(storage(), LocalFileStorage)
    assert storage().root == tmp_path / "uploads"
    assert image_sources(app) == "img-src 'self' data:"


def test_without_a_storage_url_files_go_under_the_instance_folder(tmp_path: Path) -> None:
    app = create_app({"ENVIRONMENT": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path / "instance")})
    assert app.extensions["storage"].root == tmp_path / "instance" / "uploads"


def test_an_s3_storage_url_stores_in_the_bucket_and_pages_load_nothing_from_it(
    connection: Connection,
    database_url: str,
    tmp_path: Path,
    s3_server: S3Server,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    use_dummy_credentials(monkeypatch)
    app = build_test_app(
        connection,
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{s3_server.bucket}/{tmp_path.name}",
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        S3_REGION=s3_server.region,
    )
    assert image_sources(app) == "img-src 'self' data:"
    with app.app_context():
        files = storage()
        assert isinstance(files, S3FileStorage)
        key = files.new_key()
        files.put(key, b"a page", "image/png")
    assert _objects(s3_server, tmp_path.name) == [f"{tmp_path.name}/{key}"]


def _objects(server: S3Server, prefix: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=server.endpoint_url, region_name=server.region)
    listing = client.list_objects_v2(Bucket=server.bucket, Prefix=f"{prefix}/")
    return [item["Key"] for item in listing.get("Contents", [])]


def test_an_unusable_storage_url_stops_the_app_from_starting(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="STORAGE_URL"):
        create_app(
            {"ENVIRONMENT": "testing", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path), "STORAGE_URL": "ftp://x"}
        )
