"""STORAGE_URL and the S3 settings pick and configure a backend, or say clearly what is wrong."""

from pathlib import Path

import pytest

from moderation_hub.config import DEFAULTS, ConfigurationError
from moderation_hub.storage import LocalFileStorage, S3FileStorage, build_storage
from tests.storage_server import use_dummy_credentials


@pytest.fixture(autouse=True)
def _dummy_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    use_dummy_credentials(monkeypatch)


def test_a_file_url_keeps_objects_in_that_folder(tmp_path: Path) -> None:
    storage = build_storage(f"file://{tmp_path / 'my uploads'}", DEFAULTS)
    assert isinstance(storage, LocalFileStorage)
    assert storage.root == tmp_path / "my uploads"
    assert storage.reader_origin is None


def test_an_s3_url_names_the_bucket_and_prefix() -> None:
    storage = build_storage("s3://la-moderation/work-samples/", DEFAULTS)
    assert isinstance(storage, S3FileStorage)
    assert (storage.bucket, storage.prefix) == ("la-moderation", "work-samples")


def test_on_aws_readers_load_images_from_the_bucket_host() -> None:
    storage = build_storage(
        "s3://la-moderation", {**DEFAULTS, "S3_ADDRESSING_STYLE": "virtual", "S3_REGION": "eu-west-2"}
    )
    assert storage.reader_origin == "https://la-moderation.s3.eu-west-2.amazonaws.com"


def test_elsewhere_readers_load_images_from_the_endpoint() -> None:
    settings = {**DEFAULTS, "S3_ENDPOINT_URL": "https://objects.example.org:9000", "S3_ADDRESSING_STYLE": "path"}
    storage = build_storage("s3://la-moderation/samples", settings)
    assert storage.reader_origin == "https://objects.example.org:9000"


@pytest.mark.parametrize("style", ["auto", "path", "virtual"])
@pytest.mark.parametrize("endpoint", [None, "https://objects.example.org", "http://127.0.0.1:9000"])
@pytest.mark.parametrize("region", [None, "eu-west-2"])
def test_the_reader_origin_is_the_host_of_every_signed_link(
    style: str, endpoint: str | None, region: str | None
) -> None:
    settings = {**DEFAULTS, "S3_ADDRESSING_STYLE": style, "S3_ENDPOINT_URL": endpoint, "S3_REGION": region}
    storage = build_storage("s3://la-moderation/samples", settings)
    location = storage.serve(storage.new_key(), "image/png", etag="tag").location
    assert location.startswith(f"{storage.reader_origin}/")


@pytest.mark.parametrize(
    "url",
    [
        "uploads",
        "/srv/uploads",
        "file://uploads",
        "file://relative/uploads",
        "s3://",
        "s3:///prefix-without-bucket",
        "s3://bucket/prefix?region=eu-west-2",
        "gs://bucket/prefix",
        "https://bucket.s3.amazonaws.com/prefix",
    ],
)
def test_anything_else_is_a_configuration_error(url: str) -> None:
    with pytest.raises(ConfigurationError, match="STORAGE_URL"):
        build_storage(url, DEFAULTS)


@pytest.mark.parametrize("seconds", [0, -1, 7 * 24 * 3600 + 1])
def test_link_lifetimes_s3_cannot_sign_are_refused(seconds: int, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="STORAGE_URL_EXPIRY_SECONDS"):
        build_storage(f"file://{tmp_path}", {**DEFAULTS, "STORAGE_URL_EXPIRY_SECONDS": seconds})


def test_an_unknown_addressing_style_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="S3_ADDRESSING_STYLE"):
        build_storage("s3://bucket", {**DEFAULTS, "S3_ADDRESSING_STYLE": "sideways"})
