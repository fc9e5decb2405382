"""A connection paused while down and resumed: what the window says of it.

Every resume checks afresh (resumed, connecting, then what it finds), and its outage ended at
the pause ("paused": nothing was watched in between). Found down again, it is still down as
far as anyone knows: the table's "for" counts from the resume, as the details' ongoing outage
does, and says it was down before the pause too, as after a restart; found up, it is up."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.settings import Settings
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tcpmonitor_gui.ui.status.model import Column
from tests.gui.test_notify import Harness, down, resumed_down, state
from tests.gui.test_restart import cell
from tests.gui.windows import Opened, open_window, state_of
from tests.helpers import make_profile


def _toggle(qtbot: QtBot, opened: Opened, profile_id: str, to: State) -> None:
    w = opened.window
    w.table.select_ids([profile_id])
    w.commands["toggle"].trigger()
    qtbot.waitUntil(lambda: state_of(w, profile_id) is to, timeout=5000)


def test_a_drop_paused_and_resumed_still_down_says_it_was_down_before_the_pause(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """It said "down for 2 s", a drop of the resume's second in the tray's recent events,
    and "ongoing" in the details, as if it had just gone: it was down before the pause."""
    proxy.set_mode("refuse")
    profile = make_profile(*proxy.address, "heartbeat", name="stays", interval_s=0.2)
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    try:
        w = opened.window
        w.profiles.apply(profile, new=True)
        qtbot.waitUntil(lambda: state_of(w, profile.id) is State.DOWN, timeout=5000)
        _toggle(qtbot, opened, profile.id, State.PAUSED)
        _toggle(qtbot, opened, profile.id, State.DOWN)
        qtbot.waitUntil(
            lambda: "(and before the pause)" in str(cell(w, profile.id, Column.IN_STATE))
        )
        tip = str(w.model.tooltip(w.model.row_of(profile.id) or 0, Column.IN_STATE))
        assert "when it was paused too" in tip, tip
        qtbot.waitUntil(lambda: len(w.tray.recent_texts()) == 3, timeout=3000)
        assert w.tray.recent_texts()[0].endswith("stays down (refused) (down before the pause too)")
        dock = opened.details_of(qtbot, profile.id)
        assert dock.outage_table.item(0, 3).text() == "ongoing (down before the pause too)"
        assert dock.outage_table.item(1, 3).text() == "paused"

        _toggle(qtbot, opened, profile.id, State.PAUSED)  # and back while paused: up, no more
        proxy.set_mode("pass")
        _toggle(qtbot, opened, profile.id, State.UP)
        assert "before" not in str(cell(w, profile.id, Column.IN_STATE))
    finally:
        opened.close()


def test_a_drop_paused_then_given_another_target_is_new_at_the_resume(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy, echo_server: LineEchoServer
) -> None:
    """Paused down, its port changed while paused, resumed with the new one down too: it
    said "down (and before the pause)" of a target that was never down before."""
    proxy.set_mode("refuse")
    profile = make_profile(*proxy.address, "heartbeat", name="moved", interval_s=0.2)
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    with FaultProxy(echo_server.address) as other:
        other.set_mode("refuse")
        try:
            w = opened.window
            w.profiles.apply(profile, new=True)
            qtbot.waitUntil(lambda: state_of(w, profile.id) is State.DOWN, timeout=5000)
            _toggle(qtbot, opened, profile.id, State.PAUSED)
            qtbot.waitUntil(lambda: len(w.tray.recent_texts()) == 2, timeout=3000)  # paused
            moved = dataclasses.replace(
                w.registry.profiles.by_id[profile.id], port=other.address[1]
            )
            w.profiles.apply(moved, new=False)
            _toggle(qtbot, opened, profile.id, State.DOWN)
            assert "before" not in str(cell(w, profile.id, Column.IN_STATE))
        finally:
            opened.close()


def test_a_drop_paused_then_given_another_target_is_told_as_news(qtbot: QtBot) -> None:
    """Paused down, its port changed, resumed a minute later with the new one down: "Still
    down: Orders DB", quietly, of a target nobody had heard was down."""
    h = Harness(qtbot, ["Orders DB", "Cache"], Settings(sound=True))
    db, cache = h["Orders DB"], h["Cache"]
    h.at(0, down(db), down(cache))
    h.at(1, state(db, State.PAUSED, State.DOWN), state(cache, State.PAUSED, State.DOWN))
    h.profiles[db.id] = dataclasses.replace(db, port=db.port + 1)
    told = h.at(60, *resumed_down([db, cache], 60))
    assert [(n.title, n.urgent, n.sound) for n in told] == [
        ("Connection down: Orders DB", True, True),
        ("Still down: Cache", False, False),
    ]
