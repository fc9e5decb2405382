"""Held connections time a reply from its arrival in the kernel, not from when the worker
thread next ran: a loop (or a GIL) held up when the reply lands does not read as latency."""

from __future__ import annotations

import asyncio
import select
import socket
import sys
import time
from collections.abc import Iterator

import pytest

from tcpmonitor_gui.core import stamped
from tcpmonitor_gui.core.connect import connect
from tcpmonitor_gui.core.exchange import ask
from tcpmonitor_gui.core.presets import compile_exchange
from tcpmonitor_gui.core.resolver import Resolver
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile

linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SO_TIMESTAMPNS is Linux's"
)
STALL_S = 0.08  # the stall made on purpose: how long the loop is kept from reading


@pytest.fixture
def resolver() -> Iterator[Resolver]:
    r = Resolver(max_threads=2)
    yield r
    r.close()


@pytest.fixture
def echo() -> Iterator[LineEchoServer]:
    with LineEchoServer() as server:
        yield server


async def round_trip_with_a_stall(
    echo: LineEchoServer, resolver: Resolver, seen: list[float] | None = None
) -> float:
    """One heartbeat, with the loop blocked right after the request is sent (as a GUI
    thread holding the GIL would hold up a worker), so the reply waits to be read: the stall
    waits until the reply is in the kernel (``seen``: when it was seen there, on the
    ``time.monotonic()`` clock, after ``seen[0]``, the moment before the request), then
    ``STALL_S`` more. A fixed stall alone could end before a loaded machine had let the echo
    server answer: nothing then waited to be read, and the test failed for want of its
    scenario."""
    host, port = echo.address
    profile = make_profile(host, port, "heartbeat", preset="echo")
    connected = await connect(profile, resolver, wire=True, hold=True)
    assert connected.wire is not None and connected.wire.transport is not None
    sock = connected.wire.transport.get_extra_info("socket")

    def stall() -> None:
        readable, _, _ = select.select([sock], [], [], 10.0)
        assert readable, "no reply within 10 s"
        if seen is not None:
            seen.append(time.monotonic())
        time.sleep(STALL_S)  # ok-sleep: the stall, with the reply waiting

    try:
        exchange = compile_exchange("echo", "", "", host)
        if seen is not None:
            seen.append(time.monotonic())
        asyncio.get_running_loop().call_soon(stall)
        return await ask(connected.wire, exchange, timeout=10.0)
    finally:
        connected.wire.close()


@linux_only
async def test_a_reply_held_up_by_a_busy_loop_is_timed_from_its_arrival(
    echo: LineEchoServer, resolver: Resolver
) -> None:
    seen: list[float] = []
    rtt_ms = await round_trip_with_a_stall(echo, resolver, seen)
    asked, arrived = seen
    # At most the time until the reply was seen waiting in the kernel (on loopback well
    # under a millisecond, more on a loaded machine); with the stall counted, 80 ms more.
    most_ms = (arrived - asked) * 1000 + 1.0
    assert rtt_ms <= most_ms, f"{rtt_ms:.2f} ms, over {most_ms:.2f}: the stall was counted"


async def test_without_kernel_stamps_the_stall_counts(
    echo: LineEchoServer, resolver: Resolver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same check on a plain socket: proves the test can see the stall at all."""
    monkeypatch.setattr(stamped, "SUPPORTED", False)
    rtt_ms = await round_trip_with_a_stall(echo, resolver)
    assert rtt_ms >= STALL_S * 1000 * 0.9


@linux_only
def test_stamped_socket_reads_like_a_socket_and_keeps_the_arrival_time() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        client = stamped.make_socket(socket.AF_INET)
        assert isinstance(client, stamped.StampedSocket)
        with client:
            client.connect(listener.getsockname())
            server, _ = listener.accept()
            with server:
                assert client.received_at() is None  # nothing read yet
                # Linux turns packet stamping on for the whole system lazily (a deferred
                # static key, flipped by a work queue) when the first socket asks: packets in
                # the first moments may come unstamped, so exchanges until one is stamped.
                deadline = time.monotonic() + 5.0
                while time.monotonic() < deadline:
                    server.sendall(b"abc")
                    before = time.monotonic()
                    assert client.recv(2) == b"ab"
                    buffer = bytearray(8)
                    assert client.recv_into(buffer) == 1
                    assert bytes(buffer[:1]) == b"c"
                    arrived = client.received_at()
                    if arrived is not None:
                        break
                    time.sleep(0.01)  # ok-sleep: the kernel's switch has no signal to wait on
                assert arrived is not None
                assert arrived <= time.monotonic()
                assert arrived > before - 1.0  # the same clock, a moment ago
