"""The wall clock set while monitoring runs (NTP stepping it, a VM restored from a snapshot,
someone typing ``date -s``): the history stays true.

The wall clock is what people read; the time between two state changes is what a clock that
nobody sets (Linux's ``CLOCK_BOOTTIME``, sleep included) measured. Both are injected here:
``state.utc_now`` (what the monitor reads as the wall clock) and ``state._elapsed``; the
events go into a real event log and come out as outages and uptime.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.core.state import StateMachine
from tests.helpers import Clocks, make_profile

OK = Sample(True, latency_ms=10.0)
REFUSED = Sample.failure(Cause.REFUSED, "connection refused", "127.0.0.1:1")
T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=3)


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    return Clocks(T0, 1000.0).install(monkeypatch)


def _stored(tmp_path: Path, events: list[Event]) -> EventLog:
    log = EventLog(tmp_path / "events.sqlite3")
    log.start()
    log.submit(events)
    assert log.flush()
    return log


def _history(clocks: Clocks, step_h: float, m: StateMachine | None = None) -> list[Event]:
    """Up, then down for 5 min with the wall clock set by ``step_h`` 2 min into it, up 10 min,
    down for 2 min, up."""
    m = m or StateMachine(make_profile("db", 5432, "heartbeat", id="db"))
    events = m.feed(OK)
    clocks.wait(10)
    events += m.feed(REFUSED)
    clocks.wait(2)
    clocks.set(step_h)
    clocks.wait(3)
    events += m.feed(OK)
    clocks.wait(10)
    events += m.feed(REFUSED)
    clocks.wait(2)
    events += m.feed(OK)
    return [e for e in events if e.kind is Kind.STATE]


@pytest.mark.parametrize("step_h", [-1, 24, -0.25])
def test_an_outage_across_a_step_of_the_wall_clock_lasts_what_it_lasted(
    clocks: Clocks, tmp_path: Path, step_h: float
) -> None:
    """Stamped by the wall clock alone, the clock set back stored the recovery before the
    drop: set back an hour, the drop never ended (ongoing, days long by now); set back a
    quarter of an hour, it ended at the second recovery, one outage told twice. Set forward a
    day, an outage of 5 min lasted a day and 5 min."""
    events = _history(clocks, step_h)
    assert [e.state for e in events] == [State.UP, State.DOWN, State.UP, State.DOWN, State.UP]
    stamps = [e.ts for e in events]
    assert stamps == sorted(stamps)  # stored in the order it happened
    log = _stored(tmp_path, events)
    try:
        found = log.outages(profile="db")
        assert [round(o.duration_s()) for o in found] == [300, 120]
        assert all(o.ended_by == "recovered" for o in found)
        # Uptime over the whole history: the 7 min down are counted, never a day or less
        # than nothing; the 10 min up between them may absorb the step (none is lost).
        end = max(stamps[-1], clocks.wall) + dt.timedelta(minutes=1)
        uptime = log.uptimes(["db"], end - T0, end)["db"]
        assert uptime.known_s - uptime.up_s == pytest.approx(420, abs=1)
    finally:
        log.close()


def test_the_changes_after_are_on_the_wall_clock_again(clocks: Clocks) -> None:
    """Only what the step fell in is counted apart from it: set forward, the drop after the
    recovery is on the wall clock; set back, the first change once the clock has passed the
    last one stored."""
    assert _history(clocks, 24)[-1].ts == clocks.wall
    m = StateMachine(make_profile("db", 5432, "heartbeat", id="db"))
    _history(clocks, -1, m)
    clocks.wait(61)
    (drop,) = [e for e in m.feed(REFUSED) if e.kind is Kind.STATE]
    assert drop.ts == clocks.wall
