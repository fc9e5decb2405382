"""What the event log last knew of each profile, for a restart that forgets nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.eventqueries import read
from tcpmonitor_gui.core.events import TARGET_CHANGED, Cause, Event, Kind, State
from tcpmonitor_gui.core.last_seen import LOOK_BACK, last_seen

UTC = dt.UTC
NOW = dt.datetime.now(UTC).replace(second=0, microsecond=0)  # whole minutes below
T0 = NOW - dt.timedelta(hours=3)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def ev(minutes: float, pid: str, state: State, **extra: Any) -> Event:
    kind = extra.pop("kind", Kind.STATE)
    return Event(ts=at(minutes), profile_id=pid, profile_name=pid, kind=kind, state=state,
                 previous=None, cause=extra.pop("cause", None), detector="probe",
                 latency_ms=extra.pop("latency_ms", None), **extra)  # fmt: skip


def restart(minutes: float, pid: str, found: State, **extra: Any) -> list[Event]:
    """What a quit and a start write: stopped, connecting, and the state found."""
    return [ev(minutes, pid, State.UNKNOWN, detail="monitoring stopped"),
            ev(minutes + 1, pid, State.CONNECTING),
            ev(minutes + 2, pid, found, **extra)]  # fmt: skip


def test_state_since_cause_and_latency_come_back(tmp_path: Path) -> None:
    history = [
        ev(0, "a", State.UP),  # up across two restarts: since minute 0
        *restart(10, "a", State.UP),
        *restart(20, "a", State.UP),
        ev(0, "b", State.UP),
        ev(5, "b", State.DOWN, cause=Cause.REFUSED),  # down across a restart: since 5
        *restart(30, "b", State.DOWN, cause=Cause.REFUSED),
        ev(0, "c", State.DOWN, cause=Cause.RESET),
        ev(9, "c", State.UP),  # up since 9; its last drop was a reset
        *restart(15, "c", State.DOWN, cause=Cause.REFUSED),  # found otherwise: since then
        ev(0, "d", State.DOWN, cause=Cause.RESET, kind=Kind.ACTION),  # not a change
        ev(170, "e", State.UP, kind=Kind.SAMPLE, latency_ms=4.0),  # three minutes of samples
        ev(170.5, "e", State.UP, kind=Kind.SAMPLE, latency_ms=6.0),
        ev(171, "e", State.DOWN, kind=Kind.SAMPLE, cause=Cause.REFUSED),
        ev(172, "e", State.UP, kind=Kind.SAMPLE, latency_ms=2.0),
        ev(60, "e", State.UP, kind=Kind.SAMPLE, latency_ms=99.0),  # two hours ago: not it
    ]
    path = tmp_path / "events.sqlite3"
    with EventLog(path) as log:
        log.submit(history)
        assert log.flush()
    seen = read(path, lambda conn: last_seen(conn, list("abcdex"), NOW), {})
    assert set(seen) == set("abce")  # d had only an action, x nothing at all
    a, b, c, e = seen["a"], seen["b"], seen["c"], seen["e"]
    assert (a.state, a.since, a.cause) == (State.UP, at(0), None)
    assert (b.state, b.since, b.cause) == (State.DOWN, at(5), Cause.REFUSED)
    assert (c.state, c.since, c.cause) == (State.DOWN, at(17), Cause.REFUSED)
    assert (e.state, e.latencies) == (None, (5.0, None, 2.0))


def test_a_long_history_is_looked_at_only_so_far_back(tmp_path: Path) -> None:
    history = [ev(0, "a", State.UP)]
    for n in range(LOOK_BACK):
        history += restart(1 + 3 * n, "a", State.UP)
    path = tmp_path / "events.sqlite3"
    with EventLog(path) as log:
        log.submit(history)
        assert log.flush()
    seen = read(path, lambda conn: last_seen(conn, ["a"], NOW), {})["a"]
    assert seen.state is State.UP and at(0) < seen.since < at(3 * LOOK_BACK)


def test_no_log_no_answer(tmp_path: Path) -> None:
    assert read(tmp_path / "none.sqlite3", lambda conn: last_seen(conn, ["a"], NOW), {}) == {}


def test_a_minute_of_checks_that_timed_nothing_is_no_failure(tmp_path: Path) -> None:
    """A watch times its handshake only: its other minutes have checks that passed with no
    latency. They came back as failed minutes, and after a restart the sparkline of a watch
    that never failed was red ticks (and its tooltip counted them as failed checks)."""
    history = [
        ev(170, "w", State.UP, kind=Kind.SAMPLE, latency_ms=0.03),  # the handshake
        ev(170.5, "w", State.UP, kind=Kind.SAMPLE),
        ev(171, "w", State.UP, kind=Kind.SAMPLE),  # a minute of good checks, untimed
        ev(172, "w", State.DOWN, kind=Kind.SAMPLE, cause=Cause.RESET),  # a failed one
        ev(173, "w", State.UP, kind=Kind.SAMPLE, latency_ms=0.05),  # the next handshake
    ]
    path = tmp_path / "events.sqlite3"
    with EventLog(path) as log:
        log.submit(history)
        assert log.flush()
    seen = read(path, lambda conn: last_seen(conn, ["w"], NOW), {})["w"]
    assert seen.latencies == (0.03, None, 0.05)


def test_what_an_old_target_was_is_not_what_the_new_one_has_been(tmp_path: Path) -> None:
    """A connection given another host or port (its old target's state ended "target
    changed"), then the program restarted: the table said the new target was up since the
    old one came up, and named the old one's last drop (a reset) as its last cause."""
    moved = ev(6, "m", State.UNKNOWN, detail=TARGET_CHANGED)
    history = [
        ev(0, "m", State.UP),
        ev(5, "m", State.DOWN, cause=Cause.RESET),
        moved,
        ev(7, "m", State.UP),
        *restart(20, "m", State.UP),
        ev(0, "n", State.UP),
        dataclasses.replace(moved, profile_id="n", profile_name="n"),
        ev(7, "n", State.UP),
    ]
    path = tmp_path / "events.sqlite3"
    with EventLog(path) as log:
        log.submit(history)
        assert log.flush()
    seen = read(path, lambda conn: last_seen(conn, ["m", "n"], NOW), {})
    m, n = seen["m"], seen["n"]
    assert (m.state, m.since, m.cause) == (State.UP, at(7), None)
    assert (n.state, n.since, n.cause) == (State.UP, at(7), None)


def test_the_sparkline_of_a_new_target_starts_at_the_change(tmp_path: Path) -> None:
    """Restarted after its target was changed: the row's sparkline drew the old target's
    last hour of latencies and failed checks before the new target's."""
    history = [
        ev(170, "m", State.UP, kind=Kind.SAMPLE, latency_ms=90.0),  # the old target's
        ev(171, "m", State.DOWN, kind=Kind.SAMPLE, cause=Cause.RESET),
        ev(172, "m", State.UP, kind=Kind.SAMPLE, latency_ms=80.0),  # its minute is both's
        ev(172.5, "m", State.UNKNOWN, detail=TARGET_CHANGED),
        ev(172.8, "m", State.UP, kind=Kind.SAMPLE, latency_ms=3.0),
        ev(174, "m", State.UP, kind=Kind.SAMPLE, latency_ms=2.0),
        ev(170, "n", State.UP, kind=Kind.SAMPLE, latency_ms=5.0),  # not moved: all of it
        ev(174, "n", State.UP, kind=Kind.SAMPLE, latency_ms=4.0),
    ]
    path = tmp_path / "events.sqlite3"
    with EventLog(path) as log:
        log.submit(history)
        assert log.flush()
    seen = read(path, lambda conn: last_seen(conn, ["m", "n"], NOW), {})
    assert seen["m"].latencies == (2.0,)
    assert seen["n"].latencies == (5.0, 4.0)
