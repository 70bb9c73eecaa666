"""What a sandboxed child may do with the file system: read the code it runs, and nothing more.

A child that a crafted file took over would otherwise have its worker's view of the file system: it
could read every school's uploads and pages in local storage, and the instance folder's settings, and
write them into the pages it returns, or delete them. Landlock, a Linux security module that any process
may apply to itself (Linux 5.13 and later), takes that away: each child confines itself once its job has
been unpickled (which imports the job's module) and before it reads a byte of the file.

A confined child may read the Python installation, the installed packages, this package's code and the
system's shared libraries (Pillow and MuPDF load no others, but glibc loads ``libgcc_s`` when a thread
unwinds), and ``/proc``, where Landlock denies it the memory, environment and files of every process
outside its own domain. It may write to ``/dev/null`` only. Where the kernel has them, the same ruleset
closes TCP (Landlock ABI 4, Linux 6.7) and signals and abstract sockets beyond the child's own domain
(ABI 6, Linux 6.12): a second wall behind the network namespace, and the only one in containers that
forbid user namespaces.
"""

import functools
import sys
import sysconfig
from pathlib import Path

from py_landlock import AccessFs, Landlock, LandlockError, get_abi_version

import moderation_hub

_SYSTEM_LIBRARIES = ("/lib", "/lib64", "/usr/lib", "/usr/lib64")
_NULL_DEVICE = "/dev/null"


@functools.cache
def unavailable_reason() -> str | None:
    """Why children cannot be confined here (an old kernel, or Landlock disabled), or None if they can."""
    try:
        get_abi_version()
    except LandlockError as error:
        return str(error)
    return None


def confine() -> None:
    """Confine this process, and every process it starts, for good; does nothing where Landlock is missing."""
    if unavailable_reason() is not None:
        return  # the forkserver has said so on standard error, once (``forkserver_preload``)
    ruleset = Landlock(strict=False)  # best effort: what this kernel's Landlock can enforce
    ruleset.allow_read(*_readable_directories())
    ruleset.add_path_rule(_NULL_DEVICE, access=AccessFs.READ_FILE | AccessFs.WRITE_FILE)
    ruleset.apply()


@functools.cache
def _readable_directories() -> tuple[Path, ...]:
    paths = sysconfig.get_paths()
    candidates = [
        paths["stdlib"],
        paths["purelib"],
        paths["platlib"],
        Path(moderation_hub.__file__).parent,  # the package, not the checkout: that holds the instance folder
        "/proc",
        *_SYSTEM_LIBRARIES,
    ]
    return tuple(sorted({Path(candidate).resolve() for candidate in candidates if Path(candidate).is_dir()}))


def prepare() -> None:
    """Work out, once in the forkserver, what each child then only applies; say on standard error if
    children cannot be confined here."""
    _readable_directories()
    reason = unavailable_reason()
    if reason is not None:
        sys.stderr.write(f"moderation_hub sandbox: children keep the worker's file system: {reason}\n")
