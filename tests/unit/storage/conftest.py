"""Both backends, ready to use: local on a temporary folder, S3 on moto's server under a fresh prefix."""

import uuid
from pathlib import Path
from typing import NamedTuple

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from moderation_hub.storage import FileStorage, LocalFileStorage, S3FileStorage
from tests.storage_server import S3Server, use_dummy_credentials

EXPIRY_SECONDS = 300
TAG = "the-views-name-for-the-object"


@pytest.fixture
def local_storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "uploads", cache_seconds=EXPIRY_SECONDS)


@pytest.fixture
def s3_storage(s3_server: S3Server, monkeypatch: pytest.MonkeyPatch) -> S3FileStorage:
    """A prefix of its own per test, so tests never see each other's objects."""
    use_dummy_credentials(monkeypatch)
    return S3FileStorage(
        s3_server.bucket,
        f"test-{uuid.uuid4().hex}",
        endpoint_url=s3_server.endpoint_url,
        region=s3_server.region,
        cache_seconds=EXPIRY_SECONDS,
    )


@pytest.fixture(params=["local", "s3"])
def any_storage(request: pytest.FixtureRequest) -> FileStorage:
    return request.getfixturevalue(f"{request.param}_storage")


def reader_client(storage: FileStorage) -> FlaskClient:
    """A bare app with one route that serves any key, standing in for a view that has authorised the reader.

    ``?download=<name>`` asks for it as an attachment of that name.
    """
    app = Flask(__name__)

    @app.get("/files/<key>")
    def serve(key: str) -> Response:
        return storage.serve(key, request.args["type"], etag=TAG, download_name=request.args.get("download"))

    return app.test_client()


class Served(NamedTuple):
    status: int
    content_type: str | None
    cache_control: str | None
    content_disposition: str | None
    etag: str | None
    body: bytes


def read_as_a_reader(
    storage: FileStorage, key: str, content_type: str, download_name: str | None = None, etag: str | None = None
) -> Served:
    """Ask for the object as a browser would; ``etag``: the tag the browser already holds, if any."""
    query = {"type": content_type} | ({"download": download_name} if download_name else {})
    headers = {"If-None-Match": f'"{etag}"'} if etag else {}
    # Closed as a WSGI server closes it, which closes the file or the S3 body the backend opened.
    with reader_client(storage).get(f"/files/{key}", query_string=query, headers=headers) as response:
        return Served(
            response.status_code,
            response.headers.get("Content-Type"),
            response.headers.get("Cache-Control"),
            response.headers.get("Content-Disposition"),
            response.headers.get("ETag"),
            response.data,
        )
