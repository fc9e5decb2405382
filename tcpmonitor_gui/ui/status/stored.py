"""The status table's stored side: uptime from the event log once a minute (the rows go on
from it live), and at start what the log last knew of each row (``StatusModel.restore``).
Every query runs on the session's I/O thread; the answers come back to the GUI thread."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Mapping
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer

from ...core.last_seen import LastSeen
from ...core.session import Session
from ...engine.gui_thread import when_done
from ...engine.registry import ProfileRegistry
from .model import StatusModel

#: The stored uptime is asked again this often: the 24 h window slides.
UPTIME_EVERY_MS = 60_000

T = TypeVar("T")


class StoredHistory(QObject):
    def __init__(self, session: Session, registry: ProfileRegistry, model: StatusModel) -> None:
        super().__init__(model)
        self._session, self._registry, self._model = session, registry, model
        self._timer = QTimer(self)
        self._timer.setInterval(UPTIME_EVERY_MS)
        self._timer.timeout.connect(self.refresh_uptime)
        registry.added.connect(self.refresh_uptime)

    def start(self, told: Callable[[Mapping[str, LastSeen]], object] = lambda _seen: None) -> None:
        """What the log last knew (to the rows, then to ``told``; {} when nothing was asked
        or the log could not answer), then the uptime now and every minute."""
        ids = list(self._registry.profiles.by_id)

        def restore(seen: Mapping[str, LastSeen]) -> None:
            self._model.restore(seen)
            told(seen)

        if ids:
            self._then(self._session.last_seen(ids), restore, failed=lambda: told({}))
        else:
            told({})
        self._timer.start()
        self.refresh_uptime()

    def stop(self) -> None:
        self._timer.stop()

    def refresh_uptime(self) -> None:
        """Uptime of every row, from one query on the I/O thread."""
        ids = list(self._registry.profiles.by_id)
        if ids:
            self._then(self._session.uptimes(ids), self._model.set_uptime)

    def _then(
        self,
        future: concurrent.futures.Future[T],
        use: Callable[[T], object],
        failed: Callable[[], object] = lambda: None,
    ) -> None:
        def done(f: concurrent.futures.Future[T]) -> None:
            if not f.cancelled() and f.exception() is None:
                use(f.result())
            else:
                failed()

        when_done(future, done, owner=self)
