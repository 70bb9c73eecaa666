"""The local backend: files that are whole or absent, and inside the root only."""

import os
from pathlib import Path

import pytest

from moderation_hub.storage import InvalidKeyError, LocalFileStorage

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
