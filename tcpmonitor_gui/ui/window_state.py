"""The window's own state between runs: geometry, toolbar, column widths, the splitter, the
log's order, whether the user was told that closing hides to the tray.

It lives in an INI file through QSettings (the toolkit's business, not ``settings.json``). It is
read once at start-up, before the window is shown; every write goes to the I/O thread with a
QSettings object of its own (one object is not to be shared between threads), so closing the
window never waits for the disk.

What is at its name (or its lock's, ``ui.ini.lock``, as it writes) and is not a file is
neither read nor written: QSettings opens a named pipe and waits on it for ever, and with it
the window's start (on the GUI thread, holding the GIL) or the I/O thread (every later save
of the profiles, and the close).
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings

from ..core.atomicfile import special_kind

FILE_NAME = "ui.ini"
log = logging.getLogger(__name__)


class WindowState:
    def __init__(self, path: Path, io: concurrent.futures.Executor | None = None) -> None:
        """``io``: where writes go; the first frame reads the state before the session (and
        its I/O thread) exists, which gives it with ``use_io``."""
        self.path = path
        self._io = io
        kind = special_kind(path)
        #: Why the file was not read (the core's words, naming it), else None.
        self.problem = None if kind is None else f"{path}: is {kind}, not a file; not read"
        self._values: dict[str, Any] = {}
        if self.problem is None:
            reader = QSettings(str(path), QSettings.Format.IniFormat)
            self._values = {key: reader.value(key) for key in reader.allKeys()}

    def use_io(self, io: concurrent.futures.Executor) -> None:
        self._io = io

    def get(self, key: str, default: Any = None) -> Any:
        return self._values.get(key, default)

    def flag(self, key: str) -> bool:
        """A stored true/false (QSettings gives INI values back as text)."""
        value = self._values.get(key, False)
        return value in (True, "true", "1", 1)

    def put(self, values: Mapping[str, Any]) -> concurrent.futures.Future[None]:
        """Remember ``values`` and write them on the I/O thread (given by then)."""
        assert self._io is not None, "no I/O thread to write on (see use_io)"
        self._values.update(values)
        path, changed = str(self.path), dict(values)

        def write() -> None:
            for each in (self.path, self.path.with_name(f"{self.path.name}.lock")):  # its lock
                if (kind := special_kind(each)) is not None:  # left as it is
                    log.warning("the window's layout is not saved: %s is %s", each, kind)
                    return
            settings = QSettings(path, QSettings.Format.IniFormat)
            for key, value in changed.items():
                settings.setValue(key, value)
            settings.sync()
            if settings.status() is not QSettings.Status.NoError:
                raise OSError(f"{path}: the window's state could not be written")

        return self._io.submit(write)
