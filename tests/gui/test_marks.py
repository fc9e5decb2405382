"""Acknowledging drops and maintenance windows, through the window and the command line, on a
real connection through the fault proxy, across a restart; and the window running a
profile's action."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.actions import parse as parse_actions
from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy
from tcpmonitor_gui.ui.log.model import Column as LogColumn
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.status.cells import Column
from tcpmonitor_gui.ui.status.marks import wrench_icon
from tests.gui.windows import open_window, state_of, watched_through
from tests.helpers import make_profile
from tests.unit._cli_process import Home, tcpmonitor


def stored(config: Path) -> Profile:
    [profile] = ProfileStore(config).load()
    return profile


def bold(window: MainWindow, profile_id: str) -> bool:
    row = window.model.row_of(profile_id)
    assert row is not None
    fonts = [window.model.index(row, c).data(Qt.ItemDataRole.FontRole) for c in Column]
    return all(f is not None and f.bold() for f in fonts)


def unacked(window: MainWindow) -> int:
    return window.tray.unacknowledged()


def test_a_drop_stays_marked_until_acknowledged_and_the_mark_survives_a_restart(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    first = open_window(qtbot, config, data)
    try:
        window = first.window
        profile = watched_through(qtbot, first, proxy, "Orders DB")
        assert not bold(window, profile.id) and unacked(window) == 0
        proxy.set_mode("reset")
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=5000)
        qtbot.waitUntil(lambda: unacked(window) == 1, timeout=2000)
        assert bold(window, profile.id)
        assert "1 not acknowledged" in window.tray.tooltip()
        assert window.model.tooltip(window.model.row_of(profile.id) or 0, Column.NAME) == (
            "Down, not acknowledged"
        )

        window.table.select_ids([profile.id])
        window.commands["acknowledge"].trigger()  # Ctrl+K
        qtbot.waitUntil(lambda: stored(config).acknowledged != "", timeout=5000)
        qtbot.waitUntil(lambda: unacked(window) == 0, timeout=2000)
        assert not bold(window, profile.id)
        assert window.commands["acknowledge"].shortcut().toString() == "Ctrl+K"
        proxy.set_mode("refuse")  # down as a stopped server is: no answer to come back with
    finally:
        first.close()

    again = open_window(qtbot, config, data)  # still down: still acknowledged
    try:
        window = again.window
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=5000)
        assert not bold(window, profile.id) and unacked(window) == 0
        proxy.set_mode("pass")  # back: the acknowledgement is spent
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=10_000)
        qtbot.waitUntil(lambda: stored(config).acknowledged == "", timeout=5000)
        proxy.set_mode("reset")  # a new drop is news again
        qtbot.waitUntil(lambda: unacked(window) == 1, timeout=5000)
        assert bold(window, profile.id)
        window.tray.acknowledgeAllRequested.emit()  # the tray's "Acknowledge all"
        qtbot.waitUntil(lambda: unacked(window) == 0, timeout=2000)
        qtbot.waitUntil(lambda: stored(config).acknowledged != "", timeout=5000)
    finally:
        again.close()


def test_the_command_line_acknowledges_for_the_running_window(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    opened = open_window(qtbot, home.config, home.data)
    try:
        window = opened.window
        profile = watched_through(qtbot, opened, proxy, "Orders DB")
        proxy.set_mode("reset")
        qtbot.waitUntil(lambda: unacked(window) == 1, timeout=5000)
        done = tcpmonitor(home, "profiles", "ack", "Orders DB")
        assert done.returncode == 0, done.stderr
        assert done.stdout == "'Orders DB': acknowledged\n"
        qtbot.waitUntil(lambda: unacked(window) == 0, timeout=5000)  # the file was re-read
        assert not bold(window, profile.id)
        assert tcpmonitor(home, "profiles", "ack", "--all", "--undo").returncode == 0
        qtbot.waitUntil(lambda: unacked(window) == 1, timeout=5000)
    finally:
        opened.close()


def window_around_now() -> str:
    now = dt.datetime.now(dt.UTC)
    begin, end = now - dt.timedelta(minutes=2), now + dt.timedelta(hours=1)
    return f"{begin:%Y-%m-%d %H:%M} - {end:%Y-%m-%d %H:%M} UTC"


def test_a_drop_in_maintenance_is_shown_told_to_nobody_and_told_when_it_outlasts_it(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    home = Home(config, data)
    profile = make_profile(*proxy.address, "watch", name="Orders DB")
    ProfileStore(config).save([profile])
    window_text = window_around_now()
    added = tcpmonitor(home, "profiles", "maintenance", "Orders DB", "--add", window_text)
    assert added.returncode == 0, added.stderr
    assert "in maintenance now" in added.stdout
    opened = open_window(qtbot, config, data)
    try:
        window = opened.window
        row = window.model.row_of(profile.id)
        assert row is not None
        icon = window.model.index(row, Column.NAME).data(Qt.ItemDataRole.DecorationRole)
        assert icon is not None and icon.cacheKey() == wrench_icon().cacheKey()
        tip = window.model.tooltip(row, Column.NAME) or ""
        assert tip.startswith("In maintenance until ") and window_text in tip
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=5000)

        proxy.set_mode("reset")
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=5000)
        window.policy.flush()
        assert window.notices == []  # expected: told to nobody
        assert not bold(window, profile.id) and unacked(window) == 0  # nothing to acknowledge
        assert "Went down in a maintenance window" in (window.model.tooltip(row, 1) or "")

        # The window ends (removed here, the path its end takes) with the target still down.
        current = opened.registry.profiles.by_id[profile.id]
        opened.registry.profiles.update([dataclasses.replace(current, maintenance=())])
        qtbot.waitUntil(lambda: bool(window.notices), timeout=5000)
        assert window.notices[-1].title == "Connection down: Orders DB"
        qtbot.waitUntil(lambda: unacked(window) == 1, timeout=2000)
        assert window.model.index(row, Column.NAME).data(Qt.ItemDataRole.DecorationRole) is None
    finally:
        opened.close()
    events = tcpmonitor(home, "events", "--format", "json")
    lines = [line for line in events.stdout.splitlines() if '"state":"down"' in line]
    assert ['"maintenance":true' in line for line in lines] == [True, False]


def test_the_window_runs_a_profiles_action_and_logs_how_it_went(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """The desktop program runs actions too: a command for the drop, with the event in its
    environment; its outcome in the log pane and the stored log."""
    config, data = tmp_path / "config", tmp_path / "data"
    ran = tmp_path / "ran"
    opened = open_window(qtbot, config, data)
    try:
        window = opened.window
        profile = watched_through(qtbot, opened, proxy, "Orders DB")
        script = f'echo "$TCPMONITOR_PROFILE $TCPMONITOR_STATE $TCPMONITOR_CAUSE" > {ran}'
        actions = parse_actions("actions", [{"on": "down", "run": ["sh", "-c", script]}])
        window.profiles.apply(dataclasses.replace(profile, actions=actions), new=False)
        proxy.set_mode("reset")
        qtbot.waitUntil(lambda: ran.exists() and ran.read_text().strip() != "", timeout=5000)
        assert ran.read_text().strip() == "Orders DB down reset"

        def logged() -> list[str]:
            model = window.log_pane.model
            return [model.index(r, LogColumn.DETAIL).data() or "" for r in range(model.rowCount())]

        qtbot.waitUntil(lambda: any("down action 'sh -c" in d for d in logged()), timeout=5000)
        assert any(": exit 0 in " in d for d in logged() if "down action" in d)
    finally:
        opened.close()
    stored = tcpmonitor(Home(config, data), "events", "--format", "json").stdout
    assert any('"kind":"action"' in line for line in stored.splitlines())
