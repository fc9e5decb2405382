"""The profile dialog's check of a CA file, off the GUI thread.

``core.profile.ca_file_problem`` stats the file and reads up to 16 MB of it: on a hung network
mount that does not return, and the dialog ran it on the GUI thread on every keystroke, which
froze the window. Here each check runs on a thread of its own, a daemon: one stuck in the
kernel holds neither the I/O thread that saves profiles nor the program's exit, and a path
whose check is still running is not checked again beside it. A check starts after a pause in
typing (``DELAY_MS``), and only an answer for the path asked last is taken, never one older
than that path's answer shown: a late answer for a path typed before cannot speak for a newer
one (one typed again while its check runs takes that check's answer: no other is coming).
"""

from __future__ import annotations

import concurrent.futures
import enum
import functools
import threading

from PySide6.QtCore import QObject, QTimer, Signal

from ...core import profile as profiles
from ...engine.gui_thread import when_done

#: The pause in typing after which the file is checked.
DELAY_MS = 250
#: How long a check runs before the dialog says it is waiting for the file.
SLOW_MS = 1000


class Waiting(enum.Enum):
    """No answer yet for the path asked: ``SLOW`` once it has taken ``SLOW_MS``."""

    PENDING = "pending"
    SLOW = "slow"


class CaFileCheck(QObject):
    """``ask(path)`` on an edit; ``answer(path)`` says what is known; ``answered`` when more
    is (an answer, or that the file is slow to give one)."""

    answered = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._asked = ""  # the path whose answer is wanted
        self._known: tuple[str, str | None] | None = None  # (path, problem) last answered
        self._known_seq = 0
        self._seq = 0
        self._running: set[str] = set()  # paths whose check has not returned
        self._slow = False
        self._delay = QTimer(self, singleShot=True, interval=DELAY_MS)
        self._delay.timeout.connect(self._start)
        self._slow_timer = QTimer(self, singleShot=True, interval=SLOW_MS)
        self._slow_timer.timeout.connect(self._took_long)

    def assume_good(self, path: str) -> None:
        """Take ``path`` as fine until its check says otherwise: a profile's own CA file,
        checked when the profile was loaded, so that an edit can be saved at once."""
        self._asked, self._known = path, (path, None)

    def ask(self, path: str) -> None:
        """Check ``path`` after a pause in typing (again if it was: the file may have
        changed); the answer known for it stays until a newer one comes."""
        if path != self._asked:
            self._slow = False
            self._slow_timer.stop()
        self._asked = path
        self._delay.start()

    def answer(self, path: str) -> str | Waiting | None:
        """What is wrong with ``path`` (None: nothing), or that its answer is awaited."""
        if self._known is not None and self._known[0] == path:
            return self._known[1]
        return Waiting.SLOW if self._slow and path == self._asked else Waiting.PENDING

    def _start(self) -> None:
        path = self._asked
        if not self._slow_timer.isActive() and not self._slow:
            self._slow_timer.start()
        if path in self._running:  # its answer, when it comes, is recent enough
            return
        self._seq += 1
        self._running.add(path)
        answer: concurrent.futures.Future[str | None] = concurrent.futures.Future()
        when_done(answer, functools.partial(self._take, self._seq, path), owner=self)
        threading.Thread(
            target=_check, args=(path, answer), name="tcpm-ca-check", daemon=True
        ).start()

    def _take(self, seq: int, path: str, answer: concurrent.futures.Future[str | None]) -> None:
        self._running.discard(path)
        problem = answer.result()
        if path != self._asked or (
            self._known is not None and self._known[0] == path and seq < self._known_seq
        ):
            return  # asked about another path since, or older than its answer shown
        self._known, self._known_seq = (path, problem), seq
        self._slow = False
        self._slow_timer.stop()
        self.answered.emit()

    def _took_long(self) -> None:
        if self._asked in self._running:
            self._slow = True
            self.answered.emit()


def _check(path: str, answer: concurrent.futures.Future[str | None]) -> None:
    """On the check's own thread: ``core.profile.ca_file_problem``, looked up when called."""
    try:
        answer.set_result(profiles.ca_file_problem(path))
    except Exception as exc:  # whatever it was is the file's problem
        answer.set_result(str(exc))
