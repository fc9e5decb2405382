"""What the event log last knew of each profile, so that a restart forgets nothing: the state
it was last seen in and since when (across restarts that found it the same), the cause of its
last drop, and its latency per minute over the last hour (for the sparkline).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
import math
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from .actions import found_again
from .eventdb import IS_CHANGE, EventLogError, unix_seconds
from .eventqueries import KNOWN_STATES, read
from .events import TARGET_CHANGED, Cause, Event, State

#: How many of a profile's last state events are looked at: enough to follow its state back
#: across a few restarts (each writes "unknown", "connecting" and the state found again).
LOOK_BACK = 24
#: The sparkline's history: the minutes of the last hour.
MINUTES = 60


@dataclasses.dataclass(frozen=True)
class LastSeen:
    """``state`` (up, degraded or down; None if never known) held since ``since``, as far as
    the log knows (time the program did not run is not known to have been otherwise);
    ``cause``: of the last drop among those events; ``latencies``: the last hour's minutes,
    oldest first, the mean latency of each (None for a minute of failed checks only; a
    minute whose checks passed untimed, a watch's between its handshakes, is left out: the
    sparkline draws a failed check, not one that timed nothing)."""

    state: State | None = None
    since: dt.datetime | None = None
    cause: Cause | None = None
    latencies: tuple[float | None, ...] = ()


#: The state of an ``unknown`` stored for another target (``TARGET_CHANGED``), as read here.
_MOVED = "moved"

_LAST_EVENTS = f"""
WITH ids(pid) AS (SELECT DISTINCT value FROM json_each(:ids))
SELECT e.profile_id, e.ts,
  CASE WHEN e.state = 'unknown' AND e.detail = '{TARGET_CHANGED}' THEN '{_MOVED}' ELSE e.state END,
  e.cause FROM ids JOIN events e ON e.id IN (
  SELECT id FROM events WHERE profile_id = pid AND {IS_CHANGE}
    AND ts < :until
  ORDER BY ts DESC, id DESC LIMIT {LOOK_BACK})
ORDER BY e.profile_id, e.ts DESC, e.id DESC
"""

#: The minutes of the last hour; of the target a profile has now: none from before it was
#: last given another (nor the minute it was, which holds both targets' checks).
_MINUTES = f"""
WITH ids(pid) AS (SELECT DISTINCT value FROM json_each(:ids)),
moved(pid, t) AS (
  SELECT profile_id, max(ts) FROM events
  WHERE ts >= :first * 60 AND state = 'unknown' AND detail = '{TARGET_CHANGED}'
    AND profile_id IN (SELECT pid FROM ids)
  GROUP BY profile_id
)
SELECT profile_id, minute, lat_sum, lat_n FROM minutes LEFT JOIN moved ON pid = profile_id
WHERE minute >= :first AND profile_id IN (SELECT pid FROM ids)
  AND (lat_n > 0 OR fail > 0) AND minute * 60 >= coalesce(t, 0)
ORDER BY profile_id, minute
"""

_KNOWN = {str(s) for s in KNOWN_STATES}


def last_seen(
    conn: sqlite3.Connection,
    profile_ids: Sequence[str],
    now: dt.datetime,
    *,
    until: dt.datetime | None = None,
) -> dict[str, LastSeen]:
    """Each profile's ``LastSeen`` (profiles the log never saw are left out), of the events
    before ``until`` (all by default)."""
    ids = json.dumps(list(profile_ids))
    newest_first: dict[str, list[tuple[float, str, str | None]]] = {}
    before = math.inf if until is None else unix_seconds(until)
    for pid, ts, state, cause in conn.execute(_LAST_EVENTS, {"ids": ids, "until": before}):
        newest_first.setdefault(pid, []).append((ts, state, cause))
    first = int(unix_seconds(now) // 60) - MINUTES + 1
    minutes: dict[str, list[tuple[int, float | None]]] = {}
    for pid, minute, lat_sum, lat_n in conn.execute(_MINUTES, {"ids": ids, "first": first}):
        minutes.setdefault(pid, []).append((minute, lat_sum / lat_n if lat_n else None))
    seen = {}
    for pid in set(newest_first) | set(minutes):
        state, since, cause = _walk_back(newest_first.get(pid, []))
        latencies = tuple(latency for _minute, latency in minutes.get(pid, []))
        seen[pid] = LastSeen(state, since, cause, latencies)
    return seen


def _walk_back(
    events: list[tuple[float, str, str | None]],
) -> tuple[State | None, dt.datetime | None, Cause | None]:
    """The last known state and the earliest event that began it, skipping what a restart or a
    pause wrote in between (unknown, connecting, paused) when the state found again is the same;
    none of what it was before it was given another target (up since then, not since the old
    one came up; not the old one's last drop)."""
    events = list(itertools.takewhile(lambda event: event[1] != _MOVED, events))
    state: str | None = None
    since: float | None = None
    cause = next((why for _ts, each, why in events if each == "down" and why), None)
    for ts, each, _why in events:
        if each not in _KNOWN:
            continue
        if state is None:
            state = each
        elif each != state:
            break
        since = ts
    try:
        return (
            None if state is None else State(state),
            None if since is None else dt.datetime.fromtimestamp(since, dt.UTC),
            None if cause is None else Cause.stored(cause),
        )
    except (ValueError, OverflowError, OSError):  # a row this program never writes
        return None, None, None


def known_states(
    path: Path, profile_ids: Sequence[str], until: dt.datetime | None = None
) -> dict[str, tuple[State, dt.datetime]]:
    """The state each profile was last known in and since when (``LastSeen``), of those the
    log in ``path`` knew before ``until`` (the metrics' start: what they were fed after it,
    stored while they read, is theirs to count); {} when it cannot be read (nothing is known)."""
    ids, now = list(profile_ids), dt.datetime.now(dt.UTC)
    nothing: dict[str, LastSeen] = {}
    try:
        seen = read(path, lambda conn: last_seen(conn, ids, now, until=until), nothing)
    except EventLogError:
        return {}
    return {
        pid: (last.state, last.since)
        for pid, last in seen.items()
        if last.state is not None and last.since is not None
    }


#: The state a profile was last known in before a time (a state change, not an action's row);
#: 'unknown' where it was given another target since (``TARGET_CHANGED``): nothing is known
#: of the new one, and the old one's drop was taken for it ("down -> up", its up action run).
_BEFORE = f"""
SELECT state FROM events WHERE profile_id = :pid AND ts < :ts
  AND coalesce(kind, 'state') = 'state'
  AND (state IN ('up', 'degraded', 'down') OR state = 'unknown' AND detail = '{TARGET_CHANGED}')
ORDER BY ts DESC, id DESC LIMIT 1
"""


def states_before(path: Path, events: Sequence[Event]) -> list[State | None]:
    """The state (up, degraded or down) the log in ``path`` last knew each of ``events``'
    profiles in before it, for a state found again (``actions.found_again``): what it changed
    from, as far as anyone knows (nothing watched in between). None: none known (or only of
    a target it had before), or not found again. One connection for all (a start finds a
    thousand states again at once)."""
    asked = [
        {"pid": event.profile_id, "ts": unix_seconds(event.ts)} if found_again(event) else None
        for event in events
    ]

    def query(conn: sqlite3.Connection) -> list[State | None]:
        rows = [None if p is None else conn.execute(_BEFORE, p).fetchone() for p in asked]
        known = [None if row is None else State(row[0]) for row in rows]
        return [None if state is State.UNKNOWN else state for state in known]

    if not any(asked):
        return [None] * len(asked)
    return read(path, query, [None] * len(asked))
