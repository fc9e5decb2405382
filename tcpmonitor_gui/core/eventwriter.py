"""The event log's writer thread: what ``EventLog`` does on it (waiting for work, committing
batches, keeping them for later when the disk will not take them), kept apart from the
queue and the queries so each reads on its own.
"""

from __future__ import annotations

import collections
import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from . import claims, orphans
from .claims import Claims
from .eventdb import EventLogError, bad_row, write_batch
from .events import Event

_log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0
#: After a failed write, the next try waits this long (unless a state event comes first).
RETRY_S = 5.0

#: Work for the writer thread (a prune) and where its result goes.
_Call = tuple[Callable[[sqlite3.Connection], int], Future[int]]


class WriterThread:
    """The writer thread's part of ``EventLog`` (which sets these attributes)."""

    path: Path
    claims: Claims
    _cond: threading.Condition
    _pending: collections.deque[Event]
    _calls: collections.deque[_Call]
    _state: str
    _first_at: float | None
    _urgent: bool
    _interval: float
    _submitted: int
    _committed: int
    _error: str | None
    _lost: int
    _retry_at: float

    if TYPE_CHECKING:  # EventLog's own

        def _prune(self, conn: sqlite3.Connection, now: dt.datetime | None) -> int: ...

        def _set_error(self, error: str | None) -> None: ...

    def _run(self, conn: sqlite3.Connection, writers: orphans.Writers) -> None:
        try:
            next_prune = 0.0  # prune once at start, then at most hourly
            while True:
                if not writers.held and self._wait_for(writers, conn):
                    continue
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY_S
                    self._prune_quietly(conn)
                batch, calls, closing = self._next_work()
                if not closing and time.monotonic() >= self._retry_at:
                    self._retry_at = time.monotonic() + claims.RETRY_S
                    if taken := self.claims.overdue():  # quiet ones taken over too
                        with self._cond:  # counted as submitted: a flush waits for the rest
                            self._submitted += len(taken)
                        batch = [*taken, *batch]
                if batch:
                    self._commit(conn, batch, closing)
                for call, future in calls:
                    try:
                        future.set_result(call(conn))
                    except Exception as exc:
                        future.set_exception(exc)
                if closing:
                    with self._cond:
                        if not self._pending and not self._calls:
                            return
        except Exception:
            _log.exception("event log writer stopped")
        finally:
            conn.close()
            self.claims.close()
            writers.release()
            with self._cond:
                self._state = "closed"
                for _, future in self._calls:
                    future.set_exception(EventLogError(f"{self.path}: the event log is closed"))
                self._calls.clear()
                self._cond.notify_all()

    def _wait_for(self, writers: orphans.Writers, conn: sqlite3.Connection) -> bool:
        """Ask for the writers' lock (``orphans.py``); True while this process must wait for
        it, its events queued (bounded as ever: samples past ``max_pending`` are dropped).
        Closing, what is queued is written all the same (it ends this process's states)."""
        closing = self._state != "running"
        if writers.take(conn, now=closing):
            if writers.late:
                self._set_error(None)
            return False
        if closing:
            _log.warning("%s: written without the writers' lock, closing", self.path)
            writers.release()
            writers.held = True
            return False
        if writers.late:
            self._set_error(f"{self.path}: events not written yet (another program holds the"
                            f" writers' lock; they wait for it)")  # fmt: skip
        with self._cond:
            if self._state == "running":
                self._cond.wait(writers.wait_s())
        return True

    def _next_work(self) -> tuple[list[Event], list[_Call], bool]:
        with self._cond:
            while True:
                closing = self._state != "running"
                if closing or self._calls or (self._urgent and self._pending):
                    break
                wait = None
                if self._pending:
                    assert self._first_at is not None
                    wait = self._first_at + self._interval - time.monotonic()
                    if wait <= 0:
                        break
                if self.claims.waiting():  # another program records some: ask again soon
                    retry = self._retry_at - time.monotonic()
                    if retry <= 0:
                        break
                    wait = retry if wait is None else min(wait, retry)
                self._cond.wait(wait)
            batch = list(self._pending)
            self._pending.clear()
            calls = list(self._calls)
            self._calls.clear()
            self._first_at = None
            self._urgent = False
            return batch, calls, closing

    def _commit(self, conn: sqlite3.Connection, batch: list[Event], closing: bool) -> None:
        batch = self.claims.settle(conn, batch)
        try:
            write_batch(conn, batch)
        except Exception as exc:
            if not bad_row(exc):  # disk full, file locked too long...
                self._keep_for_later(batch, exc, closing)
                return
            # A value SQLite cannot take: one row costs that row, never the log.
            for at, event in enumerate(batch):
                try:
                    write_batch(conn, [event])
                except Exception as one:
                    if not bad_row(one):
                        self._keep_for_later(batch[at:], one, closing)
                        return
                    name = event.profile_id.encode("utf-8", "backslashreplace").decode()
                    _log.error("event log: an event of %r cannot be stored, skipped: %s", name, one)
        if self._error is not None:
            _log.warning("%s: events are written again", self.path)
            self._set_error(None)
        with self._cond:
            self._committed += len(batch)
            self._cond.notify_all()

    def _keep_for_later(self, batch: list[Event], exc: Exception, closing: bool) -> None:
        """Keep the events and retry a little later, unless closing (then there is no later)."""
        error = f"{self.path}: events not written ({exc})"
        if closing:
            _log.error("%s; %d events lost", error, len(batch))
            self._error, self._lost = error, self._lost + len(batch)
            return
        if error != self._error:
            _log.warning("%s; will retry every %.0f s", error, RETRY_S)
        self._set_error(error)
        with self._cond:
            self._pending.extendleft(reversed(batch))
            self._first_at = time.monotonic() + RETRY_S - self._interval

    def _prune_quietly(self, conn: sqlite3.Connection) -> None:
        """The writer's own retention pass: a failure is reported, not fatal."""
        try:
            _log.debug("event log: pruned %d rows", self._prune(conn, None))
        except sqlite3.Error as exc:
            _log.warning("%s: old events not pruned (%s); next try in an hour", self.path, exc)
