"""One-off checks (``probe``, the command's ``check``, "Test now"): every cause at connect.

Each failure is real: a closed port refuses, a full accept queue drops the SYN, ``.invalid``
never resolves, a server answers the wrong protocol.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.events import Cause
from tcpmonitor_gui.core.probe import probe_once
from tcpmonitor_gui.core.resolver import Resolver
from tcpmonitor_gui.lab import (
    BannerServer,
    HttpServer,
    LineEchoServer,
    MemcachedServer,
    RedisPingServer,
    SilentServer,
    UnresponsiveListener,
)
from tcpmonitor_gui.lab.proxy import FaultProxy
from tests.helpers import make_profile
from tests.redis import running_redis
from tests.sshd import running_sshd


@pytest.fixture
def resolver() -> Iterator[Resolver]:
    r = Resolver(max_threads=4)
    yield r
    r.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_open_port_connects_with_timings(
    resolver: Resolver, echo_server: LineEchoServer
) -> None:
    sample = await probe_once(make_profile(*echo_server.address), resolver)
    assert sample.ok and sample.cause is None
    assert sample.address == f"127.0.0.1:{echo_server.address[1]}"
    assert sample.timings is not None and sample.timings.connect_ms is not None
    assert sample.latency_ms is not None and 0 < sample.latency_ms < 100


async def test_closed_port_is_refused(resolver: Resolver) -> None:
    sample = await probe_once(make_profile("127.0.0.1", closed_port()), resolver)
    assert not sample.ok and sample.cause is Cause.REFUSED


async def test_full_accept_queue_is_a_connect_timeout(resolver: Resolver) -> None:
    with UnresponsiveListener() as listener:
        host, port = listener.address
        sample = await probe_once(make_profile(host, port, timeout_s=0.3), resolver)
    assert sample.cause is Cause.CONNECT_TIMEOUT
    assert "0.3 s" in sample.detail


async def test_invalid_name_is_a_dns_error(resolver: Resolver) -> None:
    sample = await probe_once(make_profile("no-such-host.invalid", 80), resolver)
    assert sample.cause is Cause.DNS_ERROR
    assert "no-such-host.invalid" in sample.detail


async def test_ipv4_literal_with_ipv6_family_is_refused_before_connecting(
    resolver: Resolver,
) -> None:
    sample = await probe_once(make_profile("localhost", 80, ip_family="ipv6"), resolver)
    # localhost has no IPv6 entry on every machine; either way it is a name problem.
    assert sample.cause in (Cause.DNS_ERROR, Cause.REFUSED)


async def test_ipv6_loopback(resolver: Resolver) -> None:
    if not socket.has_ipv6:
        pytest.skip("this Python has no IPv6")
    with LineEchoServer(listen_host="::1") as server:
        sample = await probe_once(make_profile("::1", server.address[1]), resolver)
    assert sample.ok and sample.address == f"[::1]:{server.address[1]}"


async def test_every_resolved_address_is_tried_and_named(echo_server: LineEchoServer) -> None:
    port = echo_server.address[1]

    def two_addresses(host: str, port: int, family: int, type_: int) -> list[tuple[object, ...]]:
        # The name resolves (for real, it is only the lookup that is stood in for) to an
        # address nobody listens on, then to the server's.
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.2", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port)),
        ]

    resolver = Resolver(getaddrinfo=two_addresses)
    try:
        ok = await probe_once(make_profile("two.example", port), resolver)
        assert ok.ok and ok.address == f"127.0.0.1:{port}"
        echo_server.stop()
        failed = await probe_once(make_profile("two.example", port), resolver)
    finally:
        resolver.close()
    assert failed.cause is Cause.REFUSED
    assert f"127.0.0.2:{port} refused" in failed.detail
    assert f"127.0.0.1:{port} refused" in failed.detail
    assert failed.address == f"127.0.0.1:{port}"


async def test_a_name_with_hundreds_of_addresses_makes_a_short_detail() -> None:
    """A name that resolved to 300 addresses, each refused, gave a 9 KB detail naming every
    one, in every event line, stored row and notice. The first are named, the rest
    counted by cause."""
    port = closed_port()

    def many(host: str, port_: int, family: int, type_: int) -> list[tuple[object, ...]]:
        # Real addresses, really refused: only the lookup is stood in for (the test may
        # not edit /etc/hosts).
        return [
            (
                socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (f"127.0.{1 + i // 250}.{1 + i % 250}", port),
            )
            for i in range(300)
        ]

    resolver = Resolver(getaddrinfo=many)
    try:
        failed = await probe_once(make_profile("many.example", port), resolver)
    finally:
        resolver.close()
    assert failed.cause is Cause.REFUSED
    named = "; ".join(f"127.0.1.{i}:{port} refused" for i in range(1, 5))
    assert failed.detail == f"connection refused (tried {named}; 296 more addresses: 296 refused)"


async def test_a_name_whose_addresses_do_not_answer_is_given_up_after_four() -> None:
    """Each address of a name was tried for the whole timeout: one with 300 addresses that
    do not answer (a data centre gone) made a check last 300 timeouts, 15 minutes at 3 s,
    and a held connection "connecting" all that while. After four that gave no answer the
    rest are not tried, and the detail says so."""
    with contextlib.ExitStack() as stack:
        silent = [stack.enter_context(UnresponsiveListener()).address for _ in range(6)]

        def six(host: str, port: int, family: int, type_: int) -> list[tuple[object, ...]]:
            # Six real addresses whose SYNs are dropped: only the lookup is stood in for.
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in silent]

        resolver = Resolver(getaddrinfo=six)
        try:
            failed = await probe_once(make_profile("dark.example", 80, timeout_s=0.2), resolver)
        finally:
            resolver.close()
    tried = "; ".join(f"{h}:{p} connect_timeout" for h, p in silent[:4])
    assert failed.detail == (
        f"no answer to connect within 0.2 s (tried {tried}; 2 more not tried after 4 gave"
        " no answer)"
    )


@pytest.mark.parametrize(
    ("server", "preset"),
    [
        (RedisPingServer, "redis"),
        (HttpServer, "http"),
        (MemcachedServer, "memcached"),
        (lambda: BannerServer(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), "ssh"),
        (lambda: BannerServer(b"220-mail.example ESMTP\r\n220 ready\r\n"), "smtp"),
        (lambda: BannerServer(b"220 ftp ready\r\n", noop_reply=b"200 NOOP ok\r\n"), "ftp"),
        # vsftpd before a login (prelogin.c): every command but USER, PASS and QUIT.
        (lambda: BannerServer(b"220 (vsFTPd 3.0.3)\r\n",
                              noop_reply=b"530 Please login with USER and PASS.\r\n"), "ftp"),
        (LineEchoServer, "echo"),
    ],
    ids=["redis", "http", "memcached", "ssh", "smtp", "ftp", "vsftpd-before-login", "echo"],
)  # fmt: skip
async def test_presets_accept_a_real_server_of_their_protocol(
    resolver: Resolver, server: object, preset: str
) -> None:
    with server() as srv:  # type: ignore[operator]
        sample = await probe_once(make_profile(*srv.address, preset=preset), resolver)
    assert sample.ok, sample.detail
    assert sample.timings is not None
    if preset != "ssh":  # ssh: read the greeting, send nothing
        assert sample.timings.reply_ms is not None
    assert (sample.timings.greeting_ms is not None) is (preset in ("ssh", "smtp", "ftp"))


async def test_wrong_protocol_is_an_unexpected_reply_at_once(resolver: Resolver) -> None:
    with MemcachedServer() as srv:  # answers PING with ERROR
        sample = await probe_once(make_profile(*srv.address, preset="redis", timeout_s=5), resolver)
    assert sample.cause is Cause.UNEXPECTED_REPLY
    assert "ERROR" in sample.detail


async def test_http_server_error_is_an_unexpected_reply(resolver: Resolver) -> None:
    with HttpServer(status=503) as srv:
        sample = await probe_once(make_profile(*srv.address, preset="http"), resolver)
    assert sample.cause is Cause.UNEXPECTED_REPLY
    assert "503" in sample.detail


async def test_silent_server_is_a_reply_timeout(resolver: Resolver) -> None:
    with SilentServer() as srv:
        sample = await probe_once(
            make_profile(*srv.address, preset="redis", timeout_s=0.2), resolver
        )
    assert sample.cause is Cause.HEARTBEAT_TIMEOUT


async def test_ssh_preset_rejects_a_non_ssh_greeting(resolver: Resolver) -> None:
    with BannerServer(b"220 not ssh\r\n") as srv:
        sample = await probe_once(make_profile(*srv.address, preset="ssh", timeout_s=0.3), resolver)
    assert sample.cause is Cause.UNEXPECTED_REPLY
    assert "220 not ssh" in sample.detail


@pytest.mark.parametrize(
    ("banner", "preset"),
    [
        (b"421 4.3.2 Too many connections, try again later\r\n", "smtp"),
        (b"554-mx.example\r\n554 No SMTP service here\r\n", "smtp"),
        (b"421 Too many users, server busy\r\n", "ftp"),
    ],
    ids=["smtp-421", "smtp-554-multiline", "ftp-421"],
)
async def test_a_mail_or_ftp_server_that_greets_with_a_refusal_is_told_at_once(
    resolver: Resolver, banner: bytes, preset: str
) -> None:
    """A mail server at its connection limit greets with 421, one that serves nobody with
    554: a whole reply, and not the 220 expected. It was told only at the timeout, as a reply
    that "did not match" (the greeting was waited for as if more could come)."""
    timeout = 5.0
    with BannerServer(banner) as srv:
        started = time.monotonic()
        sample = await probe_once(
            make_profile(*srv.address, preset=preset, timeout_s=timeout), resolver
        )
        took = time.monotonic() - started
    assert sample.cause is Cause.UNEXPECTED_REPLY, sample.detail
    assert sample.detail.startswith("greeting: got '"), sample.detail
    assert took < timeout / 2, f"told after {took:.1f} s"


async def test_an_ftp_server_that_says_it_will_be_ready_is_waited_for(resolver: Resolver) -> None:
    """RFC 959: "120 Service ready in nnn minutes" may come before the 220. It is no whole
    greeting, and no refusal."""
    listener = socket.create_server(("127.0.0.1", 0))
    ready = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"120 Service ready in 1 minutes.\r\n")
            ready.wait(5)
            conn.sendall(b"220 ready\r\n")
            if conn.recv(100).startswith(b"NOOP"):
                conn.sendall(b"200 NOOP ok\r\n")

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        profile = make_profile(*listener.getsockname(), preset="ftp", timeout_s=5)
        check = asyncio.ensure_future(probe_once(profile, resolver))
        await asyncio.sleep(0.3)  # ok-sleep: the server's pause between its two replies
        ready.set()
        sample = await check
    finally:
        ready.set()
        server.join(5)
        listener.close()
    assert sample.ok, sample.detail


@pytest.mark.parametrize(
    ("fields", "ok"),
    [
        ({"expect": "^XYZ"}, False),
        ({"expect": "^SSH-2"}, True),
        ({"preset": "ssh", "expect": "^SSH-1"}, False),  # the user's expect, not the preset's
        ({"preset": "hex", "expect": "5353"}, True),  # "SS"
        ({"preset": "hex", "expect": "5858"}, False),
    ],
    ids=["wrong", "right", "ssh-preset-wrong", "hex-right", "hex-wrong"],
)
async def test_an_expect_with_nothing_sent_is_what_the_server_must_say_first(
    resolver: Resolver, fields: dict[str, str], ok: bool
) -> None:
    """It was kept as the reply to a request never sent, never looked at: "--expect '^XYZ'"
    passed against an SSH server."""
    with BannerServer(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n") as srv:
        sample = await probe_once(make_profile(*srv.address, timeout_s=0.3, **fields), resolver)
    assert sample.ok is ok, sample.detail
    if not ok:
        assert sample.cause is Cause.UNEXPECTED_REPLY
        assert "SSH-2.0-OpenSSH" in sample.detail


async def test_a_late_greeting_is_timed_not_left_out(resolver: Resolver) -> None:
    """A mail server that waits before its 220 is that slow to answer: the check's time
    counts the wait (it said 0.2 ms, its connect alone)."""
    banner = b"220 mail.example ESMTP\r\n"
    with BannerServer(banner, greet_after_s=0.3) as srv:
        sample = await probe_once(make_profile(*srv.address, preset="smtp"), resolver)
    assert sample.ok, sample.detail
    t = sample.timings
    assert t is not None and t.greeting_ms is not None and t.total_ms is not None
    assert t.greeting_ms >= 250
    assert t.total_ms >= t.greeting_ms + (t.reply_ms or 0)
    assert "greeting" in t.describe()


async def test_a_probe_that_asks_is_as_fast_as_its_answer(resolver: Resolver) -> None:
    """An HTTP server 200 ms slow each way behind a quick handshake (the fault proxy's
    delay): the check's latency is its answer's, as a heartbeat's is. It was the handshake's
    0.03 ms, so ``warn_latency_ms`` never made it degraded. A bare connect still reports the
    handshake."""
    with HttpServer() as http, FaultProxy(http.address) as proxy:
        proxy.set_mode("delay", delay_ms=200)
        asks = await probe_once(make_profile(*proxy.address, preset="http"), resolver)
        connects = await probe_once(make_profile(*proxy.address), resolver)
    assert asks.ok and asks.latency_ms is not None and asks.timings is not None
    assert asks.latency_ms >= 350 and asks.latency_ms == asks.timings.reply_ms
    assert connects.ok and connects.latency_ms is not None and connects.latency_ms < 100


async def test_raw_hex_preset(resolver: Resolver) -> None:
    with RedisPingServer() as srv:
        ok = await probe_once(
            make_profile(*srv.address, preset="hex", send="50494e470d0a", expect="2b504f4e47"),
            resolver,
        )
        wrong = await probe_once(
            make_profile(*srv.address, preset="hex", send="50494e470d0a", expect="2d4552"),
            resolver,
        )
    assert ok.ok, ok.detail
    assert wrong.cause is Cause.UNEXPECTED_REPLY


async def test_a_redis_with_a_password_is_up(resolver: Resolver, tmp_path: Path) -> None:
    """A real redis-server with ``requirepass`` answers PING before AUTH with "-NOAUTH
    Authentication required.": a healthy server, told as an unexpected reply."""
    with running_redis(tmp_path, "--requirepass", "s3cret") as redis:
        sample = await probe_once(make_profile(*redis.address, preset="redis"), resolver)
    assert sample.ok, sample.detail


async def test_the_ssh_preset_gives_fail2ban_nothing_to_count(
    resolver: Resolver, tmp_path: Path
) -> None:
    """A check every few seconds must not get the monitoring host banned. Against a real
    OpenSSH, each check reads the banner and closes before saying anything; sshd logs
    "Connection closed by HOST port N", which none of the modes of fail2ban's sshd filter
    counts. Saying our own version first would make sshd send its key exchange, which the
    close then leaves unread: an RST, logged "Connection reset by HOST port N [preauth]",
    which its ddos and aggressive modes count (as they count older OpenSSH's "Did not
    receive identification string")."""

    def closed(lines: list[str]) -> list[str]:
        return [line for line in lines if line.startswith("Connection closed by")]

    with running_sshd(tmp_path) as sshd:
        for _ in range(3):
            sample = await probe_once(make_profile(*sshd.address, preset="ssh"), resolver)
            assert sample.ok, sample.detail
        deadline = time.monotonic() + 5
        while len(closed(sshd.lines())) < 3 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # ok-sleep: sshd logs as it notices; a file has no wake-up
        lines = sshd.lines()
    assert len(closed(lines)) == 3, lines
    assert not [line for line in lines if "reset" in line or "identification string" in line
                or "preauth" in line], lines  # fmt: skip


async def test_an_ftp_or_redis_refusal_is_still_not_taken_for_an_answer(
    resolver: Resolver,
) -> None:
    """What widened the presets is no catch-all: an SMTP server's 250 is no FTP answer, a
    Redis error other than NOAUTH is no PONG."""
    with BannerServer(b"220 mail.example ESMTP\r\n") as smtp:
        sample = await probe_once(make_profile(*smtp.address, preset="ftp"), resolver)
    assert sample.cause is Cause.UNEXPECTED_REPLY, sample.detail
    with MemcachedServer() as srv:  # answers PING with ERROR
        sample = await probe_once(make_profile(*srv.address, preset="redis"), resolver)
    assert sample.cause is Cause.UNEXPECTED_REPLY, sample.detail


async def test_an_http_server_that_does_not_implement_head_is_up(resolver: Resolver) -> None:
    """Python's own http.server with only do_GET answers HEAD with "501 Unsupported method":
    it answered (it was an unexpected reply, for ever). A 503 is still a failure (above)."""

    class GetOnly(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GetOnly)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        profile = make_profile("127.0.0.1", server.server_address[1], preset="http")
        sample = await probe_once(profile, resolver)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    assert sample.ok, sample.detail


async def test_a_server_behind_addresses_that_do_not_answer_is_reached_on_its_other_family() -> (
    None
):
    """Only four addresses that give no answer are tried: a dual-stack name whose first four
    addresses (one family, in a black hole) come before one of the other family that works
    was told down for good. The families take turns, so the working one is tried second."""
    with contextlib.ExitStack() as stack, socket.socket(socket.AF_INET6) as live:
        silent = [stack.enter_context(UnresponsiveListener()).address for _ in range(4)]
        live.bind(("::1", 0))
        live.listen(8)
        port = live.getsockname()[1]

        def both(host: str, port_: int, family: int, type_: int) -> list[tuple[object, ...]]:
            four = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", a) for a in silent]
            return [*four, (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("::1", port, 0, 0))]

        resolver = Resolver(getaddrinfo=both)
        try:
            sample = await probe_once(make_profile("dual.example", 80, timeout_s=0.2), resolver)
        finally:
            resolver.close()
    assert sample.ok, sample.detail
    assert sample.address == f"[::1]:{port}"
