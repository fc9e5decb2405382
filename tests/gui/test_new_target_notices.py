"""A connection given a new target (its host or port edited) is a new thing: its first drop
is news, told even inside the repeat window of the old target's drop (it was held back as a
repeat of it), and told when the old target was still down at the edit (it was taken for
the old outage going on, and told never)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tcpmonitor_gui.ui.main_window import MainWindow
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
