"""``tcpmonitor check`` as people who use tcping, nc and telnet type it: ``HOST PORT``.

``tcping db 5432``, ``nc -vz db 5432``, ``telnet db 5432``: the port is a word of its own.
The command took only ``HOST:PORT`` and refused ``check db 5432`` with "'db' is not HOST:PORT
(the port is missing)", the port typed after it ignored. Real command, real server on loopback.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.lab import LineEchoServer

from ._cli_process import Home, tcpmonitor


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


@pytest.fixture
def echo() -> Iterator[LineEchoServer]:
    with LineEchoServer() as server:
        yield server


def _v6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_check_takes_the_port_as_a_word_after_the_host(
    home: Home, echo: LineEchoServer, host: str
) -> None:
    port = echo.address[1]
    result = tcpmonitor(home, "check", host, str(port), "--count", "1", "--ipv4")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout.startswith(f"Connected to 127.0.0.1:{port}: time="), result.stdout
    assert f"--- {host}:{port}: 1 attempt, 1 connected" in result.stdout


def test_check_takes_options_before_the_host_and_port(home: Home, echo: LineEchoServer) -> None:
    port = echo.address[1]
    result = tcpmonitor(home, "check", "--count", "1", "127.0.0.1", str(port))
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


def test_the_same_port_given_twice_is_taken(home: Home, echo: LineEchoServer) -> None:
    port = echo.address[1]
    result = tcpmonitor(home, "check", f"127.0.0.1:{port}", str(port), "--count", "1")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr


@pytest.mark.skipif(not _v6_loopback(), reason="no IPv6 loopback here")
@pytest.mark.parametrize("host", ["::1", "[::1]"])
def test_an_ipv6_address_with_or_without_brackets_takes_the_port_after_it(
    home: Home, host: str
) -> None:
    with socket.create_server(("::1", 0), family=socket.AF_INET6) as server:
        port = server.getsockname()[1]
        result = tcpmonitor(home, "check", host, str(port), "--count", "1")
    assert (result.returncode, result.stderr) == (0, ""), result.stderr
    assert result.stdout.startswith(f"Connected to [::1]:{port}: time="), result.stdout


def test_two_different_ports_are_refused_naming_both(home: Home) -> None:
    result = tcpmonitor(home, "check", "127.0.0.1:5432", "5433")
    assert result.returncode == 2 and result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line
    assert line.startswith("tcpmonitor: check: ")
    assert "'127.0.0.1:5432'" in line and "5433" in line and "one port" in line, line


@pytest.mark.parametrize(
    ("port", "problem"),
    [
        ("nope", "'nope' is not a whole number (allowed 1 to 65535)"),
        ("0", "0 is out of range (allowed 1 to 65535)"),
        ("70000", "70000 is out of range (allowed 1 to 65535)"),
    ],
)
def test_a_bad_port_word_is_named_as_the_port(home: Home, port: str, problem: str) -> None:
    result = tcpmonitor(home, "check", "127.0.0.1", port)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip() == f"tcpmonitor: check: argument PORT: {problem}"


def test_a_port_named_by_its_service_is_taken_as_after_a_colon(home: Home) -> None:
    """'db:postgres' is port 5432 (what the profile dialog takes pasted); 'db postgres' too."""
    result = tcpmonitor(home, "check", "127.0.0.1", "postgres", "--count", "1", "--timeout", "1")
    assert result.stdout.startswith("Failed 127.0.0.1:5432: ") or result.stdout.startswith(
        "Connected to 127.0.0.1:5432: "
    ), (result.stdout, result.stderr)


def test_what_is_wrong_with_a_host_and_port_is_said_before_a_port_after_it(home: Home) -> None:
    result = tcpmonitor(home, "check", "db:abc", "5432")
    assert result.returncode == 2
    assert "port: 'abc' is not a whole number" in result.stderr, result.stderr


def test_profiles_add_takes_the_port_as_a_word_after_the_host(home: Home) -> None:
    added = tcpmonitor(home, "profiles", "add", "db", "db.example.com", "5432", "--disabled")
    assert added.returncode == 0, added.stderr
    listed = tcpmonitor(home, "profiles", "list", "--json")
    (profile,) = __import__("json").loads(listed.stdout)["profiles"]
    assert (profile["host"], profile["port"]) == ("db.example.com", 5432)
    refused = tcpmonitor(home, "profiles", "add", "db2", "db.example.com:5432", "6432")
    assert refused.returncode == 2
    assert refused.stderr.startswith("tcpmonitor: profiles add: "), refused.stderr


def test_help_says_the_port_may_follow_the_host(home: Home) -> None:
    text = tcpmonitor(home, "check", "--help", flags=False).stdout
    assert "HOST:PORT [PORT]" in text
    assert "check db.example.com 5432" in " ".join(text.split())


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        (("-4",), "'-4' is --ipv4 here"),
        (("-6",), "'-6' is --ipv6 here"),
        (("-n", "3"), "'-n' is --count N (-c N) here"),
        (("-t",), "'-t' is --count 0 (until interrupted) here"),
        (("-w", "2"), "'-w' is --timeout S here"),
        (("-i", "2"), "'-i' is --interval S here"),
    ],
)
def test_an_option_of_tcping_ping_or_nc_is_refused_naming_this_commands_own(
    home: Home, typed: tuple[str, ...], hint: str
) -> None:
    """'check db 5432 -4' said only "unrecognized arguments: -4", as if there were no way to
    say IPv4; the line names the option that does it (not an alias: -n is nc's 'no DNS' and
    -w ping's deadline, so taking them would do what another tool's user did not mean)."""
    result = tcpmonitor(home, "check", "127.0.0.1", "9", *typed)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"tcpmonitor: unrecognized arguments: {' '.join(typed)}"), line
    assert line.endswith(f"({hint})"), line


def test_an_option_of_another_tool_before_the_host_is_named_too(home: Home) -> None:
    """'-4' before the host was read as the host (argparse takes it for a negative number)."""
    result = tcpmonitor(home, "check", "-4", "127.0.0.1", "9")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.endswith("('-4' is --ipv4 here)"), line


def test_a_port_after_the_options_is_said_to_go_after_the_host(home: Home) -> None:
    result = tcpmonitor(home, "check", "127.0.0.1", "--count", "1", "9")
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line == (
        "tcpmonitor: unrecognized arguments: 9 (HOST PORT: one port, right after the host)"
    ), line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("check", "5432"), "tcpmonitor: check: argument HOST:PORT: '5432' is a port without"
         " its host (HOST:PORT, or HOST PORT)"),
        (("profiles", "add", "db.example.com", "5432"), "tcpmonitor: profiles add: argument"
         " HOST:PORT: '5432' is a port without its host (NAME HOST:PORT, or NAME HOST PORT:"
         " the name comes first)"),
        (("profiles", "add", "db.example.com:5432"), "tcpmonitor: profiles add: the following"
         " arguments are required: HOST:PORT (NAME HOST:PORT: the name comes first)"),
    ],
)  # fmt: skip
def test_a_port_alone_or_a_missing_name_is_said_as_such(
    home: Home, args: tuple[str, ...], said: str
) -> None:
    """'profiles add db.example.com 5432' (the check's habit, the name left out) said
    "'5432' is not HOST:PORT (the port is missing)": the port was there, the host was not."""
    result = tcpmonitor(home, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [said]
    assert not home.config.exists()


def _loopback_name() -> str | None:
    names = [name for _, name in socket.if_nameindex()]
    return next((n for n in ("lo", "lo0") if n in names), None)


@pytest.mark.skipif(not _v6_loopback() or _loopback_name() is None, reason="no IPv6 loopback")
def test_a_link_local_address_keeps_its_interface_in_the_attempts_line(home: Home) -> None:
    """'check fe80::1%lo 9' (as nc and ping take a scoped address) said 'Failed [fe80::1]:9':
    the same address on every interface, the one tried not named."""
    lo = _loopback_name()
    result = tcpmonitor(home, "check", f"fe80::1%{lo}", "9", "--count", "1", "--timeout", "1")
    assert result.returncode == 1, result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"Failed [fe80::1%{lo}]:9: "), first
