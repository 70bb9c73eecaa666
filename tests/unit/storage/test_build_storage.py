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


def test_an_s3_url_names_the_bucket_and_prefix() -> None:
    storage = build_storage("s3://la-moderation/work-samples/", DEFAULTS)
    assert isinstance(storage, S3FileStorage)
    assert (storage.bucket, storage.prefix) == ("la-moderation", "work-samples")


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
def test_cache_lifetimes_beyond_a_week_are_refused(seconds: int, tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="STORAGE_URL_EXPIRY_SECONDS"):
        build_storage(f"file://{tmp_path}", {**DEFAULTS, "STORAGE_URL_EXPIRY_SECONDS": seconds})


def test_an_unknown_addressing_style_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="S3_ADDRESSING_STYLE"):
        build_storage("s3://bucket", {**DEFAULTS, "S3_ADDRESSING_STYLE": "sideways"})
