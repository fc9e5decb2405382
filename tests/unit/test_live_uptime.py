"""Live uptime: the stored answer plus the spans since, by the same rules as the event log's
query: checked against that query on the same history."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.live_uptime import LiveUptime

UTC = dt.UTC
T0 = dt.datetime.now(UTC).replace(microsecond=0) - dt.timedelta(hours=6)
STATES = [State.UP, State.DEGRADED, State.DOWN, State.CONNECTING, State.UNKNOWN, State.PAUSED]


def change(
    seconds: float, state: State, cause: Cause | None = None, planned: bool = False
) -> Event:
    return Event(ts=T0 + dt.timedelta(seconds=seconds), profile_id="db", profile_name="DB",
                 kind=Kind.STATE, state=state, previous=None, cause=cause, detector="probe",
                 latency_ms=None, maintenance=planned)  # fmt: skip


def test_a_drop_counts_from_its_first_second() -> None:
    live = LiveUptime()
    live.change(State.UP, 0.0)
    assert live.at(86_400.0).percent == 100.0
    live.change(State.DOWN, 86_400.0, cause=Cause.REFUSED)
    down_14s = live.at(86_414.0)
    assert down_14s.percent is not None and down_14s.percent < 100.0
    assert down_14s.known_s == pytest.approx(86_414.0)


def test_a_connection_that_never_worked_is_zero_not_unknown_or_perfect() -> None:
    live = LiveUptime()
    assert live.at(10.0).percent is None  # nothing known yet: nothing shown
    live.change(State.CONNECTING, 0.0)
    assert live.at(10.0).percent is None  # still trying: not counted
    live.change(State.DOWN, 10.0, cause=Cause.REFUSED)
    assert live.at(12.0).percent == 0.0


def test_this_computers_network_and_maintenance_are_apart() -> None:
    live = LiveUptime()
    live.change(State.UP, 0.0)
    live.change(State.DOWN, 100.0, cause=Cause.LOCAL_NETWORK)
    live.change(State.DOWN, 160.0, cause=Cause.REFUSED, planned=True)
    live.change(State.UP, 400.0)
    now = live.at(500.0)
    assert now.percent == 100.0
    assert now.not_counted_s == pytest.approx(60.0) and now.maintenance_s == pytest.approx(240.0)


def test_an_answer_that_could_not_be_read_changes_nothing() -> None:
    live = LiveUptime()
    live.change(State.DOWN, 0.0, cause=Cause.RESET)
    live.rebase(live.base)  # at None: the log did not answer
    assert live.at(30.0).known_s == pytest.approx(30.0)


@pytest.mark.parametrize("seed", range(12))
def test_live_matches_the_logs_own_answer_later(tmp_path: Path, seed: int) -> None:
    """History in the log up to a moment, asked then; the changes after it fed live (some of
    them before the answer arrives, as happens); at the end, live and the log agree."""
    rng = random.Random(seed)
    events, t = [], 0.0
    for _ in range(40):
        state = rng.choice(STATES)
        cause = rng.choice([Cause.REFUSED, Cause.LOCAL_NETWORK]) if state is State.DOWN else None
        events.append(change(t, state, cause, planned=state is State.DOWN and rng.random() < 0.3))
        t += rng.uniform(1, 600)
    end = T0.timestamp() + t
    asked = rng.uniform(events[10].ts.timestamp(), end)  # the moment the answer holds for
    log = EventLog(tmp_path / "events.sqlite3").start()
    try:
        log.submit(events)
        assert log.flush()
        start = T0.timestamp() - 10  # a window that starts before all of it

        def answer(now: float) -> dict:
            moment = dt.datetime.fromtimestamp(now, UTC)
            return log.uptimes(["db"], dt.timedelta(seconds=now - start), moment)["db"]

        live = LiveUptime()
        late = rng.randrange(0, 3)  # changes the model had before the answer came
        for e in events:
            if e.ts.timestamp() <= asked + late * 200:
                live.change(e.state, e.ts.timestamp(), cause=e.cause, planned=e.maintenance)
        live.rebase(answer(asked))
        for e in events:
            if e.ts.timestamp() > asked + late * 200:
                live.change(e.state, e.ts.timestamp(), cause=e.cause, planned=e.maintenance)
        ours, theirs = live.at(end), answer(end)
    finally:
        log.close()
    assert ours.known_s == pytest.approx(theirs.known_s, abs=1e-3)
    assert ours.up_s == pytest.approx(theirs.up_s, abs=1e-3)
    assert ours.not_counted_s == pytest.approx(theirs.not_counted_s, abs=1e-3)
    assert ours.maintenance_s == pytest.approx(theirs.maintenance_s, abs=1e-3)
