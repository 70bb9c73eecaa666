"""Responses that more than one capability builds."""

from collections.abc import Iterator

from flask import Response


def attachment(body: bytes | Iterator[bytes], content_type: str, filename: str) -> Response:
    """A file for the browser to save as ``filename``. Callers name files by ids only, never a school or a
    pupil: a download's name outlives the page, in folders, e-mails and browser histories."""
    return Response(
        body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
