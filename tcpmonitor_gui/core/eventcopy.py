"""The copy of an older event log kept before it is brought up to date (after which that
version refuses it): ``<name>.schema-<version>.bak``, made whole or not at all."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
from pathlib import Path

from .atomicfile import process_alive

_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
#: Free space below which a disk is full for SQLite (a page or two, and its -shm's 32 KiB).
FULL_BELOW = 64 * 1024


def keep_as_it_was(conn: sqlite3.Connection, path: Path, version: int) -> str:
    """Before a log of an older ``version`` is brought up to date (after which that version
    refuses it), a copy of it as it is, ``<name>.schema-<version>.bak`` beside it (0600),
    for going back to that version; one already there is never written over. Returns what
    became of it, in words."""
    name = f"{path.name}.schema-{version}.bak"
    target = path.with_name(name)
    there = f"{name} is there already and left as it is: no copy of the log as it was is kept"
    if os.path.lexists(target):
        return there
    if (room := _room_for_a_copy(path)) is not None:
        return room
    partial = path.with_name(f".{name}.{os.getpid()}")  # whole or not at all
    try:
        os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _CLOEXEC, 0o600))
        conn.execute("VACUUM INTO ?", (str(partial),))  # one snapshot, while others write
        with contextlib.closing(sqlite3.connect(partial)) as copy:
            if copy.execute("PRAGMA user_version").fetchone()[0] != version:
                return ""  # brought up to date meanwhile, by another that kept its own copy
        try:
            os.link(partial, target)  # never over one made meanwhile
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links (FAT, some network ones)
            if os.path.lexists(target):
                return there
            os.replace(partial, target)
    except FileExistsError:
        return there
    except (OSError, sqlite3.Error) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"no copy of it as it was could be kept ({why})"
    finally:
        with contextlib.suppress(OSError):
            os.unlink(partial)
    return f"the log as it was is kept as {name}"


def _room_for_a_copy(path: Path) -> str | None:
    """Why no copy of the log at ``path`` is made (None: it may be): the disk would keep less
    room than the log takes. A copy that filled it would stop the log's own writes."""
    try:
        size = sum(os.path.getsize(p) for p in (path, path.with_name(path.name + "-wal"))
                   if os.path.exists(p))  # fmt: skip
        free = shutil.disk_usage(path.parent).free
    except OSError:
        return None
    if free >= 2 * size + FULL_BELOW:
        return None
    mib = 1024 * 1024
    return (
        f"no copy of it as it was is kept: the disk has {free / mib:.1f} MiB free, too little"
        f" beside a copy of {size / mib:.1f} MiB"
    )


def remove_stale_copies(path: Path) -> None:
    """Remove the copies of the log at ``path`` that programs killed while making them left
    half made (``.<name>.schema-<version>.bak.<pid>``, and SQLite's ``-journal`` of one):
    there for good, as large as the log, and nothing would ever read them. Never one of a
    live process (it may be copying now)."""
    partial = re.compile(rf"\.{re.escape(path.name)}\.schema-\d+\.bak\.(\d+)(-journal)?")
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if (found := partial.fullmatch(name)) and not process_alive(int(found[1])):
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)
