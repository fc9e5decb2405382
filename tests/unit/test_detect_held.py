"""Held connections (heartbeat, watch): every peer-side failure, produced for real.

The lab proxy sits between the monitor and a real echo server; the fault is injected in the
proxy's own thread and ``set_mode`` returns the monotonic instant it took effect, so the
detection latency measured here is from the packet leaving to the event arriving.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from tcpmonitor_gui.core.detectors import WatchCloses
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.lab import (
    FaultProxy,
    HttpServer,
    IdleTimeoutServer,
    LineEchoServer,
    ServerThread,
    TrickleServer,
)
from tcpmonitor_gui.lab.link import set_rst_on_close
from tests.helpers import Collector, make_profile
from tests.redis import running_redis

HELD = ("heartbeat", "watch")


async def _up(
    monitors: MonitorSet, collector: Collector, proxy: FaultProxy, kind: str, **kw: object
):
    host, port = proxy.address
    profile = make_profile(host, port, kind, interval_s=kw.pop("interval_s", 0.5), **kw)
    monitors.add(profile, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    assert proxy.wait_for_connections(1, timeout=5)
    return profile


async def test_a_watch_reports_no_latency_it_did_not_time(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    """The connect is timed (the handshake's RTT); while it holds, a watch sends nothing, so
    its samples say "alive" with no latency. It used to repeat the kernel's RTT, which on a
    connection we never write to stays the handshake's: a number no network could move."""
    monitors.add(make_profile(*echo_server.address, "watch", interval_s=0.1), stagger=False)
    await collector.wait_state(State.UP, timeout=5)

    def samples() -> list[float | None]:
        return [e.latency_ms for _, e in collector.events if e.kind is Kind.SAMPLE]

    await collector.wait_for(lambda _e: len(samples()) >= 4, timeout=5)
    connected, *held = samples()
    assert connected is not None and connected > 0
    assert held and all(latency is None for latency in held), held
    assert all(e.cause is None for _, e in collector.events if e.kind is Kind.SAMPLE)


async def test_a_heartbeat_times_every_answer(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    monitors.add(make_profile(*echo_server.address, "heartbeat", interval_s=0.1), stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    await collector.wait_for(
        lambda _e: sum(e.kind is Kind.SAMPLE for _, e in collector.events) >= 4, timeout=5
    )
    latencies = [e.latency_ms for _, e in collector.events if e.kind is Kind.SAMPLE]
    assert all(latency is not None and latency > 0 for latency in latencies), latencies


@pytest.mark.parametrize("kind", HELD)
async def test_peer_reset_is_reported_within_100ms(
    kind: str, monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    await _up(monitors, collector, proxy, kind)
    fault_at = proxy.set_mode("reset")
    seen_at, event = await collector.wait_state(State.DOWN, timeout=2, after=fault_at)
    assert event.cause is Cause.RESET
    assert (seen_at - fault_at) < 0.100, f"noticed after {(seen_at - fault_at) * 1000:.1f} ms"
    assert event.detection_ms is not None and event.detection_ms < 100
    assert event.address == f"{proxy.address[0]}:{proxy.address[1]}"


@pytest.mark.parametrize("kind", HELD)
async def test_peer_fin_is_reported_within_100ms(
    kind: str, monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    await _up(monitors, collector, proxy, kind)
    fault_at = proxy.set_mode("close")
    seen_at, event = await collector.wait_state(State.DOWN, timeout=2, after=fault_at)
    assert event.cause is Cause.CLOSED_BY_PEER
    assert (seen_at - fault_at) < 0.100, f"noticed after {(seen_at - fault_at) * 1000:.1f} ms"


@pytest.mark.parametrize("kind", HELD)
async def test_the_detection_delay_after_several_failures_runs_from_the_first(
    kind: str, monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    """Down after two failures (``fail_after`` 2): the first RST ends the held connection,
    the second ends the one made after it. The delay ran from the second connection's own
    RST ("0.1 ms", said of a drop a second old); it runs from the last good sign before
    the first failure, as a probe's does."""
    await _up(monitors, collector, proxy, kind, fail_after=2)
    proxy.set_mode("reset")
    first_at, _ = await collector.wait_state(State.DEGRADED, timeout=5)  # "1 of 2 failures"
    seen_at, event = await collector.wait_state(State.DOWN, timeout=5)
    assert event.cause is Cause.RESET
    assert event.detection_ms is not None
    # The connection was good until the first RST, read before the first failure was told;
    # the second came a backoff (about half a second) later.
    assert event.detection_ms >= 0.9 * (seen_at - first_at) * 1000, event.detection_ms


async def test_heartbeat_catches_blackhole_within_interval_plus_timeout(
    monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    interval, timeout = 0.5, 0.5
    await _up(monitors, collector, proxy, "heartbeat", interval_s=interval, timeout_s=timeout)
    fault_at = proxy.set_mode("blackhole")
    seen_at, event = await collector.wait_state(State.DOWN, timeout=5, after=fault_at)
    assert event.cause is Cause.HEARTBEAT_TIMEOUT
    assert seen_at - fault_at < interval + timeout + 0.5
    # The last good sign was the last reply, at most one interval before the fault.
    assert event.detection_ms is not None
    assert timeout * 1000 <= event.detection_ms < (interval + timeout + 0.5) * 1000


@pytest.mark.parametrize("kind", HELD)
async def test_reconnects_and_recovers_after_the_peer_returns(
    kind: str, monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    await _up(monitors, collector, proxy, kind, interval_s=0.2, max_backoff_s=1)
    fault_at = proxy.set_mode("reset")
    proxy.set_mode("refuse")  # before the first retry, one interval later
    await collector.wait_state(State.DOWN, timeout=2, after=fault_at)
    # While refused, every reconnect is a failure sample naming the cause.
    await collector.wait_for(lambda e: e.cause is Cause.REFUSED, timeout=3, after=fault_at)
    back_at = proxy.set_mode("pass")
    _, event = await collector.wait_state(State.UP, timeout=5, after=back_at)
    assert event.previous is State.DOWN


async def test_heartbeat_wrong_reply_is_unexpected_reply(
    monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    # An echo server answers PING with PING, not +PONG.
    host, port = proxy.address
    monitors.add(
        make_profile(host, port, "heartbeat", preset="redis", interval_s=0.2), stagger=False
    )
    _, event = await collector.wait_state(State.DOWN, timeout=5)
    assert event.cause is Cause.UNEXPECTED_REPLY
    assert "PING" in event.detail


async def test_a_pattern_that_backtracks_for_ever_in_python_costs_nothing_here(
    monitors: MonitorSet, collector: Collector, echo_server: LineEchoServer
) -> None:
    """``^(a+)+$`` against 28 ``a`` and a ``!`` took Python's engine 11 s, holding every
    monitor on the loop; the patterns run on RE2, whose time grows with the text only."""
    from tcpmonitor_gui.core.presets import compile_exchange

    exchange = compile_exchange("custom", "x\n", "^(a+)+$", "h")
    started = time.perf_counter()
    assert exchange.verdict(b"a" * 28 + b"!") is None  # no match, and no stall
    assert exchange.verdict(b"a" * 60_000 + b"!") is None
    assert time.perf_counter() - started < 1.0
    with TrickleServer(reply=b"a" * 28 + b"!\n", every_s=0) as evil:
        hostile = make_profile(*evil.address, "heartbeat", preset="custom", send="x\n",
                               expect="^(a+)+$", interval_s=0.2, timeout_s=0.5)  # fmt: skip
        healthy = make_profile(*echo_server.address, "heartbeat", interval_s=0.2)
        monitors.add(hostile, stagger=False)
        monitors.add(healthy, stagger=False)
        await collector.wait_for(
            lambda e: e.profile_id == hostile.id and e.cause is Cause.UNEXPECTED_REPLY, timeout=5
        )
        ok = [t for t, e in collector.events if e.profile_id == healthy.id and e.cause is None
              and e.kind.value == "sample"]  # fmt: skip
        await collector.wait_for(
            lambda e: e.profile_id == healthy.id and e.kind.value == "sample", timeout=5,
            after=ok[-1] if ok else 0.0,
        )  # fmt: skip


async def _connections(collector: Collector, n: int) -> list[float]:
    """Wait for a heartbeat's ``n``-th connection; when each was made (monotonic)."""
    connected: list[float] = []

    def nth_connection(event: Event) -> bool:
        if event.kind is Kind.SAMPLE and event.detail.startswith("connected to"):
            connected.append(time.monotonic())
        return len(connected) >= n

    await collector.wait_for(nth_connection, timeout=10)
    return connected


async def test_a_heartbeat_takes_kept_alive_connections_ended_by_the_server_in_stride(
    monitors: MonitorSet, collector: Collector
) -> None:
    """An HTTP server ends each kept-alive connection after three requests ("Connection:
    close", as nginx's keepalive_requests and Apache's MaxKeepAliveRequests do). That is the
    protocol: each was told as "down: closed by peer" and back up a backoff later."""
    with HttpServer(max_requests=3) as http:
        profile = make_profile(*http.address, "heartbeat", preset="http", interval_s=0.1)
        monitors.add(profile, stagger=False)
        await _connections(collector, 4)
        assert http.connections >= 4
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]


async def test_a_heartbeat_asks_a_server_that_closes_after_every_answer_once_an_interval(
    monitors: MonitorSet, collector: Collector
) -> None:
    """An HTTP/1.0-style server ends every connection after its answer. It was told as "down:
    closed by peer" and up again every interval, with 0 % uptime, for a server that never
    failed a request. It is asked on a new connection once an interval (never in a loop)
    and stays up."""
    interval = 0.2
    with HttpServer(max_requests=1) as http:
        profile = make_profile(*http.address, "heartbeat", preset="http", interval_s=interval)
        monitors.add(profile, stagger=False)
        connected = await _connections(collector, 5)
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]
    # The first close is answered at once (the server may have gone), the rest at their tick.
    assert connected[-1] - connected[0] >= 2.5 * interval, connected


async def test_a_server_that_closes_after_every_answer_is_told_down_when_it_goes(
    monitors: MonitorSet, collector: Collector
) -> None:
    """Once its closes are known as its custom, what the next connection meets is told as
    itself: connection refused, within an interval of the server going."""
    interval = 0.3
    http = HttpServer(max_requests=1).start()
    try:
        profile = make_profile(*http.address, "heartbeat", preset="http", interval_s=interval)
        monitors.add(profile, stagger=False)
        await collector.wait_state(State.UP, timeout=5)
        await collector.wait_for(lambda _e: http.connections >= 2, timeout=5)
    finally:
        http.stop()
    gone = time.monotonic()
    when, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.cause is Cause.REFUSED, down
    assert when - gone <= interval + 1.0


async def _closes(collector: Collector, n: int, cause: Cause = Cause.CLOSED_BY_PEER) -> list[str]:
    """Wait for a watch's ``n``-th close by its peer; the details of all of them."""

    def closes() -> list[str]:
        return [e.detail for _, e in collector.events
                if e.kind is Kind.SAMPLE and e.cause is cause]  # fmt: skip

    await collector.wait_for(lambda _e: len(closes()) >= n, timeout=10)
    return closes()


async def test_a_watch_says_when_its_connections_meet_an_idle_timeout(
    monitors: MonitorSet, collector: Collector
) -> None:
    """A proxy that ends every connection idle for a second (a load balancer's idle timeout)
    behind a watch: each close is still told, and says how long the connection lasted; from
    the second on, that it is likely an idle timeout and what to do about it."""
    with IdleTimeoutServer(closes_after=(1.0,)) as server:
        monitors.add(make_profile(*server.address, "watch", interval_s=0.2), stagger=False)
        first, second, *_ = await _closes(collector, 2)
    assert re.fullmatch(r"peer closed the connection \(FIN\) after 1\.\d s", first), first
    assert "after 1." in second and "idle timeout" in second and "heartbeat" in second, second


async def test_an_idle_timeout_that_resets_is_said_as_one_too(
    monitors: MonitorSet, collector: Collector
) -> None:
    """Azure's load balancer can end an idle connection with an RST: the same."""
    with IdleTimeoutServer(closes_after=(1.0,), reset=True) as server:
        monitors.add(make_profile(*server.address, "watch", interval_s=0.2), stagger=False)
        first, second, *_ = await _closes(collector, 2, Cause.RESET)
    assert re.search(r" after 1\.\d s$", first), first
    assert "idle timeout" in second, second


@pytest.mark.parametrize(
    "kw", [{"closes_after": (1.0, 2.2)}, {"greeting": b"hello\r\n"}], ids=["varying", "speaking"]
)
async def test_no_idle_timeout_is_claimed_for_closes_that_are_not_one(
    kw: dict[str, object], monitors: MonitorSet, collector: Collector
) -> None:
    """Connections ended after different times, or by a peer that spoke on them: each close
    says how long its connection lasted, and nothing more."""
    with IdleTimeoutServer(**kw) as server:
        monitors.add(make_profile(*server.address, "watch", interval_s=0.2), stagger=False)
        details = await _closes(collector, 3)
    assert all(re.fullmatch(r"peer closed the connection \(FIN\) after \d\.\d s", d)
               for d in details), details  # fmt: skip


def test_a_long_lifetime_is_said_in_hours_and_compared_by_its_share() -> None:
    """An hour's idle timeout: said as "1 h", and two closes 0.8 s apart (within 5 % of an
    hour, not within 0.5 s) are the same timeout."""
    idle = WatchCloses(interval_s=5.0)
    fin = Sample.failure(Cause.CLOSED_BY_PEER, "peer closed the connection (FIN)")
    details = []
    for lasted in (3600.2, 3601.0):
        wire = SimpleNamespace(lost_at=1000.0 + lasted, last_data_at=None, buffer=b"")
        details.append(idle.told(fin, wire, 1000.0).detail)  # type: ignore[arg-type]
    assert details[0] == "peer closed the connection (FIN) after 1 h"
    assert details[1].startswith("peer closed the connection (FIN) after 1 h with nothing said")
    silent_drop = Sample.failure(Cause.KEEPALIVE_TIMEOUT, "no answer to keepalive")
    assert idle.told(silent_drop, wire, 1000.0) is silent_drop  # type: ignore[arg-type]


async def test_a_watch_says_what_a_server_that_turned_it_away_said(
    tmp_path: Path, monitors: MonitorSet, collector: Collector
) -> None:
    """A real Redis at its ``maxclients`` accepts, says why it will not serve, and closes.
    A watch threw that away unread and said only "peer closed the connection"."""
    with (
        running_redis(tmp_path, "--maxclients", "1") as redis,
        socket.create_connection(redis.address, timeout=5) as held,
    ):
        held.sendall(b"PING\r\n")
        assert held.recv(64).startswith(b"+PONG")  # the one client it takes
        monitors.add(make_profile(*redis.address, "watch", interval_s=0.2), stagger=False)
        first, *_ = await _closes(collector, 1)
    assert re.fullmatch(
        r"peer closed the connection \(FIN\) after \d\.\d s, saying"
        r" '-ERR max number of clients reached\\r\\n'",
        first,
    ), first


def test_what_a_chatty_peer_said_last_is_quoted_by_its_end() -> None:
    closes = WatchCloses(interval_s=5.0)
    fin = Sample.failure(Cause.CLOSED_BY_PEER, "peer closed the connection (FIN)")
    wire = SimpleNamespace(lost_at=1002.0, last_data_at=1001.9,
                           buffer=bytearray(b"status ok\n" * 50 + b"shutting down\n"))  # fmt: skip
    detail = closes.told(fin, wire, 1000.0).detail  # type: ignore[arg-type]
    assert detail.startswith("peer closed the connection (FIN) after 2.0 s, ending with '")
    assert detail.endswith("status ok\\nshutting down\\n'") and "with nothing said" not in detail


@pytest.mark.parametrize("kind", HELD)
async def test_a_server_back_after_a_long_outage_is_told_within_an_interval(
    kind: str, monitors: MonitorSet, collector: Collector, proxy: FaultProxy
) -> None:
    """While nothing answers, a held detector connects again every interval, as a probe
    would: with backoff (1, 2, 4, 8 s ...) a server back after 10 s was told 5 s late, and
    up to ``max_backoff_s`` (60 s) late."""
    interval = 0.2
    await _up(monitors, collector, proxy, kind, interval_s=interval, max_backoff_s=60)
    fault_at = proxy.set_mode("refuse")
    proxy.cut()
    await collector.wait_state(State.DOWN, timeout=2, after=fault_at)
    # Eight refused connects: a backoff would now wait 0.2 * 2**8 = 51 s.

    def eighth_refusal(_e: Event) -> bool:
        return sum(t >= fault_at and e.cause is Cause.REFUSED for t, e in collector.events) >= 8

    await collector.wait_for(eighth_refusal, timeout=10, after=fault_at)
    back_at = proxy.set_mode("pass")
    seen_at, _ = await collector.wait_state(State.UP, timeout=5, after=back_at)
    assert seen_at - back_at < interval + 0.5


@pytest.mark.parametrize("kind", HELD)
async def test_a_server_back_after_turning_every_connection_away_is_told_within_an_interval(
    kind: str,
    monitors: MonitorSet,
    collector: Collector,
    proxy: FaultProxy,
    echo_server: LineEchoServer,
) -> None:
    """A proxy with no upstream (a crashed backend behind a load balancer) accepts every
    connection and resets it: the held detector backed off (0.2, 0.4, 0.8, 1.6, 3.2 s ... up
    to ``max_backoff_s``), so the backend back again was told "up" up to a minute late,
    though the user asked for a look every interval. Only connecting tells whether such a
    server serves again, so it is asked every interval, as a probe would ask it."""
    interval = 0.2
    await _up(monitors, collector, proxy, kind, interval_s=interval, max_backoff_s=60)
    echo_server.stop()
    fault_at = proxy.cut()
    await collector.wait_state(State.DOWN, timeout=2, after=fault_at)

    def turned_away() -> list[float]:
        return [
            t
            for t, e in collector.events
            if t >= fault_at and e.kind is Kind.SAMPLE and e.cause is Cause.RESET
        ]

    await collector.wait_for(lambda _e: len(turned_away()) >= 8, timeout=30, after=fault_at)
    # A backoff would be waiting 3.2 s by now, 12.8 s two turns later.
    gaps = [later - earlier for earlier, later in itertools.pairwise(turned_away())]
    assert max(gaps) < 1.1 * interval + 0.5, [round(gap, 2) for gap in gaps]
    echo_server.start()
    back_at = time.monotonic()
    seen_at, _ = await collector.wait_state(State.UP, timeout=20, after=back_at)
    assert seen_at - back_at < 1.1 * interval + 0.5, f"told {seen_at - back_at:.1f} s late"


async def test_a_reply_that_stalls_halfway_is_a_timeout_not_a_wrong_reply(
    monitors: MonitorSet, collector: Collector
) -> None:
    """A peer that begins the right answer and stalls is hung, not wrong: it was told as
    "unexpected reply: reply '+' did not match"."""
    with TrickleServer(reply=b"+PONG\r\n", every_s=5.0) as stalling:
        profile = make_profile(
            *stalling.address, "heartbeat", preset="redis", interval_s=0.2, timeout_s=0.3
        )
        monitors.add(profile, stagger=False)
        _, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.cause is Cause.HEARTBEAT_TIMEOUT, down
    assert "incomplete within 0.3 s, got '+'" in down.detail, down.detail


class TurningAway(ServerThread):
    """Accepts, says why it will not serve, and closes: Redis at its ``maxclients``."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"-ERR max number of clients reached\r\n")
        await writer.drain()


async def test_a_watch_turned_away_at_once_is_never_up(
    monitors: MonitorSet, collector: Collector
) -> None:
    """Each reconnect to a server that turns every connection away was told "up", and the
    close "down", in the same millisecond: the history held a recovery per reconnect."""
    with TurningAway() as server:
        monitors.add(make_profile(*server.address, "watch", interval_s=0.2), stagger=False)
        details = await _closes(collector, 3)
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.DOWN]
    assert all("saying '-ERR max number of clients reached\\r\\n'" in d for d in details)


class DeadBackend(ServerThread):
    """A load balancer whose backend is down (``failing``): it accepts, tries the backend for
    ``tries_s`` and resets the client; else an echo server."""

    def __init__(self, tries_s: float) -> None:
        super().__init__()
        self.tries_s = tries_s
        self.failing = True

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.failing:
            await asyncio.sleep(self.tries_s)  # ok-sleep: the backend's connect, failing
            set_rst_on_close(writer.transport)
            return
        while line := await reader.readline():
            writer.write(line)


@pytest.mark.parametrize("tries_s", [0.1, 0.5])
async def test_a_watch_turned_away_a_moment_after_each_connect_is_not_up_each_time(
    tries_s: float, monitors: MonitorSet, collector: Collector
) -> None:
    """The balancer resets each connection 0.1 s after accepting it (its backend refuses):
    past the watch's settling time, so each was "up" and then "down", a recovery and a drop
    in the history and the notices every interval (every backoff, before). After two turned
    away so, a connection is up once it has outlived them (twice over), and the backend back
    is still told within about an interval. Reset 0.5 s on, past the 0.3 s interval, each
    was "up" again: a connection had to outlive them at most an interval (now: a second)."""
    interval = 0.3
    with DeadBackend(tries_s=tries_s) as server:
        monitors.add(make_profile(*server.address, "watch", interval_s=interval), stagger=False)

        def resets() -> int:
            return sum(
                e.kind is Kind.SAMPLE and e.cause is Cause.RESET for _, e in collector.events
            )

        await collector.wait_for(lambda _e: resets() >= 8, timeout=15)
        ups = [e for e in collector.states() if e.state is State.UP]
        assert len(ups) <= 2, [e.state.value for e in collector.states()]
        server.failing = False
        back_at = time.monotonic()
        seen_at, _ = await collector.wait_state(State.UP, timeout=10, after=back_at)
    late = seen_at - back_at
    assert late < 1.1 * interval + min(max(interval, 1.0), 2 * tries_s) + 0.5, f"{late:.1f} s late"
