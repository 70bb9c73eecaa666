"""Running work on untrusted files in a separate process with a time limit and a memory limit.

MuPDF can crash outright on a malformed PDF, PyMuPDF is not thread-safe, and a crafted image can ask
for gigabytes: so every job runs in a child process of its own, and whatever the child does, the
caller gets a result or one of the exceptions below, and the child is gone (killed, if need be).

Children come from a *forkserver*: a fresh interpreter started once per calling process (by exec,
so never a fork of a threaded web or worker process), which imports the processing modules up front
(``forkserver_preload``: about 0.3 s, once) and then forks one clean, single-threaded child per job
in about 5 ms. Plain "spawn" would pay those imports on every job; plain "fork" copies a threaded
parent mid-flight. Linux only (memory limits use ``RLIMIT_AS``).

Each calling process also keeps one *spare* child, forked ahead of need and waiting for its job: a job
is handed to the spare, and the next spare is forked while that job runs, so no job waits for its
child to be forked (about 5 ms, once per uploaded photo). A spare holds no file and no job, and it
takes on its job's limits and confinement only once the job arrives, as a fresh child would.
"""

import logging
import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from moderation_hub.ingestion.confinement import confine
from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.tracebacks import value_free_traceback

logger = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["moderation_hub.ingestion.forkserver_preload"])

# How long a child that closed its end of the pipe without a result may take to exit before it is killed.
_EXIT_GRACE_SECONDS = 5.0

# Messages from child to parent: (tag, value).
_RESULT = "result"
_ITEM = "item"
_END = "end"
_REJECTED = "rejected"
_OUT_OF_MEMORY = "out of memory"
_RAISED = "raised"
_END_OF_ITEMS = object()


class JobError(Exception):
    """A sandboxed job ended without a result. ``str()`` suits the uploader; ``details`` is for the log."""

    message = "the file could not be processed"

    def __init__(self, details: str = "") -> None:
        super().__init__(self.message)
        self.details = details


class JobCrashed(JobError):  # noqa: N818 - named for what happened to the job, like the others
    message = "the file made the page renderer crash"


class JobTimedOut(JobError):  # noqa: N818 - idem
    message = "the file took too long to process"


class JobOutOfMemory(JobError):  # noqa: N818 - idem
    message = "the file needed more memory than we allow for one file"


class UnexpectedJobError(JobError):
    """An exception we did not expect (a bug, not a bad file); ``details`` holds its types and frames."""

    message = "the page renderer failed unexpectedly"


def run_isolated(function: Callable[..., Any], *args: Any, timeout_seconds: float, memory_bytes: int) -> Any:
    """``function(*args)`` run in a child process; its return value must pickle.

    ``function`` must be importable by name: defined at the top level of a module of the package, not
    of the main script, which the children do not load (``forkserver_preload``). ``memory_bytes``
    is what the job may allocate beyond the child's footprint at start (libraries and arguments).
    ``RejectedFile`` raised by the job is raised here as it was; any other failure is a ``JobError``.
    """
    job = _Job(function, args, timeout_seconds, memory_bytes, streaming=False)
    try:
        return job.receive()
    finally:
        job.close()


def iter_isolated(
    function: Callable[..., Iterator[Any]], *args: Any, timeout_seconds: float, memory_bytes: int
) -> Generator[Any, None, None]:
    """The items of the generator ``function(*args)``, made in a child process one by one.

    While the caller handles an item, the child makes the next one and then waits until the caller
    takes it: the two overlap (on two cores, storing a page costs no time), and no more than one item
    waits in each process. Only the caller's waiting counts against ``timeout_seconds``. Closing the
    iterator stops the child: use ``with contextlib.closing(iter_isolated(...)) as items:`` so that an
    exception in the caller's loop stops it at once, not when the iterator is garbage-collected.
    """
    job = _Job(function, args, timeout_seconds, memory_bytes, streaming=True)
    try:
        while (item := job.receive()) is not _END_OF_ITEMS:
            yield item
    finally:
        job.close()


class _Job:
    """The parent's side of one child process."""

    def __init__(
        self,
        function: Callable[..., Any],
        args: tuple[Any, ...],
        timeout_seconds: float,
        memory_bytes: int,
        *,
        streaming: bool,
    ) -> None:
        self._seconds_left = timeout_seconds
        self._child_done = False
        # The child's own CPU limit only stops a child whose parent died while it spun; the wall-clock
        # limit here is the one that normally applies. It is doubled because a streaming child may
        # work on the next item while the caller is busy with the last.
        cpu_seconds = math.ceil(2 * timeout_seconds) + 1
        task = _Task(function, args, streaming, memory_bytes, cpu_seconds)
        self._process, self._receiver = _hand_over(task)

    def receive(self) -> Any:
        try:
            return self._receive()
        except JobError as error:
            # The caller tells the uploader only what the error's class says; the details are for the engineer.
            logger.warning(
                "sandboxed job ended without a result",
                extra={"error_type": type(error).__name__, "details": error.details},
            )
            raise

    def _receive(self) -> Any:
        started = time.monotonic()
        try:
            if not self._receiver.poll(max(self._seconds_left, 0.0)):
                self._kill()
                raise JobTimedOut("no answer within its wall-clock limit")
            tag, value = self._receiver.recv()
        except (EOFError, OSError):
            raise self._death() from None
        finally:
            self._seconds_left -= time.monotonic() - started
        # After anything but an item, the child has said its last word and is exiting.
        self._child_done = tag != _ITEM
        if tag in {_RESULT, _ITEM}:
            return value
        if tag == _END:
            return _END_OF_ITEMS
        raise _failure(tag, value)

    def close(self) -> None:
        """Kill the child: it has said its last word, or the caller stopped listening early.

        A child that has said its last word is only exiting, so it is not waited for: waiting for it to
        exit and for its forkserver to say so took about as long as starting a child (5-20 ms), and
        there are two per upload. Its forkserver reaps it. One still at work is waited for as well.
        """
        self._receiver.close()
        if self._child_done:
            self._process.kill()  # the library's kill: it does nothing once the forkserver reports an exit
        else:
            self._kill()
            self._process.close()

    def _kill(self) -> None:
        if self._process.exitcode is None:
            self._process.kill()
            self._process.join()

    def _death(self) -> JobError:
        """What to report for a child that stopped without saying why."""
        self._process.join(_EXIT_GRACE_SECONDS)
        if self._process.exitcode is None:
            self._kill()
            return JobCrashed("closed its pipe without a result but did not exit")
        code = self._process.exitcode
        if code == -signal.SIGKILL:
            # Not ours (ours raise JobTimedOut): the kernel's out-of-memory killer is the usual sender.
            return JobOutOfMemory("killed by SIGKILL")
        if code == -signal.SIGXCPU:
            return JobTimedOut("CPU time limit reached")
        if code is not None and code < 0:
            return JobCrashed(f"killed by {signal.Signals(-code).name}")
        return JobCrashed(f"exited with code {code} without a result")


def _failure(tag: str, value: Any) -> Exception:
    if tag == _REJECTED:
        return value
    if tag == _OUT_OF_MEMORY:
        return JobOutOfMemory(value)
    return UnexpectedJobError(value)


@dataclass(frozen=True, slots=True)
class _Task:
    """What the child is to do, and within which limits; pickled to it by name and value."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    streaming: bool
    memory_bytes: int
    cpu_seconds: int


@dataclass(frozen=True, slots=True)
class _Child:
    """A child waiting for its task on ``tasks``; it answers on ``results``."""

    process: BaseProcess
    tasks: Connection
    results: Connection

    @classmethod
    def start(cls) -> "_Child":
        results, sender = _CONTEXT.Pipe(duplex=False)
        receiver, tasks = _CONTEXT.Pipe(duplex=False)
        process = _CONTEXT.Process(target=_child_main, args=(sender, receiver), daemon=True)
        try:
            process.start()
        except BaseException:
            for end in (results, tasks):
                end.close()
            raise
        finally:
            # Only the child holds these ends now: its death reads as end-of-file here, and this
            # process's death (or the spare's discarding) as end-of-file there.
            sender.close()
            receiver.close()
        return cls(process, tasks, results)

    def discard(self) -> None:
        for end in (self.tasks, self.results):
            end.close()
        self.process.kill()
        self.process.join()


class _Spare:
    """This process's spare child, at most one, shared by its threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._child: _Child | None = None

    def take(self) -> _Child | None:
        with self._lock:
            child, self._child = self._child, None
        return child

    def refill(self) -> None:
        try:
            child = _Child.start()
        except OSError:
            return  # none this time (say, the process limit is reached): the next job starts a child itself
        with self._lock:
            child, self._child = self._child, child
        if child is not None:  # another thread's job refilled it meanwhile
            child.discard()

    def forget(self) -> None:
        """In a forked copy of this process, whose spare would be its parent's child (the lock may be held
        by a thread that the fork did not copy)."""
        self._lock = threading.Lock()
        self._child = None


_SPARE = _Spare()
os.register_at_fork(after_in_child=_SPARE.forget)


def _hand_over(task: _Task) -> tuple[BaseProcess, Connection]:
    """A child at work on ``task``, and the end its answers come on; the next spare is forked meanwhile.

    The spare does the task if it is still alive (sending to a dead one fails), a new child otherwise.
    """
    child = _SPARE.take()
    if child is not None and not _sent(child, task):
        child.discard()
        child = None
    if child is None:
        child = _Child.start()
        if not _sent(child, task):
            return child.process, child.results  # it died at once: ``receive`` reports its death
    _SPARE.refill()
    return child.process, child.results


def _sent(child: _Child, task: _Task) -> bool:
    """Send the task; False if the child is gone. The child is discarded if the task cannot be sent."""
    try:
        child.tasks.send(task)
    except OSError:  # a broken pipe
        return False
    except BaseException:  # the task did not pickle
        child.discard()
        raise
    finally:
        child.tasks.close()
    return True


def _child_main(sender: Connection, tasks: Connection) -> None:
    # Ctrl-C reaches the whole process group; the parent decides when a child stops (it kills it on a
    # time-out or when it stops listening), so a worker told to finish its jobs lets renders finish too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        task: _Task = tasks.recv()
    except EOFError:
        return  # a spare whose parent needed it no more
    tasks.close()
    _limit_resources(task.memory_bytes, task.cpu_seconds)
    confine()  # from here on, no file but the code it runs (``confinement``)
    try:
        if task.streaming:
            for item in task.function(*task.args):
                sender.send((_ITEM, item))
            sender.send((_END, None))
        else:
            sender.send((_RESULT, task.function(*task.args)))
    except RejectedFile as rejection:
        sender.send((_REJECTED, rejection))
    except MemoryError as error:
        sender.send((_OUT_OF_MEMORY, f"MemoryError: {error}"))
    except Exception as error:  # anything else is a bug: report where it happened, not what it said
        # The parent logs this; a renderer's message can quote the text of the file it was reading.
        sender.send((_RAISED, value_free_traceback(error)))
    finally:
        sender.close()


def _limit_resources(memory_bytes: int, cpu_seconds: int) -> None:
    address_space = _address_space_in_use() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # A crash must not leave a core dump (a copy of the pupil's work) on disk.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _address_space_in_use() -> int:
    pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[0])
    return pages * resource.getpagesize()
