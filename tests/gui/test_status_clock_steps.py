"""The status table's clock cells when the wall clock is set (NTP stepping it, a VM restored
from a snapshot, ``date -s``): "for" shows the time really passed and keeps ticking, and the
live uptime neither gains nor loses the step.

Both clocks are injected, as in tests/unit/test_clock_steps.py: the wall clock and the
seconds that really pass, into the state machine that makes the events (``state.utc_now``,
``state._elapsed``) and into the model (``clock``, ``elapsed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from tcpmonitor_gui.core.eventqueries import Uptime
from tcpmonitor_gui.core.events import Cause
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.core.state import StateMachine
from tcpmonitor_gui.ui.status.model import Column, StatusModel
from tcpmonitor_gui.ui.status.view import StatusFilterProxy
from tests.helpers import Clocks, make_profile

pytestmark = pytest.mark.usefixtures("qapp")

OK = Sample(True, latency_ms=10.0)
REFUSED = Sample.failure(Cause.REFUSED, "connection refused", "127.0.0.1:1")
T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
STEPS = [-1, 24, -0.25]  # hours: set back an hour, forward a day, back a quarter of an hour


@pytest.fixture
def clocks(monkeypatch: pytest.MonkeyPatch) -> Clocks:
    return Clocks(T0, 5000.0).install(monkeypatch)


@pytest.fixture
def model(clocks: Clocks) -> Iterator[StatusModel]:
    m = StatusModel(clock=lambda: clocks.wall, elapsed=lambda: clocks.elapsed)
    m.set_profiles([make_profile("db", 5432, "heartbeat", id="db", name="db")])
    yield m
    m.stop_clock()


def cell(model: StatusModel, column: Column) -> str:
    model._tick()  # what the clock does every second
    return str(model.index(0, column).data())


@pytest.mark.parametrize("step_h", STEPS)
def test_for_counts_the_time_really_passed_across_a_step(
    model: StatusModel, clocks: Clocks, step_h: float
) -> None:
    """Counted on the wall clock, "for" froze for an hour when it was set back an hour (its
    next change was due on the old clock), jumped by a day when set forward a day, and a
    recovery stamped off the wall clock (its drop keeps its true length) read "0 s" for the
    hour, or "1 d" at once."""
    machine = StateMachine(make_profile("db", 5432, "heartbeat", id="db", name="db"))
    model.apply_events(machine.feed(OK))
    clocks.wait(10)
    assert cell(model, Column.IN_STATE) == "10 min"
    clocks.set(step_h)
    clocks.wait(5)
    assert cell(model, Column.IN_STATE) == "15 min"  # up across the step
    model.apply_events(machine.feed(REFUSED))
    clocks.wait(2)
    assert cell(model, Column.IN_STATE) == "2 min"
    clocks.set(step_h)
    clocks.wait(3)
    assert cell(model, Column.IN_STATE) == "5 min"  # down across the step
    model.apply_events(machine.feed(OK))  # stamped 5 min after the drop, off the wall clock
    assert cell(model, Column.IN_STATE) == "0 s"
    clocks.wait(4)
    assert cell(model, Column.IN_STATE) == "4 min"


@pytest.mark.parametrize("step_h", STEPS)
def test_live_uptime_neither_gains_nor_loses_a_step(
    model: StatusModel, clocks: Clocks, step_h: float
) -> None:
    """Counted on the wall clock, a drop across a step forward of a day was a day down (50 %),
    one across a step back counted nothing (100 %)."""
    machine = StateMachine(make_profile("db", 5432, "heartbeat", id="db", name="db"))
    model.apply_events(machine.feed(OK))
    day = 86_400.0
    model.set_uptime({"db": Uptime(100.0, up_s=day, known_s=day, at=clocks.wall.timestamp())})
    clocks.wait(10)
    model.apply_events(machine.feed(REFUSED))
    clocks.wait(1)
    clocks.set(step_h)
    clocks.wait(1)
    assert cell(model, Column.UPTIME) == "99.86 %"  # 120 s down of 87,120
    model.apply_events(machine.feed(OK))
    clocks.wait(10)
    clocks.set(step_h)
    clocks.wait(10)
    assert cell(model, Column.UPTIME) == "99.86 %"  # 120 s down of 88,320


def test_for_sorts_by_the_time_really_passed_after_a_step_back(clocks: Clocks) -> None:
    """Sorted by the wall-clock stamp of each change, a connection up for 20 minutes sorted
    as shorter than one up for 5 when the clock was set back an hour between their changes
    (its stamp was the later): the column said "20 min" above "5 min" in ascending order."""
    model = StatusModel(clock=lambda: clocks.wall, elapsed=lambda: clocks.elapsed)
    profiles = [make_profile("db", port, "heartbeat", id=name, name=name)
                for port, name in ((5432, "older"), (5433, "newer"))]  # fmt: skip
    model.set_profiles(profiles)
    proxy = StatusFilterProxy(model)
    try:
        model.apply_events(StateMachine(profiles[0]).feed(OK))
        clocks.wait(15)
        clocks.set(-1)
        model.apply_events(StateMachine(profiles[1]).feed(OK))
        clocks.wait(5)
        model._tick()
        proxy.sort(Column.IN_STATE, Qt.SortOrder.AscendingOrder)
        shown = [proxy.index(r, Column.IN_STATE).data() for r in range(proxy.rowCount())]
        assert shown == ["5 min", "20 min"]
    finally:
        model.stop_clock()
