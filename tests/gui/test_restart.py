"""A restart forgets nothing: the window comes back with each row's sparkline, last cause and
the state it was in before (said beside "for", which counts from the start: nothing is known
of the time nothing watched), and its uptime counts every second of a drop."""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.actions import Action
from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.last_seen import LastSeen
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.session import EventLogUnavailable
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.notify.notice import Notice
from tcpmonitor_gui.ui.status.model import Column, Role
from tests.gui.windows import Opened, open_window, state_of
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
        # Down then, down now; up then, up now: "for" counts from this start (nothing is
        # known of the time between), and says it was so before the restart too.
        assert cell(w, down.id, Column.IN_STATE, Role.SORT) < down_since  # later: shorter
        assert cell(w, up.id, Column.IN_STATE, Role.SORT) < up_since
        for pid in (down.id, up.id):
            qtbot.waitUntil(lambda: "before the restart" in str(cell(w, pid, Column.IN_STATE)))  # noqa: B023
    finally:
        again.close()


#: Appends a line to the file named by its argument: one line per run of the action.
TOUCH = "import sys; open(sys.argv[1], 'a').write('ran\\n')"
#: Each connection's proxy mode before the restart and after it.
MODES = {"stays": ("refuse", "refuse"), "goes": ("pass", "refuse"), "comes": ("refuse", "pass")}
BEFORE = {"stays": State.DOWN, "goes": State.UP, "comes": State.DOWN}
AFTER = {"stays": State.DOWN, "goes": State.DOWN, "comes": State.UP}


@pytest.fixture
def three(
    echo_server: LineEchoServer,
) -> Iterator[tuple[dict[str, Profile], dict[str, FaultProxy]]]:
    """Three connections through proxies to one echo server: "stays" down before the restart
    and after it, "goes" up before and down after, "comes" down before and up after."""
    with contextlib.ExitStack() as stack:
        proxies = {n: stack.enter_context(FaultProxy(echo_server.address)) for n in MODES}
        profiles = {
            n: make_profile(*p.address, "heartbeat", name=n, interval_s=0.2)
            for n, p in proxies.items()
        }
        for name, (before, _after) in MODES.items():
            proxies[name].set_mode(before)
        yield profiles, proxies


def wait_for(
    qtbot: QtBot, w: MainWindow, profiles: dict[str, Profile], states: dict[str, State]
) -> None:
    for name, state in states.items():
        pid = profiles[name].id
        qtbot.waitUntil(lambda: state_of(w, pid) is state, timeout=5000)  # noqa: B023


def run_then_quit(qtbot: QtBot, dirs: tuple[Path, Path], profiles: dict[str, Profile]) -> None:
    """The first run: each connection found as ``BEFORE`` says, "stays" down a second or more."""
    first = open_window(qtbot, *dirs)
    try:
        w = first.window
        for profile in profiles.values():
            w.profiles.apply(profile, new=True)
        wait_for(qtbot, w, profiles, BEFORE)
        stays = profiles["stays"].id
        qtbot.waitUntil(lambda: cell(w, stays, Column.IN_STATE) not in ("", "0 s"), timeout=5000)
    finally:
        first.close()


def restarted(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> Opened:
    """The first run, then the proxies as ``AFTER`` says, and the window opened again on the
    same dirs, not yet monitoring (the test listens first)."""
    profiles, proxies = three
    dirs = tmp_path / "config", tmp_path / "data"
    run_then_quit(qtbot, dirs, profiles)
    for name, (_before, after) in MODES.items():
        proxies[name].set_mode(after)
    return open_window(qtbot, *dirs, monitor=False)


def found_again(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> Opened:
    """``restarted``, monitoring, each connection found as ``AFTER`` says, "stays" found
    again as it was left."""
    profiles = three[0]
    again = restarted(qtbot, tmp_path, three)
    w = again.window
    try:
        w.start_monitoring()
        wait_for(qtbot, w, profiles, AFTER)
        stays = profiles["stays"].id
        qtbot.waitUntil(lambda: "before the restart" in str(cell(w, stays, Column.IN_STATE)))
    except BaseException:
        again.close()
        raise
    return again


def test_for_and_the_current_outage_agree_after_a_restart(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> None:
    """Nothing was watched between the stop and the start: the table's "for" counts from the
    start, as the details' ongoing outage does, and says the state was the same before."""
    profiles = three[0]
    again = found_again(qtbot, tmp_path, three)
    try:
        w = again.window
        stays, goes, comes = (profiles[n].id for n in MODES)
        for name in ("stays", "goes"):
            pid = profiles[name].id
            known = w.model.in_state(pid)
            assert known is not None
            dock = again.details_of(qtbot, pid)
            assert dock.history is not None
            ongoing = [o for o in dock.history.outages if o.end is None]
            assert [o.start for o in ongoing] == [known[1]], name  # the same drop, same start
            ended = dock.outage_table.item(0, 3).text()
            too = "ongoing (down before the restart too)"
            assert ended == (too if name == "stays" else "ongoing"), name
        assert "not known" in str(w.model.tooltip(w.model.row_of(stays) or 0, Column.IN_STATE))
        for other in (goes, comes):
            assert "before the restart" not in str(cell(w, other, Column.IN_STATE))
    finally:
        again.close()


def test_a_drop_found_again_at_a_restart_is_told_quietly_as_still_down(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> None:
    """Down before the restart and after it: "Still down", quietly, not "Connection down"
    (news, with its urgency and sound, for a port the user knew was closed); down after but
    up before: a drop, told as one; down before and up after: "Up again", quietly."""
    profiles = three[0]
    again = restarted(qtbot, tmp_path, three)
    try:
        w = again.window
        told: list[Notice] = []
        w.policy.notification.connect(told.append)
        w.start_monitoring()
        w.show()
        wait_for(qtbot, w, profiles, AFTER)
        for name in MODES:
            qtbot.waitUntil(lambda: any(name in n.title for n in told), timeout=5000)  # noqa: B023
        qtbot.waitUntil(lambda: w.policy.remaining_ms() == -1, timeout=5000)
        last = {n.key or n.title: n for n in told}  # a notice updated in place: as it ends
        shown = sorted((n.title, n.urgent, n.sound) for n in last.values())
        assert shown == [
            ("Connection down: goes", True, False),  # (sound: off by default)
            ("Still down: stays", False, False),
            ("Up again: comes", False, False),  # news too, quietly: when it came is not known
        ]
    finally:
        again.close()


def test_the_trays_recent_events_say_a_drop_found_again_was_down_before_the_restart(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> None:
    """The notice said "Still down: stays" (not a new drop) and the table "(and before the
    restart)", while the tray's recent events listed "stays down (refused)" at the restart's
    minute, as a drop then; "goes", up before, is one."""
    again = found_again(qtbot, tmp_path, three)
    try:
        w = again.window

        def recent() -> list[str]:
            return sorted(t.split(" ", 1)[1] for t in w.tray.recent_texts())

        qtbot.waitUntil(lambda: len(recent()) == 2, timeout=3000)
        assert recent() == [
            "goes down (refused)",
            "stays down (refused) (down before the restart too)",
        ]
    finally:
        again.close()


def test_a_drop_found_again_at_a_restart_of_the_window_runs_no_down_action(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> None:
    """Down before the restart and after: its down action (restart a tunnel, page someone)
    is not run again, and the log says why; down after but up before: it runs."""
    profiles = three[0]
    ran = {name: tmp_path / f"ran-{name}" for name in profiles}
    for name, p in profiles.items():
        touch = (sys.executable, "-c", TOUCH, str(ran[name]))
        profiles[name] = dataclasses.replace(p, actions=(Action("down", touch),))
    again = restarted(qtbot, tmp_path, three)
    assert ran["stays"].read_text() == "ran\n"  # its drop, when first found
    try:
        w = again.window
        seen: list[Event] = []
        again.engine.eventsReady.connect(seen.extend)
        w.start_monitoring()
        wait_for(qtbot, w, profiles, AFTER)
        stays = profiles["stays"].id

        def said_not_run() -> bool:
            return any(
                e.kind is Kind.ACTION and e.profile_id == stays and "not run" in e.detail
                for e in seen
            )

        qtbot.waitUntil(said_not_run, timeout=5000)
        qtbot.waitUntil(ran["goes"].exists, timeout=5000)
        assert ran["stays"].read_text() == "ran\n"  # not run again
    finally:
        again.close()


def test_a_recovery_found_at_a_restart_of_the_window_runs_its_up_action(
    qtbot: QtBot, tmp_path: Path, three: tuple[dict[str, Profile], dict[str, FaultProxy]]
) -> None:
    """Down before the restart, up after: it came back while nothing watched. Its up action
    (closing what its down action opened) never ran; it runs, told what it came back from."""
    profiles = three[0]
    ran = tmp_path / "ran"
    told = "import os, sys; open(sys.argv[1], 'a').write(os.environ['TCPMONITOR_PREVIOUS'])"
    up = Action("up", (sys.executable, "-c", told, str(ran)))
    profiles["comes"] = dataclasses.replace(profiles["comes"], actions=(up,))
    again = restarted(qtbot, tmp_path, three)
    try:
        again.window.start_monitoring()
        qtbot.waitUntil(lambda: ran.exists() and ran.read_text() == "down", timeout=5000)
    finally:
        again.close()


def test_resume_all_runs_no_down_action_for_a_drop_it_paused(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """Pause all, then Resume all: each connection is checked afresh, and one down when paused
    and down again is no new drop: its down action is not run a second time."""
    ran = tmp_path / "ran"
    proxy.set_mode("refuse")
    touch = (sys.executable, "-c", TOUCH, str(ran))
    profile = make_profile(*proxy.address, "heartbeat", name="stays", interval_s=0.2)
    profile = dataclasses.replace(profile, actions=(Action("down", touch),))
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    try:
        w = opened.window
        seen: list[Event] = []
        opened.engine.eventsReady.connect(seen.extend)
        w.profiles.apply(profile, new=True)
        qtbot.waitUntil(lambda: state_of(w, profile.id) is State.DOWN, timeout=5000)
        qtbot.waitUntil(lambda: any(e.kind is Kind.ACTION for e in seen), timeout=5000)
        assert ran.read_text() == "ran\n"
        w.set_paused_all(True)
        qtbot.waitUntil(lambda: state_of(w, profile.id) is State.PAUSED, timeout=5000)
        w.set_paused_all(False)
        qtbot.waitUntil(
            lambda: any(e.kind is Kind.ACTION and "not run" in e.detail for e in seen),
            timeout=5000,
        )
        assert state_of(w, profile.id) is State.DOWN
        assert ran.read_text() == "ran\n"  # not run again
    finally:
        opened.close()


def test_a_drop_is_told_at_once_when_the_log_cannot_say_what_was_down(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drops found first wait for the log's answer of what was down before; one that does
    not come (the log unreadable: faked, as a readable log cannot fail to answer) holds
    nothing: the drop is told at once, as the program promises."""
    proxy.set_mode("refuse")
    profile = make_profile(*proxy.address, "heartbeat", name="refused", interval_s=0.2)
    opened = open_window(qtbot, tmp_path / "config", tmp_path / "data", monitor=False)
    try:
        w = opened.window
        failed: concurrent.futures.Future[dict[str, object]] = concurrent.futures.Future()
        failed.set_exception(EventLogUnavailable("cannot be read"))
        monkeypatch.setattr(opened.session, "last_seen", lambda _ids: failed)
        w.profiles.apply(profile, new=True)
        at_once: list[bool] = []  # told while the policy still gathers: the notice told at once
        w.policy.notification.connect(lambda _n: at_once.append(w.policy.remaining_ms() >= 0))
        w.start_monitoring()
        qtbot.waitUntil(lambda: bool(at_once), timeout=5000)
        assert at_once[0]
    finally:
        opened.close()


def test_a_slow_answer_of_the_log_still_finds_the_drop_was_down_before(
    qtbot: QtBot,
    tmp_path: Path,
    three: tuple[dict[str, Profile], dict[str, FaultProxy]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The log's answer of what was down before, 1 s late (a busy disk: the delay is put in
    front of the real answer), after the policy's first quiet flush (0.5 s, no check between:
    each is 30 s apart): "stays" is still told as "Still down", not as a fresh drop (the drops
    found first wait up to 2 s for it)."""
    profiles = three[0]
    again = restarted(qtbot, tmp_path, three)
    try:
        w = again.window
        for name, p in list(profiles.items()):  # checked again in 30 s: no batch meanwhile
            slower = dataclasses.replace(p.detector, interval_s=30)
            profiles[name] = dataclasses.replace(p, detector=slower)
            w.profiles.apply(profiles[name], new=False)
        real = again.session.last_seen

        def slow(ids: list[str]) -> concurrent.futures.Future[dict[str, LastSeen]]:
            late: concurrent.futures.Future[dict[str, LastSeen]] = concurrent.futures.Future()
            answer = real(ids)
            timer = threading.Timer(1.0, lambda: late.set_result(answer.result()))
            timer.start()
            return late

        monkeypatch.setattr(again.session, "last_seen", slow)
        told: list[Notice] = []
        w.policy.notification.connect(told.append)
        w.start_monitoring()
        wait_for(qtbot, w, profiles, AFTER)
        for name in ("goes", "stays"):
            qtbot.waitUntil(lambda: any(name in n.title for n in told), timeout=5000)  # noqa: B023
        qtbot.waitUntil(lambda: w.policy.remaining_ms() == -1, timeout=5000)
        titles = [n.title for n in told]
        assert "Still down: stays" in titles, titles
        assert not any("stays" in t and "down" in t and "Still" not in t for t in titles), titles
    finally:
        again.close()
