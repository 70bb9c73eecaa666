"""Objects in an S3 bucket (AWS, or any S3-compatible store through its endpoint URL)."""

from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from werkzeug.wrappers import Response

from moderation_hub.storage.base import check_key, random_key, send_object

ADDRESSING_STYLES = ("auto", "path", "virtual")


class S3FileStorage:
    """Objects named ``<prefix>/<key>`` in ``bucket``; readers get them through the app, never from the bucket.

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
        cache_seconds: int = 300,
    ) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self._cache_seconds = cache_seconds
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

    def new_key(self) -> str:
        return random_key()

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(**self._location(key), Body=data, ContentType=content_type)

    def put_file(self, key: str, file: IO[bytes], content_type: str) -> None:
        """Sent in parts (a multipart upload once it is large), never read whole into memory."""
        self._client.upload_fileobj(
            file, self.bucket, self._location(key)["Key"], ExtraArgs={"ContentType": content_type}
        )

    def get(self, key: str) -> bytes:
        with self._open(key) as body:
            return body.read()

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
        """Stream the object through the app, as the local backend sends a file.

        A presigned redirect would spare the app the bytes, but its link names the key, and S3's ETag (the
        content's MD5) is the same in every view, so a moderator's browser and a school's could be tied together.
        """
        check_key(key)  # before anything, a 304 included
        return send_object(
            lambda: self._open(key),
            content_type,
            etag=etag,
            cache_seconds=self._cache_seconds,
            download_name=download_name,
        )

    def _open(self, key: str) -> IO[bytes]:
        """The object's body, read as it arrives; ``FileNotFoundError`` when there is none."""
        try:
            answer = self._client.get_object(**self._location(key))
        except ClientError as error:
            if _error_code(error) == "NoSuchKey":
                raise FileNotFoundError(f"no stored object {key}") from error
            raise
        return answer["Body"]

    def _location(self, key: str) -> dict[str, str]:
        check_key(key)
        return {"Bucket": self.bucket, "Key": f"{self.prefix}/{key}" if self.prefix else key}


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
