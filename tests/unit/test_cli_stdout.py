"""What the ``tcpmonitor`` commands do when their standard output fails them: a reader that
stops (``| head -1``), a full disk (``>/dev/full``) or a closed stdout (``>&-``).

Each command runs as a real process with a real pipe, ``/dev/full`` or a closed file
descriptor (the shell's ``>&-``) as its stdout.
"""

from __future__ import annotations

import datetime as dt
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile_store import ProfileStore
from tests.helpers import make_profile, stored_event
from tests.unit._cli_process import DEADLINE_S, Home, command

#: More than a pipe holds (64 KiB), so that the command is still writing when its reader goes.
MANY = 2000


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Home:
    """Profiles and a history long enough that every listing outgrows a pipe (read only)."""
    tmp_path = tmp_path_factory.mktemp("home")
    home = Home(tmp_path / "config", tmp_path / "data")
    profiles = [make_profile("127.0.0.1", 1000 + n, name=f"profile {n}") for n in range(MANY)]
    ProfileStore(home.config).save(profiles)
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    events = [
        stored_event(profiles[0], start + dt.timedelta(seconds=n), state, cause=cause)
        for n in range(MANY)
        for state, cause in [(State.DOWN, Cause.REFUSED) if n % 2 else (State.UP, None)]
    ]
    with EventLog(home.data / "events.sqlite3") as log:
        log.submit(events)
        assert log.flush()
    return home


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses: bound (so nothing else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.fixture
def open_port() -> Iterator[int]:
    """A loopback port that accepts (the kernel completes the handshakes)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(100)
        yield sock.getsockname()[1]


LISTINGS = [
    ("profiles", "list"),
    ("profiles", "list", "--json"),
    ("profiles", "export", "-"),
    ("events",),
    ("events", "--format", "csv"),
    ("outages",),
    ("report",),
    ("report", "--csv", "-"),
]


def with_stdout(home: Home, args: tuple[str, ...], stdout: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout on ``/dev/full`` or closed (as the shell's ``>&-`` leaves it)."""
    argv = command(home, args, flags=True)
    if stdout == "closed":
        argv = ["sh", "-c", 'exec "$0" "$@" >&-', *argv]
    with open("/dev/full", "w", encoding="utf-8") as full:
        return subprocess.run(
            argv,
            env=home.env,
            stdin=subprocess.DEVNULL,
            stdout=full if stdout == "full" else None,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.mark.parametrize("stdout", ["full", "closed"])
@pytest.mark.parametrize("args", [*LISTINGS, ("check", "{closed}", "-c", "1"),
                                  ("check", "{closed}", "-c", "1", "--json")])  # fmt: skip
def test_output_that_cannot_be_written_is_one_line_and_exit_2(
    home: Home, closed_port: int, args: tuple[str, ...], stdout: str
) -> None:
    args = tuple(a.replace("{closed}", f"127.0.0.1:{closed_port}") for a in args)
    done = with_stdout(home, args, stdout)
    why = "No space left on device" if stdout == "full" else "standard output is closed"
    assert done.stderr.splitlines()[-1:] == [f"tcpmonitor: cannot write the output: {why}"]
    assert "Traceback" not in done.stderr
    assert done.returncode == 2


def read_one_line_and_go(home: Home, args: tuple[str, ...]) -> tuple[int, str, str]:
    """``tcpmonitor ARGS | head -1``: the exit code, the line read and stderr."""
    with subprocess.Popen(
        command(home, args, flags=True),
        env=home.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        proc.stdout.close()  # the reader is gone: the next write is a broken pipe
        stderr = proc.stderr.read()
        return proc.wait(DEADLINE_S), line, stderr


@pytest.mark.parametrize("args", LISTINGS)
def test_a_listing_whose_reader_goes_ends_quietly(home: Home, args: tuple[str, ...]) -> None:
    code, line, stderr = read_one_line_and_go(home, args)
    assert line
    assert (code, stderr) == (0, "")


@pytest.mark.parametrize("shape", [(), ("--json",)])
@pytest.mark.parametrize(("target", "code"), [("closed_port", 1), ("open_port", 0)])
def test_a_check_whose_reader_goes_exits_with_the_last_checks_result(
    home: Home, request: pytest.FixtureRequest, target: str, code: int, shape: tuple[str, ...]
) -> None:
    port = request.getfixturevalue(target)
    for count in ("1", "3"):  # the summary, or the next attempt's line, finds the pipe broken
        args = ("check", f"127.0.0.1:{port}", "-c", count, "--interval", "0.1", *shape)
        done, line, stderr = read_one_line_and_go(home, args)
        assert ("refused" in line) == (code == 1), line
        assert (done, stderr) == (code, "")


@pytest.mark.parametrize("stdout", ["full", "closed"])
def test_a_change_whose_confirmation_cannot_be_written_says_it_is_saved(
    tmp_path: Path, stdout: str
) -> None:
    """Exit 2 and "cannot write the output" alone read as "not added": a script that ran the
    add again was told "'db' is already a stored profile"."""
    fresh = Home(tmp_path / "config", tmp_path / "data")
    done = with_stdout(fresh, ("profiles", "add", "db", "127.0.0.1:1"), stdout)
    why = "No space left on device" if stdout == "full" else "standard output is closed"
    assert done.stderr.splitlines() == [
        f"tcpmonitor: cannot write the output: {why} (the change is saved all the same)"
    ]
    assert done.returncode == 2
    assert [p.name for p in ProfileStore(fresh.config).load()] == ["db"]


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGHUP, -signal.SIGHUP)])
def test_ctrl_c_ends_a_command_without_a_traceback(
    home: Home, sig: signal.Signals, code: int
) -> None:
    """Ctrl-C on 'profiles import -' waiting for its input (or on a long 'events') printed a
    KeyboardInterrupt traceback. It ends the command quietly now, with the exit status a
    shell gives a command that SIGINT ended (130). A closed terminal (SIGHUP) ends it as
    before: only ``run`` holds SIGHUP while it starts (``cli/hangup.py``)."""
    with subprocess.Popen(
        command(home, ("profiles", "import", "-"), True),
        env=home.env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as importing:
        wchan = Path(f"/proc/{importing.pid}/wchan")
        deadline = time.monotonic() + DEADLINE_S
        while "pipe" not in wchan.read_text():  # it waits to read its standard input
            assert time.monotonic() < deadline, wchan.read_text()
            time.sleep(0.01)  # ok-sleep: polling the kernel's word for what the child waits on
        importing.send_signal(sig)
        out, err = importing.communicate(timeout=DEADLINE_S)
    assert (importing.returncode, out, err) == (code, b"", b"")
