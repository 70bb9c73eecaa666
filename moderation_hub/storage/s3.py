"""Objects in an S3 bucket (AWS, or any S3-compatible store through its endpoint URL)."""

from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from flask import redirect
from werkzeug.wrappers import Response

from moderation_hub.storage.base import check_download_name, check_key, random_key, reader_cache_control

ADDRESSING_STYLES = ("auto", "path", "virtual")
# SigV4 presigned URLs cannot live longer than seven days.
MAX_URL_EXPIRY_SECONDS = 7 * 24 * 3600


class S3FileStorage:
    """Objects named ``<prefix>/<key>`` in ``bucket``; readers are redirected to short-lived presigned URLs.

    Credentials come from boto3's own chain (environment, shared files, instance or task role), never from
    our settings. One client per storage: boto3 clients are thread-safe.
    """

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        addressing_style: str = "auto",
        url_expiry_seconds: int = 300,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._url_expiry_seconds = url_expiry_seconds
        session = boto3.session.Session()
        client_settings: dict[str, Any] = {"endpoint_url": endpoint_url, "region_name": region}
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style},
            retries={"mode": "standard"},
            # Since botocore 1.36 every upload carries a CRC checksum that several S3-compatible stores
            # refuse; send checksums only where S3 requires them, as botocore did before.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self._client = session.client("s3", config=config, **client_settings)
        # Presigning locally with no credentials gives the very host that signed URLs will use.
        unsigned = session.client("s3", config=config.merge(Config(signature_version=UNSIGNED)), **client_settings)
        self.reader_origin = _origin(unsigned.generate_presigned_url("get_object", Params=self._location(random_key())))

    def new_key(self) -> str:
        return random_key()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(**self._location(key), Body=data, ContentType=content_type)

    def get(self, key: str) -> bytes:
        try:
            answer = self._client.get_object(**self._location(key))
        except ClientError as error:
            if _error_code(error) == "NoSuchKey":
                raise FileNotFoundError(f"no stored object {key}") from error
            raise
        return answer["Body"].read()

    def delete(self, key: str) -> None:
        self._client.delete_object(**self._location(key))

    def exists(self, key: str) -> bool:
        try:
            self._client.head_object(**self._location(key))
        except ClientError as error:
            if _error_code(error) == "404":  # HEAD answers carry no body, so no NoSuchKey code
                return False
            raise
        return True

    def serve(self, key: str, content_type: str, *, etag: str, download_name: str | None = None) -> Response:
        """Redirect to a presigned URL that forces our content type (and, for a download, the attachment and its
        name) and keeps the object out of shared caches.

        No existence check: that would cost a round trip per image, and S3 refuses a missing object itself.
        ``etag`` goes unused: the browser gets the object from S3, which tags it with its own ETag (the content's
        MD5) under a link that names the key.
        """
        params = {
            **self._location(key),
            "ResponseContentType": content_type,
            "ResponseCacheControl": reader_cache_control(self._url_expiry_seconds),
        }
        if download_name is not None:
            check_download_name(download_name)
            params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
        url = self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=self._url_expiry_seconds)
        response = redirect(url, 302)
        response.headers["Cache-Control"] = "no-store"  # the URL dies soon: never reuse this redirect
        return response

    def _location(self, key: str) -> dict[str, str]:
        check_key(key)
        return {"Bucket": self.bucket, "Key": f"{self.prefix}/{key}" if self.prefix else key}


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
