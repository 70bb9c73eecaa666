"""What the sandbox's forkserver sets up before it forks any child; imported there and nowhere else.

Three things make a child cheap, so that a job pays for little more than its own work:

- The processing modules are imported here, once, and every child starts with them in place.
- Children do not run the main script again. On Python 3.11, multiprocessing makes every forkserver
  child re-run the parent's main script: its preloading of ``__main__`` is broken (CPython issues
  126631 and 137996, fixed in 3.13). For a worker started by the ``flask`` script, that meant
  importing Flask and its command line again in each child, about 170 ms, twice per uploaded file.
  Sandboxed jobs are always functions of this package (``sandbox.run_isolated`` says so), never of a
  main script, so the children skip that step.
- glibc's allocator asks the kernel for transparent huge pages (2 MB) where the kernel leaves that to
  programs (its usual ``madvise`` setting). A child lives for one file and faults in every page of
  memory it touches: a 12-megapixel photo's buffers were some 8,000 faults of 4 kB, about 20 ms of a
  150 ms photo. The setting is read only when a program starts, so the forkserver starts itself
  again with it, once, before importing anything heavy; its parent is not affected.

That restart also leaves the parent's secrets behind: the app's settings (``SECRET_KEY``, the database
and storage URLs with their passwords, cloud credentials) come from environment variables, and a
child handling a hostile file has no use for any of them. The forkserver runs with only the
variables that locate programs, libraries and temporary files and set the locale.

And the forkserver leaves the machine's network, so a child that a crafted file took over cannot
reach the database, Redis, the storage service or a cloud's metadata endpoint: it moves into a
network namespace of its own (only a loopback interface, down), inside a user namespace that maps its
own user and group to themselves, which lets an unprivileged process do so. Children talk to their
parent only through the pipes they inherit, and each confines itself to reading the code it runs
(``confinement``, which works out its rules here, once). Where the kernel or a container forbids user namespaces,
it says so on standard error and the children keep the worker's network access.
"""

import ctypes
import os
import sys
from multiprocessing import spawn
from pathlib import Path

HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"
# Set in the restarted forkserver's environment, so that it restarts only once.
_RESTARTED = "MODERATION_HUB_SANDBOX"
_KEPT_VARIABLES = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"})
_KEPT_PREFIXES = ("LC_", "PYTHON")
# From <sched.h>: Python 3.11 has no os.unshare.
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def _sandbox_environment(parent: dict[str, str]) -> dict[str, str]:
    """The variables of ``parent`` that the sandbox keeps, and the allocator's huge-page setting."""
    kept = {name: value for name, value in parent.items() if name in _KEPT_VARIABLES or name.startswith(_KEPT_PREFIXES)}
    return {**kept, "GLIBC_TUNABLES": HUGE_PAGES_TUNABLE, _RESTARTED: "1"}


def _restart_in_sandbox_environment() -> None:
    """Run this forkserver again, with the same arguments and inherited descriptors, in its own environment."""
    if os.environ.get(_RESTARTED):
        return
    arguments = [sys.executable, *sys.orig_argv[1:]]
    os.execve(sys.executable, arguments, _sandbox_environment(dict(os.environ)))  # noqa: S606 - the same interpreter


def _leave_the_network() -> None:
    """Move this single-threaded process, and so every child it forks, into namespaces of its own."""
    user, group = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        reason = os.strerror(ctypes.get_errno())
        sys.stderr.write(f"moderation_hub sandbox: children keep the network: cannot unshare it ({reason})\n")
        return
    # Without a mapping the user would be "nobody" in the namespace and could not create files. An error
    # here must not stop the forkserver (it would stop every upload): the jobs themselves write no files.
    try:
        Path("/proc/self/setgroups").write_text("deny", encoding="ascii")
        Path("/proc/self/uid_map").write_text(f"{user} {user} 1", encoding="ascii")
        Path("/proc/self/gid_map").write_text(f"{group} {group} 1", encoding="ascii")
    except OSError as error:
        sys.stderr.write(f"moderation_hub sandbox: children run as an unmapped user: {error}\n")


def _main_script_not_needed(_main: str) -> None:
    """Stands in for multiprocessing's re-running of the main script, in this process's children only."""


_restart_in_sandbox_environment()
_leave_the_network()
spawn._fixup_main_from_path = _main_script_not_needed
spawn._fixup_main_from_name = _main_script_not_needed

# Imported after the restart, so only once: what the children run, their entry point, and the modules
# multiprocessing imports in each child to unpickle the process it is to be.
from multiprocessing import popen_fork, popen_forkserver  # noqa: E402, F401

from moderation_hub.ingestion import confinement, jobs, sandbox  # noqa: E402, F401

confinement.prepare()
