"""What the event log answers: state events, uptime, per-minute latency.

Each query is a function of an open connection, run by ``EventLog`` on a fresh read-only
connection inside one transaction (one consistent snapshot), on the caller's thread: the
desktop program calls them on its I/O thread, the command line on its own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import math
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypedDict, TypeVar

from .eventdb import (
    COLUMNS,
    IS_CHANGE,
    EventLogError,
    check_schema,
    disk_full,
    finite,
    problem,
    read_as_current,
    refuse_special,
    row_event,
    unix_seconds,
)
from .events import TARGET_CHANGED, Event, State

log = logging.getLogger(__name__)

R = TypeVar("R")

#: Time in these states is the link working; ``down`` is it not; every other state (paused,
#: unknown, connecting: nothing watched, or the first connect) is left out of uptime.
UP_STATES = (State.UP, State.DEGRADED)
KNOWN_STATES = (*UP_STATES, State.DOWN)


class EventFilter(TypedDict, total=False):
    """The filters of ``EventLog.events`` and ``event_rows``, all optional."""

    #: The profile's id, or its name ignoring ASCII case (``profile_id``).
    profile: str | None
    #: Events at or after this time.
    since: dt.datetime | None
    #: Events before this time (excluded).
    until: dt.datetime | None
    limit: int | None
    #: Only the newest this many, still oldest first (``tcpmonitor events --limit``).
    last: int | None
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


#: Told what a read leaves out (``_as_it_is``): one line naming the file.
Note = Callable[[str], object]


def read(
    path: Path, query: Callable[[sqlite3.Connection], R], empty: R, note: Note | None = None
) -> R:
    """Run ``query`` on a fresh read-only connection, in one snapshot.

    ``empty`` is the answer when there is no log yet, so that reading never creates one;
    ``note`` is told what the read leaves out, if anything (``_as_it_is``)."""
    try:
        conn = _snapshot(path, note)
        if conn is None:
            return empty
        try:
            return query(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise EventLogError(f"{path}: cannot be read ({problem(exc, path)})") from exc


def stream(
    path: Path, query: Callable[[sqlite3.Connection], Iterator[R]], note: Note | None = None
) -> Iterator[R]:
    """Like ``read``, for an answer too long to hold (a million events): its items one at a
    time, from one snapshot kept until they are all read or the iterator is closed."""
    try:
        conn = _snapshot(path, note)
        if conn is None:
            return
        try:
            yield from query(conn)
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise EventLogError(f"{path}: cannot be read ({problem(exc, path)})") from exc


def _snapshot(path: Path, note: Note | None = None) -> sqlite3.Connection | None:
    """A read-only connection inside one transaction, its schema checked; None when there is
    no log (or an empty file) to read."""
    refuse_special(path)
    if not path.exists():
        return None
    # A WAL database needs its -shm file to be read. There is one while any program has the
    # log open; without one, on a full disk, SQLite fails to make it ("disk I/O error") and
    # leaves a stub -shm and -wal behind: nobody has the file open, and it is read as it is.
    if disk_full(path) and not _beside(path, "-shm").exists():
        return _as_it_is(path, note)
    try:
        return _begin(path, sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True))
    except sqlite3.OperationalError:
        # A read-only folder (a backup, a read-only mount) cannot hold the -shm either:
        # nothing can write there, so the file cannot change under us.
        if os.access(path.parent, os.W_OK) and not disk_full(path):
            raise
        return _as_it_is(path, note)


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _as_it_is(path: Path, note: Note | None) -> sqlite3.Connection | None:
    """The log's file as it is (SQLite's ``immutable``), without what its -wal holds: the
    newest events, not yet copied into the file. ``note`` is told when there are some."""
    conn = _begin(path, sqlite3.connect(path.resolve().as_uri() + "?immutable=1", uri=True))
    wal = _beside(path, "-wal")
    try:
        unread = wal.stat().st_size
    except OSError:
        unread = 0
    if unread and note is not None:
        why = "the disk is full" if disk_full(path) else "its folder cannot be written"
        note(
            f"{path}: the newest events are not shown: they wait in {wal.name} ({unread}"
            f" bytes), which cannot be read while {why}"
        )
    return conn


def _begin(path: Path, conn: sqlite3.Connection) -> sqlite3.Connection | None:
    conn.text_factory = _text
    try:
        conn.execute("BEGIN")  # one snapshot for every statement of the query
        if (version := check_schema(conn, path)) != 0:
            read_as_current(conn, version)  # an older version's, not brought up to date yet
            return conn
    except BaseException:
        conn.close()
        raise
    conn.close()
    return None


def _text(raw: bytes) -> str:
    """A stored text, with what is not UTF-8 (a byte gone wrong on a disk) as U+FFFD: as
    SQLite's strict decoding, one such row stopped every read at it, and what came after."""
    return raw.decode("utf-8", "replace")


def event_rows(
    conn: sqlite3.Connection, filters: EventFilter, ids: list[int] | None = None
) -> Iterator[tuple[int, Event]]:
    """The rows ``filters`` choose, one at a time (``EventLog.event_rows`` holds them);
    ``ids``: given the id of every row chosen, in order, those this version cannot read too."""
    where: list[str] = []
    params: list[object] = []
    if (profile := filters.get("profile")) is not None:
        where.append("profile_id = ?")
        params.append(profile_id(conn, profile))
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
    last = filters.get("last")
    order = "DESC" if filters.get("newest_first") or last is not None else "ASC"
    sql = f"SELECT {COLUMNS} FROM events"
    sql += f" WHERE {' AND '.join(where)}" if where else ""
    sql += f" ORDER BY ts {order}, id {order}"
    if (limit := filters.get("limit")) is not None:
        sql += " LIMIT ?"
        params.append(limit)
    if last is not None:  # the newest, then put back in order
        sql = f"SELECT * FROM ({sql} LIMIT ?) ORDER BY ts, id"
        params.append(last)
    skipped = 0
    try:
        for r in conn.execute(sql, params):
            if ids is not None:
                ids.append(r[0])
            try:
                row = row_event(r)
            except (ValueError, TypeError, OverflowError, OSError):
                skipped += 1  # a row this program never writes (an unknown state, an absurd time)
                continue
            yield row
    finally:
        if skipped:
            log.warning(
                "event log: %d rows skipped: this version cannot read them (a state or kind"
                " a newer version wrote, or a damaged row)",
                skipped,
            )


@dataclasses.dataclass(frozen=True)
class EventPage:
    """A page of stored events, newest first, as the window's log pages them in."""

    rows: list[tuple[int, Event]]
    #: Rows this version cannot read (a kind or state a newer version wrote): left out.
    unread: int
    #: The id of the page's last row, read or not: the next page is older than it.
    last_id: int | None
    #: As many rows as were asked for: there may be older ones.
    full: bool


#: What a log that is not there holds.
NO_PAGE = EventPage([], 0, None, False)


def event_page(conn: sqlite3.Connection, before_id: int | None, limit: int) -> EventPage:
    """The ``limit`` rows before row ``before_id``, newest first. A page counted only the rows
    it could read: one of a newer version's made it short, and the window's log took a short
    page for the oldest, showing nothing older, and said nothing of the row left out."""
    ids: list[int] = []
    wanted: EventFilter = {"before_id": before_id, "limit": limit, "newest_first": True}
    rows = list(event_rows(conn, wanted, ids))
    return EventPage(rows, len(ids) - len(rows), ids[-1] if ids else None, len(ids) >= limit)


def profile_id(conn: sqlite3.Connection, profile: str) -> str | None:
    """The profile ``profile`` names in the log: the id given, or the id of the newest row
    with that name (ignoring ASCII case), so that every view of a profile's history means
    one profile: all of it across a rename, and not a removed one's that had its name.
    ``None`` when the log has neither."""
    found = (
        conn.execute(
            "SELECT profile_id FROM events WHERE profile_id = ? LIMIT 1", (profile,)
        ).fetchone()
        or conn.execute(
            "SELECT profile_id FROM events WHERE profile_name = ? COLLATE NOCASE"
            " ORDER BY ts DESC, id DESC LIMIT 1",
            (profile,),
        ).fetchone()
    )
    return None if found is None else str(found[0])


@dataclasses.dataclass(frozen=True)
class Uptime:
    """A profile's uptime over a window: the percentage of the time its state was known that
    it was up (None when none was known), the seconds not counted because this computer
    was offline (a drop with cause ``local_network``) or asleep: not the target's fault, and
    the seconds of drops that began in one of its maintenance windows (expected)."""

    percent: float | None
    not_counted_s: float = 0.0
    maintenance_s: float = 0.0
    #: The seconds up and the seconds counted (``percent`` is their ratio), and the moment
    #: (Unix seconds) the answer holds for: where ``live_uptime`` goes on from.
    up_s: float = 0.0
    known_s: float = 0.0
    at: float | None = None


#: This computer's sleeps between ``:start`` and ``:end`` (each ``sleep`` to the next power
#: event), as ``asleep(s0, s1)``: a query's spans take them out (``SLEPT``), nothing being
#: known then. Shared by the uptime and the details view's time degraded.
ASLEEP = """
power(ts, id, state) AS (
  SELECT :start, 0, (SELECT state FROM events WHERE profile_id = '' AND ts <= :start
                     AND state IN ('sleep', 'wake') ORDER BY ts DESC, id DESC LIMIT 1)
  UNION ALL
  SELECT ts, id, state FROM events
  WHERE profile_id = '' AND ts > :start AND ts <= :end AND state IN ('sleep', 'wake')
),
asleep(s0, s1) AS MATERIALIZED (  -- once, not again for each span
  SELECT s0, s1 FROM (SELECT state, ts AS s0, LEAD(ts, 1, :end) OVER (ORDER BY ts, id) AS s1
                      FROM power)
  WHERE state = 'sleep'
)"""
#: The seconds of the span ``t0`` .. ``t1`` spent asleep (with ``ASLEEP``).
SLEPT = "(SELECT total(max(0.0, min(t1, s1) - max(t0, s0))) FROM asleep)"

_UP = ", ".join(f"'{s}'" for s in UP_STATES)
_KNOWN = ", ".join(f"'{s}'" for s in KNOWN_STATES)

#: Every profile's time in each state between ``:start`` and ``:end``, one statement: the
#: state at the start is that of the last event at or before it (one index lookup per
#: profile), then each state lasts until the profile's next event (``LEAD``) or the end.
#: This computer's sleeps (``sleep`` to the next power event, profile '') are taken out of
#: every span they overlap, a drop caused by this computer's network is not the target's, and
#: a drop that began in a maintenance window (``planned``) was expected. Only changes count
#: (``IS_CHANGE``): not an action's row, nor one of a kind a newer version writes.
_UPTIME_SQL = f"""
WITH ids(pid) AS (SELECT DISTINCT value FROM json_each(:ids)),
starts(pid, t) AS (
  SELECT pid, coalesce((SELECT max(ts) FROM events WHERE profile_id = pid AND ts > :start
                        AND ts <= :end AND state = 'unknown' AND detail = :moved), :start)
  FROM ids
),
first(pid, t, fid) AS (
  SELECT pid, t, (SELECT id FROM events WHERE profile_id = pid AND ts <= t
                  AND {IS_CHANGE} ORDER BY ts DESC, id DESC LIMIT 1)
  FROM starts
),
seg(pid, ts, id, state, cause, planned) AS (
  SELECT first.pid, first.t, 0, e.state, e.cause, e.maintenance
  FROM first LEFT JOIN events e ON e.id = fid
  UNION ALL
  SELECT profile_id, ts, id, state, cause, maintenance FROM events JOIN starts ON pid = profile_id
  WHERE ts > starts.t AND ts <= :end AND {IS_CHANGE}
),
spans(pid, state, cause, planned, t0, t1) AS (
  SELECT pid, state, cause, planned, ts,
    LEAD(ts, 1, :end) OVER (PARTITION BY pid ORDER BY ts, id)
  FROM seg
),
{ASLEEP},
timed(pid, state, local, planned, seconds, slept) AS (
  SELECT pid, state, state = 'down' AND cause IS 'local_network',
    state = 'down' AND coalesce(planned, 0), t1 - t0, {SLEPT}
  FROM spans
)
SELECT pid,
  total(CASE WHEN state IN ({_UP}) THEN seconds - slept END),
  total(CASE WHEN state IN ({_KNOWN}) AND NOT local AND NOT planned THEN seconds - slept END),
  total(CASE WHEN state IN ({_KNOWN}) AND NOT planned
        THEN (CASE WHEN local THEN seconds ELSE slept END) END),
  total(CASE WHEN planned AND NOT local THEN seconds - slept END)
FROM timed GROUP BY pid
"""


def uptimes(
    conn: sqlite3.Connection,
    profile_ids: Sequence[str],
    start: float,
    end: float,
    *,
    this_target: bool = False,
) -> dict[str, Uptime]:
    """Each profile's ``Uptime`` over ``start`` .. ``end`` (Unix seconds); ``this_target``:
    from its last change of target (``TARGET_CHANGED``) in that time on, if it had one (the
    row's figure is the target it has now; its history, every target it had)."""
    result = {pid: Uptime(None, at=end) for pid in profile_ids}
    moved = TARGET_CHANGED if this_target else None  # (None matches no row)
    params = {"ids": json.dumps(list(profile_ids)), "start": start, "end": end, "moved": moved}
    for pid, up, known, not_counted, planned in conn.execute(_UPTIME_SQL, params):
        percent = 100.0 * up / known if known > 1e-9 else None
        result[pid] = Uptime(percent, not_counted, planned, up, known, end)
    return result


def latency_per_minute(
    conn: sqlite3.Connection, profile_id: str, first: int, last: int
) -> list[MinuteStat]:
    """The per-minute aggregates of minutes ``first`` .. ``last`` (minutes since the epoch).
    A latency that is not a finite number (an infinity, text: a row this program never
    writes) is taken as none; a minute whose counts are not whole numbers is left out."""
    rows = conn.execute(
        "SELECT minute, ok, fail, lat_min, lat_max, lat_sum, lat_n FROM minutes"
        " WHERE profile_id = ? AND minute BETWEEN ? AND ? ORDER BY minute",
        (profile_id, first, last),
    )
    out = []
    for minute, ok, fail, lat_min, lat_max, lat_sum, lat_n in rows:
        if not all(type(n) is int and n >= 0 for n in (minute, ok, fail, lat_n)):
            continue
        avg = finite(lat_sum / lat_n) if lat_n and finite(lat_sum) is not None else None
        low, high = finite(lat_min), finite(lat_max)
        if avg is None or low is None or high is None:
            avg = low = high = None  # one without the others would draw a lie
        out.append(MinuteStat(dt.datetime.fromtimestamp(minute * 60, dt.UTC), ok, fail,
                              low, avg, high))  # fmt: skip
    return out


def minute_of(ts: dt.datetime) -> int:
    return math.floor(unix_seconds(ts) / 60)
