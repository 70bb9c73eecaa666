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
"""

import os
import sys
from multiprocessing import spawn

HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"
# Set in the restarted forkserver's environment, so that it restarts only once.
_RESTARTED = "MODERATION_HUB_SANDBOX"
_KEPT_VARIABLES = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR"})
_KEPT_PREFIXES = ("LC_", "PYTHON")


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


def _main_script_not_needed(_main: str) -> None:
    """Stands in for multiprocessing's re-running of the main script, in this process's children only."""


_restart_in_sandbox_environment()
spawn._fixup_main_from_path = _main_script_not_needed
spawn._fixup_main_from_name = _main_script_not_needed

# Imported after the restart, so only once; they are what the children run, and their entry point.
from moderation_hub.ingestion import jobs, sandbox  # noqa: E402, F401
