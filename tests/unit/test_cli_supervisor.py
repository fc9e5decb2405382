"""``tcpmonitor run`` under systemd (``Type=notify``): it says when it is ready, and only
then may a reload (SIGHUP) come.

With ``Type=exec`` systemd took the service as started the moment it was executed, and let
``systemctl reload`` (a SIGHUP) through at once: in the 0.3 s (seconds, at a busy boot) that
Python took to import the program, before ``run`` handled SIGHUP, the signal ended it, and
systemd counts a death by SIGHUP as a clean exit: ``Restart=on-failure`` did not start it
again, and nothing was monitored until someone looked. The supervisor's socket here stands in
for systemd's (``NOTIFY_SOCKET``, a datagram per message)."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.cli.hangup import command_of
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile
from tests.unit._cli_process import DEADLINE_S, Home, Running

UNITS = Path(__file__).parents[2] / "packaging" / "systemd"


@pytest.fixture
def supervisor(tmp_path: Path) -> Iterator[socket.socket]:
    """A datagram socket where systemd would listen (``$NOTIFY_SOCKET``)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(tmp_path / "notify"))
        yield sock


def told(sock: socket.socket, wanted: str) -> list[str]:
    """Every message until one says ``wanted`` (a line ``KEY=VALUE``), at the deadline."""
    said: list[str] = []
    deadline = time.monotonic() + DEADLINE_S
    while not any(wanted in message.splitlines() for message in said):
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            said.append(sock.recv(4096).decode())
        except TimeoutError:
            raise AssertionError(f"{wanted!r} not told in time; told: {said}") from None
    return said


def test_run_tells_its_supervisor_when_it_is_ready_and_a_reload_at_once_is_a_reload(
    tmp_path: Path, supervisor: socket.socket
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        profile = make_profile(*echo.address, "watch", name="db")
        file = tmp_path / "watch.json"
        file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict()]}))
        notify = {"NOTIFY_SOCKET": supervisor.getsockname()}
        with Running(home, "run", "--json", "--profiles", str(file), env=notify) as run:
            said = told(supervisor, "READY=1")
            assert "STATUS=watching 1 profile" in said[-1].splitlines(), said
            run.send_signal(signal.SIGHUP)  # systemctl reload, as soon as systemd lets it
            line = run.wait_stderr(lambda text: "profiles read again (SIGHUP)" in text)
            assert line.endswith("0 added, 0 changed, 0 removed")
            added = make_profile(*echo.address, "watch", name="cache")
            file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict(),
                                                                   added.to_dict()]}))  # fmt: skip
            run.send_signal(signal.SIGHUP)
            told(supervisor, "STATUS=watching 2 profiles")  # systemctl status: as it is
            run.read_until(lambda line: '"state":"up"' in line)
            run.send_signal(signal.SIGTERM)
            told(supervisor, "STOPPING=1")
            assert run.wait(DEADLINE_S) == 0


def test_the_commands_run_by_actions_are_not_taken_for_the_service(
    tmp_path: Path, supervisor: socket.socket
) -> None:
    """systemd's own sd_notify takes NOTIFY_SOCKET out of the environment once read: a
    command started by an action is another program, whose "READY=1" is not the service's."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        profile = make_profile(*echo.address, "watch", name="db").to_dict()
        profile["actions"] = [
            {"on": "change", "run": ["sh", "-c", "echo socket=${NOTIFY_SOCKET:-none}"]}
        ]
        file = tmp_path / "watch.json"
        file.write_text(json.dumps({"version": 1, "profiles": [profile]}))
        notify = {"NOTIFY_SOCKET": supervisor.getsockname()}
        with Running(home, "run", "--json", "--profiles", str(file), env=notify) as run:
            line = run.read_until(lambda line: '"kind":"action"' in line)
            assert "socket=none" in json.loads(line)["detail"], line
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


@pytest.mark.parametrize("unit", ["tcpmonitor.service", "tcpmonitor-user.service"])
def test_the_units_wait_for_the_program_to_say_it_is_ready(unit: str) -> None:
    settings = (UNITS / unit).read_text().splitlines()
    assert "Type=notify" in settings
    assert not [line for line in settings if line.startswith("Type=") and line != "Type=notify"]


def test_a_supervisor_that_stops_reading_never_holds_the_run(
    supervisor: socket.socket, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A datagram to a supervisor whose queue is full waited for room for ever: a reload's
    status, on the loop that monitors. Each message now waits at most ``SEND_TIMEOUT_S``."""
    from tcpmonitor_gui.cli import supervisor as module

    monkeypatch.setenv("NOTIFY_SOCKET", supervisor.getsockname())
    monkeypatch.setattr(module, "SEND_TIMEOUT_S", 0.05)
    told_it = module.Supervisor()
    for _ in range(100):  # past the queue's length (net.unix.max_dgram_qlen, 10): it reads nothing
        started = time.monotonic()
        told_it.tell("STATUS=watching 1 profile")
        assert time.monotonic() - started < DEADLINE_S


#: Libraries loaded while the program is imported, after the entry point holds SIGHUP and
#: long before ``run`` handles it (each is mapped into the process as its module is imported;
#: none is what an interpreter's start, or a tool's .pth such as coverage's, imports).
IMPORTED_LATER = ("/_asyncio.", "/_ssl.")


def wait_for_the_imports(pid: int) -> None:
    """Until the program's modules are being imported (0.3 s of it, longer on a busy machine,
    which ``run`` spent with SIGHUP's default action)."""
    maps = Path(f"/proc/{pid}/maps")
    deadline = time.monotonic() + DEADLINE_S
    while not any(lib in maps.read_text() for lib in IMPORTED_LATER):
        assert time.monotonic() < deadline, "the program's imports did not start"
        time.sleep(0.002)  # ok-sleep: polling another process's memory map, which has no signal


def test_a_reload_while_run_starts_is_a_reload_and_not_its_end(tmp_path: Path) -> None:
    """Outside systemd (runit, s6, supervisord, a script's 'tcpmonitor run & kill -HUP $!')
    nothing waits for READY=1: a SIGHUP while Python imported the program ended it, silently,
    and nothing was monitored. It is remembered from the entry point's first line and read as
    the reload it is once ``run`` reads its profiles again."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        file = tmp_path / "watch.json"
        profile = make_profile(*echo.address, "watch", name="db")
        file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict()]}))
        for _attempt in range(3):
            with Running(home, "run", "--json", "--profiles", str(file)) as run:
                wait_for_the_imports(run.pid)
                run.send_signal(signal.SIGHUP)
                line = run.wait_stderr(lambda text: "profiles read again (SIGHUP)" in text)
                assert line.endswith("0 added, 0 changed, 0 removed")
                run.read_until(lambda line: '"state":"up"' in line)
                run.send_signal(signal.SIGTERM)
                assert run.wait(DEADLINE_S) == 0, run.stderr


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["run", "--json"], "run"),
        (["--data-dir", "run", "events"], "events"),  # a folder named 'run'
        (["--config-dir", "c", "-v", "run"], "run"),
        (["--data-dir=d", "run"], "run"),
        (["profiles", "add", "run", "h:1"], "profiles"),
        (["--version"], None),
    ],
)
def test_the_command_is_read_before_the_imports(argv: list[str], named: str | None) -> None:
    assert command_of(argv) == named
