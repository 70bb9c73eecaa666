"""What every storage backend offers, and the keys they all share.

Keys are random and mean nothing: no school, pupil, teacher or file name ever reaches a path, an object
key or a URL. Whoever holds a key has already been authorised by a view; the storage never decides access.
"""

import re
import secrets
from collections.abc import Callable
from typing import IO, Protocol

from flask import abort, request, send_file
from werkzeug.http import is_resource_modified
from werkzeug.wrappers import Response

# 128 random bits in lower-case hex: safe as a file name on every filesystem (even case-insensitive ones)
# and in a URL, and nothing but these characters can ever name an object, so no key can climb out of
# its folder or prefix.
KEY_PATTERN = re.compile(r"[0-9a-f]{32}")
# A download's name is made of ids (``original-12.pdf``): no name a school typed reaches a header or a URL.
DOWNLOAD_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{0,63}")


class InvalidKeyError(ValueError):
    """A key that ``random_key`` did not make: a bug in the caller, never something to look up."""


def random_key() -> str:
    return secrets.token_hex(16)


def check_key(key: str) -> None:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidKeyError(f"not a storage key: {key!r}")


def check_download_name(name: str) -> None:
    if not DOWNLOAD_NAME_PATTERN.fullmatch(name):
        raise ValueError(f"not a download name: {name!r}")


def reader_cache_control(max_age_seconds: int) -> str:
    """Readers' browsers may keep an image this long; a key's content never changes, so no revalidation.

    ``private``: the image is a pupil's work, never for shared caches.
    """
    return f"private, max-age={max_age_seconds}, immutable"


def send_object(
    open_object: Callable[[], IO[bytes]],
    content_type: str,
    *,
    etag: str,
    cache_seconds: int,
    download_name: str | None = None,
) -> Response:
    """What every backend answers a reader: the object, tagged with the caller's ``etag``, from this site.

    A browser that already holds it (its If-None-Match names ``etag``) gets 304 before ``open_object`` is
    called, so revalidating costs no read of the store. An object ``open_object`` cannot find is a 404.
    """
    if download_name is not None:
        check_download_name(download_name)
    if is_resource_modified(request.environ, etag=etag):
        try:
            file = open_object()
        except FileNotFoundError:
            abort(404)
        # A file object rather than a path: send_file would otherwise name the file in Content-Disposition.
        response = send_file(
            file,
            mimetype=content_type,
            etag=etag,
            conditional=False,  # answered above, without opening the object
            as_attachment=download_name is not None,
            download_name=download_name,
        )
    else:
        response = Response(status=304)
        response.set_etag(etag)
    response.headers["Cache-Control"] = reader_cache_control(cache_seconds)
    # The browser takes the type we name, never one it guesses from the bytes (the app adds this too,
    # but the storage's promise should not depend on it).
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


class FileStorage(Protocol):
    """Where uploaded work and rendered page images live."""

    def new_key(self) -> str: ...

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store ``data`` whole. Put once per key: readers cache a key's content as never changing."""
        ...

    def put_file(self, key: str, file: IO[bytes], content_type: str) -> None:
        """Store what ``file`` holds from its current position, read a part at a time (a prepared download can
        be larger than memory should hold); once per key, as ``put``."""
        ...

    def get(self, key: str) -> bytes:
        """The object's bytes; ``FileNotFoundError`` when there is none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; a key with no object is fine."""
        ...

    def exists(self, key: str) -> bool: ...

    def serve(self, key: str, content_type: str, *, etag: str, download_name: str | None = None) -> Response:
        """The response that shows the object to a reader whom the caller has already authorised.

        Every backend sends the bytes from this site (``send_object``): no response names the key or where the
        store is, and ``etag`` is the name the caller gives the object in its view (``moderation_hub.opaque``),
        never the key or a hash of the content, so one object's tags differ from view to view.
        With ``download_name`` the browser saves it as an attachment of that name and never shows it: for
        files as uploaded (a PDF may carry scripts), where ours are only images we rendered.
        """
        ...
