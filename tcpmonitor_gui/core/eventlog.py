"""The event log: every state change, and per-minute aggregates of samples, in SQLite.

Monitors produce events on worker threads, up to thousands a second, and the GUI thread must
never wait on a disk (DESIGN.md, Threads). So ``submit`` only appends to an in-memory queue,
and ONE writer thread owns the writing connection and commits in batches: at least every
``flush_interval_s``, and at once when a state event arrives (a drop is news, and it must
survive a crash a moment later). Samples are not stored one row each; the writer folds them
into one row per profile and minute (counts, min/max/sum of latency), added to the stored row
with an UPSERT, so a month of 1 s probes is 43,200 rows per profile, not 2.6 million.

Queries run on the caller's thread through their own short-lived read-only connection: WAL
lets them read a consistent snapshot while the writer commits, without either waiting.

The file is the user's history. A file that is not an event log this program understands
makes ``start`` raise ``EventLogError`` and is left exactly as it is.
"""

from __future__ import annotations

import atexit
import collections
import dataclasses
import datetime as dt
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from types import TracebackType

from .claims import Claims
from .eventdb import (
    SCHEMA_STEPS,
    SCHEMA_VERSION,
    EventLogError,
    delete_before,
    open_for_writing,
    unix_seconds,
)
from .eventqueries import EventFilter, MinuteStat
from .eventreader import EventReader
from .events import Event, Kind
from .eventwriter import RETRY_S, Opened, WriterThread, _Call

__all__ = [
    "SCHEMA_STEPS",
    "SCHEMA_VERSION",
    "EventFilter",
    "EventLog",
    "EventLogError",
    "EventLogHealth",
    "MinuteStat",
]

_log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 100_000
#: Dropped samples are told at most this often while they go on.
DROPS_TOLD_EVERY_S = 10.0


def fold(pending: collections.deque[Event]) -> int:
    """Fold each connection's waiting state changes to its first and its latest, the latest
    saying how many came between and taking the first's state as its ``previous`` (so that
    the outage the two tell stays one); the rest of ``pending`` is kept, in order. How many
    were taken out. For a log that cannot be written (a full disk) and a peer that flaps
    hundreds of times a second: state events are never dropped, and piled up without bound."""
    changes: dict[str, list[int]] = {}
    for i, event in enumerate(pending):
        if event.kind is Kind.STATE and event.profile_id:
            changes.setdefault(event.profile_id, []).append(i)
    out: set[int] = set()
    latest: dict[int, Event] = {}
    for each in changes.values():
        if len(each) > 2:
            first, last = pending[each[0]], pending[each[-1]]
            out.update(each[1:-1])
            note = (
                f"{len(each) - 2} changes before it not stored (the event log could not be written)"
            )
            detail = f"{last.detail}; {note}" if last.detail else note
            latest[each[-1]] = dataclasses.replace(last, previous=first.state, detail=detail)
    kept = [latest.get(i, e) for i, e in enumerate(pending) if i not in out]
    pending.clear()
    pending.extend(kept)
    return len(out)


@dataclasses.dataclass(frozen=True)
class EventLogHealth:
    """Whether the log keeps what it is given: ``error`` is the last failure to write (None
    once writing works again); ``dropped_samples`` counts samples dropped since start because
    the writer fell behind (state events are never dropped); ``lost`` the events a closing
    writer could not write (a full disk), which no one will write. ``renewed`` is told once,
    when the log in use was found deleted or replaced and a new one is started there."""

    error: str | None = None
    dropped_samples: int = 0
    lost: int = 0
    renewed: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.dropped_samples == 0


HealthWatcher = Callable[[EventLogHealth], None]


class EventLog(WriterThread, EventReader):
    """The event log in ``path`` (``events.sqlite3`` in the data dir).

    ``start`` opens it and starts the writer; ``submit`` hands it events from any thread;
    ``flush`` waits until what was submitted is committed; ``close`` flushes and stops the
    writer. The queries (``events``, ``event_rows``, ``uptime``, ``latency_per_minute``) work
    whether or not the writer runs (the command line reads without starting it) and see what
    is committed, not what is still queued.

    At most ``max_pending`` events wait in memory; beyond that new samples are dropped (and
    counted in ``health()``) but state events never are: losing a sample costs a dot on a
    graph, losing a state event costs the user's history. Only past twice that (the log
    cannot be written and a peer flaps) are each connection's waiting changes folded to its
    first and latest (``fold``), so that memory stays bounded; they are counted as lost.
    ``watch_health`` callbacks hear of write failures, recoveries and the first dropped
    sample, on the thread that saw them.
    """

    def __init__(
        self,
        path: Path,
        *,
        retention_days: float | None = 90.0,
        flush_interval_s: float = 0.5,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.path = Path(path)
        #: May be changed while running (a settings change); used from the next prune.
        #: None: nothing is pruned (the settings that say how long could not be read).
        self.retention_days = retention_days
        self._interval = flush_interval_s
        self._cap = max_pending
        self._cond = threading.Condition()
        self._pending: collections.deque[Event] = collections.deque()
        self._calls: collections.deque[_Call] = collections.deque()
        self._first_at: float | None = None  # monotonic time the oldest pending event came
        self._urgent = False  # a state event or a flush is waiting: commit now
        self._submitted = 0
        self._committed = 0
        self._dropped = 0
        self._lost = 0
        self._drops_told_at = -DROPS_TOLD_EVERY_S
        self._state = "new"  # -> "running" -> "closed"
        self._thread: threading.Thread | None = None
        self._error: str | None = None  # the last write failure; None once writes work
        #: The log could not be opened for its schema is a newer version's: no wait for it
        #: to be written (``flush``) ends sooner by waiting (a full disk's may).
        self._newer = False
        self._watchers: list[HealthWatcher] = []
        #: Which profiles this process records (``claims.py``): all until ``start``.
        self.claims = Claims(None)
        self._retry_at = 0.0  # when the writer next asks for the claims of the quiet ones
        #: Whether a file was ever open for writing (``start_trying`` may start without one).
        self.opened_once = False

    # -- writing -------------------------------------------------------------------------

    def start(self) -> EventLog:
        """Create the directory (0700) and the database if needed, end what a process that
        ended without a word left open (``orphans.py``), and start the writer.

        Raises ``EventLogError`` (one line naming the file) for a file that is not a usable
        event log; nothing is written to it then.
        """
        self._start(keep_trying=False)
        return self

    def start_trying(self) -> str | None:
        """Like ``start``, but a log that cannot be opened now (the desktop program started
        on a full disk, a drive not mounted yet, a file in the way) does not stop it: the
        writer tries again every ``RETRY_S``, and what is submitted meanwhile is kept (samples
        past ``max_pending`` dropped) and written once it opens. Returns why it could not be
        opened now; None: it is open."""
        return self._start(keep_trying=True)

    def _start(self, keep_trying: bool) -> str | None:
        with self._cond:
            if self._state != "new":
                return None
            why = None
            try:
                opened: Opened | None = self._open()
            except EventLogError as exc:
                if not keep_trying:
                    raise
                opened, why = None, str(exc)
                self._error, self._newer = f"{exc}; events wait in memory", exc.newer
                _log.warning("%s; will retry every %.0f s", self._error, RETRY_S)
            self._thread = threading.Thread(
                target=self._run, args=(opened,), name="eventlog-writer", daemon=True
            )
            self._state = "running"
            self._thread.start()
        # A daemon thread, so a forgotten close() cannot hang the exit; but what is queued
        # is still written on a normal exit.
        atexit.register(self.close)
        return why

    def submit(self, events: Iterable[Event]) -> int:
        """Queue events for writing; thread-safe, never waits for the disk. Returns a ticket:
        ``committed(ticket)`` says when everything submitted so far is stored."""
        events = self.claims.keep(events)  # only the profiles recorded here
        with self._cond:
            if self._state != "running":
                raise RuntimeError(f"the event log is {self._state}, not running")
            was_empty = not self._pending
            urgent = tell_folded = False
            dropped = self._dropped
            for event in events:
                if event.kind == Kind.SAMPLE:
                    if len(self._pending) >= self._cap:
                        self._dropped += 1
                        continue
                else:
                    urgent = True
                self._pending.append(event)
                self._submitted += 1
            if len(self._pending) > 2 * self._cap:  # the writer cannot write (a full disk)
                folded = fold(self._pending)
                self._committed += folded  # no one will write them: not waited for
                self._lost += folded
                tell_folded = True
            if self._pending and self._first_at is None:
                self._first_at = time.monotonic()
            self._urgent = self._urgent or urgent
            if urgent or was_empty:  # otherwise the writer is already timing this batch
                self._cond.notify_all()
            now = time.monotonic()
            tell = self._dropped > dropped and now - self._drops_told_at >= DROPS_TOLD_EVERY_S
            tell = tell or tell_folded
            if tell:
                self._drops_told_at = now
        for paused in self.claims.let_go():  # "pause all" in the window: the service records
            self.release(paused)
        if tell_folded:
            _log.warning(
                "event log: %d events lost so far: the log cannot be written, and past %d"
                " waiting each connection's waiting changes are folded to its first and latest",
                self._lost, 2 * self._cap,
            )  # fmt: skip
        elif tell:
            _log.warning("event log: %d samples dropped (the writer is behind)", self._dropped)
        if tell:
            self._tell()
        return self._submitted

    def committed(self, ticket: int, timeout: float) -> bool:
        """Wait up to ``timeout`` until what was submitted up to ``ticket`` is committed;
        False at once while the log cannot write (a full disk): what waits to tell a change
        once it is stored (``run --json``) tells it now, not ``timeout`` late."""
        return self._wait(ticket, timeout, through_errors=False)

    def _wait(self, ticket: int, timeout: float, *, through_errors: bool) -> bool:
        def over() -> bool:
            failing = self._error is not None and (self._newer or not through_errors)
            return self._committed >= ticket or failing or not self._writer_alive()

        with self._cond:
            return self._cond.wait_for(over, timeout) and self._committed >= ticket

    def health(self) -> EventLogHealth:
        with self._cond:
            return EventLogHealth(self._error, self._dropped, self._lost)

    def watch_health(self, watcher: HealthWatcher) -> None:
        """Call ``watcher(health)`` when writing fails, works again, or first drops samples
        (from the writer's or a submitter's thread: hand it to your own)."""
        self._watchers.append(watcher)

    def _set_error(self, error: str | None) -> None:
        with self._cond:
            changed, self._error = self._error != error, error
            self._newer = self._newer and error is not None
            self._cond.notify_all()  # ``committed`` waits no longer for what cannot be written
        if changed:
            self._tell()

    def _tell(self, renewed: str | None = None) -> None:
        health = dataclasses.replace(self.health(), renewed=renewed)
        for watcher in list(self._watchers):
            try:
                watcher(health)
            except Exception:
                _log.exception("an event log health watcher failed")

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event submitted before this call is committed, and what was
        asked of the writer before it is done (a claim let go after a pause: the writer ran
        it just after the commit, and another program asked for the claim in between, was
        refused, and its change was recorded by no one); False on timeout."""
        deadline = time.monotonic() + timeout
        done: Future[int] = Future()
        with self._cond:
            target = self._submitted
            if self._state != "running":
                return self._committed >= target
            self._calls.append((lambda _: 0, done))  # after the calls before it
            self._urgent = True
            self._cond.notify_all()
        if not self._wait(target, timeout, through_errors=True):
            return False
        try:
            done.result(max(0.0, deadline - time.monotonic()))
        except EventLogError:  # closed meanwhile: what was asked before ran or never will
            pass
        except FutureTimeout:
            return False
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Write what is queued and stop the writer (waiting up to ``timeout``); idempotent."""
        with self._cond:
            running, self._state = self._state == "running", "closed"
            self._cond.notify_all()
        atexit.unregister(self.close)
        if not running or self._thread is None:
            return
        self._thread.join(timeout)
        if self._thread.is_alive():
            _log.warning("event log writer still busy after %.1f s; not waiting longer", timeout)

    def release(self, profile_id: str) -> None:
        """Let another program record ``profile_id`` (no longer monitored here), once what
        was submitted before is stored."""
        with self._cond:
            if self._state == "running":
                self._calls.append((lambda _: self.claims.release(profile_id), Future()))
                self._cond.notify_all()
                return
        self.claims.release(profile_id)

    def __enter__(self) -> EventLog:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def prune(self, now: dt.datetime | None = None) -> int:
        """Delete events and minute rows older than ``retention_days``; returns rows deleted.

        Runs on the writer thread when it is running (it owns the writing connection),
        otherwise on a connection of its own.
        """
        future: Future[int] = Future()
        with self._cond:
            running = self._state == "running" and self._writer_alive()
            if running:
                self._calls.append((lambda conn: self._prune(conn, now), future))
                self._cond.notify_all()
        if running:
            return future.result()
        if not self.path.exists():
            return 0
        conn = open_for_writing(self.path)
        try:
            return self._prune(conn, now)
        finally:
            conn.close()

    def _prune(self, conn: sqlite3.Connection, now: dt.datetime | None) -> int:
        """Delete what retention no longer keeps (a failed prune is only logged: nothing is
        lost, the file only stays larger until the next try)."""
        if (days := self.retention_days) is None:
            return 0
        cutoff = unix_seconds(now or dt.datetime.now(dt.UTC)) - days * 86400.0
        return delete_before(conn, cutoff)

    def _writer_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
