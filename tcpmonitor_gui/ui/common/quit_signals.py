"""SIGTERM, SIGHUP and SIGINT quit the window as File -> Quit does.

A logout, ``kill``, a closed terminal or Ctrl+C used to end the process where it stood
(exit 143): no "monitoring stopped" in the event log, so a drop it was watching stayed an
ongoing outage while nothing watched. Now they run the same shutdown as the menu.

Python runs its signal handlers only between bytecodes, which the GUI thread does not execute
while Qt waits for events: the C-level handler writes the signal's number to a pipe
(``signal.set_wakeup_fd``) that a ``QSocketNotifier`` watches, so the GUI thread wakes, runs
the Python handler, and the quit goes through the event loop like any other. A pipe, not a
socket pair: ``socket`` is 5-7 ms of imports before the first frame, ``os`` none.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, QTimer

SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT") if hasattr(signal, name)
)


class QuitOnSignals(QObject):
    """Calls ``quit_app`` from the event loop when one of ``SIGNALS`` arrives (main thread
    only); ``close`` puts the previous handlers back."""

    def __init__(self, quit_app: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._quit = quit_app
        self._read, self._write = os.pipe()
        for end in (self._read, self._write):
            os.set_blocking(end, False)
        self._previous_fd = signal.set_wakeup_fd(self._write)
        self._previous = {sig: signal.signal(sig, self._handle) for sig in SIGNALS}
        self._notifier = QSocketNotifier(self._read, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)

    def _handle(self, signum: int, _frame: object) -> None:
        for sig in SIGNALS:  # a second one ends the process at once (a quit that hangs)
            signal.signal(sig, signal.SIG_DFL)
        QTimer.singleShot(0, self._quit)  # never quit from inside whatever was running

    def _drain(self) -> None:
        with contextlib.suppress(OSError):  # BlockingIOError once it is empty
            while os.read(self._read, 64):
                pass

    def close(self) -> None:
        """Idempotent: Qt says ``aboutToQuit`` again when qasync's loop ends a second time."""
        if self._read < 0:
            return
        self._notifier.setEnabled(False)
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        signal.set_wakeup_fd(self._previous_fd)
        os.close(self._read)
        os.close(self._write)
        self._read = self._write = -1
