"""The whole upload path on S3 storage (moto's server over HTTP): pages stored under random keys,
readers redirected to short-lived presigned links that really serve the image."""

import io
import urllib.request
from pathlib import Path

import boto3
import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.samples.models import FileStatus, WorkSample
from tests.conftest import build_test_app, https_client, sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import upload
from tests.storage_server import S3Server, use_dummy_credentials
from tests.unit.ingestion import samples as files


@pytest.fixture
def s3_app(
    connection: Connection, database_url: str, tmp_path: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> Flask:
    use_dummy_credentials(monkeypatch)
    return build_test_app(
        connection,
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{s3_server.bucket}/e2e-{tmp_path.name}",
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        S3_REGION=s3_server.region,
        S3_ADDRESSING_STYLE="path",
    )


def test_pages_on_s3_are_served_by_presigned_redirect_after_the_check(
    s3_app: Flask, s3_server: S3Server, world: World, sample_a: WorkSample, session: Session, tmp_path: Path
) -> None:
    sample = sample_a
    client = https_client(s3_app)
    sign_in(client, "teacher.a@example.org")
    assert upload(client, sample, ("Amy Jones essay.pdf", files.essay_pdf())).status_code == 302

    session.expire_all()
    assert [f.status for f in sample.files] == [FileStatus.READY]
    page = sample.pages[0]
    response = client.get(f"/pages/{page.id}/display.jpg")
    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "no-store"
    link = response.headers["Location"]
    assert link.startswith(s3_server.endpoint_url)
    with urllib.request.urlopen(link) as served:  # noqa: S310 - the local moto server
        assert served.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(served.read())).size == (page.width, page.height)
    assert s3_server.endpoint_url in client.get(f"/pages/{page.id}").headers["Content-Security-Policy"]

    outsider = https_client(s3_app)
    sign_in(outsider, "teacher.b@example.org")
    assert outsider.get(f"/pages/{page.id}/display.jpg").status_code == 404

    keys = _keys(s3_server, f"e2e-{tmp_path.name}/")
    assert len(keys) == 3 * len(sample.pages)  # master, display and thumbnail of each; the upload was deleted
    for key in keys:
        name = key.rsplit("/", 1)[1]
        assert len(name) == 32
        assert all(character in "0123456789abcdef" for character in name)


def _keys(server: S3Server, prefix: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=server.endpoint_url, region_name=server.region)
    listing = client.list_objects_v2(Bucket=server.bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]
