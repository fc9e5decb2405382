"""Copies of a user's file kept beside it before it is set aside or written over
(``jsonfile.JsonStore``; the integration's records): never over a file that is there, private
(0600), on disk, and nothing left of a copy that failed."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import itertools
import os
import shutil
import stat
from pathlib import Path
from typing import BinaryIO

from .atomicfile import CREATE_FLAGS

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def keep_corrupt_copy(path: Path, now: dt.datetime | None = None) -> Path:
    """Copy ``path`` to ``<name>.corrupt-<YYYYmmddTHHMMSSZ>`` beside it and return the copy.

    A copy, not a move, so that the original stays where the user expects it until we write
    a new file; an existing copy is never overwritten (``-1``, ``-2``... are appended). The
    copy is private (0600): it may hold the same host names and notes as the original.
    A naive ``now`` is taken as UTC.
    """
    when = now or dt.datetime.now(dt.UTC)
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    base = f"{path.name}.corrupt-{when:%Y%m%dT%H%M%SZ}"
    with _open_regular(path) as src:
        for n in itertools.count():
            target = path.with_name(base if n == 0 else f"{base}-{n}")
            try:
                _copy_into_new(src, target)
            except FileExistsError:
                continue
            return target
    raise AssertionError("unreachable")  # pragma: no cover


def keep_older_copy(path: Path, version: int) -> Path | None:
    """Copy ``path``, a document of an older ``version`` about to be written over in the
    current one, to ``<name>.v<version>.bak`` beside it (0600) and return the copy; None
    when a file is there already (never written over: an earlier copy, or the user's)."""
    target = path.with_name(f"{path.name}.v{version}.bak")
    with _open_regular(path) as src:
        try:
            _copy_into_new(src, target)
        except FileExistsError:
            return None
    return target


def _open_regular(path: Path) -> BinaryIO:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC)
    src = open(fd, "rb")  # noqa: SIM115 - the caller's to close
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO would block; a device never end
        src.close()
        raise OSError(errno.EINVAL, "not a regular file, so no copy is made")
    return src


def _copy_into_new(src: BinaryIO, target: Path) -> None:
    """Copy ``src`` into ``target``, created here (``FileExistsError`` when a file is there),
    private (0600) and on disk (fsynced); nothing is left of it when the copy fails."""
    fd = os.open(target, CREATE_FLAGS, 0o600)
    try:
        with open(fd, "wb") as dst:
            shutil.copyfileobj(src, dst)
            dst.flush()
            os.fsync(dst.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(target)
        raise
