"""``tcpmonitor run`` whose standard error cannot be written: the terminal it went to was
closed. stderr is only for messages; it never stops monitoring nor changes the exit.

The terminal is a real pseudo-terminal whose master side the test closes: a write to its
other side then fails with EIO, as it does in a terminal window that was closed.
"""

from __future__ import annotations

import os
import pty
import signal
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.unit._cli_process import Home, Running, tcpmonitor


@pytest.fixture
def listening() -> Iterator[list[int]]:
    """Two loopback ports that accept."""
    with socket.socket() as first, socket.socket() as second:
        for sock in (first, second):
            sock.bind(("127.0.0.1", 0))
            sock.listen(16)
        yield [first.getsockname()[1], second.getsockname()[1]]


def test_run_whose_terminal_was_closed_monitors_on_and_exits_0_on_sigterm(
    tmp_path: Path, listening: list[int]
) -> None:
    """The closed terminal's SIGHUP made ``run`` read its profiles again and say so on
    stderr; the write failed (EIO), which ended the task that follows the profiles, and the
    SIGTERM after it exited 1 instead of 0."""
    home = Home(tmp_path / "config", tmp_path / "data")
    first, second = listening
    assert tcpmonitor(home, "profiles", "add", "first", f"127.0.0.1:{first}").returncode == 0
    master, terminal = pty.openpty()
    try:
        with Running(home, "run", stderr=terminal) as run:
            os.close(terminal)
            terminal = -1
            run.read_until(lambda line: "first  unknown -> up" in line)
            os.close(master)  # the terminal window is closed
            master = -1
            added = tcpmonitor(home, "profiles", "add", "second", f"127.0.0.1:{second}")
            assert added.returncode == 0
            run.send_signal(signal.SIGHUP)  # what closing a terminal sends
            # Read again (and said on stderr, which fails) before this comes: monitoring goes on.
            run.read_until(lambda line: "second  unknown -> up" in line)
            run.send_signal(signal.SIGTERM)
            assert run.wait() == 0, run.lines
    finally:
        for fd in (master, terminal):
            if fd >= 0:
                os.close(fd)
