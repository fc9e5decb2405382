"""Outages as records, derived from the stored state events.

An outage of a profile begins with a ``down`` that follows anything but ``down`` (in time),
and ends with the profile's next state event that is not ``down``: ``up`` or ``degraded`` (it
recovered), ``paused`` (the user stopped watching it) or ``unknown`` (monitoring stopped: the
program quit, the profile was removed; when it really came back is not known; or the target
changed: another host or port is watched from then on, whose states are its own). One without an
end is ongoing. Derived on demand, in two statements read in one snapshot (the outage each
profile was in when the period began, then those that began in it, in the order of an index:
nothing sorted, nothing held); each start finds its end through the ``(profile_id, ts)``
index (``tests/bench/outages_query.py`` times a year of it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from typing import Any

from .eventdb import unix_seconds
from .eventqueries import profile_id
from .events import TARGET_CHANGED, Cause, State, iso_ms

#: How an outage ended, by the state that ended it.
ENDED_BY = {
    State.UP: "recovered",
    State.DEGRADED: "recovered",
    State.PAUSED: "paused",
    State.UNKNOWN: "monitoring stopped",
    State.CONNECTING: "monitoring restarted",
}
#: How an outage ended that an ``unknown`` stored for a new target ended (``TARGET_CHANGED``).
ENDED_BY_TARGET = "target changed"

#: A start: a ``down`` row ``{s}`` whose profile was in any other state just before it, by
#: time (a state change, not an action's row). Not by its ``previous``: two processes writing
#: one log (the window and ``tcpmonitor run``) each say what they saw last, and a row written
#: late with an earlier time made a second outage inside the first, its time counted twice.
_START = """
{s}.state = 'down' AND coalesce({s}.kind, 'state') = 'state' AND {s}.profile_id != ''
AND coalesce((SELECT b.state FROM events b
              WHERE b.profile_id = {s}.profile_id AND b.ts <= {s}.ts
                AND (b.ts < {s}.ts OR b.id < {s}.id)
                AND coalesce(b.kind, 'state') = 'state'
              ORDER BY b.ts DESC, b.id DESC LIMIT 1), '') != 'down'
"""
#: A ``down`` row ``{d}`` that counts against the target, as the uptime counts it.
_COUNTED = "NOT coalesce({d}.maintenance, 0) AND {d}.cause IS NOT 'local_network'"
#: Each start ``s`` of ``{starts}`` with its end ``e``: the profile's next change that is not
#: ``down``, found by a forward seek on ``(profile_id, ts)``; and whether any of it counts.
_OUTAGES = f"""
SELECT s.profile_id, s.profile_name, s.ts, s.cause, s.detail, s.detection_ms, s.maintenance,
  e.ts, CASE WHEN e.state = 'unknown' AND e.detail = '{TARGET_CHANGED}'  -- a new target's
            THEN '{ENDED_BY_TARGET}' ELSE e.state END,
  CASE WHEN {_COUNTED.format(d="s")} THEN 1  -- its start counts: no seek (most outages)
  ELSE EXISTS (SELECT 1 FROM events d  -- a change in it that counts against the target
          WHERE d.profile_id = s.profile_id AND d.ts BETWEEN s.ts AND coalesce(e.ts, 1e308)
            AND (d.ts > s.ts OR d.id >= s.id) AND (d.ts < e.ts OR d.id < e.id OR e.id IS NULL)
            AND d.state = 'down' AND coalesce(d.kind, 'state') = 'state'
            AND {_COUNTED.format(d="d")}) END
FROM {{starts}} LEFT JOIN events e ON e.id = (
  SELECT n.id FROM events n
  WHERE n.profile_id = s.profile_id AND n.ts >= s.ts AND (n.ts > s.ts OR n.id > s.id)
    AND n.state != 'down' AND coalesce(n.kind, 'state') = 'state'
  ORDER BY n.ts, n.id LIMIT 1)
WHERE {{where}} AND (e.ts IS NULL OR e.ts > :since)  -- ended at :since: no time in the period
ORDER BY s.ts, s.id
"""
#: The outage each profile was in when the period began: its start found by a backward seek
#: from ``:since`` (at most one a profile, so their order costs nothing).
_BEFORE = f"""
WITH RECURSIVE pids(pid) AS (  -- each profile once, by seeking the index (a skip-scan)
  SELECT min(profile_id) FROM events WHERE profile_id > '' {{profile}} AND :since > -1e300
  UNION ALL
  SELECT (SELECT min(profile_id) FROM events WHERE profile_id > pid {{profile}}) FROM pids
  WHERE pid IS NOT NULL
),
starts(sid) AS (
  SELECT (SELECT id FROM events WHERE profile_id = pid AND ts < :since
          AND {_START.format(s="events")} ORDER BY ts DESC, id DESC LIMIT 1)
  FROM pids
)
""" + _OUTAGES.format(starts="starts JOIN events s ON s.id = starts.sid", where="1")
#: The outages starting in the period, in the order of the ``ts`` index (or, for one profile,
#: of ``(profile_id, ts)``): a scan that needs no sort and holds nothing, which the whole year
#: of 200 profiles (876,000 outages) needed twice, in temporary B-trees.
_IN_PERIOD = _OUTAGES.format(
    starts="events s",
    where="s.ts >= :since AND s.ts < :until {s_profile} AND " + _START.format(s="s"),
)


@dataclasses.dataclass(slots=True)
class Outage:
    profile_id: str
    profile_name: str
    start: dt.datetime
    #: None while it lasts.
    end: dt.datetime | None
    cause: Cause | None
    detail: str
    #: How long the drop took to notice (ms), where known.
    detection_ms: float | None
    #: "recovered", "paused", "monitoring stopped", "target changed"; "" while it lasts.
    ended_by: str
    #: It began inside one of the profile's maintenance windows.
    maintenance: bool
    #: Some of it counts against the target, as the uptime counts it: a drop neither in a
    #: maintenance window nor this computer's network's. One that began planned (or
    #: offline) and outlasted its window (or came back as a refusal) does.
    counted: bool = True

    def duration_s(self, now: dt.datetime | None = None) -> float:
        end = self.end or now or dt.datetime.now(dt.UTC)
        return max(0.0, (end - self.start).total_seconds())

    @property
    def recovered(self) -> bool:
        """The target came back: the only outages a mean time to recover may count (one the
        user paused, or that monitoring stopped in, lasted as long as nobody knows)."""
        return self.end is not None and self.ended_by == ENDED_BY[State.UP]

    @property
    def note(self) -> str:
        """What the outage was, where it was not the target's: "maintenance" (planned) or
        "this computer offline"; "" otherwise."""
        return "maintenance" if self.maintenance else "this computer offline" if self.local else ""

    @property
    def local(self) -> bool:
        """This computer's network was down, not the target."""
        return self.cause is Cause.LOCAL_NETWORK

    def to_dict(self, now: dt.datetime | None = None) -> dict[str, Any]:
        return {
            "profile_id": self.profile_id,
            "profile_name": self.profile_name,
            "start": iso_ms(self.start),
            "end": None if self.end is None else iso_ms(self.end),
            "duration_s": round(self.duration_s(now), 3),
            "ongoing": self.end is None,
            "cause": None if self.cause is None else str(self.cause),
            "detail": self.detail,
            "detection_ms": None if self.detection_ms is None else round(self.detection_ms, 1),
            "ended_by": self.ended_by,
            "maintenance": self.maintenance,
            "local": self.local,
        }


FIELDS = ("profile_id", "profile_name", "start", "end", "duration_s", "ongoing", "cause",
          "detail", "detection_ms", "ended_by", "maintenance", "local")  # fmt: skip


@dataclasses.dataclass(slots=True)
class Shade:
    """Outages (or time degraded) as a chart shades them, in Unix seconds clipped to its
    period: those less than a pixel (or a bucket) apart are one shade, so that a month of a
    flapping connection is a few hundred shapes, not 100,000. ``cause``: that of the longest
    outage in it."""

    start: float
    end: float
    cause: Cause | None = None
    longest_s: float = 0.0


def shade(shades: list[Shade], start: float, end: float, gap: float, cause: Cause | None) -> None:
    """Add ``start`` .. ``end`` (no earlier than the shades so far) to ``shades``: to the last
    one when less than ``gap`` after it."""
    last = shades[-1] if shades else None
    if last is not None and start - last.end < gap:
        last.end = max(last.end, end)
        if end - start > last.longest_s:
            last.cause, last.longest_s = cause, end - start
    else:
        shades.append(Shade(start, end, cause, end - start))


def outages(
    conn: sqlite3.Connection,
    profile: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> list[Outage]:
    """The outages that overlap ``since`` .. ``until`` (either open), oldest first;
    ``profile``: an id or a name (any case)."""
    return list(each_outage(conn, profile, since, until))


def each_outage(
    conn: sqlite3.Connection,
    profile: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Iterator[Outage]:
    """``outages`` one at a time, for more of them than should be held at once. Two
    statements: ``conn`` is to be inside one transaction (as ``eventqueries.read`` and
    ``stream`` give it), so that they read one snapshot."""
    params = parameters(conn, profile, since, until)
    if params is None:
        return
    where = {"profile": "", "s_profile": ""}
    if "profile" in params:
        where = {"profile": "AND profile_id = :profile", "s_profile": "AND s.profile_id = :profile"}
    rows = itertools.chain.from_iterable(
        conn.execute(sql.format_map(where), params) for sql in (_BEFORE, _IN_PERIOD)
    )
    yield from records(rows)


def parameters(
    conn: sqlite3.Connection,
    profile: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> dict[str, object] | None:
    """The statements' parameters: the period in Unix seconds, and the profile's id, so that
    every lookup is a seek (the id given, or a name's); None when no profile has that name."""
    params: dict[str, object] = {
        "since": -1e308 if since is None else unix_seconds(since),
        "until": 1e308 if until is None else unix_seconds(until),
    }
    if profile is not None:
        if (pid := profile_id(conn, profile)) is None:
            return None
        params["profile"] = pid
    return params


def records(rows: Iterable[tuple[Any, ...]]) -> Iterator[Outage]:
    """The statement's rows as records; a row this program never writes is passed over."""
    causes: dict[object, Cause | None] = {None: None, **{str(c): c for c in Cause}}
    ends = {str(state): word for state, word in ENDED_BY.items()}
    when = dt.datetime.fromtimestamp
    utc = dt.UTC
    for pid, name, ts, cause, detail, detection, planned, end_ts, end_state, counted in rows:
        try:
            if cause not in causes:  # a newer version's, recorded beside this one's
                causes[cause] = Cause.stored(cause)
            outage = Outage(
                pid,
                name,
                when(ts, utc),
                None if end_ts is None else when(end_ts, utc),
                causes[cause],
                detail,
                detection,
                "" if end_state is None else ends.get(end_state, end_state),
                bool(planned),
                bool(counted),
            )
        except (KeyError, ValueError, TypeError, OverflowError, OSError):
            continue  # a row this program never writes
        yield outage
