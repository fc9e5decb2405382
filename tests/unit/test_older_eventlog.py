"""An event log an older TCP Monitor left (schema 1 to 3: before maintenance windows, action
rows, the minutes' last check), read by this one before any writer brought it up to date:
just after an upgrade, or on a read-only copy (a backup). Its history reads as it was
recorded, and reading changes nothing in it."""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventdb import FULL_BELOW, SCHEMA_STEPS, SCHEMA_VERSION
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.eventqueries import read
from tcpmonitor_gui.core.events import Cause, Kind, State
from tcpmonitor_gui.core.last_seen import last_seen
from tests.unit._cli_process import Home, tcpmonitor

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
OLDER = list(range(1, SCHEMA_VERSION))


def older_log(path: Path, version: int) -> Path:
    """A log of schema ``version`` (as an older version made it, step by step), holding a
    ten-minute outage (refused) that ended five minutes ago, and a minute of checks."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for step in range(version):
            SCHEMA_STEPS[step](conn)
        for minutes, state, previous, cause in ((15, "down", "up", "refused"),
                                                (5, "up", "down", None)):  # fmt: skip
            conn.execute(
                "INSERT INTO events (ts, profile_id, profile_name, state, previous, cause,"
                " detector) VALUES (?, 'db', 'Orders DB', ?, ?, ?, 'probe')",
                ((NOW - dt.timedelta(minutes=minutes)).timestamp(), state, previous, cause),
            )
        minute = int(NOW.timestamp() // 60) - 2
        conn.execute(
            "INSERT INTO minutes (profile_id, minute, ok, fail, lat_min, lat_max, lat_sum, lat_n)"
            " VALUES ('db', ?, 3, 0, 1.0, 3.0, 6.0, 3)",
            (minute,),
        )
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    return path


def schema_of(path: Path) -> tuple[int, list[str]]:
    conn = sqlite3.connect(path)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        columns = [r[1] for t in ("events", "minutes")
                   for r in conn.execute(f"PRAGMA table_info({t})")]  # fmt: skip
    finally:
        conn.close()
    return version, columns


@pytest.mark.parametrize("version", OLDER)
def test_an_older_versions_log_is_read_as_recorded_and_left_as_it_was(
    tmp_path: Path, version: int
) -> None:
    """It was 'cannot be read (no such column: maintenance)' (schemas 1 and 2): the history
    unreadable until a writer (the window, run) had opened the log."""
    path = older_log(tmp_path / "data" / "events.sqlite3", version)
    before = schema_of(path)
    log = EventLog(path)
    events = log.events()
    assert [(e.state, e.cause, e.kind, e.maintenance) for e in events] == [
        (State.DOWN, Cause.REFUSED, Kind.STATE, False),
        (State.UP, None, Kind.STATE, False),
    ]
    (outage,) = log.outages()
    assert outage.cause is Cause.REFUSED and outage.duration_s() == pytest.approx(600)
    uptime = log.uptimes(["db"], dt.timedelta(hours=1), now=NOW)["db"]
    assert uptime.percent == pytest.approx(100 * 5 / 15)
    seen = read(path, lambda conn: last_seen(conn, ["db"], NOW), {})
    assert seen["db"].state is State.UP and seen["db"].latencies
    assert len(log.latency_per_minute("db", NOW - dt.timedelta(minutes=5))) == 1
    assert schema_of(path) == before  # reading brought nothing up to date


def test_the_command_line_reads_an_older_versions_log(tmp_path: Path) -> None:
    path = older_log(tmp_path / "data" / "events.sqlite3", 1)
    home = Home(tmp_path / "config", path.parent)
    events = tcpmonitor(home, "events")
    assert events.returncode == 0, events.stderr
    assert "up -> down  refused" in events.stdout
    outages = tcpmonitor(home, "outages")
    assert outages.returncode == 0, outages.stderr
    assert "10 min" in outages.stdout and "refused" in outages.stdout
    assert schema_of(path)[0] == 1


def test_bringing_an_older_log_up_to_date_keeps_it_as_it_was_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Brought up to date in place, without a word, the log could no longer be written by
    the version that made it (a downgrade: 'schema version 4 is newer than this program
    understands'), and nothing of it was kept for that version."""
    path = older_log(tmp_path / "data" / "events.sqlite3", 2)
    caplog.set_level(logging.WARNING)
    EventLog(path).start().close()
    kept = path.with_name("events.sqlite3.schema-2.bak")
    said = [r.getMessage() for r in caplog.records if "schema" in r.getMessage()]
    assert said == [
        f"{path}: brought up from schema 2 to {SCHEMA_VERSION} (an older TCP Monitor can no "
        "longer write it); the log as it was is kept as events.sqlite3.schema-2.bak"
    ]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert schema_of(kept)[0] == 2 and schema_of(path)[0] == SCHEMA_VERSION
    assert [e.state for e in EventLog(kept).events()] == [State.DOWN, State.UP]
    files = sorted(p.name for p in path.parent.iterdir())
    caplog.clear()
    EventLog(path).start().close()  # up to date: nothing more kept, nothing said
    assert not [r for r in caplog.records if "schema" in r.getMessage()]
    assert sorted(p.name for p in path.parent.iterdir()) == files


def test_a_copy_kept_before_is_never_written_over(tmp_path: Path) -> None:
    path = older_log(tmp_path / "data" / "events.sqlite3", 3)
    kept = path.with_name("events.sqlite3.schema-3.bak")
    kept.write_bytes(b"the user's own")
    EventLog(path).start().close()
    assert kept.read_bytes() == b"the user's own"
    assert schema_of(path)[0] == SCHEMA_VERSION


def test_no_copy_is_made_that_would_fill_the_disk(
    small_disk: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A copy that fits, but leaves the disk less room than the log takes, stopped the log's
    own writes soon after; it is not made, and that is said."""
    path = older_log(small_disk / "data" / "events.sqlite3", 3)
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO events (ts, profile_id, profile_name, state, detector, detail)"
            " VALUES (?, 'db', 'Orders DB', 'up', 'probe', ?)",
            [(NOW.timestamp() - 9000 + i, "x" * 200) for i in range(300)],
        )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = path.stat().st_size
    filler = small_disk / "filler"
    room = shutil.disk_usage(small_disk).free - (size + size // 2 + FULL_BELOW)
    filler.write_bytes(bytes(max(0, room)))
    caplog.set_level(logging.WARNING)
    EventLog(path).start().close()
    assert schema_of(path)[0] == SCHEMA_VERSION
    assert not [p.name for p in path.parent.iterdir() if "schema" in p.name]
    (said,) = [r.getMessage() for r in caplog.records if "schema" in r.getMessage()]
    assert "brought up from schema 3" in said and "too little beside a copy of" in said
