"""The local backend: files that are whole or absent, inside the root only, served with private caching."""

import os
from pathlib import Path

import pytest

from moderation_hub.storage import InvalidKeyError, LocalFileStorage
from tests.unit.storage.conftest import EXPIRY_SECONDS, TAG, reader_client

PAGE = b"\x89PNG\r\n\x1a\n a rendered page"


def files_under(root: Path) -> list[Path]:
    return sorted(path.relative_to(root) for path in root.rglob("*") if path.is_file())


def test_files_are_named_by_key_alone_in_a_folder_of_its_first_two_characters(local_storage: LocalFileStorage) -> None:
    key = local_storage.new_key()
    local_storage.put(key, PAGE, "image/png")
    assert files_under(local_storage.root) == [Path(key[:2]) / key]


def test_a_write_that_fails_midway_leaves_the_old_file_and_no_scraps(
    local_storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = local_storage.new_key()
    local_storage.put(key, PAGE, "image/png")

    def crash(_descriptor: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        local_storage.put(key, b"half a page", "image/png")
    assert local_storage.get(key) == PAGE
    assert files_under(local_storage.root) == [Path(key[:2]) / key]


def test_a_first_write_that_fails_leaves_nothing(
    local_storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = local_storage.new_key()

    def crash(_source: Path, _target: Path) -> None:
        raise OSError("power cut")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="power cut"):
        local_storage.put(key, PAGE, "image/png")
    assert not local_storage.exists(key)
    assert files_under(local_storage.root) == []


def test_a_write_whose_name_cannot_be_made_durable_leaves_nothing(
    local_storage: LocalFileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    neighbour = local_storage.new_key()
    local_storage.put(neighbour, PAGE, "image/png")
    key = neighbour[:2] + local_storage.new_key()[2:]  # same folder: only the file and the folder are synced
    synced = []

    def sync_file_then_fail(descriptor: int) -> None:
        synced.append(descriptor)
        if len(synced) > 1:  # the file's bytes went through; its folder's entry does not
            raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", sync_file_then_fail)
    with pytest.raises(OSError, match="I/O error"):
        local_storage.put(key, PAGE, "image/png")
    assert len(synced) == 2
    assert files_under(local_storage.root) == [Path(neighbour[:2]) / neighbour]


def test_no_key_reaches_a_file_outside_the_root(local_storage: LocalFileStorage, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_bytes(b"not for readers")
    for key in ("../secret", "../../secret", str(secret), "%2e%2e%2fsecret", "..\\secret"):
        with pytest.raises(InvalidKeyError):
            local_storage.get(key)
        with pytest.raises(InvalidKeyError):
            local_storage.serve(key, "image/png", etag="tag")


def test_a_served_image_is_cached_privately_and_named_nowhere(local_storage: LocalFileStorage) -> None:
    key = local_storage.new_key()
    local_storage.put(key, PAGE, "image/png")
    with reader_client(local_storage).get(f"/files/{key}", query_string={"type": "image/webp"}) as response:
        assert response.status_code == 200
        assert response.data == PAGE
        assert response.headers["Content-Type"] == "image/webp"
        assert response.headers["Cache-Control"] == f"private, max-age={EXPIRY_SECONDS}, immutable"
        assert "Content-Disposition" not in response.headers
        assert response.headers["ETag"] == f'"{TAG}"'  # the caller's name for it, never the key


def test_a_download_tells_the_browser_not_to_guess_its_type(local_storage: LocalFileStorage) -> None:
    key = local_storage.new_key()
    local_storage.put(key, PAGE, "application/pdf")
    query = {"type": "application/pdf", "download": "original-7.pdf"}
    with reader_client(local_storage).get(f"/files/{key}", query_string=query) as response:
        assert response.headers["Content-Disposition"] == "attachment; filename=original-7.pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_browser_holding_the_image_gets_not_modified(local_storage: LocalFileStorage) -> None:
    key = local_storage.new_key()
    local_storage.put(key, PAGE, "image/png")
    client = reader_client(local_storage)
    with client.get(f"/files/{key}?type=image/png", headers={"If-None-Match": f'"{TAG}"'}) as response:
        assert response.status_code == 304
        assert response.data == b""
    with client.get(f"/files/{key}?type=image/png", headers={"If-None-Match": f'"{key}"'}) as response:
        assert response.status_code == 200  # the key is no name the browser was given


def test_an_unknown_key_is_not_found(local_storage: LocalFileStorage) -> None:
    with reader_client(local_storage).get(f"/files/{local_storage.new_key()}?type=image/png") as response:
        assert response.status_code == 404
