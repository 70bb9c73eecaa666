"""Storage of uploaded work and rendered images: one interface, a local and an S3 backend.

``STORAGE_URL`` picks the backend: ``file:///absolute/path`` or ``s3://bucket/optional/prefix``.
"""

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit

from flask import Flask, current_app

from moderation_hub.config import ConfigurationError
from moderation_hub.storage.base import KEY_PATTERN, FileStorage, InvalidKeyError
from moderation_hub.storage.local import LocalFileStorage
from moderation_hub.storage.s3 import ADDRESSING_STYLES, S3FileStorage

__all__ = [
    "KEY_PATTERN",
    "FileStorage",
    "InvalidKeyError",
    "LocalFileStorage",
    "S3FileStorage",
    "build_storage",
    "init_storage",
    "storage",
    "storage_of",
]

# The longest a reader's browser may keep an image without asking again, which re-checks their access.
MAX_CACHE_SECONDS = 7 * 24 * 3600


def init_storage(app: Flask) -> None:
    app.extensions["storage"] = build_storage(app.config["STORAGE_URL"], app.config)


def storage() -> FileStorage:
    """The current app's storage."""
    return storage_of(current_app)


def storage_of(app: Flask) -> FileStorage:
    return app.extensions["storage"]


def build_storage(url: str, settings: Mapping[str, Any]) -> FileStorage:
    """The backend ``url`` names, configured from ``settings`` (the app's config)."""
    expiry = settings["STORAGE_URL_EXPIRY_SECONDS"]
    if not 1 <= expiry <= MAX_CACHE_SECONDS:
        raise ConfigurationError(
            f"STORAGE_URL_EXPIRY_SECONDS must be between 1 and {MAX_CACHE_SECONDS} (seven days), not {expiry}"
        )
    parts = urlsplit(url)
    if parts.query or parts.fragment:
        raise ConfigurationError(f"STORAGE_URL takes no query or fragment: {url!r}")
    if parts.scheme == "file":
        return LocalFileStorage(_local_root(parts, url), cache_seconds=expiry)
    if parts.scheme == "s3":
        return _s3_storage(parts, url, settings, expiry)
    raise ConfigurationError(f"STORAGE_URL must be file:///absolute/path or s3://bucket/optional/prefix, not {url!r}")


def _local_root(parts: SplitResult, url: str) -> Path:
    # The path is taken as written, not percent-decoded: the default URL is built from the instance
    # folder's path as it is, spaces and all.
    if parts.netloc or not parts.path.startswith("/"):
        raise ConfigurationError(f"STORAGE_URL must name an absolute folder, as file:///path/to/uploads, not {url!r}")
    return Path(parts.path)


def _s3_storage(parts: SplitResult, url: str, settings: Mapping[str, Any], expiry: int) -> S3FileStorage:
    if not parts.netloc:
        raise ConfigurationError(f"STORAGE_URL must name a bucket, as s3://bucket/optional/prefix, not {url!r}")
    style = settings["S3_ADDRESSING_STYLE"]
    if style not in ADDRESSING_STYLES:
        raise ConfigurationError(f"S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}, not {style!r}")
    return S3FileStorage(
        parts.netloc,
        parts.path,
        endpoint_url=settings["S3_ENDPOINT_URL"] or None,
        region=settings["S3_REGION"] or None,
        addressing_style=style,
        cache_seconds=expiry,
    )
