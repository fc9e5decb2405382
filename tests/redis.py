"""A real Redis on loopback, for the defects that involve one (a server frozen with SIGSTOP).

``redis-server`` comes from Debian's package (``.ci/run`` installs it). Without it the tests
that need it are skipped with the reason, except where ``TCPMONITOR_REQUIRE_PEERS=1`` (CI): a
missing peer then fails the run instead of hiding it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_ENV = "TCPMONITOR_REQUIRE_PEERS"
READY_S = 10.0


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


class RedisServer:
    """One ``redis-server`` process: ``freeze()`` stops it (SIGSTOP: its kernel still accepts
    and acknowledges, nothing answers), ``thaw()`` lets it go on."""

    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.port = port

    @property
    def address(self) -> tuple[str, int]:
        return "127.0.0.1", self.port

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@contextlib.contextmanager
def running_redis(directory: Path, *options: str) -> Iterator[RedisServer]:
    """``options``: more of redis-server's own (``--requirepass``, say)."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed (Debian: apt install redis-server)")
    assert binary is not None
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(directory), "--protected-mode", "yes", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + READY_S
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"redis-server did not answer on port {port} within {READY_S} s")
            time.sleep(0.05)  # ok-sleep: polling a child process that has no ready signal
        yield RedisServer(process, port)
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
            process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
