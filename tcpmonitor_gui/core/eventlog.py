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
import math
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from types import TracebackType
from typing import TypedDict, TypeVar, Unpack

from .eventdb import (
    COLUMNS,
    SCHEMA_STEPS,
    SCHEMA_VERSION,
    EventLogError,
    check_schema,
    open_for_writing,
    row_event,
    transaction,
    unix_seconds,
    write_batch,
)
from .events import Event, Kind, State
from .paths import ensure_dir

__all__ = [
    "SCHEMA_STEPS",
    "SCHEMA_VERSION",
    "EventFilter",
    "EventLog",
    "EventLogError",
    "MinuteStat",
]

_log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 100_000
PRUNE_EVERY_S = 3600.0
_UP = frozenset({State.UP, State.DEGRADED})
#: Time in these states is neither up nor down: nothing watched, or the first connect.
_EXCLUDED = frozenset({State.PAUSED, State.UNKNOWN, State.CONNECTING})

R = TypeVar("R")
#: Work for the writer thread (a prune) and where its result goes.
_Call = tuple[Callable[[sqlite3.Connection], int], Future[int]]


class EventFilter(TypedDict, total=False):
    """The filters of ``EventLog.events`` and ``event_rows``, all optional."""

    #: The profile's id, or its name ignoring ASCII case.
    profile: str | None
    #: Events at or after this time.
    since: dt.datetime | None
    #: Events before this time (excluded).
    until: dt.datetime | None
    limit: int | None
    newest_first: bool
    #: Only events that come before this row in the chosen order: paging backwards.
    before_id: int | None


@dataclasses.dataclass(frozen=True)
class MinuteStat:
    """Samples of one profile in one minute; ``lat_*`` are None when none carried a latency."""

    minute: dt.datetime
    ok: int
    fail: int
    lat_min: float | None
    lat_avg: float | None
    lat_max: float | None


class EventLog:
    """The event log in ``path`` (``events.sqlite3`` in the data dir).

    ``start`` opens it and starts the writer; ``submit`` hands it events from any thread;
    ``flush`` waits until what was submitted is committed; ``close`` flushes and stops the
    writer. The queries (``events``, ``event_rows``, ``uptime``, ``latency_per_minute``) work
    whether or not the writer runs (the command line reads without starting it) and see what
    is committed, not what is still queued.

    At most ``max_pending`` events wait in memory; beyond that new samples are dropped (and
    counted in ``dropped_samples``) but state events never are: losing a sample costs a dot on
    a graph, losing a state event costs the user's history.
    """

    def __init__(
        self,
        path: Path,
        *,
        retention_days: float = 90.0,
        flush_interval_s: float = 0.5,
        max_pending: int = DEFAULT_MAX_PENDING,
    ) -> None:
        self.path = Path(path)
        #: May be changed while running (a settings change); used from the next prune.
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
        self._state = "new"  # -> "running" -> "closed"
        self._thread: threading.Thread | None = None
        #: The last write error, for the GUI to show; None once writes succeed again.
        self.last_error: str | None = None

    # -- writing -------------------------------------------------------------------------

    def start(self) -> EventLog:
        """Create the directory (0700) and the database if needed, and start the writer.

        Raises ``EventLogError`` (one line naming the file) for a file that is not a usable
        event log; nothing is written to it then.
        """
        with self._cond:
            if self._state != "new":
                return self
            try:
                ensure_dir(self.path.parent)
            except OSError as exc:
                raise EventLogError(
                    f"{self.path.parent}: cannot be created ({exc.strerror or exc})"
                ) from exc
            conn = open_for_writing(self.path)
            self._thread = threading.Thread(
                target=self._run, args=(conn,), name="eventlog-writer", daemon=True
            )
            self._state = "running"
            self._thread.start()
        # A daemon thread, so a forgotten close() cannot hang the exit; but what is queued
        # is still written on a normal exit.
        atexit.register(self.close)
        return self

    def submit(self, events: Iterable[Event]) -> None:
        """Queue events for writing; thread-safe, never waits for the disk."""
        with self._cond:
            if self._state != "running":
                raise RuntimeError(f"the event log is {self._state}, not running")
            was_empty = not self._pending
            urgent = False
            for event in events:
                if event.kind == Kind.SAMPLE:
                    if len(self._pending) >= self._cap:
                        self._dropped += 1
                        continue
                else:
                    urgent = True
                self._pending.append(event)
                self._submitted += 1
            if self._pending and self._first_at is None:
                self._first_at = time.monotonic()
            self._urgent = self._urgent or urgent
            if urgent or was_empty:  # otherwise the writer is already timing this batch
                self._cond.notify_all()

    @property
    def dropped_samples(self) -> int:
        """Samples dropped because the queue was full."""
        with self._cond:
            return self._dropped

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every event submitted before this call is committed; False on timeout."""
        with self._cond:
            target = self._submitted
            if self._committed >= target:
                return True
            if self._state != "running":
                return False
            self._urgent = True
            self._cond.notify_all()
            self._cond.wait_for(
                lambda: self._committed >= target or not self._writer_alive(), timeout
            )
            return self._committed >= target

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
        cutoff = unix_seconds(now or dt.datetime.now(dt.UTC)) - self.retention_days * 86400.0
        with transaction(conn):
            n: int = conn.execute("DELETE FROM events WHERE ts < ?", (cutoff,)).rowcount
            # A minute row goes once the whole minute is older than the cutoff.
            n += conn.execute(
                "DELETE FROM minutes WHERE minute < ?", (math.floor(cutoff / 60),)
            ).rowcount
        return n

    def _writer_alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            next_prune = 0.0  # prune once at start, then at most hourly
            while True:
                if time.monotonic() >= next_prune:
                    next_prune = time.monotonic() + PRUNE_EVERY_S
                    self._prune_quietly(conn)
                batch, calls, closing = self._next_work()
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
            with self._cond:
                self._state = "closed"
                for _, future in self._calls:
                    future.set_exception(EventLogError(f"{self.path}: the event log is closed"))
                self._calls.clear()
                self._cond.notify_all()

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
                self._cond.wait(wait)
            batch = list(self._pending)
            self._pending.clear()
            calls = list(self._calls)
            self._calls.clear()
            self._first_at = None
            self._urgent = False
            return batch, calls, closing

    def _commit(self, conn: sqlite3.Connection, batch: list[Event], closing: bool) -> None:
        try:
            write_batch(conn, batch)
        except sqlite3.Error as exc:
            # Disk full, file locked too long...: keep the events and retry at the next
            # flush, unless we are closing (then there is no later).
            self.last_error = f"{self.path}: events not written ({exc})"
            if closing:
                _log.error("%s; %d events lost", self.last_error, len(batch))
                return
            _log.warning("%s; will retry", self.last_error)
            with self._cond:
                self._pending.extendleft(reversed(batch))
                self._first_at = time.monotonic()
            return
        self.last_error = None
        with self._cond:
            self._committed += len(batch)
            self._cond.notify_all()

    def _prune_quietly(self, conn: sqlite3.Connection) -> None:
        """The writer's own retention pass: a failure is reported, not fatal."""
        try:
            _log.debug("event log: pruned %d rows", self._prune(conn, None))
        except sqlite3.Error as exc:
            self.last_error = f"{self.path}: old events not pruned ({exc})"
            _log.warning("%s", self.last_error)

    # -- reading -------------------------------------------------------------------------

    def _read(self, query: Callable[[sqlite3.Connection], R], empty: R) -> R:
        """Run ``query`` on a fresh read-only connection (one consistent snapshot).

        ``empty`` is the answer when there is no log yet, so that reading never creates one.
        """
        if not self.path.exists():
            return empty
        try:
            conn = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True)
            try:
                conn.execute("BEGIN")  # one snapshot for every statement of the query
                if check_schema(conn, self.path) == 0:
                    return empty
                return query(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise EventLogError(f"{self.path}: cannot be read ({exc})") from exc

    def event_rows(self, **filters: Unpack[EventFilter]) -> list[tuple[int, Event]]:
        """Stored state events with their row ids, ordered by time (ties by id).

        See ``EventFilter`` for the filters. The ids are for paging: the GUI asks
        ``newest_first=True, limit=200`` and then ``before_id=<the last id it got>``.
        """
        limit = filters.get("limit")
        if limit is not None and limit < 0:
            raise ValueError(f"limit must not be negative, not {limit}")

        def query(conn: sqlite3.Connection) -> list[tuple[int, Event]]:
            where: list[str] = []
            params: list[object] = []
            if (profile := filters.get("profile")) is not None:
                where.append("(profile_id = ? OR profile_name = ? COLLATE NOCASE)")
                params += [profile, profile]
            if (since := filters.get("since")) is not None:
                where.append("ts >= ?")
                params.append(unix_seconds(since))
            if (until := filters.get("until")) is not None:
                where.append("ts < ?")
                params.append(unix_seconds(until))
            if (before_id := filters.get("before_id")) is not None:
                row = conn.execute("SELECT ts FROM events WHERE id = ?", (before_id,)).fetchone()
                if row is None:  # pruned meanwhile: ids still grow with insertion
                    where.append("id < ?")
                    params.append(before_id)
                else:
                    where.append("(ts < ? OR (ts = ? AND id < ?))")
                    params += [row[0], row[0], before_id]
            order = "DESC" if filters.get("newest_first") else "ASC"
            sql = f"SELECT {COLUMNS} FROM events"
            sql += f" WHERE {' AND '.join(where)}" if where else ""
            sql += f" ORDER BY ts {order}, id {order}"
            if limit is not None:
                sql += " LIMIT ?"
                params.append(limit)
            return [row_event(r) for r in conn.execute(sql, params)]

        return self._read(query, [])

    def events(self, **filters: Unpack[EventFilter]) -> list[Event]:
        """Like ``event_rows``, without the row ids."""
        return [event for _, event in self.event_rows(**filters)]

    def uptime(
        self, profile_id: str, window: dt.timedelta, now: dt.datetime | None = None
    ) -> float | None:
        """Percentage of the time in ``window`` (ending ``now``) that the profile was up.

        Computed from state events: the state at the window's start is that of the last
        event before it, and each state lasts until the next event. ``degraded`` counts as
        up (the link works); time ``paused`` or ``unknown``, or before anything is known, is
        left out of the denominator. None when no time in the window is known.
        """
        end = unix_seconds(now or dt.datetime.now(dt.UTC))
        start = end - window.total_seconds()

        def query(conn: sqlite3.Connection) -> float | None:
            first = conn.execute(
                "SELECT state FROM events WHERE profile_id = ? AND ts <= ?"
                " ORDER BY ts DESC, id DESC LIMIT 1",
                (profile_id, start),
            ).fetchone()
            changes = conn.execute(
                "SELECT ts, state FROM events WHERE profile_id = ? AND ts > ? AND ts <= ?"
                " ORDER BY ts, id",
                (profile_id, start, end),
            ).fetchall()
            state = None if first is None else State(first[0])
            up = known = 0.0
            t = start
            for ts, next_state in [*changes, (end, None)]:
                if state is not None and state not in _EXCLUDED:
                    known += ts - t
                    up += (ts - t) if state in _UP else 0.0
                t = ts
                state = None if next_state is None else State(next_state)
            return None if known <= 0 else 100.0 * up / known

        return self._read(query, None)

    def latency_per_minute(
        self, profile_id: str, since: dt.datetime, until: dt.datetime | None = None
    ) -> list[MinuteStat]:
        """Per-minute sample aggregates of the minutes that overlap ``since`` .. ``until``."""
        first = math.floor(unix_seconds(since) / 60)
        last = math.floor(unix_seconds(until or dt.datetime.now(dt.UTC)) / 60)

        def query(conn: sqlite3.Connection) -> list[MinuteStat]:
            rows = conn.execute(
                "SELECT minute, ok, fail, lat_min, lat_max, lat_sum, lat_n FROM minutes"
                " WHERE profile_id = ? AND minute BETWEEN ? AND ? ORDER BY minute",
                (profile_id, first, last),
            )
            return [
                MinuteStat(
                    minute=dt.datetime.fromtimestamp(minute * 60, dt.UTC),
                    ok=ok,
                    fail=fail,
                    lat_min=lat_min,
                    lat_avg=lat_sum / lat_n if lat_n else None,
                    lat_max=lat_max,
                )
                for minute, ok, fail, lat_min, lat_max, lat_sum, lat_n in rows
            ]

        return self._read(query, [])
