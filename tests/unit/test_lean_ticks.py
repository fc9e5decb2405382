"""What makes a lean check cheap, tested for what it must not give up: the shared timer
(``Ticks``: checks due together wake the loop once, none early, none starved) and the answer
asked of the kernel right after ``connect`` (``answered_at_once``: the same outcome as
waiting for it, from a peer on this computer)."""

from __future__ import annotations

import asyncio
import errno
import logging
import select
import socket

import pytest

from tcpmonitor_gui.core import lean_probe
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.lean_probe import SLOT_S, SWEEP_MIN, LeanProbe, Ticks, lean_address
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.core.sockopts import answered_at_once
from tcpmonitor_gui.lab import UnresponsiveListener
from tests.helpers import Collector, make_profile
from tests.unit.test_detect_probe import closed_port
from tests.unit.test_lean_probe import lean_once

DEADLINE_S = 5.0
#: A loaded CI machine may run a timer late; never early.
LATE_MARGIN_S = 0.5


def timers_set(monkeypatch: pytest.MonkeyPatch, by: object = None) -> list[float]:
    """When the running loop's timers are set for (only those of ``by``, if given)."""
    loop = asyncio.get_running_loop()
    timers: list[float] = []
    call_at = loop.call_at

    def counted(when, callback, *args, **kwargs):  # type: ignore[no-untyped-def]
        if by is None or getattr(callback, "__self__", None) is by:
            timers.append(when)
        return call_at(when, callback, *args, **kwargs)

    monkeypatch.setattr(loop, "call_at", counted)
    return timers


async def test_checks_due_in_one_slot_wake_the_loop_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop = asyncio.get_running_loop()
    ticks = Ticks(loop)
    timers = timers_set(monkeypatch, ticks)
    # Fifty checks due within one slot, at least 50 ms from now.
    base = (int((loop.time() + 0.05) / SLOT_S) + 1) * SLOT_S + SLOT_S / 10
    ran: list[tuple[float, float]] = []
    done = asyncio.Event()
    for i in range(50):
        when = base + i * SLOT_S / 100

        def check(when: float = when) -> None:
            ran.append((when, loop.time()))
            if len(ran) == 50:
                done.set()

        ticks.at(when, check)
    await asyncio.wait_for(done.wait(), DEADLINE_S)
    assert len(timers) == 1, "one wake-up for the slot, not one per check"
    assert all(at >= when - 0.002 for when, at in ran), "no check runs early"
    assert all(at <= when + SLOT_S + LATE_MARGIN_S for when, at in ran)


async def test_lean_probes_due_together_share_one_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    timers = timers_set(monkeypatch)
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    got: list[Sample] = []
    probes = []
    try:
        profile = make_profile(*listener.getsockname(), interval_s=60)
        address = lean_address(profile)
        assert address is not None
        for i in range(40):
            probe = LeanProbe(profile, address, got.append)
            probe.start(0.1 + i * SLOT_S / 100)  # all within one slot
            probes.append(probe)
        assert len(timers) <= 2, "one timer (two if a slot boundary falls among them)"
    finally:
        for probe in probes:
            probe.stop()
        listener.close()


async def test_a_cancelled_check_does_not_run_and_a_later_one_still_does() -> None:
    loop = asyncio.get_running_loop()
    ticks = Ticks(loop)
    ran: list[str] = []
    done = asyncio.Event()
    ticks.later(0.02, lambda: ran.append("cancelled")).cancel()
    ticks.later(0.03, lambda: (ran.append("kept"), done.set()))
    await asyncio.wait_for(done.wait(), DEADLINE_S)
    assert ran == ["kept"]


async def test_a_check_that_keeps_falling_due_now_starves_nothing() -> None:
    loop = asyncio.get_running_loop()
    ticks = Ticks(loop)
    count = 0

    def again() -> None:
        nonlocal count
        count += 1
        ticks.at(loop.time() - 1.0, again)  # overdue, every time

    ticks.at(loop.time() - 1.0, again)
    other = asyncio.Event()
    loop.call_soon(other.set)  # the rest of the loop gets its turns
    await asyncio.wait_for(other.wait(), DEADLINE_S)
    before = count
    await asyncio.wait_for(asyncio.sleep(0.1), DEADLINE_S)
    # One run per slot at most: 0.1 s is ten slots (plus a late timer's catching up).
    assert 1 <= count - before <= 0.1 / SLOT_S + 3


async def test_a_check_that_raises_is_logged_and_the_others_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    loop = asyncio.get_running_loop()
    ticks = Ticks(loop)
    ran: list[int] = []
    done = asyncio.Event()
    when = loop.time() + 0.02

    def broken() -> None:
        raise RuntimeError("a bug")

    ticks.at(when, broken)
    ticks.at(when, lambda: (ran.append(1), done.set()))
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(done.wait(), DEADLINE_S)
    assert ran == [1]
    assert "a bug" in caplog.text


def nonblocking_connect(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM | socket.SOCK_NONBLOCK)
    assert sock.connect_ex(("127.0.0.1", port)) in (errno.EINPROGRESS, 0)
    return sock


def test_the_kernel_answers_a_peer_on_this_computer_within_connect() -> None:
    """Connected with the RTT, or refused with its errno; never a wrong answer. The kernel may
    put its network work off (a loaded machine): then None, and the loop waits as before."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    connected, refused = [], []
    try:
        for _ in range(20):
            with nonblocking_connect(listener.getsockname()[1]) as sock:
                connected.append(answered_at_once(sock))
            listener.accept()[0].close()
            with nonblocking_connect(closed_port()) as sock:
                refused.append(answered_at_once(sock))
    finally:
        listener.close()
    assert all(a is None or (a[0] == 0 and a[1] is not None and a[1] > 0) for a in connected)
    assert any(a is not None for a in connected), "20 connects on loopback, none at once"
    assert all(a is None or a == (errno.ECONNREFUSED, None) for a in refused)
    assert any(a is not None for a in refused)


def test_a_peer_that_closed_right_after_accepting_was_connected_to() -> None:
    """Its FIN is in by the time the kernel is asked (the connection is in CLOSE_WAIT): the
    connect was answered, as waiting for the socket to turn writable would have said. Before,
    it was taken for a handshake under way, and the check waited on the loop for nothing."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    try:
        for _ in range(5):
            with nonblocking_connect(listener.getsockname()[1]) as sock:
                listener.accept()[0].close()
                readable, _, _ = select.select([sock], [], [], DEADLINE_S)  # the FIN is in
                assert readable and sock.recv(1) == b""
                answer = answered_at_once(sock)
                assert answer is not None and answer[0] == 0
                assert answer[1] is not None and answer[1] > 0
    finally:
        listener.close()


def test_a_handshake_under_way_is_not_taken_for_an_answer() -> None:
    with UnresponsiveListener() as listener:  # its backlog is full: the SYN goes unanswered
        for _ in range(3):
            with nonblocking_connect(listener.address[1]) as sock:
                assert answered_at_once(sock) is None


async def test_a_peer_that_made_a_check_wait_is_not_asked_at_once_after() -> None:
    made: list[LeanProbe] = []
    with UnresponsiveListener() as listener:
        profile = make_profile(*listener.address, timeout_s=0.2, interval_s=60)
        sample = await lean_once(profile, made)
    assert sample.cause is Cause.CONNECT_TIMEOUT
    assert sample.detail == "no answer to connect within 0.2 s"
    assert not made[0]._at_once  # a farther peer: its checks wait with the loop


async def test_cancelled_checks_do_not_pile_up_and_the_rest_still_run() -> None:
    loop = asyncio.get_running_loop()
    ticks = Ticks(loop)
    ran = asyncio.Event()
    kept = ticks.later(0.05, ran.set)
    for i in range(10_000):  # a profile edited again and again, with a day's interval
        ticks.later(86_400 + i, lambda: None).cancel()
    assert sum(len(entries) for entries in ticks._slots.values()) < 300
    await asyncio.wait_for(ran.wait(), DEADLINE_S)
    assert kept.callback is None  # ran, once


async def test_a_swept_slot_that_was_armed_runs_nothing_early() -> None:
    loop = asyncio.get_running_loop()
    ticks = Ticks(loop)
    early = [ticks.later(0.02, lambda: None) for _ in range(SWEEP_MIN)]  # arms the timer
    ran: list[float] = []
    later_at = loop.time() + 0.3
    ticks.at(later_at, lambda: ran.append(loop.time()))
    for due in early:
        due.cancel()  # the last one sweeps them out: the armed slot is gone
    assert not any(due in entries for entries in ticks._slots.values() for due in early)
    done = asyncio.Event()
    ticks.at(later_at + 0.01, done.set)
    await asyncio.wait_for(done.wait(), DEADLINE_S)
    assert ran and ran[0] >= later_at - 0.002


def asked_at_once(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The sockets whose answer was asked of the kernel right after ``connect``."""
    asked: list[object] = []
    real = lean_probe.answered_at_once

    def counted(sock: socket.socket) -> tuple[int, float | None] | None:
        asked.append(sock)
        return real(sock)

    monkeypatch.setattr(lean_probe, "answered_at_once", counted)
    return asked


def samples(collector: Collector, profile_id: str) -> list[Event]:
    return [e for _, e in collector.events if e.kind is Kind.SAMPLE and e.profile_id == profile_id]


async def checked_once_more(collector: Collector, probe: LeanProbe) -> None:
    """``probe`` checks now; returns once its sample is reported and its next check set."""
    before = len(samples(collector, probe.profile.id))
    probe.now()
    await collector.wait_for(
        lambda e: len(samples(collector, probe.profile.id)) > before, DEADLINE_S
    )
    while probe._timer is None:  # its report runs before its next check is set
        await asyncio.sleep(0)


@pytest.mark.parametrize("shares_gil", [False, True])
async def test_a_loop_that_shares_the_gil_takes_the_cheap_ways_only_while_checks_are_few(
    shares_gil: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window's worker (its loop shares the GIL with the window's thread): while its
    probes make few checks a second, slots and answers at once; while they make more, the
    same checks, each with a timer of the loop's own and waited for with the loop. A loop
    of its own (the command line) takes the cheap ways however many there are."""
    monkeypatch.setattr(lean_probe, "SHARED_CHEAP_CHECKS_PER_S", 2.5 / 60)
    asked = asked_at_once(monkeypatch)
    collector = Collector()
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    monitors = MonitorSet(collector, shares_gil=shares_gil)
    host, port = listener.getsockname()
    try:
        first = monitors.add(make_profile(host, port, interval_s=60), stagger=False)
        await collector.wait_for(lambda e: e.kind is Kind.STATE and e.state is State.UP, DEADLINE_S)
        probe = first._lean
        assert probe is not None
        assert isinstance(probe._timer, lean_probe.Due), "one probe: cheap"
        assert len(asked) == 1
        # Two more at one check a minute each: 3/60 a second, above the bound.
        others = [
            monitors.add(
                make_profile(host, port, id=f"p{i}", interval_s=60), stagger=False
            ).profile.id
            for i in range(2)
        ]
        await checked_once_more(collector, probe)
        assert isinstance(probe._timer, asyncio.TimerHandle) is shares_gil
        assert len(samples(collector, first.profile.id)) == 2
        ask_while_many = len(asked)
        assert (ask_while_many == 1) is shares_gil or ask_while_many > 1
        # Back to two: cheap again.
        await monitors.remove(others[0])
        await checked_once_more(collector, probe)
        assert isinstance(probe._timer, lean_probe.Due)
        assert len(asked) > ask_while_many
    finally:
        await monitors.close()
        listener.close()
    checked = samples(collector, first.profile.id)
    assert len(checked) == 3
    assert all(e.cause is None and e.latency_ms is not None for e in checked), "up each time"


def test_a_pace_counts_what_its_probes_check_a_second() -> None:
    pace = lean_probe.Pace(shares_gil=True)
    per_s = [pace.joined(interval) for interval in (0.5, 1.0, 1.0, 3.0)]
    assert pace.per_s == pytest.approx(2 + 1 + 1 + 1 / 3)
    assert pace.cheap
    many = [pace.joined(1.0) for _ in range(int(lean_probe.SHARED_CHEAP_CHECKS_PER_S))]
    assert not pace.cheap
    for added in many + per_s:
        pace.left(added)
    assert pace.per_s == 0.0 and pace.cheap
    alone = lean_probe.Pace()
    for _ in range(100_000):
        alone.joined(0.1)
    assert alone.cheap, "a loop of its own is always cheap"


async def test_a_probe_counts_in_its_pace_once_however_often_started_or_stopped() -> None:
    pace = lean_probe.Pace(shares_gil=True)
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        profile = make_profile(*listener.getsockname(), interval_s=2)
        address = lean_address(profile)
        assert address is not None
        probe = LeanProbe(profile, address, lambda sample: None, pace=pace)
        probe.start(delay_s=60)
        probe.start(delay_s=60)
        assert pace.per_s == pytest.approx(0.5)
        probe.stop()
        probe.stop()
        assert pace.per_s == 0.0
    finally:
        listener.close()
