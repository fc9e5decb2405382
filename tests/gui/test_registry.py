"""The registry's Qt face, the one way back to the GUI thread, and those who follow the registry."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_set import ProfileSet
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.engine.gui_thread import call_in_gui_thread, when_done
from tcpmonitor_gui.engine.registry import ProfileRegistry
from tcpmonitor_gui.lab import LineEchoServer
from tcpmonitor_gui.ui.status.model import Role
from tests.gui.windows import Opened, open_window
from tests.helpers import make_profile
from tests.unit._cli_process import TCPMONITOR, Home


def p(name: str) -> Profile:
    return Profile(name=name, host="127.0.0.1", port=9000, id=f"id-{name}".replace(" ", "-"))


# -- back to the GUI thread -------------------------------------------------------------------


def test_a_call_from_any_thread_runs_in_the_gui_thread(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    ran_in: list[int] = []
    worker = threading.Thread(
        target=call_in_gui_thread, args=(lambda: ran_in.append(threading.get_ident()),)
    )
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: ran_in == [gui], timeout=2000)


def test_a_future_done_elsewhere_is_handed_over_in_the_gui_thread(qtbot: QtBot) -> None:
    gui = threading.get_ident()
    got: list[tuple[int, int]] = []
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        future = pool.submit(lambda: 42)
        when_done(future, lambda f: got.append((threading.get_ident(), f.result())))
        qtbot.waitUntil(lambda: got == [(gui, 42)], timeout=2000)
    already = concurrent.futures.Future[int]()
    already.set_result(7)
    when_done(already, lambda f: got.append((threading.get_ident(), f.result())))
    assert len(got) == 1  # never called before the caller returns, even when already done
    qtbot.waitUntil(lambda: got[-1] == (gui, 7), timeout=2000)


def test_nothing_is_called_for_an_owner_deleted_meanwhile(qtbot: QtBot) -> None:
    owner = QObject()
    called: list[int] = []
    future = concurrent.futures.Future[int]()
    when_done(future, lambda f: called.append(f.result()), owner=owner)
    with qtbot.waitSignal(owner.destroyed, timeout=2000):
        owner.deleteLater()
    future.set_result(1)
    marker: list[bool] = []
    call_in_gui_thread(marker.append, True)  # calls arrive in order: after the result's
    qtbot.waitUntil(lambda: marker == [True], timeout=2000)
    assert called == []


# -- the registry as signals ---------------------------------------------------------------


def test_each_change_is_one_signal_per_kind(qtbot: QtBot) -> None:
    profiles = ProfileSet([p("a"), p("b")])
    registry = ProfileRegistry(profiles)
    heard: list[tuple[str, list[str]]] = []
    registry.added.connect(lambda new: heard.append(("added", [q.name for q in new])))
    registry.changed.connect(lambda ch: heard.append(("changed", [c.profile.name for c in ch])))
    registry.removed.connect(lambda old: heard.append(("removed", [q.name for q in old])))
    profiles.apply(
        add=[p("c"), p("d")],
        update=[dataclasses.replace(p("a"), enabled=False)],
        remove=["id-b"],
    )
    assert heard == [("removed", ["b"]), ("added", ["c", "d"]), ("changed", ["a"])]


def test_a_failed_save_reaches_the_gui_thread_as_a_message(qtbot: QtBot, tmp_path: Path) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the config dir should be")
    with concurrent.futures.ThreadPoolExecutor(1) as io:
        profiles = ProfileSet(save=ProfileStore(blocker).sync, executor=io)
        registry = ProfileRegistry(profiles)
        with qtbot.waitSignal(registry.saved, timeout=5000) as saved:
            profiles.add([p("a")])
    assert saved.args is not None and "profiles.json" in saved.args[0]


# -- everyone follows the registry ---------------------------------------------------------


@pytest.fixture
def opened(qtbot: QtBot, tmp_path: Path) -> Iterator[Opened]:
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    yield o
    o.close()


def state_of(o: Opened, profile_id: str) -> State | None:
    row = o.window.model.row_of(profile_id)
    return None if row is None else State(o.window.model.index(row, 0).data(Role.STATE))


def test_the_table_the_log_filter_and_the_engine_follow_the_registry(
    qtbot: QtBot, opened: Opened, echo_server: LineEchoServer
) -> None:
    profile = make_profile(*echo_server.address, "heartbeat", interval_s=0.2, name="echo")
    opened.registry.profiles.add([profile])
    qtbot.waitUntil(lambda: state_of(opened, profile.id) is State.UP, timeout=5000)
    assert opened.engine.monitored(profile.id)
    combo = opened.window.log_pane.profile_combo
    assert [combo.itemText(i) for i in range(combo.count())][1:] == ["echo"]
    renamed = dataclasses.replace(profile, name="echo renamed")
    opened.registry.profiles.update([renamed])
    assert combo.itemText(1) == "echo renamed"
    row = opened.window.model.row_of(profile.id)
    assert row is not None
    assert opened.window.model.index(row, 1).data() == "echo renamed"
    opened.registry.profiles.remove([profile.id])
    assert opened.window.model.row_of(profile.id) is None
    assert not opened.engine.monitored(profile.id)
    assert combo.count() == 1
    assert echo_server.wait_for_idle(timeout=5)  # its connection was closed


def test_pausing_many_selected_rows_writes_the_file_once(
    qtbot: QtBot, opened: Opened, echo_server: LineEchoServer
) -> None:
    many = [make_profile(*echo_server.address, "watch", name=f"w{i}") for i in range(20)]
    opened.registry.profiles.add(many)
    opened.session.profiles.flush().result(5)
    writes: list[Exception | None] = []
    opened.session.profiles.watch_saves(writes.append)  # told once per write
    opened.window.table.select_ids([q.id for q in many])
    opened.window.commands["toggle"].trigger()
    opened.session.profiles.flush().result(5)
    assert writes == [None]
    assert all(not q.enabled for q in ProfileStore(opened.session.config_dir).load())
    qtbot.waitUntil(lambda: all(state_of(opened, q.id) is State.PAUSED for q in many), timeout=5000)


def test_the_window_takes_in_a_change_made_in_a_terminal_and_keeps_it(
    qtbot: QtBot, tmp_path: Path
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    opened = open_window(qtbot, home.config, home.data)
    try:
        profiles = opened.registry.profiles
        profiles.add([p("from the window")])
        profiles.flush().result(5)
        done = subprocess.run(
            [str(TCPMONITOR), "profiles", "add", "from a terminal", "127.0.0.1:2", *home.options],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        qtbot.waitUntil(lambda: profiles.find("from a terminal") is not None, timeout=5000)
        terminal = profiles.find("from a terminal")
        assert terminal is not None and opened.window.model.row_of(terminal.id) is not None
        window_one = profiles.find("from the window")
        assert window_one is not None
        edited = dataclasses.replace(window_one, port=3)
        profiles.update([edited])  # the window's next write keeps the terminal's profile
        profiles.flush().result(5)
        stored = {q.name: q.port for q in ProfileStore(home.config).load()}
        assert stored == {"from the window": 3, "from a terminal": 2}
    finally:
        opened.close()
