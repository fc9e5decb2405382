"""One writer at a time for a file that several processes change (``profiles.json``: the
window, and any number of ``tcpmonitor profiles add`` run by scripts).

Read-modify-write must hold the lock from the read to the write, or two writers that read the
same file each write their own change and one is lost. The lock is an advisory ``flock`` on the
folder that holds the file (so no lock file is left beside the user's files); on Windows,
``msvcrt.locking`` on a small ``.<name>.lock`` file beside it. It is taken with a deadline, so
a hung process can delay a save but never hang the thread that saves for ever.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

if sys.platform != "win32":
    import fcntl

WAIT_S = 10.0
_POLL_S = 0.01


class LockTimeout(OSError):
    """Another process held the lock past the deadline."""


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def open_lock_file(where: Path, *, own: bool = False) -> int:
    """A descriptor of the lock file ``where`` (made 0600 if missing), for ``flock`` or
    byte-range locks: never through a symlink, never blocking on a FIFO put in its place;
    ``own``: it must be this user's (in a shared folder, another user's proves nothing).
    ``OSError`` when it cannot be opened or is not such a file."""
    flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
    fd = os.open(where, flags, 0o600)
    found = os.fstat(fd)
    if not stat.S_ISREG(found.st_mode) or (own and found.st_uid != os.getuid()):
        os.close(fd)
        raise OSError("not a file of this user's" if own else "not a file")
    return fd


@contextlib.contextmanager
def locked(path: Path, timeout: float = WAIT_S) -> Iterator[None]:
    """Hold the lock that guards ``path`` (its directory must exist): the lock of the folder
    that holds the file itself, where ``path`` is a symlink (two config folders linking one
    file took two locks, and lost changes)."""
    folder = Path(os.path.realpath(path)).parent
    if sys.platform == "win32":  # pragma: no cover
        fd = os.open(lock_path(folder / path.name), os.O_RDWR | os.O_CREAT, 0o600)
    else:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise LockTimeout(
                    f"another program has held the lock on {folder} for {timeout:g} s"
                )
            time.sleep(_POLL_S)  # ok-sleep: advisory locks offer no wake-up without blocking
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def _try_lock(fd: int) -> bool:
    try:
        if sys.platform == "win32":
            import msvcrt  # noqa: PLC0415

            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt  # noqa: PLC0415

        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
