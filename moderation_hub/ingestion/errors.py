"""The refusal of an uploaded file, with a message the person who uploaded it can act on."""

import re
from collections.abc import Iterator
from contextlib import contextmanager

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")
_LONGEST_NAME = 80

INCOMPLETE = "is incomplete: the end of the file is missing, perhaps because an upload or a copy was cut short"


def display_name(filename: str) -> str:
    """The file name as we show it: the last path part only, printable, and not too long.

    Browsers may send a full path (``C:\\fakepath\\essay.pdf``) and the name is the uploader's own text.
    """
    name = _UNPRINTABLE.sub("", re.split(r"[\\/]", filename)[-1]).strip() or "the file"
    if len(name) > _LONGEST_NAME:
        name = name[: _LONGEST_NAME - 1] + "…"
    return name


class UnreadableError(Exception):
    """Raised by the format readers, which do not know the file name; ``inspect_file`` adds it.

    The message continues a sentence that starts with the file name: "is protected by a password".
    """


class RejectedFile(Exception):  # noqa: N818 - a verdict on an upload, as the callers name it
    """An upload we refuse. ``str()`` is one sentence naming the file and saying why."""

    def __init__(self, filename: str, reason: str) -> None:
        # Both go to Exception.__init__ so the exception pickles back out of a sandboxed job.
        super().__init__(filename, reason)
        self.filename = filename
        self.reason = reason

    def __str__(self) -> str:
        return f'"{display_name(self.filename)}" {self.reason}'


@contextmanager
def rejecting(filename: str) -> Iterator[None]:
    """Turn the readers' ``UnreadableError`` into a ``RejectedFile`` that names ``filename``."""
    try:
        yield
    except UnreadableError as error:
        raise RejectedFile(filename, str(error)) from error
