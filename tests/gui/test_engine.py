"""The engine: worker threads with their own loops, batched events, clean shutdown."""

from __future__ import annotations

import dataclasses
import functools
import os
import socket
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core import claims, last_seen
from tcpmonitor_gui.core.actions import parse
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.eventqueries import read
from tcpmonitor_gui.core.events import Cause, Event, Kind, State, condition
from tcpmonitor_gui.core.localnet import LocalNetwork
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_set import ProfileSet
from tcpmonitor_gui.core.settings import Settings, SettingsStore
from tcpmonitor_gui.engine.engine import Engine
from tcpmonitor_gui.engine.registry import ProfileRegistry
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tests.gui.windows import Opened, open_window, state_of, watched_through
from tests.helpers import make_profile
from tests.redis import free_port
from tests.unit.test_notify_actions import Receiver


@pytest.fixture
def engine() -> Iterator[Engine]:
    e = Engine(workers=2)
    e.start()
    yield e
    assert e.shutdown(), "workers did not stop in time"


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def os_threads() -> int:
    """Threads the kernel knows (``threading.active_count`` also counts the stale "dummy"
    entries Python keeps for every foreign thread, such as a QThread, that ever asked)."""
    return len(os.listdir("/proc/self/task"))


class Received:
    def __init__(self, engine: Engine) -> None:
        self.batches: list[list[Event]] = []
        self.threads: set[int] = set()
        engine.eventsReady.connect(self.take)

    def take(self, batch: list[Event]) -> None:
        self.threads.add(threading.get_ident())
        self.batches.append(batch)

    def events(self) -> list[Event]:
        return [e for b in self.batches for e in b]

    def has(self, state: State, profile_id: str | None = None) -> bool:
        return any(
            e.kind is Kind.STATE and e.state is state and profile_id in (None, e.profile_id)
            for e in self.events()
        )


def test_events_reach_the_gui_thread_in_batches(
    qtbot: QtBot, engine: Engine, echo_server: LineEchoServer
) -> None:
    got = Received(engine)
    profiles = [make_profile(*echo_server.address, interval_s=0.1, id=f"p{i}") for i in range(20)]
    engine.set_profiles(profiles)
    qtbot.waitUntil(lambda: all(got.has(State.UP, p.id) for p in profiles), timeout=5000)
    samples_before = sum(e.kind is Kind.SAMPLE for e in got.events())
    qtbot.waitUntil(
        lambda: sum(e.kind is Kind.SAMPLE for e in got.events()) > samples_before + 100,
        timeout=5000,
    )
    assert got.threads == {threading.get_ident()}
    # 20 profiles x 10 samples a second arrive in far fewer signals than events.
    assert len(got.batches) < len(got.events()) / 3


def test_a_state_change_is_not_held_back_by_batching(
    qtbot: QtBot, engine: Engine, proxy: FaultProxy
) -> None:
    got = Received(engine)
    profile = make_profile(*proxy.address, "watch", interval_s=3600)
    engine.add(profile)
    qtbot.waitUntil(lambda: got.has(State.UP), timeout=5000)
    fault_at = proxy.set_mode("reset")
    qtbot.waitUntil(lambda: got.has(State.DOWN), timeout=2000)
    noticed = time.monotonic() - fault_at
    assert noticed < 0.1, f"down reached the GUI thread {noticed * 1000:.0f} ms after the RST"
    down = next(e for e in got.events() if e.state is State.DOWN)
    assert down.cause is Cause.RESET


def test_many_profiles_go_to_the_workers_evenly_in_one_command_each(
    qtbot: QtBot, engine: Engine, echo_server: LineEchoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """5,000 profiles handed over one by one held the GUI thread for 2 s at start."""
    from tcpmonitor_gui.engine.worker import Worker

    commands: list[Worker] = []
    submit = Worker.submit
    monkeypatch.setattr(Worker, "submit", lambda w, c: (commands.append(w), submit(w, c))[1])
    profiles = [make_profile(*echo_server.address, interval_s=60, id=f"p{i}") for i in range(301)]
    engine.set_profiles(profiles)
    assert len(commands) == 2 and len(set(commands)) == 2  # one per worker
    qtbot.waitUntil(lambda: sum(w.count for w in commands) == 301, timeout=5000)
    assert sorted(w.count for w in commands) == [150, 151]
    assert all(engine.monitored(p.id) for p in profiles)


def test_commands_pause_resume_update_remove(
    qtbot: QtBot, engine: Engine, echo_server: LineEchoServer
) -> None:
    got = Received(engine)
    profile = make_profile(*echo_server.address, "heartbeat", interval_s=0.2)
    engine.add(profile).result(5)
    qtbot.waitUntil(lambda: got.has(State.UP), timeout=5000)
    engine.pause(profile.id).result(5)
    qtbot.waitUntil(lambda: got.has(State.PAUSED), timeout=2000)
    paused_at = len(got.events())
    engine.resume(profile.id).result(5)
    qtbot.waitUntil(
        lambda: any(e.state is State.UP for e in got.events()[paused_at:]), timeout=5000
    )
    engine.remove(profile.id).result(5)
    assert not engine.monitored(profile.id)
    with pytest.raises(KeyError):
        engine.pause(profile.id).result(5)


async def test_test_now_runs_off_the_gui_thread(
    engine: Engine, echo_server: LineEchoServer
) -> None:
    unsaved = make_profile(*echo_server.address, preset="echo")
    sample = engine.test_now(unsaved).result(5)
    assert sample.ok and sample.timings is not None and sample.timings.reply_ms is not None


def test_start_and_stop_fifty_times_leaks_nothing(
    qtbot: QtBot, echo_server: LineEchoServer
) -> None:
    threads_before = os_threads()
    fds_before = open_fds()
    for round_ in range(50):
        engine = Engine(workers=2)
        engine.start()
        got = Received(engine)
        engine.add(make_profile(*echo_server.address, "watch", id=f"r{round_}"))
        qtbot.waitUntil(lambda got=got: got.has(State.UP), timeout=5000)
        assert engine.shutdown(timeout=5)
    assert echo_server.wait_for_idle(timeout=5), "a held connection outlived its engine"
    qtbot.waitUntil(lambda: os_threads() <= threads_before, timeout=5000)
    assert open_fds() <= fds_before + 2  # a lazily opened pipe or two in the libraries


def test_a_worker_that_does_not_stop_in_time_is_kept_not_destroyed_running(
    qtbot: QtBot,
) -> None:
    """A QThread destroyed while it runs aborts the whole process; one that outlives the
    deadline is kept (and the program leaves without tearing it down)."""
    e = Engine(workers=1)
    e.start()
    release = threading.Event()
    e._workers[0].submit(lambda _ms: release.wait(10))  # a call that does not return in time
    try:
        assert e.shutdown(timeout=0.2) is False
        assert len(e.lingering) == 1 and e.lingering[0].isRunning()
    finally:
        release.set()
    assert e.lingering[0].wait(5000)  # it ends once the call returns; nothing aborted


def test_the_desktop_program_serves_metrics_when_the_setting_asks(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """``metrics_listen`` in settings.json: the window's engine serves the same families as
    ``tcpmonitor run``, following the registry; a port in use is said in the banner."""
    config, data = tmp_path / "config", tmp_path / "data"
    SettingsStore(config).save(Settings(metrics_listen="127.0.0.1:0"))
    opened = open_window(qtbot, config, data)
    try:
        window = opened.window
        watched_through(qtbot, opened, proxy, "Orders DB")
        served = functools.partial(scraped, opened)
        qtbot.waitUntil(lambda: 'tcpmonitor_up{profile="Orders DB"' in served(), timeout=5000)
        assert 'tcpmonitor_state{profile="Orders DB",' in served()
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = Engine(workers=1, metrics_listen=f"127.0.0.1:{taken.getsockname()[1]}")
            with qtbot.waitSignal(busy.metricsFailed, timeout=5000) as failed:
                busy.start()
            busy.shutdown()
        assert failed.args[1] == "Address already in use"
        assert window.isVisible()
    finally:
        opened.close()


def test_the_windows_metrics_say_whether_this_computer_is_online_from_the_start(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """No change of the network since the window opened, so no event told it: the page said
    nothing of this computer's network, and a team's rules could not hold target alerts
    back while it is offline."""
    here = LocalNetwork().start()  # what the window will find: this machine's network
    here.close()
    config, data = tmp_path / "config", tmp_path / "data"
    SettingsStore(config).save(Settings(metrics_listen="127.0.0.1:0"))
    opened = open_window(qtbot, config, data)
    try:
        if here.online is None:  # not known here (no netlink): no sample, ever
            expected = "# TYPE tcpmonitor_network_online gauge\n# HELP"
        else:
            expected = f"\ntcpmonitor_network_online {int(here.online)}\n"
        qtbot.waitUntil(lambda: expected in scraped(opened), timeout=5000)
        assert "\ntcpmonitor_asleep 0\n" in scraped(opened)
    finally:
        opened.close()


def test_the_window_exports_what_tcpmonitor_run_would_and_never_the_demo(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """The window exported every profile it held: a disabled one, and the demo's (never
    saved nor recorded), into a team's Prometheus. As ``tcpmonitor run``: the enabled
    profiles, and one disabled meanwhile (paused, its counters kept); never the demo's."""
    config, data = tmp_path / "config", tmp_path / "data"
    SettingsStore(config).save(Settings(metrics_listen="127.0.0.1:0"))
    opened = open_window(qtbot, config, data)
    try:
        window = opened.window
        orders = watched_through(qtbot, opened, proxy, "Orders DB")
        spare = make_profile(*proxy.address, "watch", name="Spare", enabled=False)
        window.profiles.apply(spare, new=True)
        qtbot.waitUntil(lambda: state_of(window, spare.id) is State.PAUSED, timeout=5000)
        window.commands["demo"].trigger()
        demo = opened.demo.demo
        assert demo is not None
        qtbot.waitUntil(
            lambda: all(state_of(window, p.id) is State.UP for p in demo.profiles), timeout=10000
        )
        served = functools.partial(scraped, opened)
        text = served()
        assert 'tcpmonitor_up{profile="Orders DB",' in text
        assert 'profile="Spare"' not in text
        assert [p.name for p in demo.profiles if f'profile="{p.name}"' in text] == []
        window.profiles.apply(dataclasses.replace(orders, enabled=False), new=False)
        labels = f'profile="Orders DB",target="{orders.target}",detector="watch"'
        paused = f'tcpmonitor_state{{{labels},state="paused"}} 1'
        qtbot.waitUntil(lambda: paused in served(), timeout=5000)
        assert f'tcpmonitor_state_changes_total{{{labels},cause="none"}} 1' in served()  # kept
    finally:
        opened.close()


def test_the_window_opened_again_keeps_the_time_of_the_last_change_in_its_metrics(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy
) -> None:
    """Up when the window closed and up when it opened again: its "for" goes on from the
    event log's time, and the metrics said the state changed as the window opened."""
    config, data = tmp_path / "config", tmp_path / "data"
    SettingsStore(config).save(Settings(metrics_listen="127.0.0.1:0"))
    opened = open_window(qtbot, config, data)
    try:
        watched_through(qtbot, opened, proxy, "Orders DB")
        qtbot.waitUntil(lambda: changed_at(scraped(opened)) is not None, timeout=5000)
        before = changed_at(scraped(opened))
    finally:
        opened.close()
    again = open_window(qtbot, config, data)
    try:
        up = 'detector="watch",state="up"} 1'
        qtbot.waitUntil(lambda: up in scraped(again), timeout=5000)
        assert changed_at(scraped(again)) == pytest.approx(before, abs=0.001)
        assert "tcpmonitor_state_changes_total{" not in scraped(again)  # nothing changed
    finally:
        again.close()


def test_the_window_opened_again_counts_a_change_found_while_it_read_the_event_log(
    qtbot: QtBot, tmp_path: Path, proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Up when the window closed, refused when it opened again: a change, counted by
    tcpmonitor_state_changes_total{cause="refused"}. The metrics learn what the log knew
    on a thread of their own, and that read took in the drop this window had just stored
    (a big log, a busy computer): the log said "down", the drop was taken for a state
    found again as before, and the change was never counted."""
    config, data = tmp_path / "config", tmp_path / "data"
    SettingsStore(config).save(Settings(metrics_listen="127.0.0.1:0"))
    opened = open_window(qtbot, config, data)
    try:
        orders = watched_through(qtbot, opened, proxy, "Orders DB")
    finally:
        opened.close()
    proxy.set_mode("refuse")
    stored_down = threading.Event()
    known_states = last_seen.known_states

    def slow_read(path: Path, *args: Any, **kwargs: Any) -> Any:  # the learning thread
        deadline = time.monotonic() + 10
        while not stored_down.is_set() and time.monotonic() < deadline:
            downs = read(path, lambda c: c.execute(DOWNS, (orders.id,)).fetchone()[0], 0)
            if downs:
                stored_down.set()
            else:
                time.sleep(0.05)  # ok-sleep: polling the log for the drop, with a deadline
        return known_states(path, *args, **kwargs)

    monkeypatch.setattr(last_seen, "known_states", slow_read)
    again = open_window(qtbot, config, data)
    try:
        labels = f'profile="Orders DB",target="{orders.target}",detector="watch"'
        down = f'tcpmonitor_state{{{labels},state="down"}} 1'
        qtbot.waitUntil(lambda: down in scraped(again), timeout=15000)
        assert stored_down.is_set()
        counted = f'tcpmonitor_state_changes_total{{{labels},cause="refused"}} 1'
        assert counted in scraped(again)
    finally:
        again.close()


DOWNS = "SELECT count(*) FROM events WHERE profile_id = ? AND state = 'down'"


def changed_at(text: str) -> float | None:
    """The value of the page's (one) tcpmonitor_last_change_timestamp_seconds."""
    found = [line for line in text.splitlines() if line.startswith("tcpmonitor_last_change_")]
    return float(found[0].rsplit(" ", 1)[1]) if found else None


def scraped(opened: Opened) -> str:
    """The window's metrics page, as Prometheus gets it."""
    serving = opened.engine._metrics_server
    assert serving is not None and serving.server is not None
    url = f"http://127.0.0.1:{serving.server.address[1]}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def test_a_profile_with_actions_paused_here_is_left_to_another_program(
    qtbot: QtBot, tmp_path: Path, echo_server: LineEchoServer
) -> None:
    """A profile with actions, paused in the window: the window stored its "paused" and let
    go of its claim, then asked for the claim again as it checked the batch for actions to
    run (on the GUI thread, after the writer had let go), and held it while the profile stayed
    paused: ``tcpmonitor run`` beside it recorded nothing of the profile, nor ran its actions.
    A change no action runs on asks for no claim."""
    path = tmp_path / "data" / "events.sqlite3"
    action = {"on": "down", "run": [sys.executable, "-c", "pass"]}
    profile = Profile.from_dict({
        "id": "db", "name": "db", "host": echo_server.address[0], "port": echo_server.address[1],
        "detector": {"kind": "probe", "interval_s": 0.2}, "actions": [action]})  # fmt: skip
    log = EventLog(path).start()
    engine = Engine(workers=1, eventlog=log, registry=ProfileRegistry(ProfileSet([profile])))
    got = Received(engine)
    other = claims.Claims.open(path)  # as tcpmonitor run beside the window sees it
    try:
        engine.start()
        qtbot.waitUntil(lambda: got.has(State.UP, "db"), timeout=5000)
        assert other.elsewhere("db")  # recorded by the window
        engine.pause("db").result(5)
        qtbot.waitUntil(lambda: got.has(State.PAUSED, "db"), timeout=5000)
        qtbot.waitUntil(lambda: not other.elsewhere("db"), timeout=5000)  # let go
        paused = next(e for e in got.events() if e.state is State.PAUSED)
        engine._run_actions([paused])  # as the batch reaches the GUI thread after the writer
        assert not other.elsewhere("db")
        assert other.holds("db")
    finally:
        other.close()
        assert engine.shutdown()
        log.close()


def test_a_service_that_missed_a_drop_hears_it_when_this_computer_is_back_online(
    qtbot: QtBot,
) -> None:
    """A drop's notice that could not reach the team's webhook (this computer offline) is
    told to it when the network is back, not lost: the window's engine asks the actions to
    tell again what services missed (``core.untold``)."""
    port, closed = free_port(), free_port()
    action = {"on": "down", "notify": f"json://127.0.0.1:{port}/", "timeout_s": 5}
    profile = make_profile("127.0.0.1", closed, "probe", id="db", name="Orders DB", interval_s=5)
    profile = dataclasses.replace(profile, actions=parse("actions", [action]))
    engine = Engine(workers=1, registry=ProfileRegistry(ProfileSet([profile])))
    got = Received(engine)
    service: Receiver | None = None

    def told(what: str) -> bool:
        return any(e.kind is Kind.ACTION and what in e.detail for e in got.events())

    try:
        engine.start()
        qtbot.waitUntil(lambda: told("not sent"), timeout=10_000)
        service = Receiver(port)  # reachable again
        engine._computer_news(condition(State.ONLINE))
        qtbot.waitUntil(lambda: told("told again"), timeout=10_000)
        [(_, _, heard)] = service.wait(1)
    finally:
        assert engine.shutdown()
        if service is not None:
            service.shutdown()
            service.server_close()
    assert heard["title"] == "Not delivered earlier: Orders DB"
    assert heard["message"].startswith("Not delivered at ")
    said = f"Orders DB (127.0.0.1:{closed}) is down: refused — connection refused"
    assert heard["message"].endswith(said)
