"""The SQLite event log: storage, per-minute aggregates, uptime, retention, the writer thread."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui.core.eventdb import SCHEMA_VERSION
from tcpmonitor_gui.core.eventlog import EventLog, EventLogError, MinuteStat
from tcpmonitor_gui.core.events import TARGET_CHANGED, Cause, Event, Kind, State, condition

UTC = dt.UTC
#: Recent enough that the writer's own retention pass (90 days from the real clock) keeps it.
T0 = dt.datetime.now(UTC).replace(second=0, microsecond=0) - dt.timedelta(hours=3)


def at(minutes: float = 0.0, seconds: float = 0.0) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes, seconds=seconds)


def condition_at(ts: dt.datetime, state: State) -> Event:
    """This computer's network or power changing at ``ts``."""
    return dataclasses.replace(condition(state, f"this computer: {state}"), ts=ts)


def state_event(
    ts: dt.datetime,
    state: State,
    *,
    pid: str = "db",
    name: str = "Orders DB",
    previous: State | None = None,
    cause: Cause | None = None,
    **extra: Any,
) -> Event:
    return Event(
        ts=ts,
        profile_id=pid,
        profile_name=name,
        kind=Kind.STATE,
        state=state,
        previous=previous,
        cause=cause,
        detector="probe",
        latency_ms=extra.pop("latency_ms", None),
        **extra,
    )


def sample(
    ts: dt.datetime, latency: float | None, cause: Cause | None = None, pid: str = "db"
) -> Event:
    state = State.UP if cause is None else State.DOWN
    event = state_event(ts, state, pid=pid, name=pid, cause=cause, latency_ms=latency)
    return dataclasses.replace(event, kind=Kind.SAMPLE)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Poll ``condition`` until it holds, failing at the deadline (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)  # ok-sleep: a poll interval under a deadline


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "events.sqlite3"


@pytest.fixture
def log(db_path: Path) -> Iterator[EventLog]:
    with EventLog(db_path, flush_interval_s=0.05) as running:
        yield running


# -- state events ----------------------------------------------------------------------------


def test_start_creates_a_private_dir_and_a_wal_database(log: EventLog, db_path: Path) -> None:
    assert stat.S_IMODE(db_path.parent.stat().st_mode) == 0o700
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 4
    finally:
        conn.close()


def test_state_events_are_stored_with_every_field(log: EventLog) -> None:
    down = state_event(
        at(1, 0.123),
        State.DOWN,
        previous=State.UP,
        cause=Cause.RESET,
        latency_ms=1.5,
        detail="connection reset by peer",
        detection_ms=0.4,
        address="192.0.2.7:5432",
    )
    up = state_event(at(0), State.UP, previous=State.CONNECTING, address="192.0.2.7:5432")
    log.submit([down, up])
    assert log.flush()
    assert log.events() == [up, down]  # ordered by time, not by arrival
    rows = log.event_rows()
    assert [event for _, event in rows] == [up, down]
    assert rows[0][0] > rows[1][0]  # ids follow insertion


def test_samples_are_not_stored_as_rows(log: EventLog) -> None:
    log.submit([sample(at(0), 1.0), state_event(at(0, 1), State.UP)])
    assert log.flush()
    assert [e.kind for e in log.events()] == [Kind.STATE]


def test_filters_by_profile_id_or_name_and_time(log: EventLog) -> None:
    a = [state_event(at(m), State.UP, pid="a", name="Alpha") for m in range(0, 50, 10)]
    b = [state_event(at(m + 1), State.DOWN, pid="b", name="Beta") for m in range(0, 50, 10)]
    log.submit(a + b)
    assert log.flush()
    assert log.events(profile="a") == a
    assert log.events(profile="Beta") == b
    assert log.events(profile="beta") == b  # names ignore case, as in the profile store
    assert log.events(profile="nobody") == []
    assert log.events(since=at(30)) == [a[3], b[3], a[4], b[4]]
    assert log.events(since=at(10), until=at(20), profile="a") == [a[1]]  # until excluded
    assert log.events(limit=3) == [a[0], b[0], a[1]]
    assert log.events(newest_first=True, limit=2) == [b[4], a[4]]


def test_paging_backwards_by_id_visits_every_event_once(log: EventLog) -> None:
    # Submitted in an order that differs from time order, with two at the same instant.
    events = [state_event(at(m % 7, 0), State.UP, detail=str(m)) for m in range(20)]
    log.submit(events)
    assert log.flush()
    everything = log.event_rows(newest_first=True)
    pages: list[tuple[int, Event]] = []
    before: int | None = None
    while page := log.event_rows(newest_first=True, limit=3, before_id=before):
        pages += page
        before = page[-1][0]
    assert pages == everything
    assert len(pages) == 20
    assert [e.ts for _, e in pages] == sorted((e.ts for e in events), reverse=True)


def test_queries_read_without_a_writer_and_never_create_a_file(db_path: Path) -> None:
    reader = EventLog(db_path)
    assert reader.events() == []
    assert reader.uptime("db", dt.timedelta(hours=1)) is None
    assert reader.latency_per_minute("db", at(0)) == []
    assert not db_path.parent.exists()
    with EventLog(db_path) as writer:
        writer.submit([state_event(at(0), State.UP)])
    assert EventLog(db_path).events() == [state_event(at(0), State.UP)]


# -- samples per minute ----------------------------------------------------------------------


def test_samples_fold_into_minutes_across_several_flushes(log: EventLog) -> None:
    log.submit([sample(at(0, 1), 10.0), sample(at(0, 2), 30.0)])
    assert log.flush()
    log.submit([sample(at(0, 30), 2.0), sample(at(0, 40), None, Cause.REFUSED)])
    assert log.flush()
    log.submit([sample(at(0, 59.9), None), sample(at(1, 0), None, Cause.CONNECT_TIMEOUT)])
    log.submit([sample(at(0, 5), 50.0, pid="other")])
    assert log.flush()
    assert log.latency_per_minute("db", at(0), at(5)) == [
        MinuteStat(at(0), ok=4, fail=1, lat_min=2.0, lat_avg=14.0, lat_max=30.0),
        MinuteStat(at(1), ok=0, fail=1, lat_min=None, lat_avg=None, lat_max=None),
    ]
    assert log.latency_per_minute("db", at(1, 30), at(5)) == [
        MinuteStat(at(1), ok=0, fail=1, lat_min=None, lat_avg=None, lat_max=None)
    ]
    assert [s.ok for s in log.latency_per_minute("other", at(0), at(5))] == [1]


def test_a_full_queue_drops_samples_but_never_state_events(db_path: Path) -> None:
    with EventLog(db_path, flush_interval_s=3600, max_pending=10) as log:
        batch = [sample(at(0, s), 1.0) for s in range(10)]
        batch += [state_event(at(0, 10), State.DOWN, cause=Cause.RESET)]
        batch += [sample(at(0, s), 1.0) for s in range(11, 16)]
        batch += [state_event(at(0, 16), State.UP)]
        log.submit(batch)  # one call: the writer cannot take any of it in between
        assert log.health().dropped_samples == 5
        assert log.flush()
        assert [e.state for e in log.events()] == [State.DOWN, State.UP]
        assert [s.ok for s in log.latency_per_minute("db", at(0), at(1))] == [10]


# -- uptime ----------------------------------------------------------------------------------


def test_uptime_is_the_share_of_time_up(log: EventLog) -> None:
    # Before the window it went up; in the 60 minutes: up 30, down 10, up 20.
    log.submit(
        [
            state_event(at(-30), State.UP),
            state_event(at(30), State.DOWN, cause=Cause.REFUSED),
            state_event(at(40), State.UP),
            state_event(at(70), State.DOWN),  # after "now": not counted
        ]
    )
    assert log.flush()
    uptime = log.uptime("db", dt.timedelta(minutes=60), now=at(60))
    assert uptime == pytest.approx(100 * 50 / 60)
    assert round(uptime or 0, 2) == 83.33


def test_uptime_leaves_out_paused_unknown_and_first_connect_time(log: EventLog) -> None:
    log.submit(
        [
            state_event(at(0), State.UNKNOWN),
            state_event(at(5), State.CONNECTING),  # the first connect is not an outage
            state_event(at(10), State.UP),
            state_event(at(20), State.PAUSED),  # 20 min paused: not in the denominator
            state_event(at(40), State.DEGRADED),  # degraded still works: counts as up
            state_event(at(50), State.DOWN),
        ]
    )
    assert log.flush()
    # Known: up 10 + degraded 10 + down 10 = 30 min, of which 20 up.
    uptime = log.uptime("db", dt.timedelta(minutes=60), now=at(60))
    assert uptime == pytest.approx(100 * 20 / 30)


def test_uptime_is_none_when_nothing_is_known(log: EventLog) -> None:
    log.submit([state_event(at(0), State.PAUSED), state_event(at(0), State.UP, pid="other")])
    assert log.flush()
    assert log.uptime("db", dt.timedelta(minutes=30), now=at(30)) is None
    assert log.uptime("nobody", dt.timedelta(minutes=30), now=at(30)) is None
    assert log.uptime("other", dt.timedelta(minutes=30), now=at(30)) == 100.0


def test_uptime_starts_counting_at_the_first_event_in_the_window(log: EventLog) -> None:
    log.submit([state_event(at(45), State.UP), state_event(at(55), State.DOWN)])
    assert log.flush()
    assert log.uptime("db", dt.timedelta(minutes=60), now=at(60)) == pytest.approx(100 * 10 / 15)


def test_time_this_computer_was_offline_is_not_the_targets_downtime(log: EventLog) -> None:
    """A drop caused by this computer's own network is shown apart, not as the target's."""
    log.submit(
        [
            state_event(at(-30), State.UP),
            condition_at(at(10), State.OFFLINE),
            state_event(at(10, 2), State.DOWN, cause=Cause.LOCAL_NETWORK),
            state_event(at(40), State.UP),
            state_event(at(50), State.DOWN, cause=Cause.CONNECT_TIMEOUT),  # the target's own
        ]
    )
    assert log.flush()
    [uptime] = log.uptimes(["db"], dt.timedelta(minutes=60), now=at(60)).values()
    # Known: 60 min less the 29 min 58 s offline; of that, down 10 min.
    known = 60 * 60 - (30 * 60 - 2)
    assert uptime.percent == pytest.approx(100 * (known - 600) / known)
    assert uptime.not_counted_s == pytest.approx(30 * 60 - 2)


def test_the_rows_uptime_counts_only_the_target_it_has_now(log: EventLog) -> None:
    """Given another host or port at minute 20 (the old target's last row, "target
    changed"), a connection up since on a target that never failed read 66.6 % in its row,
    the old target's drop counted: the row's uptime (``this_target``) starts at the change.
    The connection's history (the details, the report) still counts every target it had."""
    log.submit(
        [
            state_event(at(-30), State.UP),
            state_event(at(10), State.DOWN, cause=Cause.RESET),
            state_event(at(20), State.UNKNOWN, detail=TARGET_CHANGED),
            state_event(at(21), State.UP),
            state_event(at(-30), State.UP, pid="other"),
            state_event(at(10), State.DOWN, pid="other", cause=Cause.RESET),
            state_event(at(21), State.UP, pid="other"),  # no change of target: all counted
        ]
    )
    assert log.flush()
    window, now = dt.timedelta(minutes=60), at(60)
    row = log.uptimes(["db", "other"], window, now=now, this_target=True)
    assert row["db"].percent == 100.0 and row["db"].known_s == pytest.approx(39 * 60)
    assert row["other"].percent == pytest.approx(100 * 49 / 60)
    whole = log.uptimes(["db"], window, now=now)["db"]
    assert whole.percent == pytest.approx(100 * 49 / 59)


def test_time_asleep_is_not_counted_at_all(log: EventLog) -> None:
    """Asleep, nothing is known: not up (a frozen program saw nothing), not down."""
    log.submit(
        [
            state_event(at(-30), State.UP),
            condition_at(at(20), State.SLEEP),
            condition_at(at(50), State.WAKE),
            state_event(at(50, 1), State.DOWN, cause=Cause.HEARTBEAT_TIMEOUT),  # stale, on waking
            state_event(at(52), State.UP),
            state_event(at(10), State.UP, pid="other"),
            state_event(at(15), State.DOWN, pid="other", cause=Cause.REFUSED),  # slept down
        ]
    )
    assert log.flush()
    got = log.uptimes(["db", "other"], dt.timedelta(minutes=60), now=at(60))
    # db: up 0-20, 50-50:01 and 52-60, down 2 min less 1 s after waking, 30 min asleep left out.
    assert got["db"].percent == pytest.approx(100 * (28 * 60 + 1) / (30 * 60))  # +1 s: 50:00
    assert got["db"].not_counted_s == pytest.approx(30 * 60)
    # other: up 5 min, down 5 + 10 min after waking; its 30 min asleep were down, not counted.
    assert got["other"].percent == pytest.approx(100 * 5 / 20)
    assert got["other"].not_counted_s == pytest.approx(30 * 60)


def test_uptimes_of_many_profiles_come_from_one_query_and_match_each_alone(
    log: EventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = 'a "quoted", \u00e9t\u00e9 \U0001f600 id'  # ids pass as JSON: nothing to escape by hand
    log.submit(
        [
            state_event(at(-30), State.UP),
            state_event(at(30), State.DOWN, cause=Cause.REFUSED),
            state_event(at(45), State.UP, pid="other"),
            state_event(at(55), State.DOWN, pid="other"),
            state_event(at(10), State.PAUSED, pid=odd),
            state_event(at(20), State.DEGRADED, pid=odd),
        ]
    )
    assert log.flush()
    statements: list[str] = []
    real_connect = sqlite3.connect

    def counting(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        conn.set_trace_callback(statements.append)
        return conn

    monkeypatch.setattr(sqlite3, "connect", counting)
    ids = ["db", "other", odd, "nobody"]
    uptimes = log.uptimes(ids, dt.timedelta(minutes=60), now=at(60))
    together = {pid: u.percent for pid, u in uptimes.items()}
    queries = [q for q in statements if "FROM events" in q]
    assert len(queries) == 1, queries
    alone = {pid: log.uptime(pid, dt.timedelta(minutes=60), now=at(60)) for pid in ids}
    assert together == alone
    assert together["db"] == pytest.approx(100 * 30 / 60)
    assert together["other"] == pytest.approx(100 * 10 / 15)
    assert together[odd] == 100.0
    assert together["nobody"] is None


# -- retention -------------------------------------------------------------------------------


def test_prune_deletes_events_and_minutes_older_than_retention(db_path: Path) -> None:
    now = at(0) + dt.timedelta(days=10)
    with EventLog(db_path, retention_days=5, flush_interval_s=0.05) as log:
        old = [state_event(at(0), State.UP), sample(at(0, 1), 3.0)]
        new = [state_event(now - dt.timedelta(days=1), State.DOWN)]
        new += [sample(now - dt.timedelta(days=1), 4.0)]
        log.submit(old + new)
        assert log.flush()
        assert log.prune(now=now) == 2  # one event, one minute row
        assert log.events() == [new[0]]
        assert log.latency_per_minute("db", at(0), now) == [
            MinuteStat(
                (now - dt.timedelta(days=1)).replace(second=0),
                ok=1,
                fail=0,
                lat_min=4.0,
                lat_avg=4.0,
                lat_max=4.0,
            )
        ]
    assert EventLog(db_path, retention_days=5).prune(now=now) == 0  # also without a writer


def test_the_writer_prunes_when_it_starts(db_path: Path) -> None:
    ancient = dt.datetime.now(UTC) - dt.timedelta(days=400)
    with EventLog(db_path) as log:
        log.submit([state_event(ancient, State.UP), state_event(at(0), State.UNKNOWN)])
        assert log.flush()
        assert len(log.events()) == 2
    with EventLog(db_path) as log:
        log.submit([state_event(at(1), State.UP)])
        assert log.flush()  # the first prune runs before the first batch
        assert [e.ts for e in log.events()] == [at(0), at(1)]


# -- the writer thread -----------------------------------------------------------------------


def test_a_state_event_is_committed_at_once(db_path: Path) -> None:
    with EventLog(db_path, flush_interval_s=3600) as log:
        log.submit([sample(at(0), 1.0), state_event(at(0, 1), State.DOWN)])
        wait_until(lambda: len(log.events()) == 1)
        assert [s.ok for s in log.latency_per_minute("db", at(0))] == [1]


def test_samples_are_committed_within_the_flush_interval(db_path: Path) -> None:
    with EventLog(db_path, flush_interval_s=0.05) as log:
        log.submit([sample(at(0), 1.0)])
        wait_until(lambda: bool(log.latency_per_minute("db", at(0))))


def test_close_writes_what_is_queued_and_is_idempotent(db_path: Path) -> None:
    log = EventLog(db_path, flush_interval_s=3600).start()
    log.submit([sample(at(0, s), float(s)) for s in range(50)])
    log.close()
    log.close()
    assert [s.ok for s in EventLog(db_path).latency_per_minute("db", at(0))] == [50]
    with pytest.raises(RuntimeError, match="closed"):
        log.submit([sample(at(1), 1.0)])
    assert log.flush()  # nothing left unwritten


def test_submit_before_start_is_an_error(db_path: Path) -> None:
    with pytest.raises(RuntimeError, match="new, not running"):
        EventLog(db_path).submit([sample(at(0), 1.0)])


def test_flush_times_out_while_the_database_is_locked_then_succeeds(
    log: EventLog, db_path: Path
) -> None:
    blocker = sqlite3.connect(db_path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        log.submit([state_event(at(0), State.UP)])
        assert log.flush(timeout=0.2) is False
        blocker.execute("COMMIT")
        assert log.flush(timeout=5)
    finally:
        blocker.close()
    assert len(log.events()) == 1


def test_readers_run_while_the_writer_writes(log: EventLog) -> None:
    errors: list[BaseException] = []
    seen: list[list[int]] = [[] for _ in range(3)]  # what each reader saw, in its order
    done = threading.Event()

    def read(counts: list[int]) -> None:
        try:
            while not done.is_set():
                counts.append(len(log.events(profile="db")))
                log.latency_per_minute("db", at(0), at(60))
                log.uptime("db", dt.timedelta(hours=1), now=at(60))
        except BaseException as exc:
            errors.append(exc)

    readers = [threading.Thread(target=read, args=(counts,)) for counts in seen]
    for thread in readers:
        thread.start()
    try:
        for i in range(200):
            log.submit([sample(at(i % 60, s), float(s)) for s in range(20)])
            log.submit([state_event(at(i % 60, 30), State.UP if i % 2 else State.DOWN)])
        assert log.flush(timeout=10)
        wait_until(lambda: all(counts and counts[-1] == 200 for counts in seen))
    finally:
        done.set()
        for thread in readers:
            thread.join()
    assert errors == []
    for counts in seen:
        assert counts == sorted(counts)  # each reader sees a consistent, growing log
    assert sum(s.ok for s in log.latency_per_minute("db", at(0), at(60))) == 4000


# -- files that are not ours -----------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(db_path: Path) -> None:
    db_path.parent.mkdir()
    garbage = b"this is my thesis, not a database\n" * 200
    db_path.write_bytes(garbage)
    log = EventLog(db_path)
    with pytest.raises(EventLogError) as caught:
        log.start()
    message = str(caught.value)
    assert message.startswith(f"{db_path}: cannot be used as the event log")
    assert "\n" not in message
    with pytest.raises(EventLogError, match="cannot be read"):
        log.events()
    log.close()
    assert db_path.read_bytes() == garbage
    assert sorted(p.name for p in db_path.parent.iterdir()) == ["events.sqlite3"]


def test_a_newer_schema_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(EventLogError, match=r"schema version 99 is newer .* \(at most 4\)"):
        EventLog(db_path).start()
    with pytest.raises(EventLogError, match="schema version 99"):
        EventLog(db_path).events()
    assert db_path.read_bytes() == before


def test_a_newer_schema_names_the_copy_of_the_log_as_this_version_left_it(
    db_path: Path,
) -> None:
    """A newer version brought the shared log to its schema, keeping a copy of it as it was
    (``events.sqlite3.schema-4.bak``, as this version keeps one of an older log's): this
    version said only "upgrade TCP Monitor", of a history it could still read there."""
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    kept = db_path.with_name(f"events.sqlite3.schema-{SCHEMA_VERSION}.bak")
    kept.write_bytes(b"")
    with pytest.raises(EventLogError) as caught:
        EventLog(db_path).events()
    assert str(caught.value).endswith(
        f"; upgrade TCP Monitor (the log as it was before is kept as {kept.name})"
    ), caught.value


def test_another_programs_database_is_refused(db_path: Path) -> None:
    db_path.parent.mkdir()
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE notes (text)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(EventLogError, match="holds another program's tables"):
        EventLog(db_path).start()
    assert db_path.read_bytes() == before


def test_a_failed_write_is_retried_and_reported_meanwhile(
    log: EventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tcpmonitor_gui.core import eventwriter

    real = eventwriter.write_batch
    failures = iter([sqlite3.OperationalError("disk I/O error")])
    attempts = threading.Semaphore(0)

    def flaky(conn: sqlite3.Connection, batch: list[Event]) -> None:
        attempts.release()
        error = next(failures, None)
        if error is not None:
            raise error
        real(conn, batch)

    monkeypatch.setattr(eventwriter, "write_batch", flaky)
    log.submit([state_event(at(0), State.DOWN)])
    assert attempts.acquire(timeout=5)
    assert log.flush(timeout=5)
    assert log.health().error is None
    assert [e.state for e in log.events()] == [State.DOWN]


def test_write_failures_and_recovery_are_told_to_watchers(
    log: EventLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tcpmonitor_gui.core import eventlog, eventwriter

    real = eventwriter.write_batch
    broken = threading.Event()
    broken.set()
    told: list[eventlog.EventLogHealth] = []
    changed = threading.Semaphore(0)

    def watcher(health: eventlog.EventLogHealth) -> None:
        told.append(health)
        changed.release()

    def full_disk(conn: sqlite3.Connection, batch: list[Event]) -> None:
        if broken.is_set():
            raise sqlite3.OperationalError("database or disk is full")
        real(conn, batch)

    log.watch_health(watcher)
    monkeypatch.setattr(eventwriter, "write_batch", full_disk)
    log.submit([state_event(at(0), State.DOWN)])
    assert changed.acquire(timeout=5)
    assert told[-1].error is not None and "disk is full" in told[-1].error
    assert str(log.path) in told[-1].error
    assert not log.flush(timeout=0.5)  # kept, not lost: it waits for the disk
    broken.clear()
    assert log.flush(timeout=5)
    assert changed.acquire(timeout=5)
    assert told[-1].error is None and told[-1].ok
    assert [e.state for e in log.events()] == [State.DOWN]


def test_dropped_samples_are_told_once_while_they_go_on(db_path: Path) -> None:
    with EventLog(db_path, flush_interval_s=3600, max_pending=5) as log:
        told: list[int] = []
        log.watch_health(lambda health: told.append(health.dropped_samples))
        for second in range(20):  # the writer waits an hour: the queue fills, then drops
            log.submit([sample(at(0, second), 1.0)])
        assert told == [1]  # the first drop is news; the next ones within 10 s are not
        assert log.health().dropped_samples == 15


def test_a_directory_in_place_of_the_file_is_refused(db_path: Path) -> None:
    db_path.mkdir(parents=True)
    with pytest.raises(EventLogError, match=f"^{re.escape(str(db_path))}: is a directory"):
        EventLog(db_path).start()


@pytest.mark.parametrize("name", ["events.sqlite3", "events.sqlite3-wal"])
def test_a_fifo_in_place_of_the_log_is_named_and_nothing_waits_on_it(
    db_path: Path, name: str
) -> None:
    """Reading opened it and waited for a writer for ever (``tcpmonitor events`` hung);
    writing said only "disk I/O error"."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if name != db_path.name:
        EventLog(db_path).start().close()  # a real log, with a FIFO where its WAL goes
    fifo = db_path.with_name(name)
    os.mkfifo(fifo)
    answers: list[str] = []

    def attempt(action: Callable[[], object]) -> None:
        try:
            action()
        except EventLogError as exc:
            answers.append(str(exc))

    reader = threading.Thread(target=attempt, args=(EventLog(db_path).events,), daemon=True)
    writer = threading.Thread(target=attempt, args=(EventLog(db_path).start,), daemon=True)
    for thread in (reader, writer):
        thread.start()
        thread.join(10)
        assert not thread.is_alive(), "waits on the FIFO"
    expected = f"{fifo}: is a named pipe (FIFO), not a file; the event log was not opened"
    assert answers == [expected, expected]


def test_a_flapping_peer_on_a_full_disk_cannot_fill_memory(small_disk: Path) -> None:
    """State events are never dropped, so while the disk was full (the log retries every
    5 s) a peer that flaps hundreds of times a second piled them up without bound (about
    1 GB an hour). Past twice ``max_pending`` waiting, each connection's waiting changes are
    folded to its first and its latest (the latest's ``previous`` the first's state, so the
    outage they tell stays one), counted as lost and said; the disk back, they are stored."""
    from tests.helpers import fill

    with EventLog(small_disk / "events.sqlite3", max_pending=50) as log:
        log.submit([state_event(at(0), State.UP, pid=p) for p in ("a", "b")])
        assert log.flush()
        filler = fill(small_disk)
        flips = [State.DOWN, State.UP] * 500 + [State.DOWN]
        for i, state in enumerate(flips):  # 1,001 changes each, one call at a time
            for pid in ("a", "b"):
                previous = State.UP if state is State.DOWN else State.DOWN
                log.submit([state_event(at(1, i / 10), state, pid=pid, previous=previous)])
        with log._cond:
            waiting = len(log._pending)
        assert waiting <= 2 * 50 + 2, waiting
        assert log.health().lost > 1900
        filler.unlink()
        assert log.flush(timeout=15)
        for pid in ("a", "b"):
            stored = [(e.previous, e.state) for e in log.events(profile=pid)]
            first, last = stored[1], stored[-1]
            assert first == (State.UP, State.DOWN) and last[1] is State.DOWN, stored
            assert all(a[1] == b[0] for a, b in itertools.pairwise(stored[1:])), stored
            assert len(stored) <= 2 + 2 * 50, len(stored)


def test_on_a_full_disk_waiting_for_a_change_to_be_stored_ends_at_once(small_disk: Path) -> None:
    """``run --json`` prints a state change once the log holds it, "unless the log reports
    that it cannot write" (cli/output.py); it waited its 5 s all the same, for every batch:
    while the disk was full each drop came out on stdout 5 s late or more."""
    from tests.helpers import fill

    with EventLog(small_disk / "events.sqlite3") as log:
        log.submit([state_event(at(0), State.UP)])
        assert log.flush()
        filler = fill(small_disk)
        failing = threading.Event()
        log.watch_health(lambda health: failing.set() if health.error else None)
        log.submit([state_event(at(1), State.DOWN)])
        assert failing.wait(10)
        ticket = log.submit([state_event(at(2), State.UP)])
        started = time.monotonic()
        assert not log.committed(ticket, 600)  # not stored, and said so: no wait for it
        assert time.monotonic() - started < 10  # (600 s before)
        filler.unlink()
        assert log.flush(timeout=15)
        assert log.committed(ticket, 1)
        assert [e.state for e in log.events()] == [State.UP, State.DOWN, State.UP]
