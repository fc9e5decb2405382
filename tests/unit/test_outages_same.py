"""The outages query, made faster, gives the very outages it gave before, field for field.

The oracle is the statement ``core/outages.py`` ran before (kept here as it was: each start in
the period found through a temporary B-tree, joined again and sorted), read by the same
records code. Histories are random but seeded, and hard: restarts, pauses, this computer's
network, maintenance, ties in time, rows written late with an earlier time, rows of other
kinds and of no profile, states and causes a newer version wrote, outages still going, and
periods that begin or end inside an outage.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core import outages as current
from tcpmonitor_gui.core.eventdb import INSERT_EVENT
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.outages import Outage

UTC = dt.UTC
T0 = dt.datetime(2026, 3, 1, tzinfo=UTC)

_START = """
state = 'down' AND coalesce(kind, 'state') = 'state' AND profile_id != ''
AND coalesce((SELECT b.state FROM events b
              WHERE b.profile_id = events.profile_id AND b.ts <= events.ts
                AND (b.ts < events.ts OR b.id < events.id)
                AND coalesce(b.kind, 'state') = 'state'
              ORDER BY b.ts DESC, b.id DESC LIMIT 1), '') != 'down'
"""
_COUNTED = "NOT coalesce({d}.maintenance, 0) AND {d}.cause IS NOT 'local_network'"
#: The statement as it was before (fb9f548), word for word.
_OLD_SQL = f"""
WITH RECURSIVE pids(pid) AS (
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
  CASE WHEN {_COUNTED.format(d="s")} THEN 1
  ELSE EXISTS (SELECT 1 FROM events d
          WHERE d.profile_id = s.profile_id AND d.ts BETWEEN s.ts AND coalesce(e.ts, 1e308)
            AND (d.ts > s.ts OR d.id >= s.id) AND (d.ts < e.ts OR d.id < e.id OR e.id IS NULL)
            AND d.state = 'down' AND coalesce(d.kind, 'state') = 'state'
            AND {_COUNTED.format(d="d")}) END
FROM ends JOIN events s ON s.id = ends.sid LEFT JOIN events e ON e.id = ends.eid
WHERE e.ts IS NULL OR e.ts > :since
ORDER BY s.ts, s.id
"""


def oracle(
    conn: sqlite3.Connection,
    profile: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
) -> Iterator[Outage]:
    """``each_outage`` as it was: the old statement, its rows made records as they are."""
    params = current.parameters(conn, profile, since, until)
    if params is None:
        return
    where = "AND profile_id = :profile" if "profile" in params else ""
    rows = conn.execute(_OLD_SQL.format(profile=where), params)
    yield from current.records(row[:9] + row[10:] for row in rows)


STATES = ["up", "degraded", "down", "down", "down", "paused", "unknown", "connecting",
          "flapping"]  # fmt: skip
CAUSES = [None, "refused", "reset", "closed_by_peer", "heartbeat_timeout", "local_network",
          "local_network", "proxy_error"]  # fmt: skip
KINDS = ["state"] * 12 + [None, None, "action", "notice"]


def history(seed: int) -> list[tuple[object, ...]]:
    """Rows as ``INSERT_EVENT`` takes them, in the order they are written."""
    rng = random.Random(seed)
    rows: list[tuple[object, ...]] = []
    for p in range(rng.randint(1, 5)):
        pid = f"p{p}"
        minute = 0
        for _ in range(rng.randint(0, 60)):
            minute += rng.choice((0, 0, 1, 1, 2, 5))  # ties in time, often
            state = rng.choice(STATES)
            cause = rng.choice(CAUSES) if state == "down" else None
            name = rng.choice((pid.upper(), f"{pid.upper()} renamed"))
            rows.append(
                ((T0 + dt.timedelta(minutes=minute)).timestamp(), pid, name, state,
                 rng.choice(STATES), cause, "probe", None, rng.choice(("", "still down")),
                 rng.choice((None, 12.5)), None, int(rng.random() < 0.15),
                 rng.choice(KINDS))
            )  # fmt: skip
    for _ in range(rng.randint(0, 6)):  # this computer's own: no profile
        minute = rng.randint(0, 150)
        state, kind = rng.choice((("offline", "network"), ("online", "network"),
                                  ("sleep", "power"), ("down", "state")))  # fmt: skip
        rows.append(((T0 + dt.timedelta(minutes=minute)).timestamp(), "", "", state, None,
                     None, "", None, "", None, None, 0, kind))  # fmt: skip
    rng.shuffle(rows)  # written late: ids out of the order of time
    return rows


@contextlib.contextmanager
def log_of(path: Path, rows: list[tuple[object, ...]]) -> Iterator[sqlite3.Connection]:
    EventLog(path).start().close()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        with conn:
            conn.executemany(INSERT_EVENT, rows)
        conn.execute("BEGIN")  # one snapshot, as every reader reads
        yield conn


def periods(rng: random.Random) -> list[tuple[dt.datetime | None, dt.datetime | None]]:
    def moment() -> dt.datetime:  # on a change's minute (an outage's end), or between
        return T0 + dt.timedelta(minutes=rng.choice((rng.randint(-5, 160), rng.random() * 160)))

    found: list[tuple[dt.datetime | None, dt.datetime | None]] = [(None, None)]
    for _ in range(6):
        since, until = sorted((moment(), moment()))
        found += [(since, None), (None, until), (since, until), (until, since)]
    return found


def fields(outage: Outage) -> tuple[object, ...]:
    """Every field, with the type of each (a cause of ours, or a newer version's)."""
    return tuple((type(v).__name__, v) for v in dataclasses.astuple(outage))


@pytest.mark.parametrize("seed", range(60))
def test_the_outages_are_those_the_old_statement_found(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    with log_of(tmp_path / "events.sqlite3", history(seed)) as conn:
        for profile in (None, "p0", "P1 RENAMED", "p4", "nobody"):
            for since, until in periods(rng):
                new = [fields(o) for o in current.each_outage(conn, profile, since, until)]
                old = [fields(o) for o in oracle(conn, profile, since, until)]
                assert new == old, (seed, profile, since, until)


def test_the_histories_have_what_they_are_said_to_have(tmp_path: Path) -> None:
    """The oracle agrees only where the histories hold the hard cases: they do, together."""
    seen: set[str] = set()
    for seed in range(60):
        with log_of(tmp_path / f"{seed}.sqlite3", history(seed)) as conn:
            found = list(current.each_outage(conn, None, None, None))
            since = T0 + dt.timedelta(minutes=60)
            inside = [o for o in found if o.start < since and (o.end is None or o.end > since)]
        seen |= {o.ended_by for o in found}
        seen |= {"ongoing" for o in found if o.end is None}
        seen |= {"not counted" for o in found if not o.counted}
        seen |= {"counted though planned" for o in found if o.counted and o.maintenance}
        seen |= {"local" for o in found if o.local}
        seen |= {"newer cause" for o in found if str(o.cause) == "proxy_error"}
        seen |= {"since inside one" for _ in inside[:1]}
    assert seen >= {"recovered", "paused", "monitoring stopped", "monitoring restarted",
                    "flapping", "ongoing", "not counted", "counted though planned", "local",
                    "newer cause", "since inside one"}  # fmt: skip
