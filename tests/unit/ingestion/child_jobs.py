"""Jobs for the sandbox tests: each misbehaves the way a bad file can make the renderer misbehave.

They live in a module of their own because the sandbox runs a function by its importable name.
"""

import os
import resource
import time
from collections.abc import Iterator
from pathlib import Path

from moderation_hub.ingestion.errors import RejectedFile


def add(left: int, right: int) -> int:
    return left + right


def count_up_to(limit: int) -> Iterator[int]:
    yield from range(limit)


def abort() -> None:
    os.abort()


def sleep_after_reporting(pid_file: Path, seconds: float) -> None:
    pid_file.write_text(str(os.getpid()))
    time.sleep(seconds)


def pids_forever() -> Iterator[int]:
    while True:
        yield os.getpid()
        time.sleep(0.01)


def allocate(byte_count: int) -> int:
    return len(bytearray(byte_count))


def reject(filename: str) -> None:
    raise RejectedFile(filename, "is protected by a password")


def fail() -> None:
    raise KeyError("a bug")


def exit_quietly() -> None:
    os._exit(0)


def core_dump_limit() -> tuple[int, int]:
    return resource.getrlimit(resource.RLIMIT_CORE)


def thread_count() -> int:
    return len(list(Path("/proc/self/task").iterdir()))
