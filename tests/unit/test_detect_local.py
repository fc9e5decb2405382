"""Failures on our side, and what a hostile peer can and cannot make us do."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.failure import classify
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.probe import probe_once
from tcpmonitor_gui.core.resolver import Resolver
from tcpmonitor_gui.core.wire import MAX_BUFFER, Wire
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import Collector, make_profile
from tests.netns import unavailable


@contextlib.contextmanager
def no_file_descriptors_left() -> Iterator[None]:
    """Use up every descriptor the soft limit allows, as a process that leaks them would."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    open_now = len(os.listdir("/proc/self/fd"))
    resource.setrlimit(resource.RLIMIT_NOFILE, (open_now + 64, hard))
    hogs: list[socket.socket] = []
    try:
        while True:
            try:
                hogs.append(socket.socket())
            except OSError:
                break
        yield
    finally:
        for s in hogs:
            s.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
async def test_running_out_of_file_descriptors_is_a_local_error(
    echo_server: LineEchoServer,
) -> None:
    resolver = Resolver(max_threads=1)
    try:
        with no_file_descriptors_left():
            sample = await probe_once(make_profile(*echo_server.address), resolver)
    finally:
        resolver.close()
    assert sample.cause is Cause.LOCAL_ERROR
    assert sample.detail.startswith("this program is out of open files (its limit, ulimit -n: "), (
        sample
    )


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc (Linux)")
async def test_a_name_looked_up_with_no_file_left_is_not_a_name_that_does_not_exist(
    echo_server: LineEchoServer,
) -> None:
    """Out of open files, the system's resolver reads neither /etc/hosts nor a socket to
    the name server, and says "Name or service not known", of "localhost" too: that was
    told as the name not existing ("dns_error: localhost: no such name"), an answer about
    the target, which also told the DNS notices that the resolver answered. The check
    could not be made, and says why."""
    "x".encode("idna")  # the codec's module, imported while a file can still be opened
    resolver = Resolver(max_threads=1)
    try:
        with no_file_descriptors_left():
            sample = await probe_once(make_profile("localhost", echo_server.address[1]), resolver)
    finally:
        resolver.close()
    assert sample.cause is Cause.LOCAL_ERROR, sample
    assert sample.detail.startswith("this program is out of open files (its limit, ulimit -n: ")
    assert sample.detail.endswith("), to look up localhost"), sample


async def _flooding_server() -> tuple[asyncio.Server, int]:
    async def flood(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        chunk = b"x" * 65536
        try:
            while True:  # until the client gives up on us
                writer.write(chunk)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(flood, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_a_peer_that_floods_is_kept_to_64_kib() -> None:
    server, port = await _flooding_server()
    async with server:
        loop = asyncio.get_running_loop()
        transport, wire = await loop.create_connection(Wire, "127.0.0.1", port)
        try:
            while not wire.overflowed:
                await wire.wait_data()
            assert len(wire.buffer) == MAX_BUFFER
            for _ in range(10):
                await asyncio.wait_for(wire.wait_data(), 1)
                assert len(wire.buffer) <= MAX_BUFFER
        finally:
            transport.abort()


async def test_heartbeat_reports_a_flood_as_an_unexpected_reply(
    monitors: MonitorSet, collector: Collector
) -> None:
    server, port = await _flooding_server()
    async with server:
        monitors.add(make_profile("127.0.0.1", port, "heartbeat", interval_s=0.2), stagger=False)
        _, event = await collector.wait_state(State.DOWN, timeout=5)
    assert event.cause is Cause.UNEXPECTED_REPLY
    # Said as what it was: "reply: got 'xxxx...'" read as a short wrong answer.
    assert event.detail.startswith("reply: over 64 KiB with no match, starting 'xxx"), event.detail


@pytest.mark.parametrize(("how", "cause"), [("fin", Cause.CLOSED_BY_PEER), ("rst", Cause.RESET)])
async def test_a_flooding_peer_costs_almost_nothing_and_its_end_is_still_seen(
    monitors: MonitorSet, collector: Collector, how: str, cause: Cause
) -> None:
    """A watched peer that floods: reading stops and TCP holds the peer back, so holding
    the connection costs almost no CPU (reading it cost 63 % of a core); its RST is still
    seen within a tenth of a second or so, its FIN once what it queued before is drained."""
    with subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("flooder.py"))],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as flooder:  # fmt: skip
        try:
            assert flooder.stdout is not None and flooder.stdin is not None
            port = int(flooder.stdout.readline())
            monitors.add(make_profile("127.0.0.1", port, "watch", interval_s=5), stagger=False)
            await collector.wait_state(State.UP, timeout=5)
            cpu, wall = time.process_time(), time.monotonic()
            await asyncio.sleep(2)  # ok-sleep: the window over which CPU is measured
            used = (time.process_time() - cpu) / (time.monotonic() - wall)
            assert used < 0.05, f"holding a flooding peer used {used:.0%} of a core"
            ended = time.monotonic()
            flooder.stdin.write(f"{how}\n")
            flooder.stdin.flush()
            _, down = await collector.wait_state(State.DOWN, timeout=5)
            assert down.cause is cause
            took = time.monotonic() - ended
            assert took < (1.5 if how == "fin" else 0.5), f"{how} seen after {took:.2f} s"
        finally:
            flooder.kill()


#: Inside a network namespace of its own (``unshare -n``): loopback up, a listener, then
#: this namespace's ports to connect from cut to two, both taken by connections held to the
#: listener; a probe of it cannot get a port. Prints the probe's first state change.
_NO_PORT_LEFT = r"""
import asyncio, json, socket, subprocess
from tcpmonitor_gui.core.events import Kind
from tcpmonitor_gui.core.monitor import MonitorSet
from tests.helpers import make_profile

subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
listener = socket.create_server(("127.0.0.1", 0))  # its port before the range is cut
port = listener.getsockname()[1]
with open("/proc/sys/net/ipv4/ip_local_port_range", "w") as file:
    file.write("40000 40001")
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]

async def main() -> None:
    changes = []
    told = asyncio.Event()

    def emit(event) -> None:
        if event.kind is Kind.STATE:
            changes.append(event.to_dict())
            told.set()

    monitors = MonitorSet(emit)
    profile = make_profile("127.0.0.1", port, interval_s=0.1, timeout_s=1, fail_after=2)
    monitors.add(profile, stagger=False)
    await asyncio.wait_for(told.wait(), 20)
    await monitors.close()
    print(json.dumps(changes[0]))

asyncio.run(main())
"""


@pytest.mark.netns
def test_no_local_port_left_is_not_the_target_unreachable() -> None:
    """Every port to connect from taken (a tiny ``ip_local_port_range``, in a namespace
    made here): the connect's EADDRNOTAVAIL was told as the target "unreachable", then
    down. The check could not be made: the state is unknown, saying so and naming the
    range."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        unavailable("a network namespace of its own needs root, unshare and ip")
    root = Path(__file__).parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    argv = ["unshare", "-n", sys.executable, "-c", _NO_PORT_LEFT]
    done = subprocess.run(
        argv, capture_output=True, text=True, timeout=60, check=False, cwd=root, env=env
    )
    if done.returncode != 0 and "unshare" in done.stderr:
        unavailable(f"no network namespace: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)
    assert (first["previous"], first["state"], first["cause"]) == (
        "unknown",
        "unknown",
        "local_error",
    ), first
    assert first["detail"] == (
        "could not check: no local port is free to connect from (ip_local_port_range: 40000-40001)"
    ), first


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (errno.ENFILE, "this computer is out of open files (the system's limit, fs.file-max)"),
        (errno.ENOBUFS, "this computer is out of memory for connections (No buffer space"),
        (errno.ENOMEM, "this computer is out of memory for connections (Cannot allocate"),
    ],
)
def test_this_computers_own_limits_are_named_as_such(code: int, said: str) -> None:
    """The system's file table full, or its socket memory gone, cannot be made here without
    taking them from every other program on the host: what ``classify`` makes of the errno
    the kernel then returns."""
    cause, detail = classify(OSError(code, os.strerror(code)))
    assert cause is Cause.LOCAL_ERROR and detail.startswith(said), detail
