"""Silent drops and ICMP errors, produced for real by a peer in its own network namespace.

The lab proxy cannot make these: its kernel answers keepalive probes and never sends ICMP.
Here the peer is an echo server in a namespace behind a veth pair (``tests/netns.py``), and
iptables rules inside that namespace make it vanish (DROP) or answer like a router that has
lost the host (REJECT with ICMP). Times are measured from the instant the rule command began,
so they are upper bounds; run with ``-s`` to see them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.profile import Profile
from tests.helpers import Collector, make_profile
from tests.netns import Namespace, PeerServer, echo_server, namespace

pytestmark = pytest.mark.netns

#: Keepalive that probes a silent connection every second and gives up after two seconds
#: without an acknowledgement (the user timeout, a little below idle + interval x count).
FAST_KEEPALIVE = {"keepalive": {"idle_s": 1, "interval_s": 1, "count": 2}, "user_timeout_s": 2}


@pytest.fixture
def ns() -> Iterator[Namespace]:
    with namespace() as built:
        yield built


@pytest.fixture
def peer(ns: Namespace) -> Iterator[PeerServer]:
    with echo_server(ns) as server:
        yield server


def _held_profile(peer: PeerServer, kind: str, **kw: object) -> Profile:
    if kind == "watch":
        kw = {"interval_s": 1, **FAST_KEEPALIVE, **kw}
    else:
        kw = {"interval_s": 0.5, "timeout_s": 0.5, **kw}
    return make_profile(peer.ns.peer_ip, peer.port, kind, **kw)


async def _up(monitors: MonitorSet, collector: Collector, profile: Profile) -> float:
    """Start monitoring; returns when (monotonic) the profile came up."""
    monitors.add(profile, stagger=False)
    up_at, _ = await collector.wait_state(State.UP, timeout=5)
    return up_at


async def _settled(collector: Collector, up_at: float, checks: int = 2) -> None:
    """Wait for ``checks`` good periodic checks after the connect, so that the drop lands on a
    connection that has been idle a while (keepalive probes answered), not one just opened."""
    when = up_at
    for _ in range(checks + 1):  # the first good sample after ``up`` is the connect itself
        when, _ = await collector.wait_for(
            lambda e: e.kind is Kind.SAMPLE and e.cause is None, timeout=5, after=when + 1e-6
        )


async def _probe_down(
    monitors: MonitorSet, collector: Collector, peer: PeerServer, timeout: float
) -> tuple[float, Event]:
    """Probe the peer once every 0.5 s, down at the first failure; (seconds taken, event)."""
    profile = make_profile(
        peer.ns.peer_ip, peer.port, "probe", interval_s=0.5, timeout_s=timeout, fail_after=1
    )
    started = time.monotonic()
    monitors.add(profile, stagger=False)
    seen_at, event = await collector.wait_state(State.DOWN, timeout=5)
    return seen_at - started, event


def _report(what: str, seconds: float, event: Event) -> str:
    line = (
        f"{what}: {event.state} ({event.cause}) after {seconds * 1000:.0f} ms, "
        f"detection_ms={event.detection_ms}"
    )
    print(f"\n  {line}")
    return line


async def test_watch_catches_a_silent_drop_by_keepalive_within_about_4s(
    monitors: MonitorSet, collector: Collector, peer: PeerServer
) -> None:
    profile = _held_profile(peer, "watch")
    await _settled(collector, await _up(monitors, collector, profile))
    dropped_at = await asyncio.to_thread(peer.ns.drop_everything)
    in_place_at = time.monotonic()
    seen_at, event = await collector.wait_state(State.DOWN, timeout=10, after=dropped_at)
    took = seen_at - dropped_at
    line = _report("watch, silent drop", took, event)
    assert event.cause is Cause.KEEPALIVE_TIMEOUT, line
    assert took < 4.5, line
    assert event.address == f"{peer.ns.peer_ip}:{peer.port}", line
    # The detection delay runs from the peer's last acknowledgement (of the last keepalive
    # probe answered before the drop), so it is never shorter than the time since the rule was
    # in place. The kernel gives up once the user timeout has passed since that
    # acknowledgement: what the profile promises as its worst case, give or take the kernel's
    # timer granularity.
    assert event.detection_ms is not None, line
    assert event.detection_ms >= (seen_at - in_place_at) * 1000 - 20, line
    user_timeout_ms = profile.detector.effective_user_timeout_s * 1000
    worst_ms = profile.worst_case_silent_drop_s() * 1000
    assert user_timeout_ms - 20 <= event.detection_ms <= worst_ms + 500, line


async def test_heartbeat_catches_a_silent_drop(
    monitors: MonitorSet, collector: Collector, peer: PeerServer
) -> None:
    interval, timeout = 0.5, 0.5
    profile = _held_profile(peer, "heartbeat", interval_s=interval, timeout_s=timeout)
    await _settled(collector, await _up(monitors, collector, profile))
    dropped_at = await asyncio.to_thread(peer.ns.drop_everything)
    seen_at, event = await collector.wait_state(State.DOWN, timeout=5, after=dropped_at)
    took = seen_at - dropped_at
    line = _report("heartbeat, silent drop", took, event)
    assert event.cause is Cause.HEARTBEAT_TIMEOUT, line
    assert took < interval + timeout + 0.5, line
    # The last good sign was the last reply, at most one interval before the drop.
    assert event.detection_ms is not None, line
    assert timeout * 1000 <= event.detection_ms < (interval + timeout + 0.5) * 1000, line


async def test_connect_timeout_when_syn_is_dropped(
    monitors: MonitorSet, collector: Collector, peer: PeerServer
) -> None:
    await asyncio.to_thread(peer.ns.drop_everything)
    timeout = 0.5
    took, event = await _probe_down(monitors, collector, peer, timeout)
    line = _report("probe, SYN dropped", took, event)
    assert event.cause is Cause.CONNECT_TIMEOUT, line
    assert event.address == f"{peer.ns.peer_ip}:{peer.port}", line
    assert timeout <= took < timeout + 0.5, line


@pytest.mark.parametrize(
    "icmp_type", ["icmp-host-unreachable", "icmp-net-unreachable", "icmp-admin-prohibited"]
)
async def test_unreachable_when_host_rejects_with_icmp(
    icmp_type: str, monitors: MonitorSet, collector: Collector, peer: PeerServer
) -> None:
    await asyncio.to_thread(peer.ns.reject_with, icmp_type)
    timeout = 2.0
    took, event = await _probe_down(monitors, collector, peer, timeout)
    line = _report(f"probe, {icmp_type}", took, event)
    assert event.cause is Cause.UNREACHABLE, line
    assert event.address == f"{peer.ns.peer_ip}:{peer.port}", line
    # The ICMP error ends the connect at once; it is not a timeout in disguise.
    assert took < timeout / 2, line


@pytest.mark.parametrize(
    ("icmp_type", "reason"),
    [
        ("icmp-host-unreachable", "No route to host"),
        ("icmp-net-unreachable", "Network is unreachable"),
    ],
)
async def test_unreachable_detail_says_what_the_network_answered(
    icmp_type: str, reason: str, monitors: MonitorSet, collector: Collector, peer: PeerServer
) -> None:
    await asyncio.to_thread(peer.ns.reject_with, icmp_type)
    _, event = await _probe_down(monitors, collector, peer, timeout=2.0)
    assert reason in event.detail, f"{icmp_type}: detail {event.detail!r}"


@pytest.mark.parametrize("kind", ["heartbeat", "watch"])
async def test_recovers_when_the_path_returns(
    kind: str, monitors: MonitorSet, collector: Collector, peer: PeerServer
) -> None:
    profile = _held_profile(peer, kind, timeout_s=0.5, max_backoff_s=1)
    await _up(monitors, collector, profile)
    dropped_at = await asyncio.to_thread(peer.ns.drop_everything)
    down_at, down = await collector.wait_state(State.DOWN, timeout=10, after=dropped_at)
    _report(f"{kind}, silent drop", down_at - dropped_at, down)
    # While the peer is gone every reconnect is a failure sample: the SYN goes unanswered.
    await collector.wait_for(
        lambda e: e.kind is Kind.SAMPLE and e.cause is Cause.CONNECT_TIMEOUT,
        timeout=5,
        after=down_at,
    )
    back_at = await asyncio.to_thread(peer.ns.restore)
    up_at, up = await collector.wait_state(State.UP, timeout=5, after=back_at)
    took = up_at - back_at
    line = _report(f"{kind}, path back", took, up)
    assert up.previous is State.DOWN, line
    # Reconnects are at most max_backoff_s (+10% jitter) apart, each bounded by timeout_s.
    assert took < 1.1 + 0.5 + 0.5, line
