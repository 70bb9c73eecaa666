"""The whole upload path on S3 storage (moto's server over HTTP): pages stored under random keys, and their
images sent to the school's staff through the app, never from the bucket."""

import io

import boto3
from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from moderation_hub.samples.models import FileStatus, WorkSample
from moderation_hub.storage import storage_of
from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import upload
from tests.storage_server import S3Server
from tests.unit.ingestion import samples as files


def test_pages_on_s3_are_streamed_through_the_app_after_the_check(
    s3_app: Flask, s3_server: S3Server, world: World, sample_a: WorkSample, session: Session
) -> None:
    sample = sample_a
    client = https_client(s3_app)
    sign_in(client, "teacher.a@example.org")
    assert upload(client, sample, ("Amy Jones essay.pdf", files.essay_pdf())).status_code == 302

    session.expire_all()
    assert [f.status for f in sample.files] == [FileStatus.READY]
    page = sample.pages[0]
    response = client.get(f"/pages/{page.id}/display.jpg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["Cache-Control"] == "private, max-age=300, immutable"
    assert Image.open(io.BytesIO(response.data)).size == (page.width, page.height)
    assert s3_server.endpoint_url not in client.get(f"/pages/{page.id}").headers["Content-Security-Policy"]

    outsider = https_client(s3_app)
    sign_in(outsider, "teacher.b@example.org")
    assert outsider.get(f"/pages/{page.id}/display.jpg").status_code == 404

    keys = _keys(s3_server, f"{storage_of(s3_app).prefix}/")
    assert len(keys) == 3 * len(sample.pages)  # master, display and thumbnail of each; the upload was deleted
    for key in keys:
        name = key.rsplit("/", 1)[1]
        assert len(name) == 32
        assert all(character in "0123456789abcdef" for character in name)


def _keys(server: S3Server, prefix: str) -> list[str]:
    client = boto3.client("s3", endpoint_url=server.endpoint_url, region_name=server.region)
    listing = client.list_objects_v2(Bucket=server.bucket, Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]
