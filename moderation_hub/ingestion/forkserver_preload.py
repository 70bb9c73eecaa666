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
"""

import os
import sys
from multiprocessing import spawn

HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"


def _restart_with_huge_pages() -> None:
    """Run this forkserver again, with the same arguments and inherited descriptors, plus the tunable."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if HUGE_PAGES_TUNABLE in tunables.split(":"):
        return
    os.environ["GLIBC_TUNABLES"] = f"{tunables}:{HUGE_PAGES_TUNABLE}" if tunables else HUGE_PAGES_TUNABLE
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # noqa: S606 - the same interpreter, again


def _main_script_not_needed(_main: str) -> None:
    """Stands in for multiprocessing's re-running of the main script, in this process's children only."""


_restart_with_huge_pages()
spawn._fixup_main_from_path = _main_script_not_needed
spawn._fixup_main_from_name = _main_script_not_needed

# Imported after the restart, so only once; they are what the children run, and their entry point.
from moderation_hub.ingestion import jobs, sandbox  # noqa: E402, F401
