"""Both backends, ready to use: local on a temporary folder, S3 on moto's server under a fresh prefix."""

import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
import urllib3
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
        url_expiry_seconds=EXPIRY_SECONDS,
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
    body: bytes


def read_as_a_reader(storage: FileStorage, key: str, content_type: str, download_name: str | None = None) -> Served:
    """Ask for the object as a browser would, following a redirect to wherever the storage sends it."""
    query = {"type": content_type} | ({"download": download_name} if download_name else {})
    # Closed as a WSGI server closes it, which closes the file the local backend opened.
    with reader_client(storage).get(f"/files/{key}", query_string=query) as response:
        if response.status_code != 302:
            return _served(response.status_code, response.headers, response.data)
    remote = urllib3.request("GET", response.location, redirect=False, timeout=10)
    return _served(remote.status, remote.headers, remote.data)


def _served(status: int, headers: Mapping[str, str], body: bytes) -> Served:
    return Served(
        status, headers.get("Content-Type"), headers.get("Cache-Control"), headers.get("Content-Disposition"), body
    )
