"""A local S3 for tests: moto's server on 127.0.0.1, reached over HTTP as boto3 reaches a real endpoint.

Used by the storage tests, and importable by any test that needs S3 end to end::

    @pytest.fixture(scope="session")
    def s3_server() -> Iterator[S3Server]:
        with running_s3_server() as server:
            yield server
"""

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import boto3
import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-2"
BUCKET = "moderation-hub-test"
# Moto accepts any credentials; fixed dummy ones keep boto3 from looking for real ones.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    region: str
    bucket: str  # created empty when the server starts


@contextmanager
def running_s3_server() -> Iterator[S3Server]:
    """Start moto's S3 on a free port (port 0: the system picks one, so parallel runs never collide)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint_url = f"http://{host}:{port}"
        client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=REGION,
            aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        )
        # Moto keeps its state per process, not per server: another server may have made the bucket already.
        with suppress(client.exceptions.BucketAlreadyOwnedByYou):
            client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield S3Server(endpoint_url, REGION, BUCKET)
    finally:
        server.stop()


def use_dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give boto3's credential chain the dummy keys, and keep a developer's own AWS set-up out of the test."""
    for name, value in DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_REGION", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent/aws/config")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/aws/credentials")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
