"""What every backend promises, checked on each: the local folder and S3 (moto's server over HTTP)."""

import re

import pytest

from moderation_hub.storage import KEY_PATTERN, FileStorage, InvalidKeyError
from tests.unit.storage.conftest import EXPIRY_SECONDS, TAG, read_as_a_reader, reader_client

PAGE = b"\x89PNG\r\n\x1a\n a rendered page"


def test_what_is_put_is_got_back(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    any_storage.put(key, PAGE, "image/png")
    assert any_storage.get(key) == PAGE


def test_exists_until_deleted(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    assert not any_storage.exists(key)
    any_storage.put(key, PAGE, "image/png")
    assert any_storage.exists(key)
    any_storage.delete(key)
    assert not any_storage.exists(key)
    with pytest.raises(FileNotFoundError):
        any_storage.get(key)


def test_deleting_a_missing_object_is_fine(any_storage: FileStorage) -> None:
    any_storage.delete(any_storage.new_key())


def test_getting_a_missing_object_is_file_not_found(any_storage: FileStorage) -> None:
    with pytest.raises(FileNotFoundError):
        any_storage.get(any_storage.new_key())


def test_keys_are_random_characters_and_nothing_else(any_storage: FileStorage) -> None:
    keys = [any_storage.new_key() for _ in range(1000)]
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[0-9a-f]{32}", key) for key in keys)
    assert all(KEY_PATTERN.fullmatch(key) for key in keys)


NOT_KEYS = [
    "",
    "../../etc/passwd",
    "..",
    "/etc/passwd",
    "ab/../../../../etc/passwd",
    "school-a/pupil-jo-bloggs.png",
    "0123456789abcdef0123456789abcdef\n",
    "0123456789abcdef0123456789abcdef/x",
    "0123456789ABCDEF0123456789ABCDEF",
    "0123456789abcdef0123456789abcde",
    "0123456789abcdef0123456789abcdef0",
]


@pytest.mark.parametrize("key", NOT_KEYS)
def test_anything_but_a_key_is_refused_everywhere(any_storage: FileStorage, key: str) -> None:
    for use in (
        lambda: any_storage.put(key, PAGE, "image/png"),
        lambda: any_storage.get(key),
        lambda: any_storage.exists(key),
        lambda: any_storage.delete(key),
        lambda: any_storage.serve(key, "image/png", etag="tag"),
    ):
        with pytest.raises(InvalidKeyError):
            use()


@pytest.mark.parametrize("name", ["", "Jo Bloggs essay.pdf", 'a.pdf"; inline', "a.pdf\r\nSet-Cookie: x=1", "../a.pdf"])
def test_a_download_is_named_by_ids_alone(any_storage: FileStorage, name: str) -> None:
    key = any_storage.new_key()
    any_storage.put(key, PAGE, "application/pdf")
    with pytest.raises(ValueError, match="not a download name"):
        any_storage.serve(key, "application/pdf", etag="tag", download_name=name)


def test_a_download_is_saved_under_its_name_and_never_shown(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    any_storage.put(key, PAGE, "application/pdf")
    served = read_as_a_reader(any_storage, key, "application/pdf", download_name="original-12.pdf")
    assert served.status == 200
    assert served.content_type == "application/pdf"
    assert served.content_disposition is not None
    assert served.content_disposition.startswith("attachment;")
    assert "original-12.pdf" in served.content_disposition
    assert served.body == PAGE


def test_a_download_tells_the_browser_not_to_guess_its_type(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    any_storage.put(key, PAGE, "application/pdf")
    query = {"type": "application/pdf", "download": "original-7.pdf"}
    with reader_client(any_storage).get(f"/files/{key}", query_string=query) as response:
        assert response.headers["Content-Disposition"] == "attachment; filename=original-7.pdf"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_reader_gets_the_bytes_as_the_content_type_asked_for(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    # Stored as one type, served as another: the caller, who knows what the object is, decides.
    any_storage.put(key, PAGE, "application/octet-stream")
    served = read_as_a_reader(any_storage, key, "image/png")
    assert served.status == 200
    assert served.content_type == "image/png"
    assert served.body == PAGE
    assert served.content_disposition is None  # an image is shown in the page, not saved


def test_a_reader_gets_the_bytes_from_this_site_under_the_callers_tag_alone(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    any_storage.put(key, PAGE, "image/png")
    served = read_as_a_reader(any_storage, key, "image/png")
    assert served.status == 200  # never a redirect to the store
    assert served.etag == f'"{TAG}"'  # the caller's name in its view: not the key, not the store's content hash
    assert served.cache_control == f"private, max-age={EXPIRY_SECONDS}, immutable"


def test_a_browser_holding_the_tag_gets_not_modified_without_the_store_being_read(any_storage: FileStorage) -> None:
    key = any_storage.new_key()
    any_storage.put(key, PAGE, "image/png")
    any_storage.delete(key)  # so only an answer that never reads the object can be a 304

    held = read_as_a_reader(any_storage, key, "image/png", etag=TAG)
    assert (held.status, held.body, held.etag) == (304, b"", f'"{TAG}"')
    assert held.cache_control == f"private, max-age={EXPIRY_SECONDS}, immutable"
    assert read_as_a_reader(any_storage, key, "image/png", etag=key).status == 404  # the key is no tag it was given


def test_a_reader_asking_for_a_missing_object_gets_not_found(any_storage: FileStorage) -> None:
    served = read_as_a_reader(any_storage, any_storage.new_key(), "image/png")
    assert served.status == 404
    assert PAGE not in served.body
