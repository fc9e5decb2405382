"""Maintenance windows: written as people say them, checked, open when they should be; a drop
inside one is recorded as expected, and told once the window has closed if it lasts."""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core import maintenance
from tcpmonitor_gui.core.eventdb import create_v1, open_for_writing
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.eventqueries import Uptime
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.validate import FieldError
from tests.helpers import Collector, make_profile

UTC = dt.UTC


def when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("window", "now", "closes"),
    [
        # 2026-12-06 is a Sunday; Berlin is UTC+1 in winter.
        ("Sun 02:00-04:00 Europe/Berlin", "2026-12-06T01:30Z", "2026-12-06T03:00Z"),
        ("Sun 02:00-04:00 Europe/Berlin", "2026-12-06T03:00Z", None),  # closed at 04:00
        ("Sun 02:00-04:00 Europe/Berlin", "2026-12-06T00:59Z", None),  # not yet
        ("Sun 02:00-04:00 Europe/Berlin", "2026-12-13T02:59Z", "2026-12-13T03:00Z"),
        ("Sat,Sun 23:00-01:00 UTC", "2026-12-07T00:30Z", "2026-12-07T01:00Z"),  # from Sunday
        ("Sat 23:00-01:00 UTC", "2026-12-07T00:30Z", None),  # Sunday night is not Saturday's
        ("Mon-Fri 12:00-12:30 UTC", "2026-12-04T12:10Z", "2026-12-04T12:30Z"),  # a Friday
        ("Mon-Fri 12:00-12:30 UTC", "2026-12-05T12:10Z", None),  # a Saturday
        ("Fri-Mon 00:00-24:00 UTC", "2026-12-07T23:59Z", "2026-12-08T00:00Z"),  # wraps the week
        ("daily 03:00-03:15 Asia/Shanghai", "2026-12-02T19:05Z", "2026-12-02T19:15Z"),
        ("2026-12-24 18:00 - 2026-12-27 08:00 UTC", "2026-12-25T12:00Z", "2026-12-27T08:00Z"),
        ("2026-12-24 22:00-01:00 UTC", "2026-12-25T00:59Z", "2026-12-25T01:00Z"),
        ("2026-12-24 22:00-01:00 UTC", "2026-12-25T01:00Z", None),
        # The spring change in Berlin (29 March 2026, 02:00 -> 03:00): 04:00 is by the wall.
        ("Sun 01:00-04:00 Europe/Berlin", "2026-03-29T01:30Z", "2026-03-29T02:00Z"),
        # A time the clocks skip is passed when they skip it (01:00 UTC there): a window in
        # the skipped hour does not open that night; one that ends in it ends at the skip.
        # Taken with the offset before the skip, they were open at 03:30-03:45 and until 03:30.
        ("Sun 02:00-03:00 Europe/Berlin", "2026-03-29T01:00Z", None),
        ("Sun 02:30-02:45 Europe/Berlin", "2026-03-29T01:35Z", None),
        ("Sun 01:30-02:30 Europe/Berlin", "2026-03-29T00:45Z", "2026-03-29T01:00Z"),
        ("Sun 01:30-02:30 Europe/Berlin", "2026-03-29T01:15Z", None),
        ("Sat 23:00-02:30 Europe/Berlin", "2026-03-29T01:15Z", None),
        # Lord Howe skips half an hour (4 October 2026, 02:00 -> 02:30, at +10:30).
        ("Sun 01:45-02:15 Australia/Lord_Howe", "2026-10-03T15:20Z", "2026-10-03T15:30Z"),
        ("Sun 01:45-02:15 Australia/Lord_Howe", "2026-10-03T15:35Z", None),
        # The hour passed twice (25 October 2026): a window in it opens the first time.
        ("Sun 02:30-02:45 Europe/Berlin", "2026-10-25T00:35Z", "2026-10-25T00:45Z"),
        ("Sun 02:30-02:45 Europe/Berlin", "2026-10-25T01:35Z", None),
        ("Sun 02:00-03:00 Europe/Berlin", "2026-10-25T01:35Z", "2026-10-25T02:00Z"),
    ],
)
def test_windows_open_and_close_by_the_wall_clock_of_their_zone(
    window: str, now: str, closes: str | None
) -> None:
    got = maintenance.open_until([window], when(now))
    assert got == (None if closes is None else when(closes))


def test_a_window_in_local_time_skipped_by_the_clocks_does_not_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """This computer's own zone: the skipped 02:30 was taken as 01:30 (the C library's
    reading), the window open an hour before the time written."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        for now in ("2026-03-29T00:35Z", "2026-03-29T01:05Z", "2026-03-29T01:35Z"):
            assert maintenance.open_until(["Sun 02:30-02:45"], when(now)) is None
        got = maintenance.open_until(["Sun 01:30-02:30"], when("2026-03-29T00:45Z"))
        assert got == when("2026-03-29T01:00Z")
    finally:
        monkeypatch.undo()
        time.tzset()


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Sun 02:00-02:00", "is no time at all"),
        ("Funday 01:00-02:00", "'funday', which is not a day"),
        ("Sun 25:00-26:00", "25:00, which is not a time of day"),
        ("Sun 02:00-04:00 Mars/Olympus", "'Mars/Olympus', which is not a time zone"),
        ("Sun 02:00-04:00 Europe", "'Europe', which is not a time zone"),
        ("Sun 02:00-04:00 ../../etc/passwd", "is not a maintenance window"),
        ("2026-02-30 01:00-02:00", "a date that does not exist"),
        ("2026-12-24 18:00 - 2026-12-20 08:00", "ends before it begins"),
        ("2026-12-24 18:00 - 2026-12-24 18:00", "is no time at all"),
        ("2026-01-01 00:00 - 2028-01-01 00:00", "longer than 366 days"),
        ("x" * 5000, "is not a maintenance window"),
        ("", "is not a maintenance window"),
        ("Sun\u00a002:00-04:00\u202e", "is not a maintenance window"),
    ],
)
def test_a_bad_window_is_refused_naming_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(FieldError, match="maintenance") as caught:
        maintenance.parse(text)
    assert problem in str(caught.value)
    assert len(str(caught.value)) < 300  # a huge value is cut, not echoed


def test_a_profile_file_holds_a_list_of_windows_checked_one_by_one() -> None:
    data = {"name": "db", "host": "127.0.0.1", "port": 5432}
    p = Profile.from_dict({**data, "maintenance": ["  Sun   02:00-04:00  UTC "]})
    assert p.maintenance == ("Sun 02:00-04:00 UTC",)
    assert p.to_dict()["maintenance"] == ["Sun 02:00-04:00 UTC"]
    for bad, field in (
        ("Sun 02:00-04:00", "maintenance: "),
        ([["x"]], r"maintenance\[0\]"),
        (["ok 1"], r"maintenance\[0\]"),
        (["Sun 02:00-04:00"] * 21, "more than 20"),
        ({"from": "x"}, "maintenance: "),
    ):
        with pytest.raises(FieldError, match=field):
            Profile.from_dict({**data, "maintenance": bad})


@pytest.fixture
def refusing() -> Iterator[socket.socket]:
    """A loopback port that refuses now (bound, not listening) and answers once told to."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock


def window_around_now() -> str:
    now = dt.datetime.now(UTC)
    begin, end = now - dt.timedelta(minutes=2), now + dt.timedelta(hours=1)
    return f"{begin:%Y-%m-%d %H:%M} - {end:%Y-%m-%d %H:%M} UTC"


async def down_in_a_window(
    monitors: MonitorSet, collector: Collector, refusing: socket.socket
) -> tuple[Profile, float, Event]:
    """A probe of the refusing port, in a window open now, gone down."""
    host, port = refusing.getsockname()
    profile = dataclasses.replace(
        make_profile(host, port, "probe", interval_s=0.2, timeout_s=1, fail_after=1),
        maintenance=(window_around_now(),),
    )
    monitors.add(profile, stagger=False)
    down_at, down = await collector.wait_state(State.DOWN, timeout=5)
    return profile, down_at, down


async def test_a_drop_in_a_window_is_expected_and_told_when_it_outlasts_it(
    monitors: MonitorSet, collector: Collector, refusing: socket.socket
) -> None:
    """Real refusals on loopback: the drop inside the window carries ``maintenance``; when
    the window is gone (removed here: the same path as its end) and the target is still
    down, the engine says so again, as an outage of its own; then it recovers."""
    profile, down_at, down = await down_in_a_window(monitors, collector, refusing)
    assert down.maintenance and down.cause is Cause.REFUSED
    assert not any(e.maintenance for _, e in collector.events if e.kind is Kind.SAMPLE)

    await monitors.update(dataclasses.replace(profile, maintenance=()))  # in place
    _, still = await collector.wait_for(
        lambda e: e.kind is Kind.STATE and e.previous is State.DOWN, timeout=5, after=down_at
    )
    assert still.state is State.DOWN and not still.maintenance
    assert still.cause is Cause.REFUSED
    assert still.detail == "still down after its maintenance window"

    refusing.listen()
    _, up = await collector.wait_state(State.UP, timeout=5, after=down_at)
    assert not up.maintenance


async def test_a_drop_in_a_window_edited_while_down_is_still_told_when_it_outlasts_it(
    monitors: MonitorSet, collector: Collector, refusing: socket.socket
) -> None:
    """An edit that restarts the checks while the drop goes on (``MonitorSet.update``) keeps
    the watch on the window's end: a target still down then is told."""
    profile, down_at, _ = await down_in_a_window(monitors, collector, refusing)
    slower = dataclasses.replace(
        profile, detector=dataclasses.replace(profile.detector, interval_s=0.3)
    )
    assert await monitors.update(slower) is not None  # restarted: how it is checked changed
    await monitors.update(dataclasses.replace(slower, maintenance=()))  # in place
    _, still = await collector.wait_for(
        lambda e: e.kind is Kind.STATE and e.previous is State.DOWN, timeout=5, after=down_at
    )
    assert still.state is State.DOWN and not still.maintenance
    assert still.detail == "still down after its maintenance window"


async def test_a_recovery_inside_the_window_says_nothing_more(
    monitors: MonitorSet, collector: Collector, refusing: socket.socket
) -> None:
    profile, down_at, _ = await down_in_a_window(monitors, collector, refusing)
    refusing.listen()
    _, up = await collector.wait_state(State.UP, timeout=5, after=down_at)
    assert up.maintenance
    await monitors.update(dataclasses.replace(profile, maintenance=()))
    assert [e.state for e in collector.states()].count(State.DOWN) == 1


def event(ts: dt.datetime, state: State, **extra: object) -> Event:
    return Event(
        ts=ts,
        profile_id="db",
        profile_name="db",
        kind=Kind.STATE,
        state=state,
        previous=None,
        cause=Cause.REFUSED if state is State.DOWN else None,
        detector="probe",
        latency_ms=None,
        **extra,  # type: ignore[arg-type]
    )


T0 = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=2)


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


def stored_hour(tmp_path: Path, events: list[Event]) -> tuple[Uptime, list[Event]]:
    """``events`` written to an event log; the uptime of the hour from ``T0``, and the
    events as read back."""
    log = EventLog(tmp_path / "events.sqlite3")
    log.start()
    try:
        log.submit(events)
        assert log.flush()
        got = log.uptimes(["db"], dt.timedelta(minutes=60), now=minutes(60))
        return got["db"], log.events()
    finally:
        log.close()


def test_downtime_that_began_in_a_window_is_shown_apart_from_the_uptime(tmp_path: Path) -> None:
    uptime, stored = stored_hour(
        tmp_path,
        [
            event(minutes(0), State.UP),
            event(minutes(10), State.DOWN, maintenance=True),
            event(minutes(40), State.UP, maintenance=True),
            event(minutes(50), State.DOWN),  # the target's own
        ],
    )
    # Known: 60 min less the 30 min of planned downtime; of that, down 10 min.
    assert uptime.percent == pytest.approx(100 * 20 / 30)
    assert uptime.maintenance_s == pytest.approx(30 * 60)
    assert uptime.not_counted_s == 0
    assert [e.maintenance for e in stored] == [False, True, True, False]


def test_what_an_action_did_is_no_change_of_state(tmp_path: Path) -> None:
    """An action's row (with the state of the change it ran for) written after the next
    change must not bring that state back for the uptime."""
    late = dataclasses.replace(event(minutes(32), State.DOWN), kind=Kind.ACTION)
    uptime, stored = stored_hour(
        tmp_path,
        [event(minutes(0), State.UP), event(minutes(30), State.DOWN),
         event(minutes(31), State.UP), late],  # a slow command for the drop, after the return
    )  # fmt: skip
    assert uptime.percent == pytest.approx(100 * 59 / 60)
    assert [e.kind for e in stored] == [Kind.STATE, Kind.STATE, Kind.STATE, Kind.ACTION]


def test_an_event_log_of_version_1_is_brought_up_to_date_keeping_its_rows(
    tmp_path: Path,
) -> None:
    path = tmp_path / "events.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    create_v1(conn)
    conn.execute(
        "INSERT INTO events (ts, profile_id, profile_name, state, detector) VALUES (1, 'db',"
        " 'db', 'down', 'probe')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.close()
    open_for_writing(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
        assert conn.execute("SELECT state, maintenance FROM events").fetchall() == [("down", 0)]
    finally:
        conn.close()
