"""The one way back to the GUI thread (STYLE.md, practice 14; Picard's ``thread.to_main``).

Results come from engine workers, the I/O thread, the event log's writer; the widgets that show
them live in the GUI thread and must only be touched there. ``call_in_gui_thread`` queues a
call to the GUI thread's event loop; ``when_done`` does so with a future once it is done. Both
work with or without a running qasync loop (a queued Qt signal needs none), and a call whose
``owner`` was deleted meanwhile (a dialog closed while its test ran) is dropped, not made.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Qt, Signal, Slot

T = TypeVar("T")

_lock = threading.Lock()
_mailbox: _Mailbox | None = None


class _Mailbox(QObject):
    """Lives in the GUI thread; ``posted`` carries a call there (queued, from any thread)."""

    posted = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _run(self, call: Callable[[], object]) -> None:
        call()


def _box() -> _Mailbox:
    global _mailbox
    with _lock:
        if _mailbox is None or not shiboken6.isValid(_mailbox):
            app = QCoreApplication.instance()
            if app is None:
                raise RuntimeError("no QApplication: there is no GUI thread to call back on")
            box = _Mailbox()
            if box.thread() is not app.thread():
                box.moveToThread(app.thread())
            box.setParent(app)  # goes with the application, never before it
            _mailbox = box
        return _mailbox


def call_in_gui_thread(
    call: Callable[..., object], *args: Any, owner: QObject | None = None
) -> None:
    """Run ``call(*args)`` in the GUI thread, from the event loop's next turn; not at all if
    ``owner`` is deleted by then."""
    if owner is not None:
        call = functools.partial(_if_alive, owner, call)
    _box().posted.emit(functools.partial(call, *args))


def when_done(
    future: concurrent.futures.Future[T],
    callback: Callable[[concurrent.futures.Future[T]], object],
    *,
    owner: QObject | None = None,
) -> None:
    """Call ``callback(future)`` in the GUI thread once ``future`` is done (also when it is
    already); not at all if ``owner`` is deleted by then."""
    box = _box()  # made now, in the caller's (GUI) thread, never first in a worker

    def done(f: concurrent.futures.Future[T]) -> None:
        call: Callable[[], object] = functools.partial(callback, f)
        if owner is not None:
            call = functools.partial(_if_alive, owner, call)
        box.posted.emit(call)

    future.add_done_callback(done)


def _if_alive(owner: QObject, call: Callable[..., object], *args: Any) -> None:
    if shiboken6.isValid(owner):
        call(*args)
