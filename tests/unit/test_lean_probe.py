"""The lean probe (callbacks, no task) against the general path (``probe_once``): for each
real outcome on loopback, the same sample, so nothing downstream can tell them apart; and
the schedule: an interval kept, ``now()`` honoured, nothing left behind by ``stop()``."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import os
import socket
import time

import pytest

from tcpmonitor_gui.core.detectors import run_probe
from tcpmonitor_gui.core.events import Cause, Kind, State
from tcpmonitor_gui.core.lean_probe import LeanProbe, lean_address
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.probe import probe_once
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.resolver import Resolver
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.core.waits import Wake
from tcpmonitor_gui.lab import LineEchoServer, UnresponsiveListener
from tests.helpers import Collector, make_profile
from tests.unit.test_detect_probe import closed_port, resolver

__all__ = ["resolver"]  # the fixture, shared with the general path's tests

DEADLINE_S = 5.0


async def lean_once(profile: Profile, made: list[LeanProbe] | None = None) -> Sample:
    """One check's sample (``made``: gets the probe, to look at afterwards)."""
    address = lean_address(profile)
    assert address is not None
    got: asyncio.Queue[Sample] = asyncio.Queue()
    probe = LeanProbe(profile, address, got.put_nowait)
    if made is not None:
        made.append(probe)
    probe.start()
    try:
        return await asyncio.wait_for(got.get(), DEADLINE_S)
    finally:
        probe.stop()


def same(lean: Sample, general: Sample) -> None:
    """Equal but for the timings' measured values, which differ from check to check."""
    assert dataclasses.replace(lean, latency_ms=None, timings=None) == dataclasses.replace(
        general, latency_ms=None, timings=None
    )
    assert (lean.latency_ms is None) == (general.latency_ms is None)
    assert (lean.timings is None) == (general.timings is None)
    if lean.timings is not None and general.timings is not None:
        assert lean.timings.dns_ms == general.timings.dns_ms == 0.0
        assert lean.timings.connect_ms is not None and general.timings.connect_ms is not None
        assert (lean.timings.kernel_rtt_ms is None) == (general.timings.kernel_rtt_ms is None)


def test_only_plain_connects_to_addresses_are_lean() -> None:
    assert lean_address(make_profile("127.0.0.1", 80)) == (socket.AF_INET, ("127.0.0.1", 80))
    assert lean_address(make_profile("::1", 80)) is not None
    assert lean_address(make_profile("localhost", 80)) is None  # a name: the resolver's
    assert lean_address(make_profile("fe80::1%lo", 80)) is None  # a scope may come and go
    assert lean_address(make_profile("127.0.0.1", 80, preset="redis")) is None
    assert lean_address(make_profile("127.0.0.1", 80, tls=True)) is None
    assert lean_address(make_profile("127.0.0.1", 80, kind="watch")) is None


async def test_up_is_the_same_sample(resolver: Resolver, echo_server: LineEchoServer) -> None:
    profile = make_profile(*echo_server.address)
    lean, general = await lean_once(profile), await probe_once(profile, resolver)
    assert lean.ok and lean.address == f"127.0.0.1:{echo_server.address[1]}"
    same(lean, general)


async def test_refused_is_the_same_sample(resolver: Resolver) -> None:
    profile = make_profile("127.0.0.1", closed_port())
    lean, general = await lean_once(profile), await probe_once(profile, resolver)
    assert lean.cause is Cause.REFUSED
    same(lean, general)


async def test_timeout_is_the_same_sample(resolver: Resolver) -> None:
    with UnresponsiveListener() as listener:
        profile = make_profile(*listener.address, timeout_s=0.3)
        started = time.monotonic()
        lean = await lean_once(profile)
        took = time.monotonic() - started
        general = await probe_once(profile, resolver)
    assert lean.cause is Cause.CONNECT_TIMEOUT and "within 0.3 s" in lean.detail
    assert 0.25 <= took < 0.3 + 1.0  # the deadline, honoured with an honest margin
    same(lean, general)


async def test_no_file_descriptors_is_a_local_error() -> None:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    profile = make_profile("127.0.0.1", closed_port())
    address = lean_address(profile)
    assert address is not None
    got: list[Sample] = []
    probe = LeanProbe(profile, address, got.append)
    spare: list[int] = []
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 8, hard))
    try:
        while True:  # use up every descriptor, then check
            try:
                spare.append(os.open(os.devnull, os.O_RDONLY))
            except OSError:
                break
        probe._due()
    finally:
        probe.stop()
        for fd in spare:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert len(got) == 1 and got[0].cause is Cause.LOCAL_ERROR, got


async def test_keeps_its_interval_and_now_brings_a_check_forward(
    echo_server: LineEchoServer,
) -> None:
    profile = make_profile(*echo_server.address, interval_s=0.2)
    address = lean_address(profile)
    assert address is not None
    loop = asyncio.get_running_loop()
    times: list[float] = []
    arrived = asyncio.Event()

    def report(sample: Sample) -> None:
        assert sample.ok
        times.append(loop.time())
        arrived.set()

    probe = LeanProbe(profile, address, report)
    probe.start()
    try:
        while len(times) < 4:
            arrived.clear()
            await asyncio.wait_for(arrived.wait(), DEADLINE_S)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert all(0.15 <= g < 0.2 + 0.5 for g in gaps), gaps
        # Woken: the next check comes now, not at its time.
        slow = make_profile(*echo_server.address, interval_s=60)
        probe.profile = slow
        arrived.clear()
        await asyncio.wait_for(arrived.wait(), DEADLINE_S)  # the check due at 0.2 s
        before = len(times)
        arrived.clear()
        probe.now()
        await asyncio.wait_for(arrived.wait(), DEADLINE_S)
        assert len(times) == before + 1
    finally:
        probe.stop()
    assert not probe.active


async def test_stop_leaves_no_socket_and_no_timer() -> None:
    with UnresponsiveListener() as listener:
        profile = make_profile(*listener.address, timeout_s=30)
        address = lean_address(profile)
        assert address is not None
        got: list[Sample] = []
        probe = LeanProbe(profile, address, got.append)
        fds_before = len(os.listdir("/proc/self/fd"))
        probe.start()
        await asyncio.sleep(0)  # the check is due at once
        await asyncio.sleep(0)
        assert probe._attempt is not None  # connecting, to a backlog that never answers
        probe.stop()
        assert probe._sock is None and probe._timer is None and probe._attempt is None
        assert len(os.listdir("/proc/self/fd")) == fds_before
    assert got == []


async def test_a_bug_in_what_takes_the_sample_is_told_and_checking_goes_on(
    echo_server: LineEchoServer, caplog: pytest.LogCaptureFixture
) -> None:
    profile = make_profile(*echo_server.address, interval_s=0.1)
    address = lean_address(profile)
    assert address is not None
    seen: list[Sample] = []
    enough = asyncio.Event()

    def report(sample: Sample) -> None:
        seen.append(sample)
        if len(seen) >= 4:
            enough.set()
        if sample.ok and len(seen) == 1:
            raise RuntimeError("consumer bug")

    probe = LeanProbe(profile, address, report)
    probe.start()
    try:
        await asyncio.wait_for(enough.wait(), DEADLINE_S)
    finally:
        probe.stop()
    assert seen[1].cause is Cause.LOCAL_ERROR and "consumer bug" in seen[1].detail
    assert seen[2].ok and seen[3].ok
    assert "consumer bug" in caplog.text


async def test_a_monitor_set_runs_lean_probes_to_down_and_back() -> None:
    """Through the monitor: hysteresis, causes and recovery as ever."""
    collector = Collector()
    with LineEchoServer() as server:
        host, port = server.address
        profile = make_profile(host, port, interval_s=0.1, fail_after=2)
        monitors = MonitorSet(collector)
        try:
            monitor = monitors.add(profile, stagger=False)
            assert monitor._lean is not None and monitor.running
            await collector.wait_for(
                lambda e: e.kind is Kind.STATE and e.state is State.UP, DEADLINE_S
            )
            server.stop()
            _, down = await collector.wait_for(
                lambda e: e.kind is Kind.STATE and e.state is State.DOWN, DEADLINE_S
            )
            assert down.cause is Cause.REFUSED
            server.start()
            await collector.wait_for(
                lambda e: e.kind is Kind.STATE and e.state is State.UP and e.previous is State.DOWN,
                DEADLINE_S,
            )
        finally:
            await monitors.close()
    assert not monitor.running


class CheckTimes:
    """When each check of a probe reported (``report`` is its callback), on the loop's clock;
    ``next_check`` waits for the next one."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._arrived = asyncio.Event()
        self.times: list[float] = []

    def report(self, sample: Sample) -> None:
        self.times.append(self._loop.time())
        self._arrived.set()

    async def next_check(self) -> None:
        self._arrived.clear()
        await asyncio.wait_for(self._arrived.wait(), DEADLINE_S)


@pytest.mark.parametrize("lean", [True, False])
async def test_a_woken_probe_keeps_its_phase(echo_server: LineEchoServer, lean: bool) -> None:
    """A check brought forward (the network came back) is an extra one: the next regular
    check comes when it was due, so probes woken together do not tick together for good."""
    profile = make_profile(*echo_server.address, interval_s=1.0)
    checks = CheckTimes(asyncio.get_running_loop())
    times, report, next_check = checks.times, checks.report, checks.next_check
    wake = Wake()
    if lean:
        address = lean_address(profile)
        assert address is not None
        probe = LeanProbe(profile, address, report)
        probe.start()
        waker: Wake | LeanProbe = probe
        task = None
    else:
        resolver = Resolver(max_threads=1)
        task = asyncio.get_running_loop().create_task(run_probe(profile, resolver, report, wake))
        waker = wake
    try:
        await next_check()  # the first, regular check: the phase
        due = times[0] + 1.0
        await asyncio.sleep(0.5)  # ok-sleep: the point of the test is waking in between
        waker.now()
        await next_check()
        woken_at = times[-1]
        await next_check()
        assert woken_at - times[0] < 0.8  # brought forward
        assert abs(times[-1] - due) < 0.25, (times, due)  # and the schedule kept its phase
    finally:
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            resolver.close()
        else:
            probe.stop()


async def test_two_wakes_at_once_bring_one_check_forward_and_keep_the_phase(
    echo_server: LineEchoServer,
) -> None:
    """The network coming back and the target answering another monitor wake a probe in
    the same turn: one extra check, and the regular one still when it was due."""
    profile = make_profile(*echo_server.address, interval_s=1.0)
    address = lean_address(profile)
    assert address is not None
    checks = CheckTimes(asyncio.get_running_loop())
    times, report, next_check = checks.times, checks.report, checks.next_check
    probe = LeanProbe(profile, address, report)
    probe.start()
    try:
        await next_check()
        due = times[0] + 1.0
        await asyncio.sleep(0.5)  # ok-sleep: the point of the test is waking in between
        probe.now()
        probe.now()
        await next_check()
        await next_check()
        assert len(times) == 3, times  # one extra check, not two
        assert abs(times[-1] - due) < 0.25, (times, due)
    finally:
        probe.stop()
