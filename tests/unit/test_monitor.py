"""Monitors on one loop: pause, resume, update, shutdown, and one monitor's bug isolated."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import logging
import time

import pytest

from tcpmonitor_gui.core.events import TARGET_CHANGED, Cause, Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import Collector, make_profile


async def test_pause_stops_checks_and_resume_starts_them_again(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    profile = make_profile(*echo_server.address, "heartbeat", interval_s=0.1)
    monitor = monitors.add(profile, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    await monitor.pause()
    paused_at, _ = await collector.wait_state(State.PAUSED, timeout=1)
    assert echo_server.wait_for_idle(timeout=5)  # the held connection is closed
    await monitor.resume()
    resumed_at, _ = await collector.wait_state(State.UP, timeout=5, after=paused_at)
    between = [e for t, e in collector.events if paused_at < t < resumed_at]
    assert all(e.kind is Kind.STATE for e in between), "no samples while paused"


async def test_disabled_profile_is_paused_and_not_connected(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    profile = dataclasses.replace(make_profile(*echo_server.address, "watch"), enabled=False)
    monitors.add(profile)
    _, event = await collector.wait_state(State.PAUSED, timeout=1)
    assert event.detail == "paused"
    assert echo_server.connection_count() == 0


async def test_what_is_added_or_enabled_during_pause_all_waits_for_resume_all(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    first = make_profile(*echo_server.address, "watch", name="first")
    monitors.add(first, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    await monitors.pause_all()
    later = make_profile(*echo_server.address, "watch", name="added while paused")
    monitors.add(later, stagger=False)
    assert [e.profile_name for e in collector.states() if e.state is State.PAUSED] == [
        "first",
        "added while paused",
    ]
    assert echo_server.wait_for_idle(timeout=5)
    await monitors.resume_all()
    for profile in (first, later):
        await collector.wait_for(
            lambda e, p=profile: e.profile_id == p.id and e.state is State.UP, timeout=5
        )


async def test_update_restarts_with_the_new_settings(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    profile = make_profile(*echo_server.address, "heartbeat", interval_s=0.1)
    monitors.add(profile, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    edited = dataclasses.replace(profile, name="renamed")
    await monitors.update(edited)
    _, event = await collector.wait_for(lambda e: e.profile_name == "renamed", timeout=5)
    assert event.profile_id == profile.id


async def test_a_rename_or_a_snooze_is_taken_on_without_reconnecting(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    """Only what changes how a profile is checked restarts its monitor: snoozing a held
    connection's notices must not drop and reopen it."""
    profile = make_profile(*echo_server.address, "heartbeat", interval_s=0.1)
    monitor = monitors.add(profile, stagger=False)
    up_at, _ = await collector.wait_state(State.UP, timeout=5)
    edited = dataclasses.replace(profile, name="renamed", snooze_until="forever", group="g")
    assert await monitors.update(edited) is monitor
    edited_at, _ = await collector.wait_for(lambda e: e.profile_name == "renamed", timeout=5)
    for _ in range(3):  # three more heartbeats on the same connection
        edited_at, _ = await collector.wait_for(
            lambda e: e.kind is Kind.SAMPLE, timeout=5, after=edited_at + 1e-6
        )
    since = [e for t, e in collector.events if t > up_at and e.kind is Kind.STATE]
    assert since == [], f"it reconnected: {since}"
    assert echo_server.connection_count() == 1
    slower = dataclasses.replace(
        edited, detector=dataclasses.replace(edited.detector, interval_s=0.2)
    )
    assert await monitors.update(slower) is not monitor  # how it is checked changed
    await collector.wait_for(
        lambda e: e.kind is Kind.SAMPLE and e.detail.startswith("connected to"),
        timeout=5,
        after=edited_at + 1e-6,
    )  # and goes on up, said once (see the next tests)
    assert [e for t, e in collector.events if t > up_at and e.kind is Kind.STATE] == []


async def test_check_now_counts_for_a_probe(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    monitor = monitors.add(make_profile(*echo_server.address, interval_s=3600), stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    samples_before = sum(e.kind is Kind.SAMPLE for _, e in collector.events)
    sample = await monitor.check_now()
    assert sample.ok
    assert sum(e.kind is Kind.SAMPLE for _, e in collector.events) == samples_before + 1


async def test_close_records_that_nothing_is_watching_any_more(
    collector: Collector, echo_server: LineEchoServer
) -> None:
    monitors = MonitorSet(collector)
    monitors.add(make_profile(*echo_server.address, "watch"), stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    await monitors.close()
    last = collector.states()[-1]
    assert last.state is State.UNKNOWN and last.detail == "monitoring stopped"
    assert echo_server.wait_for_idle(timeout=5)


async def test_one_monitors_bug_never_stops_another(
    echo_server: LineEchoServer, caplog: pytest.LogCaptureFixture
) -> None:
    good_events: list[Event] = []
    bad = make_profile(*echo_server.address, "heartbeat", interval_s=0.1)
    bad = dataclasses.replace(bad, name="broken one", id="broken")
    good = make_profile(*echo_server.address, "heartbeat", interval_s=0.1)
    enough = asyncio.Event()

    def emit(event: Event) -> None:
        if event.profile_id == bad.id and event.kind is Kind.SAMPLE:
            raise RuntimeError("a bug in whatever consumes this profile's events")
        if event.profile_id == good.id:
            good_events.append(event)
            if sum(e.kind is Kind.SAMPLE for e in good_events) >= 10:
                enough.set()

    monitors = MonitorSet(emit)
    try:
        with caplog.at_level(logging.ERROR):
            monitors.add(bad, stagger=False)
            monitors.add(good, stagger=False)
            await asyncio.wait_for(enough.wait(), 10)
    finally:
        await monitors.close()
    assert any("broken one" in r.getMessage() for r in caplog.records)


async def test_a_target_coming_back_wakes_its_own_monitors_and_no_others(
    monitors: MonitorSet, collector: Collector
) -> None:
    """One monitor of a target sees it back: the target's other monitors check now instead
    of waiting out their interval (or backoff), and the monitors of other targets do not;
    a monitor removed meanwhile is not woken."""
    import socket

    from tests.unit.test_detect_probe import closed_port

    port, other_port = closed_port(), closed_port()
    once = {"fail_after": 1, "recover_after": 1}
    quick = make_profile("127.0.0.1", port, id="quick", interval_s=0.2, **once)
    slow = make_profile("127.0.0.1", port, id="slow", interval_s=60, **once)
    gone = make_profile("127.0.0.1", port, id="gone", interval_s=60, **once)
    elsewhere = make_profile("127.0.0.1", other_port, id="elsewhere", interval_s=60, **once)
    for profile in (quick, slow, gone, elsewhere):
        monitors.add(profile, stagger=False)
    for pid in ("slow", "gone", "elsewhere"):
        await collector.wait_for(
            lambda e, pid=pid: e.profile_id == pid and e.state is State.DOWN, timeout=5
        )
    await monitors.remove("gone")
    with socket.create_server(("127.0.0.1", port)):
        await collector.wait_for(lambda e: e.profile_id == "slow" and e.state is State.UP, 5)
    checks = {
        pid: sum(1 for _, e in collector.events if e.kind is Kind.SAMPLE and e.profile_id == pid)
        for pid in ("gone", "elsewhere")
    }
    assert checks == {"gone": 1, "elsewhere": 1}


@pytest.mark.parametrize(
    ("kind", "preset"), [("watch", ""), ("heartbeat", "echo"), ("probe", ""), ("probe", "echo")]
)
async def test_a_profile_edited_while_down_stays_down_until_its_server_answers(
    monitors: MonitorSet, collector: Collector, kind: str, preset: str
) -> None:
    """A probe edited (into another detector, or only its interval) while its server is down:
    the drop goes on, told once, and ends when the server answers. The edited monitor started
    afresh said "connecting" and then "down" again, as if the server had just gone: the drop
    was told and its actions run a second time, and one outage was stored as two, the first
    "ended" by the edit."""
    from tests.unit.test_detect_probe import closed_port

    port = closed_port()
    quick = {"timeout_s": 0.5, "fail_after": 2, "id": "edited"}
    monitors.add(make_profile("127.0.0.1", port, interval_s=0.2, **quick), stagger=False)
    await collector.wait_state(State.DOWN, timeout=5)
    asks = {"preset": preset} if preset else {}
    edited_at = time.monotonic()
    await monitors.update(make_profile("127.0.0.1", port, kind, interval_s=0.3, **quick, **asks))
    failures = 0

    def second_failure(event: Event) -> bool:
        nonlocal failures
        failures += event.kind is Kind.SAMPLE and event.cause is not None
        return failures >= 2

    await collector.wait_for(second_failure, timeout=5, after=edited_at)
    with LineEchoServer(port=port):
        await collector.wait_state(State.UP, timeout=5, after=edited_at)
    states = [(e.previous, e.state) for t, e in collector.events
              if t >= edited_at and e.kind is Kind.STATE]  # fmt: skip
    assert states == [(State.DOWN, State.UP)], f"{kind} {preset}: {states}"


@pytest.mark.parametrize("kind", ["watch", "heartbeat", "probe"])
async def test_a_drop_given_another_target_ends_there_and_the_new_one_begins_afresh(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer, kind: str
) -> None:
    """A profile down, its port edited to a server that answers: the new target's first
    "up" followed the old target's "down" (a probe's "down -> up"; a held connection's
    "connecting" after it), so the old outage was told "back up after" its time, with its
    cause, and stored as recovered by a target it never watched. The old target's state
    now ends at the edit ("unknown", target changed), and the new one begins from nothing."""
    from tests.unit.test_detect_probe import closed_port

    asks = {"preset": "echo"} if kind == "heartbeat" else {}
    quick = {"interval_s": 0.2, "timeout_s": 0.5, "id": "moved", **asks}
    monitors.add(make_profile("127.0.0.1", closed_port(), kind, **quick), stagger=False)
    await collector.wait_state(State.DOWN, timeout=5)
    edited_at = time.monotonic()
    await monitors.update(make_profile(*echo_server.address, kind, **quick))
    await collector.wait_state(State.UP, timeout=5, after=edited_at)
    states = [e for t, e in collector.events if t >= edited_at and e.kind is Kind.STATE]
    ended, *rest = states
    assert (ended.previous, ended.state, ended.detail) == (
        State.DOWN,
        State.UNKNOWN,
        TARGET_CHANGED,
    )
    assert ended.cause is None, ended
    assert all(e.previous is not State.DOWN for e in rest), states


@pytest.mark.parametrize(
    ("kind", "preset"), [("watch", ""), ("heartbeat", "echo"), ("probe", ""), ("probe", "echo")]
)
async def test_a_profile_edited_while_up_goes_on_up_without_a_fresh_start(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer, kind: str, preset: str
) -> None:
    """A profile edited while its server is up (a new interval, another detector): the
    monitor started afresh said "unknown -> connecting -> up" in the log, the event log and
    ``run``'s output, as if it had just begun to watch a server whose state nobody knew;
    each edit stored two changes that never happened. The up goes on, until the edited
    checks say otherwise."""
    monitors.add(make_profile(*echo_server.address, interval_s=0.2, id="e"), stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    asks = {"preset": preset} if preset else {}
    edited_at = time.monotonic()
    edited = make_profile(*echo_server.address, kind, interval_s=0.1, id="e", **asks)
    await monitors.update(edited)
    checks = 0

    def third_check(event: Event) -> bool:
        nonlocal checks
        checks += event.kind is Kind.SAMPLE and event.cause is None and event.detector == kind
        return checks >= 3

    await collector.wait_for(third_check, timeout=5, after=edited_at)
    states = [(e.previous, e.state) for t, e in collector.events
              if t >= edited_at and e.kind is Kind.STATE]  # fmt: skip
    assert states == [], f"{kind} {preset}: {states}"


async def test_a_profile_edited_while_up_into_a_check_that_fails_goes_down_from_up(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    """The edited check is what decides: one its server fails is a drop, from up."""
    monitors.add(make_profile(*echo_server.address, "watch", interval_s=0.2, id="e"))
    await collector.wait_state(State.UP, timeout=5)
    edited_at = time.monotonic()
    wrong = {"send": "ping\n", "expect": "^never", "preset": "custom"}
    await monitors.update(make_profile(*echo_server.address, "heartbeat", id="e", **wrong))
    _, down = await collector.wait_state(State.DOWN, timeout=5, after=edited_at)
    assert (down.previous, down.cause) == (State.UP, Cause.UNEXPECTED_REPLY), down


@pytest.mark.parametrize("kind", ["watch", "probe"])
async def test_a_disabled_profile_enabled_again_goes_on_from_paused(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer, kind: str
) -> None:
    """A profile disabled and enabled again (or edited while disabled) started afresh: the
    log said "unknown -> paused" a second time for an edit while disabled, and "unknown ->
    connecting" (or "unknown -> up") on enabling, where it had been paused: each change's
    ``previous`` is now the state before it, as when it is resumed."""

    def toggled(interval_s: float, *, enabled: bool) -> Profile:
        made = make_profile(*echo_server.address, kind, interval_s=interval_s, id="toggled")
        return dataclasses.replace(made, enabled=enabled)

    monitors.add(toggled(0.2, enabled=False), stagger=False)
    await collector.wait_state(State.PAUSED, timeout=1)
    await monitors.update(toggled(0.3, enabled=False))  # restarts it, still disabled
    await monitors.update(toggled(0.3, enabled=True))
    await collector.wait_state(State.UP, timeout=5)
    states = [(e.previous, e.state) for e in collector.states()]
    assert all(a[1] == b[0] for a, b in itertools.pairwise(states)), states
    assert states[:2] == [(State.UNKNOWN, State.PAUSED), (State.PAUSED, State.UNKNOWN)], states


async def test_a_pause_and_a_resume_at_once_are_each_applied_in_turn(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    """Paused and resumed again before the first edit's monitor had stopped (a double toggle,
    40 ms): the second edit found no monitor and started one afresh, the first then failed
    with 'already monitored' (swallowed), and no pause was ever recorded. Each edit now waits
    for the one before it."""
    profile = make_profile(*echo_server.address, "watch", id="toggled")
    monitors.add(profile, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    paused = dataclasses.replace(profile, enabled=False)
    await asyncio.gather(monitors.update(paused), monitors.update(profile))  # raises nothing
    await collector.wait_state(State.UP, timeout=5, after=time.monotonic())
    states = [(e.previous, e.state) for e in collector.states()]
    assert (State.UP, State.PAUSED) in states, states
    assert all(a[1] == b[0] for a, b in itertools.pairwise(states)), states
    assert list(monitors.monitors) == [profile.id]
