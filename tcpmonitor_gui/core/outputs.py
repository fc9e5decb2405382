"""Files the user names for the program to write (a report, an export): never its own.

``tcpmonitor report --csv ~/.config/tcpmonitor/profiles.json`` replaced every profile with a
CSV table, and ``--html .../events.sqlite3`` the whole event history, even while a ``run``
wrote it. A target that is one of the program's files is refused, whatever way it is named:
its real path is compared (through symlinks and ``..``), and an existing target's identity
(a hard link). The program's files are those of its config and data dirs whose names begin,
past any leading dot, with the name of one it keeps there: ``profiles.json`` and its lock,
temporary files and set-aside copies; ``settings.json``; ``ui.ini`` (the window's state) and
its lock; ``events.sqlite3``, its ``-wal``, ``-shm`` and ``-journal`` and its lock. Any other
file may be overwritten, as an output file is.
"""

from __future__ import annotations

import errno
import io
import os
from collections.abc import Sequence
from pathlib import Path

from .atomicfile import atomic_write_text
from .events import FIELDS, Event, csv_writer

#: The files the program keeps in its config and data dirs, as their names begin.
OWN_NAMES = ("profiles.json", "settings.json", "ui.ini", "events.sqlite3")


class OwnFileError(OSError):
    """The target is one of the program's own files; ``strerror`` says which."""


def _ours(name: str) -> bool:
    return name.lstrip(".").casefold().startswith(OWN_NAMES)


def own_file(target: Path, dirs: Sequence[Path]) -> Path | None:
    """The program's file that writing ``target`` would replace, or None."""
    real = Path(os.path.realpath(target))
    try:
        st = os.stat(target)
    except OSError:
        st = None
    for directory in dirs:
        home = Path(os.path.realpath(directory))
        if real.parent == home and _ours(real.name):
            return real
        if st is None:
            continue
        try:
            names = [n for n in os.listdir(home) if _ours(n)]
        except OSError:
            continue
        for name in names:
            try:
                if os.path.samefile(target, home / name):
                    return home / name
            except OSError:
                continue
    return None


def refuse_own(target: Path, dirs: Sequence[Path]) -> None:
    """Raise ``OwnFileError`` when ``target`` is one of the program's files."""
    found = own_file(target, dirs)
    if found is None:
        return
    shown = "" if Path(os.path.abspath(target)) == found else f" ({found})"
    raise OwnFileError(
        errno.EEXIST,
        f"is TCP Monitor's own {found.name}{shown}; nothing written, choose another file",
        str(target),
    )


def write_events_csv(target: Path, events: Sequence[Event], dirs: Sequence[Path]) -> int:
    """The events as CSV (the columns of ``events --format csv``); returns how many."""
    out = io.StringIO(newline="")
    writer = csv_writer(out, FIELDS)
    writer.writeheader()
    for event in events:
        writer.writerow(event.to_csv_row())
    write_output(Path(target), out.getvalue(), dirs, mode=0o600)
    return len(events)


def write_output(target: Path, text: str, dirs: Sequence[Path], *, mode: int = 0o644) -> None:
    """``atomic_write_text`` to a file the user chose, refused when it is the program's."""
    refuse_own(target, dirs)
    atomic_write_text(target, text, mode=mode)
