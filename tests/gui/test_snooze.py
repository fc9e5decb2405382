"""Snoozing a connection's notices through the window: still watched and logged, not told,
shown on its row, saved with the profile, so it survives a restart; and the command line's
``profiles snooze`` (``tests/unit/test_cli.py``) writes the same field."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.core.snooze import FOREVER, snoozed
from tcpmonitor_gui.lab import FaultProxy
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.status.cells import Column
from tests.gui.windows import open_window, state_of, watched_through


def stored(config: Path) -> list[Profile]:
    return ProfileStore(config).load()


def bell(window: MainWindow, profile_id: str) -> tuple[bool, str | None]:
    """Whether the name cell shows the muted bell, and its tooltip."""
    row = window.model.row_of(profile_id)
    assert row is not None
    icon = window.model.index(row, Column.NAME).data(Qt.ItemDataRole.DecorationRole)
    return icon is not None, window.model.tooltip(row, Column.NAME)


def test_a_snoozed_connection_is_watched_and_logged_but_not_told_across_a_restart(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    config, data = tmp_path / "config", tmp_path / "data"
    first = open_window(qtbot, config, data)
    try:
        window = first.window
        profile = watched_through(qtbot, first, proxy, "Orders DB")
        window.table.select_ids([profile.id])
        window.commands["snooze_1h"].trigger()
        qtbot.waitUntil(lambda: snoozed(stored(config)[0].snooze_until), timeout=5000)
        qtbot.waitUntil(lambda: bell(window, profile.id)[0], timeout=2000)
        assert str(bell(window, profile.id)[1]).startswith("Notices snoozed until ")
        assert proxy.connection_count() == 1  # snoozing did not reconnect it

        logged = window.log_pane.model.rowCount()
        proxy.set_mode("reset")
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.DOWN, timeout=5000)
        window.policy.flush()  # whatever would be told about the drop is told now
        assert window.notices == []
        qtbot.waitUntil(lambda: window.log_pane.model.rowCount() > logged, timeout=3000)
        proxy.set_mode("pass")
        qtbot.waitUntil(lambda: state_of(window, profile.id) is State.UP, timeout=10_000)
        window.commands["snooze_forever"].trigger()
        qtbot.waitUntil(lambda: stored(config)[0].snooze_until == FOREVER, timeout=5000)
    finally:
        first.close()

    again = open_window(qtbot, config, data)
    try:
        window = again.window
        assert again.registry.profiles.by_id[profile.id].snooze_until == FOREVER
        qtbot.waitUntil(lambda: bell(window, profile.id)[0], timeout=2000)
        assert bell(window, profile.id)[1] == "Notices snoozed until unmuted"
        window.table.select_ids([profile.id])
        window.commands["unsnooze"].trigger()
        qtbot.waitUntil(lambda: stored(config)[0].snooze_until == "", timeout=5000)
        qtbot.waitUntil(lambda: not bell(window, profile.id)[0], timeout=2000)
        proxy.set_mode("reset")  # told again
        qtbot.waitUntil(lambda: bool(window.notices), timeout=5000)
        assert window.notices[-1].title == "Connection down: Orders DB"
    finally:
        again.close()
