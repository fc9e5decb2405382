"""One connection's history for the details view (``core.profile_history.load``): what it
holds for a flapping month, and the edges of its period."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import sqlite3
import tracemalloc
from pathlib import Path

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Kind, State
from tcpmonitor_gui.core.profile_history import MAX_BUCKETS, load
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.helpers import make_profile, stored_event
from tests.unit._cli_process import Home, tcpmonitor

NOW = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
MONTH = 30 * 86400.0
ev = stored_event


def ago(**delta: float) -> dt.datetime:
    return NOW - dt.timedelta(**delta)


def test_a_flapping_month_is_counted_not_held(tmp_path: Path) -> None:
    """10,000 outages in a month were all held (100,000: 140 MB on the I/O thread, every
    state change of the month too), then each handed to the chart, which sorted and merged
    them on the GUI thread and went through all of them for each move of the mouse. Now the
    newest are kept for the list, the rest counted, and the shading merged to a bucket."""
    flapping = make_profile("127.0.0.1", 5432, name="flapping")
    n = 10_000
    with EventLog(tmp_path / "events.sqlite3") as log:
        log.submit(
            ev(flapping, ago(days=29 * (1 - i / (2 * n))),
               State.DOWN if i % 2 == 0 else State.DEGRADED, cause=Cause.REFUSED)
            for i in range(2 * n)
        )  # fmt: skip
        assert log.flush(60)
        tracemalloc.start()
        try:
            history = load(log, flapping.id, MONTH, NOW)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 2_000_000, peak
    assert history.summary.outages == n and history.outage_count == n
    assert len(history.outages) == 500  # the newest, for the list
    assert history.outages[-1].start == ago(days=29 * (1 - (2 * n - 2) / (2 * n)))
    assert history.summary.degraded_s > 0
    for shaded in (history.shaded, history.degraded):
        assert 1 <= len(shaded) <= MAX_BUCKETS // 2 + 1, len(shaded)
        assert all(a.end <= b.start for a, b in itertools.pairwise(shaded))
    assert history.shaded[0].cause is Cause.REFUSED


def test_latencies_that_are_not_numbers_are_no_latency(tmp_path: Path) -> None:
    """An infinity or text in the minutes table (another program's row, a damaged file) read
    as "min inf · mean inf · max inf ms" in the chart, inf in the report's CSV and NaN
    coordinates in its page, and text failed the whole history. Such a latency is now none;
    an enormous one (1e9 ms) is what it says."""
    db = make_profile("127.0.0.1", 5432, name="db")
    path = tmp_path / "data" / "events.sqlite3"
    with EventLog(path) as log:
        log.submit([ev(db, ago(hours=2), State.UP)])
        assert log.flush()
    minute = int(ago(minutes=30).timestamp() // 60)
    inf = float("inf")
    rows = [(minute - 4, 1, 0, 2.0, 2.0, 2.0, 1), (minute - 3, 1, 0, inf, inf, inf, 1),
            (minute - 2, 1, 0, -inf, 5.0, 3.0, 1), (minute - 1, 1, 0, "fast", "x", "y", 1),
            (minute, 1, 0, 1e9, 1e9, 1e9, 1)]  # fmt: skip
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO minutes (profile_id, minute, ok, fail, lat_min, lat_max, lat_sum, lat_n)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(db.id, *row) for row in rows],
        )
    conn.close()
    history = load(EventLog(path), db.id, 3600.0, NOW)
    assert [(b.lat_min, b.lat_avg, b.lat_max) for b in history.buckets] == [
        (2.0, 2.0, 2.0), (None, None, None), (None, None, None), (None, None, None),
        (1e9, 1e9, 1e9)]  # fmt: skip
    assert [b.ok for b in history.buckets] == [1] * 5  # the checks are still counted
    home = Home(tmp_path / "config", tmp_path / "data")
    ProfileStore(home.config).save([db])
    row = next(csv.DictReader(io.StringIO(tcpmonitor(home, "report", "--csv", "-").stdout)))
    assert row["latency_avg_ms"] == f"{(2.0 + 1e9) / 2:.3f}" and row["latency_max_ms"] == (
        "1000000000.000"
    ), row
    page = tmp_path / "report.html"
    assert tcpmonitor(home, "report", "--html", str(page)).returncode == 0
    assert "nan" not in page.read_text().lower()


def test_outages_across_the_edges_of_the_period_are_shaded_inside_it(tmp_path: Path) -> None:
    """One that began before the period is shaded from its start, one still open to its end;
    both are listed and counted, the longest as long as it really was."""
    db = make_profile("127.0.0.1", 5432, name="db")
    with EventLog(tmp_path / "events.sqlite3") as log:
        log.submit([
            ev(db, ago(days=3), State.DOWN, cause=Cause.REFUSED),
            ev(db, ago(hours=20), State.UP),
            ev(db, ago(hours=2), State.DOWN, cause=Cause.CONNECT_TIMEOUT),
        ])  # fmt: skip
        assert log.flush()
        history = load(log, db.id, 86400.0, NOW)
        empty = load(log, "nobody", 86400.0, NOW)
    since, until = history.since.timestamp(), history.until.timestamp()
    assert [(s.start, s.end, s.cause) for s in history.shaded] == [
        (since, ago(hours=20).timestamp(), Cause.REFUSED),
        (ago(hours=2).timestamp(), until, Cause.CONNECT_TIMEOUT),
    ]
    assert history.outage_count == 2 and history.outages[-1].end is None
    assert history.summary.longest is not None
    assert history.summary.longest.duration_s(NOW) == (ago(hours=20) - ago(days=3)).total_seconds()
    assert (empty.buckets, empty.outages, empty.shaded, empty.summary.outages) == ([], [], [], 0)


def test_time_degraded_is_counted_from_the_last_change_before_the_month(tmp_path: Path) -> None:
    """The time degraded was found from the last row before the month, whatever it was: when
    that was an action's row (an action on "change" ran for the change to degraded), the
    state it left was not known and the hour degraded at the month's start was not counted
    (0 s). The last state change before the month is taken now; an action row inside the
    month ends nothing either."""
    db = make_profile("127.0.0.1", 5432, name="db")
    month = NOW - dt.timedelta(seconds=MONTH)
    with EventLog(tmp_path / "events.sqlite3") as log:
        log.submit([
            ev(db, month - dt.timedelta(hours=2), State.DEGRADED),
            ev(db, month - dt.timedelta(hours=2, seconds=-1), State.DEGRADED, kind=Kind.ACTION),
            ev(db, month + dt.timedelta(hours=1), State.UP),
            ev(db, ago(hours=3), State.DEGRADED),
            ev(db, ago(hours=3, seconds=-1), State.DEGRADED, kind=Kind.ACTION),
            ev(db, ago(hours=1), State.UP),
        ])  # fmt: skip
        assert log.flush()
        history = load(log, db.id, MONTH, NOW)
    assert history.summary.degraded_s == 3600.0 + 7200.0
    assert [(s.start, s.end) for s in history.degraded] == [
        (month.timestamp(), (month + dt.timedelta(hours=1)).timestamp()),
        (ago(hours=3).timestamp(), ago(hours=1).timestamp()),
    ]
