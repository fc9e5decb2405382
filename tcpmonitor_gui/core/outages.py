"""Outages as records, derived from the stored state events.

An outage of a profile begins with a ``down`` that follows anything but ``down`` (in time),
and ends with the profile's next state event that is not ``down``: ``up`` or ``degraded`` (it
recovered), ``paused`` (the user stopped watching it) or ``unknown`` (monitoring stopped: the
program quit, the profile was removed; when it really came back is not known). One without an
end is ongoing. Derived on demand, one statement: each start finds its end through the
``(profile_id, ts)`` index, so a year of history is read in a fraction of a second
(``tests/bench/outages_query.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3
from collections.abc import Iterator
from typing import Any

from .eventdb import unix_seconds
from .eventqueries import profile_id
from .events import Cause, State, iso_ms

#: How an outage ended, by the state that ended it.
ENDED_BY = {
    State.UP: "recovered",
    State.DEGRADED: "recovered",
    State.PAUSED: "paused",
    State.UNKNOWN: "monitoring stopped",
    State.CONNECTING: "monitoring restarted",
}

#: A start: a ``down`` whose profile was in any other state just before it, by time (a state
#: change, not an action's row). Not by its ``previous``: two processes writing one log (the
#: window and ``tcpmonitor run``) each say what they saw last, and a row written late with
#: an earlier time made a second outage inside the first, its time counted twice.
_START = """
state = 'down' AND coalesce(kind, 'state') = 'state' AND profile_id != ''
AND coalesce((SELECT b.state FROM events b
              WHERE b.profile_id = events.profile_id AND b.ts <= events.ts
                AND (b.ts < events.ts OR b.id < events.id)
                AND coalesce(b.kind, 'state') = 'state'
              ORDER BY b.ts DESC, b.id DESC LIMIT 1), '') != 'down'
"""
#: A ``down`` row ``{d}`` that counts against the target, as the uptime counts it.
_COUNTED = "NOT coalesce({d}.maintenance, 0) AND {d}.cause IS NOT 'local_network'"
#: The outages starting in the period, and the one each profile was in when it began (its
#: start found by a backward seek from ``:since``); each start's end is the profile's next
#: change that is not ``down``, found by a forward seek on ``(profile_id, ts)``.
_SQL = f"""
WITH RECURSIVE pids(pid) AS (  -- each profile once, by seeking the index (a skip-scan)
  SELECT min(profile_id) FROM events WHERE profile_id > '' {{profile}} AND :since > -1e300
  UNION ALL
  SELECT (SELECT min(profile_id) FROM events WHERE profile_id > pid {{profile}}) FROM pids
  WHERE pid IS NOT NULL
),
starts(sid) AS (
  SELECT id FROM events WHERE ts >= :since AND ts < :until AND {_START} {{profile}}
  UNION
  SELECT (SELECT id FROM events WHERE profile_id = pid AND ts < :since AND {_START}
          ORDER BY ts DESC, id DESC LIMIT 1)
  FROM pids
),
ends(sid, eid) AS (
  SELECT s.id,
    (SELECT e.id FROM events e
     WHERE e.profile_id = s.profile_id AND e.ts >= s.ts AND (e.ts > s.ts OR e.id > s.id)
       AND e.state != 'down' AND coalesce(e.kind, 'state') = 'state'
     ORDER BY e.ts, e.id LIMIT 1)
  FROM starts JOIN events s ON s.id = starts.sid
)
SELECT s.profile_id, s.profile_name, s.ts, s.cause, s.detail, s.detection_ms, s.maintenance,
  e.ts, e.state, e.detail,
  CASE WHEN {_COUNTED.format(d="s")} THEN 1  -- its start counts: no seek (most outages)
  ELSE EXISTS (SELECT 1 FROM events d  -- a change in it that counts against the target
          WHERE d.profile_id = s.profile_id AND d.ts BETWEEN s.ts AND coalesce(e.ts, 1e308)
            AND (d.ts > s.ts OR d.id >= s.id) AND (d.ts < e.ts OR d.id < e.id OR e.id IS NULL)
            AND d.state = 'down' AND coalesce(d.kind, 'state') = 'state'
            AND {_COUNTED.format(d="d")}) END
FROM ends JOIN events s ON s.id = ends.sid LEFT JOIN events e ON e.id = ends.eid
WHERE e.ts IS NULL OR e.ts > :since  -- ended at :since: no time in the period
ORDER BY s.ts, s.id
"""


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
    #: "recovered", "paused", "monitoring stopped"; "" while it lasts.
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
    """``outages`` one at a time, for more of them than should be held at once."""
    params: dict[str, object] = {
        "since": -1e308 if since is None else unix_seconds(since),
        "until": 1e308 if until is None else unix_seconds(until),
    }
    where = ""
    if profile is not None:
        # One id, so that every lookup below is a seek: the id given, or a name's.
        pid = profile_id(conn, profile)
        if pid is None:
            return
        where = "AND profile_id = :profile"
        params["profile"] = pid
    causes: dict[object, Cause | None] = {None: None, **{str(c): c for c in Cause}}
    ends = {str(state): word for state, word in ENDED_BY.items()}
    when = dt.datetime.fromtimestamp
    utc = dt.UTC
    for row in conn.execute(_SQL.format(profile=where), params):
        pid, name, ts, cause, detail, detection, planned, end_ts, end_state, _, counted = row
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
