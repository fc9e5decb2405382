"""A restart forgets nothing: the window comes back with each row's sparkline, last cause and
time in state from the event log, and its uptime counts every second of a drop."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.status.model import Column, Role
from tests.gui.windows import open_window, state_of
from tests.helpers import make_profile


def cell(window: MainWindow, profile_id: str, column: Column, role: int = 0) -> object:
    """What the cell shows: brought up to date first, as a view does before it paints a row
    (the window of these tests is not on screen, and the model writes only rows seen)."""
    row = window.model.row_of(profile_id)
    assert row is not None
    window.model.catch_up([row])
    return window.model.index(row, column).data(role)


def test_the_window_comes_back_as_it_was_left(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    dirs = tmp_path / "config", tmp_path / "data"
    proxy.set_mode("refuse")
    down = make_profile(*proxy.address, "watch", name="never worked", interval_s=0.2)
    up = make_profile(*echo_server.address, "heartbeat", name="works", interval_s=0.2)
    first = open_window(qtbot, *dirs)
    try:
        first.window.profiles.apply(down, new=True)
        first.window.profiles.apply(up, new=True)
        w = first.window
        qtbot.waitUntil(lambda: state_of(w, down.id) is State.DOWN, timeout=5000)
        qtbot.waitUntil(lambda: state_of(w, up.id) is State.UP, timeout=5000)
        # Never worked: 0 %, as soon as a second of it is counted; not 100 % or blank.
        qtbot.waitUntil(lambda: cell(w, down.id, Column.UPTIME) == "0.0 %", timeout=3000)
        qtbot.waitUntil(lambda: cell(w, up.id, Column.UPTIME) == "100 %", timeout=3000)
        qtbot.waitUntil(lambda: bool(w.model.samples(w.model.row_of(up.id) or 0)), timeout=3000)
        down_since = cell(w, down.id, Column.IN_STATE, Role.SORT)
        up_since = cell(w, up.id, Column.IN_STATE, Role.SORT)
    finally:
        first.close()
    again = open_window(qtbot, *dirs, monitor=False)
    try:
        w = again.window
        assert cell(w, down.id, Column.CAUSE) == ""  # nothing known yet
        w.stored.start()  # what starting to monitor asks of the log
        qtbot.waitUntil(lambda: cell(w, down.id, Column.CAUSE) == "refused", timeout=3000)
        latencies = w.model.samples(w.model.row_of(up.id) or 0)
        assert latencies and all(x is not None and x > 0 for x in latencies)
        w.start_monitoring()
        qtbot.waitUntil(lambda: state_of(w, down.id) is State.DOWN, timeout=5000)
        qtbot.waitUntil(lambda: state_of(w, up.id) is State.UP, timeout=5000)
        # Down then, down now; up then, up now: "for" counts from before the restart.
        # (The sort key is the start on the steady clock, restored from the stored wall-clock
        # time: equal to the microsecond, not to the last bit of a float.)
        assert cell(w, down.id, Column.IN_STATE, Role.SORT) == pytest.approx(down_since, abs=1e-3)
        assert cell(w, up.id, Column.IN_STATE, Role.SORT) == pytest.approx(up_since, abs=1e-3)
    finally:
        again.close()
