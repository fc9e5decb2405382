"""A connection given a new target (its host or port edited) is a new thing: its first drop
is news, told even inside the repeat window of the old target's drop (it was held back as a
repeat of it), and told when the old target was still down at the edit (it was taken for
the old outage going on, and told never). The old target's outage ends at the edit; the new
target coming up is not the old one's recovery."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.cli.main import main as cli_main
from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.status.model import Column
from tests.gui.windows import Opened, open_window, state_of, watched_through


@pytest.fixture
def opened(qtbot: QtBot, tmp_path: Path) -> Iterator[Opened]:
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    yield o
    o.close()


def _downs(window: MainWindow) -> list[str]:
    return [n.body for n in window.notices if n.title == "Connection down: Orders DB"]


def _dropped(qtbot: QtBot, opened: Opened, proxy: FaultProxy) -> Profile:
    """Orders DB, watched through ``proxy``, up, then reset: its drop told."""
    profile = watched_through(qtbot, opened, proxy, "Orders DB")
    proxy.set_mode("reset")
    qtbot.waitUntil(lambda: len(_downs(opened.window)) == 1, timeout=5000)
    return profile


def test_a_new_targets_drop_inside_the_old_ones_repeat_window_is_told(
    qtbot: QtBot, opened: Opened, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    window, profile = opened.window, _dropped(qtbot, opened, proxy)
    with FaultProxy(echo_server.address) as other:
        window.profiles.apply(dataclasses.replace(profile, port=other.address[1]), new=False)
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
        qtbot.waitUntil(lambda: window.policy.remaining_ms() < 0, timeout=5000)  # told
        told = len(window.notices)
        other.set_mode("reset")  # well inside the 30 s of the first drop
        qtbot.waitUntil(lambda: len(window.notices) > told, timeout=5000)
    body = window.notices[-1].body
    assert window.notices[-1].title == "Connection down: Orders DB", window.notices[-1]
    assert "reset" in body and "back up" not in body, body


def test_a_new_target_down_while_the_old_one_is_down_is_told(
    qtbot: QtBot, opened: Opened, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    window, profile = opened.window, _dropped(qtbot, opened, proxy)
    qtbot.waitUntil(lambda: window.policy.remaining_ms() < 0, timeout=5000)
    with FaultProxy(echo_server.address) as other:
        other.set_mode("refuse")
        window.profiles.apply(dataclasses.replace(profile, port=other.address[1]), new=False)
        qtbot.waitUntil(lambda: len(_downs(window)) == 2, timeout=5000)
    assert "refused" in _downs(window)[-1], _downs(window)


def test_a_new_target_up_while_the_old_one_is_down_is_not_the_old_ones_recovery(
    qtbot: QtBot,
    opened: Opened,
    proxy: FaultProxy,
    echo_server: LineEchoServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Orders DB reset, then given a port that answers: the notice (and so the tray's balloon
    and the program's log) said "Orders DB is back up after 554 ms (reset)", the old target's
    outage and cause, and the history ended that outage "monitoring restarted" (a probe's:
    "recovered", lasting until the new target answered). The old outage now ends at the
    edit, "target changed", and the new target's being up is told as nothing of the old."""
    window, profile = opened.window, _dropped(qtbot, opened, proxy)
    qtbot.waitUntil(lambda: window.policy.remaining_ms() < 0, timeout=5000)
    told = len(window.notices)
    session = opened.session
    with FaultProxy(echo_server.address) as other:  # (its end would end the new target's up)
        window.profiles.apply(dataclasses.replace(profile, port=other.address[1]), new=False)
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
        qtbot.waitUntil(lambda: window.policy.remaining_ms() < 0, timeout=5000)  # all told
        assert window.notices[told:] == [], window.notices[told:]
        assert session.eventlog is not None and session.eventlog.flush()
        dirs = ["--config-dir", str(session.config_dir), "--data-dir", str(session.data_dir)]
        assert cli_main(["events", "--format", "json", *dirs]) == 0
        events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        states = [(e["previous"], e["state"], e["detail"]) for e in events if e["kind"] == "state"]
        moved = states.index(("down", "unknown", "target changed"))
        assert all(previous != "down" for previous, _, _ in states[moved + 1 :]), states
        assert cli_main(["outages", "--json", *dirs]) == 0
        [outage] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert (outage["cause"], outage["ended_by"]) == ("reset", "target changed"), outage
        assert outage["end"] == next(e["ts"] for e in events if e["detail"] == "target changed")


def test_a_new_target_does_not_show_the_old_ones_last_cause(
    qtbot: QtBot, opened: Opened, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    """Orders DB reset, then given a port that answers: its row, up, went on saying "Last
    cause: reset", the old target's, of a target that never failed."""
    window, profile = opened.window, _dropped(qtbot, opened, proxy)
    assert _last_cause(window, profile.id) == "reset"
    with FaultProxy(echo_server.address) as other:
        window.profiles.apply(dataclasses.replace(profile, port=other.address[1]), new=False)
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
        assert _last_cause(window, profile.id) == ""


def _last_cause(window: MainWindow, profile_id: str) -> str:
    row = window.model.row_of(profile_id)
    assert row is not None
    return str(window.model.index(row, Column.CAUSE).data() or "")


def test_a_new_targets_sparkline_and_uptime_start_at_the_change(
    qtbot: QtBot, opened: Opened, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    """Orders DB reset, then given a port that answers: its row, up since, went on drawing
    the old target's failed checks in its sparkline and counting the old target's drop in
    its uptime (never 100 % again, for a target that never failed). Both start at the change
    now (the old target's last row, "target changed")."""
    window, profile = opened.window, _dropped(qtbot, opened, proxy)
    at = window.model.row_of(profile.id)
    assert at is not None and None in window.model.samples(at)
    with FaultProxy(echo_server.address) as other:
        window.profiles.apply(dataclasses.replace(profile, port=other.address[1]), new=False)
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)
        assert None not in window.model.samples(at), window.model.samples(at)
        uptime = window.model.index(at, Column.UPTIME)
        qtbot.waitUntil(lambda: uptime.data() == "100 %", timeout=5000)
