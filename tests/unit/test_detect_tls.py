"""TLS on probe and heartbeat, against a real TLS server with a certificate made here."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import psutil
import pytest

from tcpmonitor_gui.core.connect import tls_context
from tcpmonitor_gui.core.events import Cause, Kind, State
from tcpmonitor_gui.core.failure import CheckFailed
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.core.probe import probe_once
from tcpmonitor_gui.core.profile import Profile, ca_file_problem
from tcpmonitor_gui.core.resolver import Resolver
from tests.helpers import Collector, make_profile


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


def self_signed(base: Path) -> tuple[Path, Path]:
    """A self-signed certificate for ``localhost`` (and 127.0.0.1), made with openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = base / "cert.pem", base / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture
async def tls_echo(certificate: tuple[Path, Path]) -> AsyncIterator[tuple[asyncio.Server, int]]:
    cert, key = certificate
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    writers: list[asyncio.StreamWriter] = []

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        try:
            while line := await reader.readline():
                writer.write(line)
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0, ssl=ctx)
    server.writers = writers  # type: ignore[attr-defined]
    async with server:
        yield server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def resolver() -> AsyncIterator[Resolver]:
    r = Resolver(max_threads=2)
    yield r
    r.close()


def tls_profile(port: int, kind: str = "probe", **kw: Any) -> Profile:
    return make_profile("127.0.0.1", port, kind, tls=True, **kw)


async def test_self_signed_certificate_is_a_tls_error(
    tls_echo: tuple[asyncio.Server, int], resolver: Resolver
) -> None:
    sample = await probe_once(tls_profile(tls_echo[1]), resolver)
    assert sample.cause is Cause.TLS_ERROR
    assert "certificate" in sample.detail
    # The TCP connect worked, and says so: 'check --json' gave "connect_ms": null, as for
    # a refusal, and its line no timings at all, where a wrong reply's has them.
    assert sample.timings is not None and sample.timings.connect_ms is not None, sample
    assert sample.address == f"127.0.0.1:{tls_echo[1]}"


async def test_trusted_ca_connects_and_times_the_handshake(
    tls_echo: tuple[asyncio.Server, int], resolver: Resolver, certificate: tuple[Path, Path]
) -> None:
    profile = tls_profile(tls_echo[1], tls_ca_file=str(certificate[0]), preset="echo")
    sample = await probe_once(profile, resolver)
    assert sample.ok, sample.detail
    assert sample.timings is not None
    assert sample.timings.tls_ms is not None and sample.timings.tls_ms > 0
    assert sample.timings.reply_ms is not None


async def test_server_name_is_checked(
    tls_echo: tuple[asyncio.Server, int], resolver: Resolver, certificate: tuple[Path, Path]
) -> None:
    ca = str(certificate[0])
    good = await probe_once(
        tls_profile(tls_echo[1], tls_ca_file=ca, tls_server_name="localhost"), resolver
    )
    assert good.ok, good.detail
    bad = await probe_once(
        tls_profile(tls_echo[1], tls_ca_file=ca, tls_server_name="other.example"), resolver
    )
    assert bad.cause is Cause.TLS_ERROR
    assert "other.example" in bad.detail or "hostname" in bad.detail.lower()


async def test_verification_can_be_turned_off(
    tls_echo: tuple[asyncio.Server, int], resolver: Resolver
) -> None:
    sample = await probe_once(tls_profile(tls_echo[1], tls_verify=False), resolver)
    assert sample.ok, sample.detail


async def test_tls_to_a_plain_server_is_a_tls_error(echo_server: Any, resolver: Resolver) -> None:
    sample = await probe_once(tls_profile(echo_server.address[1], timeout_s=0.5), resolver)
    assert sample.cause is Cause.TLS_ERROR


async def _heartbeat_answering(
    port: int, certificate: tuple[Path, Path], monitors: MonitorSet, collector: Collector
) -> None:
    """A TLS heartbeat, up and past its first interval (its connection has lasted one)."""
    profile = tls_profile(port, "heartbeat", tls_ca_file=str(certificate[0]), interval_s=0.2)
    monitors.add(profile, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    await collector.wait_for(lambda e: e.latency_ms is not None and e.detail == "", timeout=5)


async def test_heartbeat_over_tls_sees_the_peer_close(
    tls_echo: tuple[asyncio.Server, int],
    certificate: tuple[Path, Path],
    monitors: MonitorSet,
    collector: Collector,
) -> None:
    """The server closes the held connection and stops listening: down, for the FIN, with
    what the new connection it was answered by met."""
    server, port = tls_echo
    await _heartbeat_answering(port, certificate, monitors, collector)
    server.close()  # no longer listening
    for writer in server.writers:  # type: ignore[attr-defined]
        writer.close()
    _, event = await collector.wait_state(State.DOWN, timeout=2)
    assert event.cause is Cause.CLOSED_BY_PEER
    assert "a new connection: connection refused" in event.detail, event.detail


async def test_heartbeat_over_tls_takes_a_closed_kept_alive_connection_in_stride(
    tls_echo: tuple[asyncio.Server, int],
    certificate: tuple[Path, Path],
    monitors: MonitorSet,
    collector: Collector,
) -> None:
    """The server ends the held connection in good order and goes on serving (as servers
    recycle kept-alive connections): a new one answers at once, and nothing went down."""
    server, port = tls_echo
    writers: list[asyncio.StreamWriter] = server.writers  # type: ignore[attr-defined]
    await _heartbeat_answering(port, certificate, monitors, collector)
    first = writers[-1]
    first.close()
    closed_at = time.monotonic()
    await collector.wait_for(
        lambda e: e.latency_ms is not None and e.detail.startswith("connected"),
        timeout=2,
        after=closed_at,
    )
    assert writers[-1] is not first  # answered by a new connection
    assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]


@contextlib.asynccontextmanager
async def _watched_awhile(
    handler: Any, certificate: tuple[Path, Path], monitors: MonitorSet, collector: Collector
) -> AsyncIterator[float]:
    """A TLS server run by ``handler``, and a watch of it, up and through ten checks 0.2 s
    apart (or to its first failure); yields when it came up."""
    cert, key = certificate
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=ctx)
    async with server:
        port = server.sockets[0].getsockname()[1]
        profile = tls_profile(port, "watch", tls_ca_file=str(cert), interval_s=0.2)
        monitors.add(profile, stagger=False)
        up_at, _ = await collector.wait_state(State.UP, timeout=5)
        checks = itertools.count(1)
        await collector.wait_for(
            lambda e: e.kind is Kind.SAMPLE and (e.cause is not None or next(checks) >= 10),
            timeout=10,
        )
        yield up_at


async def test_a_watch_over_tls_holds_a_server_that_sends_more_than_it_keeps(
    certificate: tuple[Path, Path], monitors: MonitorSet, collector: Collector
) -> None:
    """A TLS server that streams (prices, a game's state) more than the 64 KiB a watch
    keeps between its checks: the bytes read and dropped to find its FIN were taken from
    under TLS, and the next read failed, "TLS: DECRYPTION_FAILED_OR_BAD_RECORD_MAC": down,
    and again after every reconnect. It is held now, and its close still seen."""
    streams: list[asyncio.StreamWriter] = []

    async def stream(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        streams.append(writer)
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            while not writer.is_closing():
                writer.write(b"x" * 65536)
                await writer.drain()

    async with _watched_awhile(stream, certificate, monitors, collector):
        assert [e.state for e in collector.states()] == [State.CONNECTING, State.UP]
        closed_at = time.monotonic()
        streams[-1].close()
        _, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.cause is Cause.CLOSED_BY_PEER, down.detail
    assert time.monotonic() - closed_at < 2.0


#: A TLS application-data record whose 32 bytes no key deciphers.
BAD_RECORD = b"\x17\x03\x03\x00\x20" + b"G" * 32


async def test_a_bad_record_on_a_held_tls_connection_is_told_as_soon_as_it_came(
    certificate: tuple[Path, Path], monitors: MonitorSet, collector: Collector
) -> None:
    """A watch's TLS peer sends a record that does not decipher: down, tls_error, at once.
    Its detection delay counted from the connect, not from the record: a connection held
    a day was "noticed after 24 h" in the outages and the report, though the record was
    told the moment it came, as a FIN or an RST is."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)
        with contextlib.suppress(ConnectionError, ssl.SSLError):
            await reader.read()

    async with _watched_awhile(hold, certificate, monitors, collector) as up_at:
        raw = held[-1].get_extra_info("socket")
        os.write(raw.fileno(), BAD_RECORD)  # under TLS: the peer's stack gone wrong
        sent_at = time.monotonic()
        seen_at, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.cause is Cause.TLS_ERROR, down.detail
    assert down.detection_ms is not None
    held_ms = (sent_at - up_at) * 1000.0
    assert held_ms > 1500  # nine checks 0.2 s apart after the connect's
    # The delay runs from the record's arrival, after it was sent: never the connection's age.
    assert down.detection_ms <= (seen_at - sent_at) * 1000.0 + 1.0, (down.detection_ms, held_ms)


async def test_a_tls_probe_waits_no_longer_than_its_timeout_for_a_hung_server_s_goodbye(
    certificate: tuple[Path, Path], resolver: Resolver
) -> None:
    """A TLS server that shook hands and then hung (stopped, deadlocked) never answers our
    close_notify, and each probe's connection waited for it, open, for asyncio's 30 s: a
    probe a second held 30 connections and 5 MB, and a thousand such profiles every file
    this program may open. It waits the profile's timeout at most."""
    cert, key = certificate
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    hung: list[ssl.SSLSocket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = listener.accept()
                with contextlib.suppress(OSError):
                    hung.append(ctx.wrap_socket(conn, server_side=True))  # then nothing

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        profile = tls_profile(port, tls_ca_file=str(cert), timeout_s=0.3)
        for _ in range(3):
            sample = await probe_once(profile, resolver)
            assert sample.ok, sample.detail
        deadline = time.monotonic() + 3.0  # ten timeouts: asyncio's own wait is 30 s
        while (held := ours_to(port)) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # ok-sleep: polling the kernel's table, with a deadline
        assert not held, f"{len(held)} connections still open, waiting for a goodbye"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes its accept (Linux)
        listener.close()
        server.join(5)
        for conn in hung:
            conn.close()


def ours_to(port: int) -> list[Any]:
    """This process's connections to ``port`` (not the server's side of them)."""
    return [c for c in psutil.Process().net_connections("tcp") if c.raddr and c.raddr[1] == port]


# -- a CA file that is not one ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda p: None, r"cannot be read \(No such file or directory\)"),
        (lambda p: p.write_text("not a certificate"), "holds no PEM certificate"),
        (lambda p: p.mkdir(), "is not a file"),
        (os.mkfifo, "is not a file"),
    ],
    ids=["missing", "not-pem", "directory", "fifo"],
)
def test_a_ca_file_that_is_not_one_is_refused_when_the_profile_is_loaded(
    tmp_path: Path, make: Any, problem: str
) -> None:
    ca = tmp_path / "ca.pem"
    make(ca)
    with pytest.raises(ValueError, match=f"detector.tls_ca_file: .* {problem}"):
        make_profile("127.0.0.1", 443, "probe", tls=True, tls_ca_file=str(ca))


async def test_a_ca_file_swapped_for_a_fifo_later_fails_the_check_without_blocking(
    tls_echo: tuple[asyncio.Server, int], certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """Opening a FIFO waits for a writer: on the loop, for ever (SIGINT was ignored)."""
    _, port = tls_echo
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certificate[0].read_bytes())
    profile = make_profile("127.0.0.1", port, "probe", tls=True, tls_ca_file=str(ca))
    ca.unlink()
    os.mkfifo(ca)
    resolver = Resolver()
    try:
        async with asyncio.timeout(5):
            sample = await probe_once(profile, resolver)
    finally:
        resolver.close()
    assert (sample.ok, sample.cause) == (False, Cause.LOCAL_ERROR)
    assert sample.detail == f"CA file {ca}: is not a file"


@pytest.mark.skipif(not os.access("/proc/kmsg", os.R_OK), reason="needs /proc/kmsg (root)")
def test_a_ca_file_whose_read_never_returns_is_refused_at_once() -> None:
    """``/proc/kmsg`` is a regular file of no size whose read waits for the kernel's next
    message: named as the CA file, loading the profile (in the window: the GUI thread) waited
    for ever."""
    found: list[str | None] = []
    looking = threading.Thread(target=lambda: found.append(ca_file_problem("/proc/kmsg")))
    looking.daemon = True  # if it blocks, it must not hold the test run at its end
    looking.start()
    looking.join(5.0)
    assert found == ["holds no PEM certificate (-----BEGIN CERTIFICATE-----)"]


def test_a_ca_file_read_with_no_file_left_is_not_said_to_be_unreadable(
    certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """Out of open files, a CA file that could not be opened was "CA file ...: cannot be
    read (Too many open files)", the file blamed. It says what ran out."""
    from tests.unit.test_detect_local import no_file_descriptors_left

    ca = tmp_path / "never-read-before.pem"  # not in ``tls_context``'s cache
    ca.write_bytes(certificate[0].read_bytes())
    with no_file_descriptors_left(), pytest.raises(CheckFailed) as failed:
        tls_context(True, str(ca))
    detail = failed.value.detail
    assert detail.startswith("this program is out of open files (its limit, ulimit -n: "), detail
    assert detail.endswith(f"), to read the CA file {ca}"), detail


@pytest.mark.parametrize("named", [True, False], ids=["profile's CA file", "system's store"])
async def test_a_renewed_ca_file_is_read_again(
    certificate: tuple[Path, Path],
    tmp_path: Path,
    resolver: Resolver,
    named: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A CA file was read once for good (``tls_context``'s cache): renewed with the server's
    certificate (a private CA rotated), every check of the server was "certificate not
    trusted" until the program restarted, though the file on disk trusted it. So was the
    system's store (``update-ca-certificates``; here the file that SSL_CERT_FILE names)."""
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(*certificate)

    async def hang_up(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0, ssl=server_tls)
    ca = tmp_path / "ca.pem"
    ca.write_bytes(certificate[0].read_bytes())
    async with server:
        if not named:
            monkeypatch.setenv("SSL_CERT_FILE", str(ca))
        port = server.sockets[0].getsockname()[1]
        profile = tls_profile(port, tls_ca_file=str(ca) if named else "")
        first = await probe_once(profile, resolver)
        assert first.ok, first.detail
        renewed = self_signed(tmp_path)
        server_tls.load_cert_chain(*renewed)  # the server's next handshakes show it
        (tmp_path / "new-ca.pem").write_bytes(renewed[0].read_bytes())
        (tmp_path / "new-ca.pem").replace(ca)
        sample = await probe_once(profile, resolver)
    assert sample.ok, sample.detail
