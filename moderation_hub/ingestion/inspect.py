"""What an upload is, decided from its content, or why we refuse it.

``inspect_file`` opens PDFs with PyMuPDF and decodes PNG and HEIC images: run it only in a sandboxed
worker process (``sandbox.run_isolated(inspect_file, ...)``), never in a web thread. ``inspect_in_thread``
and ``identify`` only read bytes in pure Python and are safe anywhere.
"""

import hashlib
from dataclasses import dataclass

from moderation_hub.ingestion import images, pdf
from moderation_hub.ingestion.errors import UnreadableError, rejecting
from moderation_hub.ingestion.formats import ACCEPTED, FileKind, looks_like, sniff
from moderation_hub.ingestion.limits import MB, IngestLimits


@dataclass(frozen=True, slots=True)
class FileFacts:
    """An accepted upload. ``sha256`` (hex, of the bytes as uploaded) finds duplicate uploads."""

    filename: str
    kind: FileKind
    page_count: int
    byte_count: int
    sha256: str


def inspect_file(filename: str, data: bytes, limits: IngestLimits) -> FileFacts:
    """The facts of an upload we can show, or ``RejectedFile`` naming the file and the reason.

    Everything that can be found without rendering is checked here (type, size, password, damage,
    pages, pixels), so most bad files are refused while the uploader waits. A PDF page that only
    fails when drawn is refused later, by ``jobs.process_file``, in the same words.
    """
    kind = identify(filename, data, limits)
    with rejecting(filename):
        page_count = pdf.check_pdf(data, limits) if kind is FileKind.PDF else _check_picture(data, kind, limits)
    return FileFacts(filename, kind, page_count, len(data), hashlib.sha256(data).hexdigest())


# A JPEG's check (``jpeg``) reads bytes in pure Python and holds the thread, and the interpreter's lock, for
# about 17 ns a byte at worst (a file made of 0xFF bytes; a photo takes about a millisecond): under 0.3 s
# up to this size, about what parsing the request of a file this size costs. Larger JPEGs, rare, are
# checked in the sandbox like every other kind, so no upload can hold a web process longer.
IN_THREAD_JPEG_BYTES = 16 * MB


def inspect_in_thread(filename: str, data: bytes, limits: IngestLimits) -> FileFacts | None:
    """The facts of an upload whose check may run in this thread (a JPEG of at most
    ``IN_THREAD_JPEG_BYTES``), ``RejectedFile`` if it is refused; ``None`` for a file that needs the
    sandbox's ``inspect_file``. It spares a photo's upload the start of a sandboxed process (about 20 ms).
    """
    if identify(filename, data, limits) is not FileKind.JPEG or len(data) > IN_THREAD_JPEG_BYTES:
        return None
    return inspect_file(filename, data, limits)


def identify(filename: str, data: bytes, limits: IngestLimits) -> FileKind:
    """The kind of file the content shows, once it is known to be non-empty and within the byte limit.

    Reads only the first bytes and the length, so it may run in a web thread.
    """
    with rejecting(filename):
        if not data:
            raise UnreadableError("is empty")
        if len(data) > limits.max_file_bytes:
            raise UnreadableError(
                f"is {_megabytes(len(data))}, more than the {_megabytes(limits.max_file_bytes)} we accept for one file"
            )
        kind = sniff(data)
        if kind is None:
            raise UnreadableError(f"is not {ACCEPTED} (it looks like {looks_like(data)})")
    return kind


def _check_picture(data: bytes, kind: FileKind, limits: IngestLimits) -> int:
    images.check_image(data, kind, limits)
    return 1


def _megabytes(byte_count: int) -> str:
    return f"{byte_count / MB:.3g} MB"
