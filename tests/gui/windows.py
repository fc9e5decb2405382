"""The main window as the composition root builds it, on temporary dirs (tests only)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.composition import DemoRunner, compose
from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.session import Session
from tcpmonitor_gui.engine.engine import Engine
from tcpmonitor_gui.engine.registry import ProfileRegistry
from tcpmonitor_gui.lab import FaultProxy
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.status.model import Role
from tests.helpers import make_profile

if TYPE_CHECKING:
    from tcpmonitor_gui.ui.details.dock import DetailsDock


@dataclasses.dataclass
class Opened:
    window: MainWindow
    session: Session
    registry: ProfileRegistry
    engine: Engine
    demo: DemoRunner

    def close(self) -> None:
        """What ``app.main()`` does at quit, in its order."""
        self.window.shutdown()
        assert self.engine.shutdown(), "workers did not stop in time"
        self.demo.stop()
        self.session.close()

    def details_of(self, qtbot: QtBot, profile_id: str, timeout_ms: int = 5000) -> DetailsDock:
        """The window shown, with ``profile_id``'s details dock open and its history read."""
        self.window.show()
        dock = self.window.details
        with qtbot.waitSignal(dock.loaded, timeout=timeout_ms):
            self.window.show_details(profile_id)
        return dock


def open_window(
    qtbot: QtBot,
    config_dir: Path,
    data_dir: Path,
    *,
    monitor: bool = True,
    autostart: Callable[[], Any] | None = None,
    launch_args: Callable[[], list[str]] | None = None,
) -> Opened:
    session = Session(config_dir, data_dir, strict=False)
    session.open_eventlog()
    parts = compose(session, autostart=autostart, launch_args=launch_args)
    window = parts.window
    qtbot.addWidget(window)
    window.show_problems()
    if monitor:
        window.start_monitoring()
        window.show()
    return Opened(window, session, parts.registry, parts.engine, parts.demo)


def state_of(window: MainWindow, profile_id: str) -> State | None:
    """The state the window's table shows for a profile (None: no such row)."""
    row = window.model.row_of(profile_id)
    return None if row is None else State(window.model.index(row, 0).data(Role.STATE))


def watched_through(qtbot: QtBot, opened: Opened, proxy: FaultProxy, name: str) -> Profile:
    """A ``watch`` profile through the fault proxy, added in the window and up."""
    profile = make_profile(*proxy.address, "watch", name=name)
    opened.window.profiles.apply(profile, new=True)
    qtbot.waitUntil(lambda: state_of(opened.window, profile.id) is State.UP, timeout=5000)
    return profile
