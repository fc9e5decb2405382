"""The lab's servers answer their protocols the way the heartbeat presets expect."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from tcpmonitor_gui.lab import (
    BannerServer,
    HttpServer,
    LineEchoServer,
    MemcachedServer,
    RedisPingServer,
    SilentServer,
    UnresponsiveListener,
)

DEADLINE = 5.0


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every server thread a test starts is gone once the test has stopped it."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + DEADLINE
    for thread in set(threading.enumerate()) - before:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert threading.active_count() == len(before)


def connect(address: tuple[str, int]) -> socket.socket:
    return socket.create_connection(address, timeout=DEADLINE)


def recv_until(sock: socket.socket, end: bytes) -> bytes:
    """Everything up to and including ``end``, read a byte at a time (nothing after it)."""
    data = b""
    while not data.endswith(end):
        byte = sock.recv(1)
        if not byte:
            break
        data += byte
    return data


def ask(sock: socket.socket, request: bytes, end: bytes = b"\n") -> bytes:
    sock.sendall(request)
    return recv_until(sock, end)


def http_response(sock: socket.socket) -> tuple[str, dict[str, str]]:
    """The status line and headers of one response (its body, if any, is left unread)."""
    head = recv_until(sock, b"\r\n\r\n").decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.lower()] = value.strip()
    return head[0], headers


def test_line_echo_server_echoes_each_line() -> None:
    with LineEchoServer() as server, connect(server.address) as sock:
        assert ask(sock, b"tcpmonitor ping\n") == b"tcpmonitor ping\n"
        assert ask(sock, b"second\r\n") == b"second\r\n"
        assert server.connection_count() == 1


def test_line_echo_server_drops_a_client_whose_line_is_too_long() -> None:
    with LineEchoServer() as server, connect(server.address) as sock:
        with contextlib.suppress(ConnectionResetError):  # RST if it closes with input unread
            sock.sendall(b"x" * (200 * 1024))
            assert sock.recv(1) == b""
        assert server.wait_for_idle(DEADLINE)


def test_redis_server_answers_ping_with_pong() -> None:
    with RedisPingServer() as server, connect(server.address) as sock:
        assert ask(sock, b"PING\r\n") == b"+PONG\r\n"
        assert ask(sock, b"GET key\r\n") == b"-ERR unknown command\r\n"
        assert ask(sock, b"ping\r\n") == b"+PONG\r\n"


def test_memcached_server_answers_version() -> None:
    with MemcachedServer() as server, connect(server.address) as sock:
        assert ask(sock, b"version\r\n") == b"VERSION 1.6.21\r\n"
        assert ask(sock, b"stats\r\n") == b"ERROR\r\n"


def test_http_server_keeps_the_connection_alive_for_head_and_get() -> None:
    with HttpServer() as server, connect(server.address) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n")
        status, headers = http_response(sock)
        assert status == "HTTP/1.1 200 OK"
        assert headers["connection"] == "keep-alive"
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers = http_response(sock)
        assert status == "HTTP/1.1 200 OK"
        body = sock.recv(int(headers["content-length"]), socket.MSG_WAITALL)
        assert body == b"200 OK\n"


def test_http_server_answers_with_the_status_it_is_given() -> None:
    with HttpServer() as server, connect(server.address) as sock:
        server.status = 503
        assert server.status == 503
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert http_response(sock)[0] == "HTTP/1.1 503 Service Unavailable"
        sock.sendall(b"HEAD /missing HTTP/1.1\r\nHost: x\r\n\r\n")
        assert http_response(sock)[0] == "HTTP/1.1 404 Not Found"
        with pytest.raises(ValueError):
            server.status = 999


def test_http_server_honours_connection_close() -> None:
    with HttpServer() as server, connect(server.address) as sock:
        sock.sendall(b"HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status, headers = http_response(sock)
        assert status == "HTTP/1.1 200 OK"
        assert headers["connection"] == "close"
        assert sock.recv(1) == b""


@pytest.mark.parametrize(
    "banner",
    [b"SSH-2.0-OpenSSH_9.2p1 Debian\r\n", b"220 mail.example ESMTP\r\n"],
    ids=["ssh", "smtp"],
)
def test_banner_server_greets_then_answers_noop(banner: bytes) -> None:
    with BannerServer(banner) as server, connect(server.address) as sock:
        assert recv_until(sock, b"\n") == banner
        sock.sendall(b"EHLO me\r\n")  # ignored
        assert ask(sock, b"NOOP\r\n") == b"250 OK\r\n"
        assert ask(sock, b"QUIT\r\n") == b"221 Bye\r\n"
        assert sock.recv(1) == b""


def test_banner_server_noop_reply_is_configurable() -> None:
    banner = b"220 ftp.example FTP server ready\r\n"
    with (
        BannerServer(banner, noop_reply=b"200 NOOP ok\r\n") as server,
        connect(server.address) as sock,
    ):
        assert recv_until(sock, b"\n") == banner
        assert ask(sock, b"NOOP\r\n") == b"200 NOOP ok\r\n"


def test_silent_server_reads_but_never_answers() -> None:
    with SilentServer() as server, connect(server.address) as sock:
        sock.sendall(b"hello?\n" * 10_000)
        assert server.wait_for_connections(1, DEADLINE)
        sock.settimeout(0.3)  # waiting for an absence: no reply, and no EOF either
        with pytest.raises(TimeoutError):
            sock.recv(1)


def test_stop_closes_connected_clients() -> None:
    server = LineEchoServer().start()
    with connect(server.address) as sock:
        assert ask(sock, b"up\n") == b"up\n"
        server.stop()
        assert sock.recv(1) == b""
    server.stop()


def test_a_stopped_server_starts_again_on_the_same_port() -> None:
    server = RedisPingServer().start()
    try:
        address = server.address
        server.stop()
        with pytest.raises(ConnectionRefusedError):
            connect(address)
        server.start()
        assert server.address == address
        with connect(address) as sock:
            assert ask(sock, b"PING\r\n") == b"+PONG\r\n"
    finally:
        server.stop()


def test_unresponsive_listener_makes_connect_time_out() -> None:
    with UnresponsiveListener() as listener, socket.socket() as sock:
        sock.settimeout(0.5)
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            sock.connect(listener.address)
        assert time.monotonic() - started >= 0.5


async def test_unresponsive_listener_times_out_asyncio_connects() -> None:
    with UnresponsiveListener() as listener, pytest.raises(TimeoutError):
        await asyncio.wait_for(asyncio.open_connection(*listener.address), 0.3)


def serve(kind: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tcpmonitor_gui.lab", "serve", kind],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def listening_address(proc: subprocess.Popen[str]) -> tuple[str, int]:
    assert proc.stdout is not None
    word, host, port = proc.stdout.readline().split()
    assert word == "listening"
    return host, int(port)


def test_serve_process_runs_until_stdin_ends() -> None:
    with serve("redis") as proc:
        with connect(listening_address(proc)) as sock:
            assert ask(sock, b"PING\r\n") == b"+PONG\r\n"
        assert proc.stdin is not None
        proc.stdin.close()
        assert proc.wait(DEADLINE) == 0


def test_serve_process_stops_on_sigterm() -> None:
    with serve("smtp") as proc:
        with connect(listening_address(proc)) as sock:
            assert recv_until(sock, b"\n") == b"220 mail.example ESMTP\r\n"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(DEADLINE) == 0
