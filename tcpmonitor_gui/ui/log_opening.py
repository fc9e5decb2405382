"""Monitoring starts once the event log is open (``Session.open_eventlog_soon``: on the I/O
thread, while the session's parts are attached to the first frame), or known not to be; the
window says why in that case, and says what it waits for if the opening takes long (another
program holds the log's write lock, and SQLite waits up to 10 s for it): rows that stay
"unknown" with no word would look like a monitor that does not work.
"""

from __future__ import annotations

import concurrent.futures
import functools
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from ..engine.gui_thread import when_done
from .common.i18n import Context

if TYPE_CHECKING:
    from ..core.session import Problem
    from .main_window import MainWindow

#: How long the opening may take before the status bar says what the window waits for.
STILL_OPENING_MS = 1000


class LogOpening(Context):
    """The translation context of this module's words."""


def monitor_once_logged(
    window: MainWindow, opened: concurrent.futures.Future[Problem | None]
) -> None:
    """Start ``window``'s monitoring when ``opened`` is done (in the GUI thread): at once if
    it is already (not a turn of the event loop later: at start-up that turn comes only once
    asyncio and qasync are loaded, tens of milliseconds)."""
    if opened.done():
        _opened(window, opened)
        return
    QTimer.singleShot(STILL_OPENING_MS, window, functools.partial(_still_opening, window, opened))
    when_done(opened, functools.partial(_opened, window), owner=window)


def _still_opening(window: MainWindow, opened: concurrent.futures.Future[Problem | None]) -> None:
    if not opened.done():
        window.statusBar().showMessage(
            LogOpening.tr(
                "Waiting for the event log to open (another program may be writing to it). "
                "Monitoring starts once it is open."
            )
        )


def _opened(window: MainWindow, opened: concurrent.futures.Future[Problem | None]) -> None:
    if (problem := opened.result()) is not None:
        window.session.problems.append(problem)
        window.show_problems([problem])
    window.statusBar().clearMessage()  # the wait, if it was said
    window.engine.use_eventlog(window.session.eventlog)  # monitoring starts only here
    window.watch_eventlog()
    window.start_monitoring()  # not once the window is shut down: the program is quitting
