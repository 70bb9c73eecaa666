"""Jobs for the sandbox tests: each misbehaves the way a bad file can make the renderer misbehave.

They live in a module of their own because the sandbox runs a function by its importable name.
"""

import importlib
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.ingestion.jobs import process_file
from moderation_hub.ingestion.limits import IngestLimits


def add(left: int, right: int) -> int:
    return left + right


def count_up_to(limit: int) -> Iterator[int]:
    yield from range(limit)


def abort() -> None:
    os.abort()


def abort_while_rendering(*_args: object) -> None:
    """Stands in for ``process_file`` on a PDF that crashes MuPDF."""
    os.abort()


def hang_while_rendering(*_args: object) -> None:
    """Stands in for ``process_file`` on a PDF that sends MuPDF into a loop."""
    time.sleep(60)


def report_pid_then_sleep(seconds: float) -> Iterator[int]:
    yield os.getpid()
    time.sleep(seconds)


def clock_readings(count: int) -> Iterator[float]:
    for _ in range(count):
        yield time.time()


def resident_bytes_after_each_page(filename: str, data: bytes) -> Iterator[int]:
    for _page in process_file(filename, data, IngestLimits()):
        yield _resident_bytes()


def _resident_bytes() -> int:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[1])
    return pages * resource.getpagesize()


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


def interrupt_self_then_count(limit: int) -> Iterator[int]:
    """Sends itself the SIGINT that Ctrl-C would, then carries on."""
    os.kill(os.getpid(), signal.SIGINT)
    yield from range(limit)


def environment() -> dict[str, str]:
    return dict(os.environ)


def file_errors(readable: str, writable: str) -> tuple[str | None, str | None]:
    """Why reading the one file and creating the other failed: None for what worked."""
    return _error_of(lambda: Path(readable).read_bytes()), _error_of(lambda: Path(writable).write_text("x"))


def imports(module: str) -> tuple[bool, bool]:
    """Whether ``module`` was imported before, and is now, after importing it as a job's lazy import would."""
    before = module in sys.modules
    importlib.import_module(module)
    return before, module in sys.modules


def _error_of(action: Callable[[], object]) -> str | None:
    try:
        action()
    except OSError as error:
        return error.strerror or str(error)
    return None


def network_namespace() -> str:
    return str(Path("/proc/self/ns/net").readlink())


def connection_error(host: str, port: int) -> str | None:
    """Why connecting to ``host:port`` failed, or None if it worked."""
    try:
        socket.create_connection((host, port), timeout=2).close()
    except OSError as error:
        return error.strerror or str(error)
    return None


def pid_and_start() -> tuple[int, float]:
    """This process's id, and when it started, in seconds on the ``CLOCK_BOOTTIME`` clock."""
    stat = Path("/proc/self/stat").read_text(encoding="ascii")
    # The fields after the command name (which may hold spaces), from the third on; the start is the 22nd.
    start_ticks = int(stat.rsplit(")", 1)[1].split()[19])
    return os.getpid(), start_ticks / os.sysconf("SC_CLK_TCK")
