"""The event log's writer thread: what ``EventLog`` does on it (waiting for work, committing
batches, keeping them for later when the disk will not take them), kept apart from the
queue and the queries so each reads on its own.

The log may be deleted while it is written (``rm -rf ~/.local/share/tcpmonitor`` to clear
the history, a cleanup tool), or replaced by another file: SQLite goes on writing into the
file it opened, which no one can read again, and ``tcpmonitor events`` said "no events" after
a run that stored a dozen. So the writer compares the file at the path with the one it opened
(``Opened.gone``: device and inode, one ``stat``) before each batch and every ``CHECK_S``
while idle; when they differ it says so once and opens a new log there, as ``start`` opens
one (the folder made again, 0700), with the claims held here taken again beside it
(``Claims.reopen``) and the writers' lock, and writes there what is queued and what follows.
What is there that opening refuses (a FIFO, a folder, another program's file) is said, and
asked again every ``RETRY_S``, the events kept meanwhile as for a full disk.

Its ``-wal`` and ``-shm`` files are watched the same way: SQLite goes on writing its journal
into a deleted ``-wal`` (every event since the last checkpoint lived only there: a crash lost
them, and other programs could not read the log at all, "disk I/O error"), and a deleted
``-shm`` leaves programs opening the log after it blind to this one's writes. The log itself
is still there, so what was written is checkpointed into it from the deleted file before the
log is opened again (said once in the program's log: its history is kept).
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING

from . import claims, orphans
from .claims import Claims
from .eventdb import EventLogError, bad_row, open_for_writing, refuse_special, write_batch
from .events import Event
from .paths import ensure_dir

_log = logging.getLogger(__name__)

PRUNE_EVERY_S = 3600.0
#: After a failed write, the next try waits this long (unless a state event comes first).
RETRY_S = 5.0
#: While idle the writer checks this often that the file at the path is still the one it writes.
CHECK_S = 2.0

#: Work for the writer thread (a prune) and where its result goes.
_Call = tuple[Callable[[sqlite3.Connection], int], Future[int]]


#: The files SQLite keeps beside a log in WAL mode.
SIDE_FILES = ("-wal", "-shm")


def identity(path: Path) -> tuple[int, int] | None:
    """Which file is at ``path`` (device and inode); None if there is none."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


@dataclasses.dataclass
class Opened:
    """The event log file open for writing: the connection, this process's place among its
    writers, and which file it is (device and inode), with its ``-wal`` and ``-shm``."""

    conn: sqlite3.Connection
    writers: orphans.Writers
    ident: tuple[int, int]
    sides: dict[str, tuple[int, int] | None] = dataclasses.field(default_factory=dict)

    def gone(self, path: Path) -> str | None:
        """What became of the file opened, if the one at ``path`` is no longer it."""
        try:
            found = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return "was deleted while in use"
        except OSError:  # cannot tell (a permission taken away): still written as it was
            return None
        if (found.st_dev, found.st_ino) != self.ident:
            return "was replaced by another file while in use"
        return None

    def side_gone(self, path: Path) -> str | None:
        """What became of a ``-wal`` or ``-shm`` file of the log opened, if either is no
        longer the one it had (one it had none of yet is not asked about)."""
        for side, had in self.sides.items():
            if had is None:
                continue
            now = identity(path.with_name(path.name + side))
            if now != had:
                what = "deleted" if now is None else "replaced by another file"
                return f"its {side} file was {what} while in use"
        return None

    def keep_written(self) -> None:
        """Copy what the journal holds into the log itself (from the deleted ``-wal`` this
        connection still has open), before the connection is closed for another."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(FULL)")
        except sqlite3.Error as exc:
            _log.warning("the event log's journal could not be kept in it: %s", exc)

    def close(self) -> None:
        self.conn.close()
        self.writers.release()


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
    opened_once: bool

    if TYPE_CHECKING:  # EventLog's own

        def _prune(self, conn: sqlite3.Connection, now: dt.datetime | None) -> int: ...

        def _set_error(self, error: str | None) -> None: ...

        def _tell(self, renewed: str | None = None) -> None: ...

    def _open(self) -> Opened:
        """Create the directory (0700) and the database if needed, take the claims of this
        process beside it (again, after a deletion) and the writers' lock, ending what a
        process that ended without a word left open (``orphans.py``). ``EventLogError``
        (one line naming the file) for a file that is not a usable event log."""
        refuse_special(self.path)  # a file where the folder goes: "File exists", it said
        try:
            ensure_dir(self.path.parent)
        except OSError as exc:
            raise EventLogError(
                f"{self.path.parent}: cannot be created ({exc.strerror or exc})"
            ) from exc
        conn = open_for_writing(self.path)
        try:
            found = os.stat(self.path)
            self.claims.reopen(self.path)
            # before this process writes anything
            # (a log opened again may hold states of this process's: claimed, not others')
            tell = self.claims.can_tell() and not self.opened_once
            watched = self.claims.watched_elsewhere if tell else None
            writers = orphans.hold(self.path, conn, self.claims.elsewhere, watched)
        except OSError as exc:
            conn.close()
            raise EventLogError(f"{self.path}: cannot be opened ({exc.strerror or exc})") from exc
        except BaseException:
            conn.close()
            raise
        self.opened_once = True
        return Opened(conn, writers, (found.st_dev, found.st_ino), self._sides())

    def _sides(self) -> dict[str, tuple[int, int] | None]:
        return {side: identity(self.path.with_name(self.path.name + side)) for side in SIDE_FILES}

    def _reconnect(self, opened: Opened) -> Opened | None:
        """The same log on a new connection, after a ``-wal`` or ``-shm`` of it went: what
        the old one wrote kept in the log first. The writers' lock and the claims stay held
        (let go, the open states of this very process were taken for a crashed one's and
        ended); if the log cannot be opened now, it is opened again as after a deletion."""
        opened.keep_written()
        opened.conn.close()
        try:
            opened.conn = open_for_writing(self.path)
        except EventLogError:
            opened.writers.release()
            return None
        opened.sides = self._sides()
        return opened

    def _run(self, opened: Opened | None) -> None:
        try:
            next_prune = 0.0  # prune once at start, then at most hourly
            check_at = time.monotonic() + CHECK_S
            while True:
                if opened is None and (opened := self._open_again()) is None:
                    if self._state == "running" or self._pending:
                        continue  # closing: one more try, then what is kept is counted lost
                    return
                conn, writers = opened.conn, opened.writers
                if not writers.held and self._wait_for(writers, conn):
                    continue
                writers.end_strays(conn)
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY_S
                    self._prune_quietly(conn)
                batch, calls, closing = self._next_work(check_at)
                if batch or time.monotonic() >= check_at:
                    check_at = time.monotonic() + CHECK_S
                    if (why := opened.gone(self.path)) is not None:
                        self._put_back(batch, calls)
                        opened.close()
                        opened = None
                        error = f"{self.path}: {why}; a new event log is started there"
                        _log.warning("%s, with the events not yet written", error)
                        self._tell(renewed=error)
                        continue
                    if (why := opened.side_gone(self.path)) is not None:
                        self._put_back(batch, calls)
                        _log.warning("%s: %s; the log is opened again", self.path, why)
                        opened = self._reconnect(opened)
                        continue
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
            if opened is not None:
                opened.conn.close()
            self.claims.close()
            if opened is not None:
                opened.writers.release()
            with self._cond:
                self._state = "closed"
                for _, future in self._calls:
                    future.set_exception(EventLogError(f"{self.path}: the event log is closed"))
                self._calls.clear()
                self._cond.notify_all()

    def _open_again(self) -> Opened | None:
        """A new log at the path (the one in use was deleted or replaced, or none could be
        opened yet: ``start_trying``); None while what is there cannot be used (said once,
        asked again every ``RETRY_S``; closing, once more, and what is queued is lost then)."""
        try:
            opened = self._open()
        except EventLogError as exc:
            error = f"{exc}; events wait in memory"
            with self._cond:
                if self._state != "running":
                    self._lost += len(self._pending)
                    _log.error("%s; %d events lost", exc, len(self._pending))
                    self._pending.clear()
                    self._error = str(exc)  # ``run`` adds how many were lost
                    return None
            if error != self._error:
                _log.warning("%s; will retry every %.0f s", error, RETRY_S)
            self._set_error(error)
            with self._cond:  # a close wakes it, one more try; a state event does not
                self._cond.wait_for(lambda: self._state != "running", RETRY_S)
            return None
        with self._cond:  # the claims are this file's now: only what is recorded here stays
            queued = list(self._pending)
            self._pending.clear()
        kept = list(self.claims.keep(queued))
        with self._cond:
            self._pending.extendleft(reversed(kept))
            self._committed += len(queued) - len(kept)  # another program records those
            self._urgent = True
            self._cond.notify_all()
        self._set_error(None)  # open: said now, not at a first write (quiet ones may have none)
        return opened

    def _put_back(self, batch: list[Event], calls: list[_Call]) -> None:
        """Work taken for a file no longer in use, for the next one."""
        with self._cond:
            self._pending.extendleft(reversed(batch))
            self._calls.extendleft(reversed(calls))
            if self._pending and self._first_at is None:
                self._first_at = time.monotonic()

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

    def _next_work(self, check_at: float) -> tuple[list[Event], list[_Call], bool]:
        """What to do next, waiting until ``check_at`` at most (nothing then, when idle)."""
        with self._cond:
            while True:
                closing = self._state != "running"
                if closing or self._calls or (self._urgent and self._pending):
                    break
                wait = check_at - time.monotonic()
                if wait <= 0:
                    break
                if self._pending:
                    assert self._first_at is not None
                    wait = min(wait, self._first_at + self._interval - time.monotonic())
                    if wait <= 0:
                        break
                if self.claims.waiting():  # another program records some: ask again soon
                    retry = self._retry_at - time.monotonic()
                    if retry <= 0:
                        break
                    wait = min(wait, retry)
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
