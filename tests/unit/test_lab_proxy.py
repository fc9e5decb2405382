"""The fault proxy produces each failure for real: the client's own socket calls see it."""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import statistics
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tcpmonitor_gui.lab import BannerServer, FaultProxy, HttpServer, LineEchoServer

DEADLINE = 5.0


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every lab thread started by a test is gone once its fixtures have stopped it."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + DEADLINE
    for thread in set(threading.enumerate()) - before:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert threading.active_count() == len(before)


@pytest.fixture
def echo() -> Iterator[LineEchoServer]:
    with LineEchoServer() as server:
        yield server


@pytest.fixture
def proxy(echo: LineEchoServer) -> Iterator[FaultProxy]:
    with FaultProxy(echo.address) as p:
        yield p


def connect(address: tuple[str, int], timeout: float = DEADLINE) -> socket.socket:
    return socket.create_connection(address, timeout=timeout)


def recv_line(sock: socket.socket) -> bytes:
    """One line, read a byte at a time so that nothing after it is consumed."""
    data = b""
    while not data.endswith(b"\n"):
        byte = sock.recv(1)
        if not byte:
            break
        data += byte
    return data


def roundtrip(sock: socket.socket, line: bytes) -> bytes:
    sock.sendall(line)
    return recv_line(sock)


def test_pass_forwards_both_ways(proxy: FaultProxy, echo: LineEchoServer) -> None:
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"hello\n") == b"hello\n"
        assert proxy.connection_count() == 1
        assert echo.connection_count() == 1


def test_pass_forwards_what_the_server_says_first() -> None:
    with (
        BannerServer(b"220 mail.example ESMTP\r\n") as smtp,
        FaultProxy(smtp.address) as p,
        connect(p.address) as sock,
    ):
        assert recv_line(sock) == b"220 mail.example ESMTP\r\n"
        assert roundtrip(sock, b"NOOP\r\n") == b"250 OK\r\n"


@pytest.mark.parametrize("mode", ["pass", "delay"])
def test_large_transfers_arrive_intact(proxy: FaultProxy, mode: str) -> None:
    proxy.set_mode(mode, delay_ms=5)
    lines = b"".join(b"%07d" % i + b"." * 1016 + b"\n" for i in range(4096))  # 4 MiB
    received = bytearray()
    with connect(proxy.address) as sock:
        sender = threading.Thread(target=sock.sendall, args=(lines,))
        sender.start()
        while len(received) < len(lines):
            chunk = sock.recv(1 << 16)
            assert chunk
            received += chunk
        sender.join(DEADLINE)
    assert bytes(received) == lines


def test_a_close_by_the_server_reaches_the_client_as_fin() -> None:
    with HttpServer() as http, FaultProxy(http.address) as p, connect(p.address) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = b""
        while chunk := sock.recv(4096):
            response += chunk
        assert response.startswith(b"HTTP/1.1 200 OK\r\n")
        assert response.endswith(b"\r\n\r\n200 OK\n")


def test_a_reset_by_the_server_reaches_the_client_as_reset() -> None:
    with (
        socket.create_server(("127.0.0.1", 0)) as upstream,
        FaultProxy(upstream.getsockname()) as p,
        connect(p.address) as sock,
    ):
        peer, _ = upstream.accept()
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        peer.close()
        with pytest.raises(ConnectionResetError):
            sock.recv(1)


def test_reset_makes_the_client_see_connection_reset_at_once(proxy: FaultProxy) -> None:
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"up\n") == b"up\n"
        applied = proxy.set_mode("reset")
        with pytest.raises(ConnectionResetError):
            sock.recv(1)
        assert time.monotonic() - applied < 0.5
    assert proxy.wait_for_idle(DEADLINE)


def test_reset_closes_the_upstream_side(proxy: FaultProxy, echo: LineEchoServer) -> None:
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"up\n") == b"up\n"
        proxy.set_mode("reset")
        assert echo.wait_for_idle(DEADLINE)


def test_reset_mode_resets_new_connections(proxy: FaultProxy) -> None:
    proxy.set_mode("reset")
    # The RST surfaces in connect() or in the first recv(), depending on who runs first.
    with pytest.raises(ConnectionResetError), connect(proxy.address) as sock:
        sock.recv(1)


def test_cut_resets_the_open_connections_and_forwards_new_ones(
    proxy: FaultProxy, echo: LineEchoServer
) -> None:
    with connect(proxy.address) as old:
        assert roundtrip(old, b"up\n") == b"up\n"
        proxy.cut()
        with pytest.raises(ConnectionResetError):
            old.recv(1)
    assert proxy.mode == "pass"
    with connect(proxy.address) as new:
        assert roundtrip(new, b"again\n") == b"again\n"


def test_reset_during_blackhole_still_resets(proxy: FaultProxy) -> None:
    with connect(proxy.address) as sock:
        proxy.set_mode("blackhole")
        sock.sendall(b"held\n")
        proxy.set_mode("reset")
        with pytest.raises(ConnectionResetError):
            sock.recv(1)


def test_close_sends_fin(proxy: FaultProxy) -> None:
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"up\n") == b"up\n"
        proxy.set_mode("close")
        assert sock.recv(1) == b""


def test_close_after_blackhole_still_sends_fin_not_rst(proxy: FaultProxy) -> None:
    """Unread input makes Linux turn close() into RST; the proxy drains it first."""
    with connect(proxy.address) as sock:
        proxy.set_mode("blackhole")
        sock.sendall(b"never read\n" * 1000)
        proxy.set_mode("close")
        assert sock.recv(1) == b""


def test_close_mode_closes_new_connections(proxy: FaultProxy) -> None:
    proxy.set_mode("close")
    with connect(proxy.address) as sock:
        assert sock.recv(1) == b""


def test_blackhole_keeps_the_connection_open_and_silent(proxy: FaultProxy) -> None:
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"up\n") == b"up\n"
        proxy.set_mode("blackhole")
        sock.sendall(b"anyone?\n")
        sock.settimeout(0.3)  # waiting for an absence: nothing may arrive, not even EOF
        with pytest.raises(TimeoutError):
            sock.recv(1)
        sock.settimeout(DEADLINE)
        proxy.set_mode("pass")
        assert recv_line(sock) == b"anyone?\n"


def test_blackhole_accepts_new_connections_but_never_answers() -> None:
    with BannerServer(b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n") as ssh, FaultProxy(ssh.address) as p:
        p.set_mode("blackhole")
        with connect(p.address) as sock:
            assert p.wait_for_connections(1, DEADLINE)
            sock.settimeout(0.3)
            with pytest.raises(TimeoutError):
                sock.recv(1)
            assert ssh.connection_count() == 0
            sock.settimeout(DEADLINE)
            p.set_mode("pass")
            assert recv_line(sock) == b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n"


def test_refuse_then_pass_listens_again_on_the_same_port(proxy: FaultProxy) -> None:
    address = proxy.address
    with connect(address) as kept:
        proxy.set_mode("refuse")
        with pytest.raises(ConnectionRefusedError):
            connect(address)
        assert roundtrip(kept, b"still here\n") == b"still here\n"
        proxy.set_mode("pass")
        assert proxy.address == address
        with connect(address) as sock:
            assert roundtrip(sock, b"back\n") == b"back\n"


def test_delay_applies_to_each_direction_and_keeps_order(proxy: FaultProxy) -> None:
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"warm\n") == b"warm\n"
        proxy.set_mode("delay", delay_ms=100)
        started = time.monotonic()
        assert roundtrip(sock, b"slow\n") == b"slow\n"
        assert time.monotonic() - started >= 0.2  # 100 ms there and 100 ms back
        sock.sendall(b"".join(b"%d\n" % i for i in range(50)))
        assert [recv_line(sock) for _ in range(50)] == [b"%d\n" % i for i in range(50)]
        proxy.set_mode("pass")
        assert roundtrip(sock, b"fast\n") == b"fast\n"


def test_a_delayed_fin_to_a_client_that_reset_meanwhile_ends_the_link(
    proxy: FaultProxy,
) -> None:
    """A client that half-closes and then resets while the server's FIN waits out the delay:
    the FIN's ``write_eof`` met a socket the kernel had already reset (ENOTCONN), raised in
    the proxy's loop (and out of ``set_mode``, when that delivered it), and the link was left
    open for good, counted as a live connection."""
    proxy.set_mode("delay", delay_ms=100)
    with connect(proxy.address) as sock:
        assert proxy.wait_for_connections(1, DEADLINE)
        sock.shutdown(socket.SHUT_WR)  # the server closes in turn: its FIN comes back late
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    assert proxy.wait_for_idle(DEADLINE), "the link outlived both of its connections"
    proxy.set_mode("pass")
    with connect(proxy.address) as sock:
        assert roundtrip(sock, b"still\n") == b"still\n"


def test_upstream_refusal_resets_the_client() -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        address = closed.getsockname()
    with (
        FaultProxy(address) as p,
        pytest.raises(ConnectionResetError),
        connect(p.address) as sock,
    ):
        sock.recv(1)


def test_buffering_is_bounded_when_upstream_does_not_read() -> None:
    with (
        socket.create_server(("127.0.0.1", 0)) as upstream,
        FaultProxy(upstream.getsockname()) as p,
        connect(p.address) as sock,
    ):
        peer, _ = upstream.accept()
        with peer:
            sock.setblocking(False)
            sent = 0
            # Fill every buffer on the way: stop once the client cannot write for 0.5 s.
            while select.select([], [sock], [], 0.5)[1]:
                try:
                    sent += sock.send(b"x" * 65536)
                except BlockingIOError:
                    continue
            held = p.held_bytes()
            assert held <= 1 << 20, held
            sock.shutdown(socket.SHUT_WR)
            peer.settimeout(DEADLINE)
            received = 0
            while chunk := peer.recv(1 << 20):
                received += len(chunk)
            assert received == sent


def test_set_mode_is_fast_and_returns_the_moment_of_the_fault(proxy: FaultProxy) -> None:
    durations = []
    for mode in ("delay", "pass") * 10:
        before = time.monotonic()
        applied = proxy.set_mode(mode, delay_ms=5)
        after = time.monotonic()
        assert before <= applied <= after
        durations.append(after - before)
    assert statistics.median(durations) < 0.01
    assert proxy.mode == "pass"


def test_set_mode_rejects_unknown_modes_and_bad_delays(proxy: FaultProxy) -> None:
    with pytest.raises(ValueError, match="mode"):
        proxy.set_mode("drop")
    with pytest.raises(ValueError, match="delay_ms"):
        proxy.set_mode("delay", delay_ms=-1)


def test_wait_for_connections_counts_live_clients(proxy: FaultProxy) -> None:
    assert not proxy.wait_for_connections(1, 0.01)
    with connect(proxy.address), connect(proxy.address):
        assert proxy.wait_for_connections(2, DEADLINE)
    assert proxy.wait_for_idle(DEADLINE)
    assert proxy.connection_count() == 0


def test_a_stopped_proxy_starts_again_on_the_same_port(echo: LineEchoServer) -> None:
    p = FaultProxy(echo.address).start()
    try:
        address = p.address
        p.set_mode("blackhole")
        p.stop()
        with pytest.raises(ConnectionRefusedError):
            connect(address)
        p.start()
        assert (p.address, p.mode) == (address, "pass")
        with connect(address) as sock:
            assert roundtrip(sock, b"again\n") == b"again\n"
    finally:
        p.stop()


def test_stop_closes_client_connections(echo: LineEchoServer) -> None:
    p = FaultProxy(echo.address).start()
    with connect(p.address) as sock:
        assert roundtrip(sock, b"up\n") == b"up\n"
        p.stop()
        assert sock.recv(1) == b""
    p.stop()  # a second stop is harmless


async def test_proxy_is_driven_from_inside_a_running_loop(proxy: FaultProxy) -> None:
    """Async tests call the blocking API from their loop; the proxy's own loop does the work."""
    reader, writer = await asyncio.open_connection(*proxy.address)
    try:
        writer.write(b"ping\n")
        assert await asyncio.wait_for(reader.readline(), DEADLINE) == b"ping\n"
        applied = proxy.set_mode("reset")
        with pytest.raises(ConnectionResetError):
            await asyncio.wait_for(reader.read(1), DEADLINE)
        assert time.monotonic() - applied < 0.5
    finally:
        writer.close()
        with contextlib.suppress(ConnectionResetError):  # the reset, reported once more
            await writer.wait_closed()


def test_proxy_process_speaks_its_stdin_protocol(echo: LineEchoServer) -> None:
    host, port = echo.address
    command = [sys.executable, "-m", "tcpmonitor_gui.lab", "proxy", "--upstream", f"{host}:{port}"]
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None

        def ask(line: str) -> str:
            assert proc.stdin is not None
            assert proc.stdout is not None
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            return proc.stdout.readline().strip()

        word, listen_host, listen_port = proc.stdout.readline().split()
        assert (word, listen_host) == ("listening", "127.0.0.1")
        with connect((listen_host, int(listen_port))) as sock:
            assert roundtrip(sock, b"via process\n") == b"via process\n"
            assert ask("count") == "count 1"
            before = time.monotonic()
            word, stamp = ask("reset").split()
            assert word == "ok"
            assert before <= float(stamp) <= time.monotonic()  # one clock for all processes
            with pytest.raises(ConnectionResetError):
                sock.recv(1)
        assert ask("delay 20").startswith("ok ")
        assert ask("delay soon").startswith("error ")
        assert ask("explode").startswith("error ")
        assert ask("quit").startswith("ok ")
        assert proc.wait(DEADLINE) == 0
