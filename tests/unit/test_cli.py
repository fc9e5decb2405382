"""The ``tcpmonitor`` command's contract (DESIGN.md), as a script sees it.

Every test runs the console script installed next to the interpreter, against real servers
and the fault proxy on 127.0.0.1, with its config and data dirs in the test's temporary
directory. What is pinned down: one line per attempt and exit 0/1 from the last attempt for
``check``; one clear line on stderr, exit 2 and nothing written for bad input; the profile
file's format through ``profiles``; JSON event lines and a prompt exit on SIGTERM for ``run``;
and the stored log through ``events``.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tcpmonitor_gui import __version__
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer, RedisPingServer, UnresponsiveListener

from ..helpers import stored_event
from ._cli_process import DEADLINE_S, TCPMONITOR, Home, Running, tcpmonitor

#: The fields of every event line (``run --json``, ``events --format json|csv``), in order.
EVENT_FIELDS = [
    "ts",
    "profile_id",
    "profile_name",
    "kind",
    "state",
    "previous",
    "cause",
    "detector",
    "latency_ms",
    "detail",
    "detection_ms",
    "address",
    "maintenance",
]
ISO_MS_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
ID = re.compile(r"^[0-9a-f]{32}$")

#: The stored profile of the "a store already exists" cases.
STORED_ID = "stored-db-1"
STORED: dict[str, Any] = {"id": STORED_ID, "name": "db", "host": "127.0.0.1", "port": 5432}


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port that refuses: bound (so nothing else takes it) but not listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def only_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The one line a refused command prints: stderr only, nothing on stdout."""
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tcpmonitor: "), lines[0]
    return lines[0]


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]] | None:
    """Every file under ``directory`` with its bytes and mode; None if it does not exist."""
    if not directory.exists():
        return None
    return {
        str(p.relative_to(directory)): (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def events_of(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines]


def profiles_json(home: Home) -> dict[str, Any]:
    result = tcpmonitor(home, "profiles", "list", "--json")
    assert result.returncode == 0, result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def stored_document(home: Home) -> dict[str, Any]:
    """The profile file as stored (its format is part of the contract)."""
    doc: dict[str, Any] = json.loads((home.config / "profiles.json").read_bytes())
    return doc


def add(home: Home, *args: str) -> str:
    """``profiles add`` that must succeed; returns the new profile's id."""
    result = tcpmonitor(home, "profiles", "add", *args)
    assert result.returncode == 0, result.stderr
    (added,) = [p for p in stored_document(home)["profiles"] if p["name"] == args[0]]
    return str(added["id"])


def store(home: Home, *profiles: dict[str, Any]) -> None:
    """Profiles stored beforehand, where storing them is not what the test is about."""
    ProfileStore(home.config).save([Profile.from_dict(p) for p in profiles])


#: Profiles stored beforehand by tests about something else (listing, removing, exporting).
WEB = {"id": "web-1", "name": "web", "host": "127.0.0.1", "port": 80, "group": "front"}
REDIS = {
    "id": "redis-1",
    "name": "redis",
    "host": "127.0.0.1",
    "port": 6379,
    "detector": {"kind": "heartbeat", "preset": "redis", "interval_s": 2},
}
SSH = {
    "id": "ssh-1",
    "name": "ssh",
    "host": "127.0.0.1",
    "port": 22,
    "detector": {"kind": "watch", "timeout_s": 4},
}


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# -- check --------------------------------------------------------------------------------


def test_check_prints_one_line_per_attempt_and_a_summary(home: Home) -> None:
    with LineEchoServer() as echo:
        port = echo.address[1]
        result = tcpmonitor(home, "check", f"127.0.0.1:{port}", "--count", "3", "--interval", "0.1")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    attempt = re.compile(rf"^Connected to 127\.0\.0\.1:{port}: time=\d+\.\d+ ms\b")
    assert [bool(attempt.match(line)) for line in lines[:3]] == [True] * 3, lines
    assert lines[3] == f"--- 127.0.0.1:{port}: 3 attempts, 3 connected, 0 failed (0.0% failed)"
    assert re.match(r"^time min/avg/max = [\d.]+/[\d.]+/[\d.]+ ms$", lines[4]), lines
    assert len(lines) == 5
    for line in lines[:3]:  # the time is the steps added up (the kernel's rtt is apart)
        took = float(re.findall(r"time=([\d.]+) ms", line)[0])
        steps = re.findall(r"\b(dns|connect|tls|reply) ([\d.]+) ms", line)
        assert {name for name, _ in steps} >= {"dns", "connect"}, line
        assert took == pytest.approx(sum(float(ms) for _, ms in steps), abs=0.02), line
    assert not home.config.exists()
    assert not home.data.exists()


def test_check_of_a_closed_port_says_refused_and_exits_1(home: Home, closed_port: int) -> None:
    result = tcpmonitor(home, "check", f"127.0.0.1:{closed_port}", "--count", "1")
    assert result.returncode == 1
    first, summary = result.stdout.splitlines()
    assert first.startswith(f"Failed 127.0.0.1:{closed_port}: refused")
    assert (
        summary == f"--- 127.0.0.1:{closed_port}: 1 attempt, 0 connected, 1 failed (100.0% failed)"
    )


def test_check_takes_a_host_name_of_any_valid_length(home: Home) -> None:
    """A check has no NAME: the profile name's limit (100) was applied to its HOST:PORT."""
    host = ".".join(["a" * 63] * 3 + ["b" * 53 + ".invalid"])  # 253 characters, the most
    assert len(host) == 253
    result = tcpmonitor(home, "check", f"{host}:80", "--count", "1", "--timeout", "1")
    assert result.stdout.startswith(f"Failed {host}:80: dns_error"), result.stderr
    assert (result.returncode, result.stderr) == (1, "")
    too_long = tcpmonitor(home, "profiles", "add", "n" * 101, f"{host}:80")
    assert too_long.returncode == 2
    assert "NAME" in only_error_line(too_long) and "at most 100" in too_long.stderr


def test_check_json_prints_one_object_per_attempt(home: Home) -> None:
    with LineEchoServer() as echo:
        port = echo.address[1]
        result = tcpmonitor(
            home, "check", f"127.0.0.1:{port}", "--json", "--count", "2", "--interval", "0.1"
        )
    assert result.returncode == 0, result.stderr
    attempts = events_of(result.stdout.splitlines())
    assert len(attempts) == 2  # and no summary
    for attempt in attempts:
        assert ISO_MS_UTC.match(attempt["ts"]), attempt
        assert attempt["target"] == f"127.0.0.1:{port}"
        assert attempt["address"] == f"127.0.0.1:{port}"
        assert attempt["ok"] is True
        assert attempt["cause"] is None
        assert isinstance(attempt["latency_ms"], float)
        assert attempt["latency_ms"] >= 0
        assert "detail" in attempt


@dataclasses.dataclass(frozen=True)
class Unreachable:
    """A target that fails for one reason, and what ``check`` needs to see it fail."""

    cause: str
    target: str
    options: tuple[str, ...] = ()


@pytest.fixture(params=["refused", "connect_timeout", "dns_error"])
def unreachable(request: pytest.FixtureRequest, closed_port: int) -> Iterator[Unreachable]:
    if request.param == "refused":
        yield Unreachable("refused", f"127.0.0.1:{closed_port}")
    elif request.param == "connect_timeout":
        with UnresponsiveListener() as listener:
            target = f"127.0.0.1:{listener.address[1]}"
            yield Unreachable("connect_timeout", target, ("--timeout", "0.3"))
    else:
        yield Unreachable("dns_error", "nosuchhost.invalid:80")  # .invalid never resolves


def test_check_names_the_cause_of_a_failure_and_exits_1(
    home: Home, unreachable: Unreachable
) -> None:
    result = tcpmonitor(
        home, "check", unreachable.target, "--json", "--count", "1", *unreachable.options
    )
    assert result.returncode == 1, result.stderr
    (attempt,) = events_of(result.stdout.splitlines())
    assert attempt["ok"] is False
    assert attempt["cause"] == unreachable.cause
    assert attempt["target"] == unreachable.target


@pytest.mark.parametrize(
    ("first", "then", "exit_code"),
    [("pass", "refuse", 1), ("refuse", "pass", 0)],
    ids=["connected-then-refused", "refused-then-connected"],
)
def test_check_exit_code_follows_the_last_attempt(
    home: Home, proxy: FaultProxy, first: str, then: str, exit_code: int
) -> None:
    """Flip the proxy after the first attempt; stop (SIGINT) once an attempt shows the flip."""
    proxy.set_mode(first)
    target = f"127.0.0.1:{proxy.address[1]}"
    outcome = {"pass": "Connected to ", "refuse": "Failed "}
    with Running(home, "check", target, "--count", "0", "--interval", "0.1") as check:
        check.read_until(lambda line: line.startswith(outcome[first]))
        proxy.set_mode(then)
        check.read_until(lambda line: line.startswith(outcome[then]))
        check.send_signal(signal.SIGINT)
        assert check.wait() == exit_code
    attempts = [line for line in check.lines if line.startswith(tuple(outcome.values()))]
    assert attempts[0].startswith(outcome[first])
    assert attempts[-1].startswith(outcome[then])


def test_check_with_the_redis_preset_needs_a_pong(home: Home, echo_server: LineEchoServer) -> None:
    with RedisPingServer() as redis:
        result = tcpmonitor(
            home, "check", f"127.0.0.1:{redis.address[1]}", "--preset", "redis", "--count", "1"
        )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"Connected to 127.0.0.1:{redis.address[1]}")

    result = tcpmonitor(
        home,
        "check",
        f"127.0.0.1:{echo_server.address[1]}",
        "--preset",
        "redis",
        "--count",
        "1",
        "--json",
    )
    assert result.returncode == 1
    (attempt,) = events_of(result.stdout.splitlines())
    assert attempt["cause"] == "unexpected_reply"


@pytest.mark.parametrize("reachable", [True, False], ids=["connected", "refused"])
def test_sigint_ends_an_endless_check_with_its_summary(
    home: Home, echo_server: LineEchoServer, closed_port: int, reachable: bool
) -> None:
    port = echo_server.address[1] if reachable else closed_port
    with Running(home, "check", f"127.0.0.1:{port}", "--count", "0", "--interval", "0.2") as check:
        check.read_until(lambda line: f"127.0.0.1:{port}" in line)
        check.send_signal(signal.SIGINT)
        assert check.wait() == (0 if reachable else 1)
    attempts = [line for line in check.lines if line.startswith(("Connected", "Failed"))]
    summary = [line for line in check.lines if line.startswith("---")]
    assert summary == [
        f"--- 127.0.0.1:{port}: {len(attempts)} attempt{'' if len(attempts) == 1 else 's'}, "
        f"{len(attempts) if reachable else 0} connected, {0 if reachable else len(attempts)} "
        f"failed ({0.0 if reachable else 100.0:.1f}% failed)"
    ]
    assert "Traceback" not in check.stderr


def test_sigint_ends_a_check_in_the_middle_of_an_attempt(home: Home) -> None:
    """Ctrl-C (or SIGTERM) was taken only between attempts: a check waiting for a reply with
    --timeout 600 went on waiting, and ended 10 minutes later saying 'no reply within
    600 s'. An attempt under way is now stopped and not counted; the exit is 1 when none was
    completed, as when none connected."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        server.settimeout(DEADLINE_S)
        port = server.getsockname()[1]
        args = ("check", f"127.0.0.1:{port}", "--preset", "redis", "--timeout", "600")
        with Running(home, *args) as check:
            conn, _ = server.accept()  # connected: it waits for its +PONG now
            with conn:
                check.send_signal(signal.SIGINT)
                assert check.wait() == 1
    assert check.lines == [f"--- 127.0.0.1:{port}: no attempt completed (interrupted)"]
    assert check.stderr == ""


# -- bad input: one line on stderr, exit 2, nothing written ----------------------------------


BAD_CHECK_OR_EVENTS = [
    pytest.param(["check", "localhost"], ["'localhost'", "the port is missing"], id="no-port"),
    # Neither given: "give one profile, or --all (not both)" read oddly.
    pytest.param(["profiles", "ack"], ["NAME|ID", "to acknowledge, or --all"], id="ack-nothing"),
    pytest.param(["check", ":80"], ["':80'", "the host is missing"], id="no-host"),
    pytest.param(["check", "localhost:0"], ["port: 0 "], id="port-0"),
    pytest.param(["check", "localhost:99999"], ["port: 99999 "], id="port-too-big"),
    pytest.param(["check", "bad host!:80"], ["host: 'bad host!'"], id="bad-host"),
    pytest.param(
        ["check", "::1:80"],
        ["HOST:PORT", "'::1:80'", "IPv6 address without brackets"],
        id="ipv6-without-brackets",
    ),
    pytest.param(
        ["check", "127.0.0.1:80:80"],
        ["HOST:PORT", "'127.0.0.1:80:80' has more than one ':'"],
        id="two-ports",
    ),
    pytest.param(
        ["check", "localhost:80", "--count", "-1"], ["--count", ": -1 "], id="negative-count"
    ),
    pytest.param(
        ["check", "localhost:80", "--interval", "0"], ["--interval", ": 0 "], id="zero-interval"
    ),
    pytest.param(
        ["check", "localhost:80", "--timeout", "abc"], ["--timeout", "'abc'"], id="bad-timeout"
    ),
    pytest.param(
        ["check", "localhost:80", "--preset", "nosuch"], ["--preset", "'nosuch'"], id="preset"
    ),
    pytest.param(["check", "localhost:80", "--sni", "db"], ["--sni", "--tls"], id="sni-no-tls"),
    # It said "ip_family: 'ipv6' does not fit ...": the profile's field, not what was typed.
    pytest.param(
        ["check", "127.0.0.1:80", "--ipv6"], ["--ipv4/--ipv6", "127.0.0.1"], id="ipv6-of-ipv4"
    ),
    pytest.param(
        ["check", "localhost:80", "--insecure"], ["--insecure", "--tls"], id="insecure-no-tls"
    ),
    pytest.param(["events", "--since", "yesterday"], ["--since", "'yesterday'"], id="since"),
    pytest.param(["events", "--limit", "0"], ["--limit", ": 0 "], id="limit"),
    # As report says them: an empty answer would read as "nothing happened".
    *(
        pytest.param([command, *options], names, id=f"{command}-{case}")
        for command in ("events", "outages")
        for case, options, names in (
            ("unknown-profile", ["--profile", "nosuch"], ["--profile", "'nosuch'"]),
            ("since-after-until", ["--since", "1h", "--until", "2h"], ["--since", "--until"]),
        )
    ),
]


@pytest.mark.parametrize(("args", "names"), BAD_CHECK_OR_EVENTS)
def test_bad_input_is_one_line_exit_2_and_creates_nothing(
    home: Home, args: list[str], names: list[str]
) -> None:
    result = tcpmonitor(home, *args)
    assert result.returncode == 2
    line = only_error_line(result)
    for name in names:
        assert name in line
    assert "HOST:PORT: HOST:PORT" not in line  # argparse names the argument once
    assert not home.config.exists()
    assert not home.data.exists()


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        ([], ["check", "run", "profiles", "report", "events"]),
        (["profiles"], ["list", "add", "remove", "import", "export", "snooze", "ack"]),
        (["actions"], ["test"]),
        (["profiles", "lst"], ["'lst'", "list", "add", "remove", "maintenance"]),
    ],
)
def test_a_missing_command_names_the_commands_there_are(
    home: Home, args: list[str], choices: list[str]
) -> None:
    """'tcpmonitor' alone said 'the following arguments are required: command',
    'tcpmonitor actions' '... required: action' and 'tcpmonitor profiles lst' "argument
    action: invalid choice", naming nothing a new user could type (or the wrong thing)."""
    result = tcpmonitor(home, *args, flags=False)
    assert result.returncode == 2
    line = only_error_line(result)
    assert "required: action" not in line and "required: command" not in line
    assert all(choice in line for choice in choices), line
    assert "argument action" not in line and "argument command" not in line
    assert f"tcpmonitor {' '.join(args[:1])} --help".replace("  ", " ") in line


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["check"], ["attempts (default 1)", "(default 3)", "IPv4 only", "IPv6 only"]),
        (["profiles", "add"], ["checks (default 5)", "(default 3; a heartbeat's 2)",
                               "default: probe", "echo unless --preset"]),
    ],
)  # fmt: skip
def test_help_says_the_defaults_of_interval_timeout_and_detector(
    home: Home, args: list[str], said: list[str]
) -> None:
    """'--interval S' and '--timeout S' had no words at all: a user could not tell that check
    waits 1 s between attempts and a profile 5 s, nor that a heartbeat speaks echo unless told."""
    result = tcpmonitor(home, *args, "--help", flags=False, env={**home.env, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    for words in said:
        assert words in result.stdout, (words, result.stdout)


def test_help_says_what_each_exit_status_means(home: Home) -> None:
    """A script's author found the exit statuses nowhere but in the sources: not 1 for a
    check that failed, nor 130 for Ctrl-C and 141 for a 'run' whose reader went."""
    result = tcpmonitor(home, "--help", flags=False, env={**home.env, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    said = " ".join(result.stdout.split())
    for status in ("0 done", "1 what was checked failed", "2 bad usage or input",
                   "130 ended by Ctrl-C", "141 run ended because the reader"):  # fmt: skip
        assert status in said, (status, said)


def _second_column(line: str) -> int:
    """Where the second column of a table line begins, as a terminal shows it (a Chinese
    character takes two columns)."""
    first = re.match(r"\S+(?: \S+)*  +", line)
    assert first is not None, line
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in first[0])


@pytest.mark.parametrize("args", [("profiles", "list"), ("report",)])
def test_a_chinese_name_keeps_the_table_in_its_columns(home: Home, args: tuple[str, ...]) -> None:
    """A terminal gives a Chinese character two columns; cells were padded by their length in
    characters, so a profile named '订单数据库' pushed the rest of its line five columns to
    the right of its heading and of the other rows."""
    for name, port in (("订单数据库", "1"), ("db", "2")):
        assert tcpmonitor(home, "profiles", "add", name, f"127.0.0.1:{port}").returncode == 0
    result = tcpmonitor(home, *args)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and "订单数据库" in result.stdout, lines
    assert len({_second_column(line) for line in lines}) == 1, lines


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    """Profile files a user might hand to ``profiles import``, good and bad."""
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "malformed.json").write_text('{"version": 1, "profiles": [', encoding="utf-8")
    good = {"name": "ok", "host": "127.0.0.1", "port": 80}
    return {
        "missing": folder / "missing.json",
        "malformed": folder / "malformed.json",
        "future": write_json(folder / "future.json", {"version": 99, "profiles": []}),
        "invalid": write_json(
            folder / "invalid.json",
            {"version": 1, "profiles": [good, {"name": "bad", "host": "127.0.0.1", "port": 0}]},
        ),
        "twins": write_json(
            folder / "twins.json",
            {
                "version": 1,
                "profiles": [
                    {**good, "name": "web", "id": "a"},
                    {**good, "name": "WEB", "id": "b"},
                ],
            },
        ),
        "scalar": write_json(folder / "scalar.json", "hello"),
        "same_name": write_json(
            folder / "same-name.json", {"version": 1, "profiles": [{**good, "name": "DB"}]}
        ),
        "same_id": write_json(
            folder / "same-id.json",
            {"version": 1, "profiles": [{**good, "name": "other", "id": STORED_ID}]},
        ),
        "unwritable": folder / "no-such-dir" / "export.json",
    }


#: (id, arguments after ``profiles``, what the error line must name)
BAD_PROFILES_INPUT = [
    ("add-port", ["add", "web", "localhost:70000"], ["port: 70000 "]),
    ("interval", ["add", "web", "localhost:80", "--interval", "-1"], ["--interval", ": -1 "]),
    ("preset", ["add", "web", "localhost:80", "--preset", "nosuch"], ["--preset", "'nosuch'"]),
    (
        "heartbeat-ssh",
        ["add", "web", "localhost:80", "--detector", "heartbeat", "--preset", "ssh"],
        ["--preset", "'ssh'"],
    ),
    (
        "watch-preset",
        ["add", "web", "localhost:80", "--detector", "watch", "--preset", "redis"],
        ["--preset", "'redis'"],
    ),
    ("add-host", ["add", "web", "bad host!:80"], ["host: 'bad host!'"]),
    # Without --tls no handshake is made: the CA file would look verified.
    ("ca-no-tls", ["add", "web", "localhost:80", "--ca-file", "ca.pem"], ["--ca-file", "--tls"]),
    # Named as typed: "detector.tls_ca_file: '...' No such file or directory" was the field's.
    (
        "ca-missing",
        ["add", "web", "localhost:80", "--tls", "--ca-file", "{missing}"],
        ["--ca-file: '/", "cannot be read (No such file or directory)"],
    ),
    (
        "ca-not-pem",
        ["add", "web", "localhost:80", "--tls", "--ca-file", "{malformed}"],
        ["--ca-file: '/", "holds no PEM certificate"],
    ),
    ("blank-name", ["add", " ", "localhost:80"], ["NAME: ' '"]),
    ("remove-unknown", ["remove", "nosuch"], ["NAME|ID", "'nosuch'"]),
    ("import-missing", ["import", "{missing}"], ["{missing}", "does not exist"]),
    ("malformed", ["import", "{malformed}"], ["{malformed}", "not valid JSON"]),
    ("future-version", ["import", "{future}"], ["{future}", "version 99"]),
    ("invalid-profile", ["import", "{invalid}"], ["{invalid}", "profiles[1].port: 0 "]),
    ("twins", ["import", "{twins}"], ["{twins}", "profiles[1].name: 'WEB'"]),
    ("not-a-document", ["import", "{scalar}"], ["{scalar}", "'hello'"]),
    ("export", ["export", "{unwritable}"], ["{unwritable}", "cannot write"]),
]
#: Cases also run without any store, to show that refusing one creates no config dir.
WITHOUT_STORE_TOO = {"add-port", "malformed", "export"}
BAD_PROFILES = [
    pytest.param(args, names, stored, id=f"{case}-{'store' if stored else 'no-store'}")
    for case, args, names in BAD_PROFILES_INPUT
    for stored in (True, False)
    if stored or case in WITHOUT_STORE_TOO
]


def _fill(texts: list[str], inputs: dict[str, Path]) -> list[str]:
    return [text.format_map(inputs) if "{" in text else text for text in texts]


@pytest.mark.parametrize(("args", "names", "stored"), BAD_PROFILES)
def test_bad_profiles_input_is_one_line_exit_2_and_writes_nothing(
    home: Home,
    inputs: dict[str, Path],
    args: list[str],
    names: list[str],
    stored: bool,
) -> None:
    if stored:
        store(home, STORED)
    before = snapshot(home.config)
    inputs_before = snapshot(inputs["malformed"].parent)
    result = tcpmonitor(home, "profiles", *_fill(args, inputs))
    assert result.returncode == 2
    line = only_error_line(result)
    for name in _fill(names, inputs):
        assert name in line
    assert snapshot(home.config) == before
    assert snapshot(inputs["malformed"].parent) == inputs_before
    assert not home.data.exists()


@pytest.mark.parametrize(
    ("args", "names"),
    [
        pytest.param(["add", "DB", "127.0.0.1:5433"], ["NAME", "'DB'"], id="add-same-name"),
        pytest.param(["import", "{same_name}"], ["{same_name}", "'DB'", "name"], id="import-name"),
        pytest.param(["import", "{same_id}"], ["{same_id}", "'other'", "id"], id="import-id"),
    ],
)
def test_a_clash_with_a_stored_profile_is_refused_and_writes_nothing(
    home: Home, inputs: dict[str, Path], args: list[str], names: list[str]
) -> None:
    store(home, STORED)
    before = snapshot(home.config)
    result = tcpmonitor(home, "profiles", *_fill(args, inputs))
    assert result.returncode == 2
    line = only_error_line(result)
    for name in _fill(names, inputs):
        assert name in line
    assert snapshot(home.config) == before


INVALID_JSON = b'{"version": 1, "profiles": ['
FUTURE = b'{"version": 2, "profiles": []}'
BAD_PROFILE = b'{"version": 1, "profiles": [{"name": "x", "host": "127.0.0.1", "port": 0}]}'
TYPO = b'{"version": 1, "profiles": [{"name": "x", "host": "h", "port": 1, "notes_": ""}]}'
STORE_COMMANDS = {
    "list": ["profiles", "list"],
    "add": ["profiles", "add", "web", "127.0.0.1:80"],
    "remove": ["profiles", "remove", "x"],
    "import": ["profiles", "import", "{same_name}"],
    "export": ["profiles", "export"],
    "run": ["run", "--json"],
}
#: Every command on a file that is not JSON; the other kinds of bad file on a reader and a writer.
CORRUPT_STORES = [
    *(
        pytest.param(INVALID_JSON, "not valid JSON", args, id=f"invalid-json-{name}")
        for name, args in STORE_COMMANDS.items()
    ),
    *(
        pytest.param(content, problem, STORE_COMMANDS[name], id=f"{kind}-{name}")
        for kind, content, problem in [
            ("future-version", FUTURE, "version 2 "),
            ("invalid-profile", BAD_PROFILE, "profiles[0].port: 0 "),
            ("typo", TYPO, "notes_: '' is not a field this version knows; did you mean 'notes'?"),
        ]
        for name in ("list", "add", "run")
        # listed as what it can read (test_newer_profiles_run): a typo, a value not taken
        if (kind, name) not in {("typo", "list"), ("invalid-profile", "list")}
    ),
]


@pytest.mark.parametrize(("content", "problem", "args"), CORRUPT_STORES)
def test_an_unreadable_store_is_named_and_left_exactly_as_it_is(
    home: Home, inputs: dict[str, Path], args: list[str], content: bytes, problem: str
) -> None:
    home.config.mkdir()
    (home.config / "profiles.json").write_bytes(content)
    result = tcpmonitor(home, *_fill(args, inputs))
    assert result.returncode == 2
    line = only_error_line(result)
    assert "profiles.json" in line
    assert problem in line
    assert (home.config / "profiles.json").read_bytes() == content
    assert [p.name for p in home.config.iterdir()] == ["profiles.json"]  # no .corrupt- copy
    assert not home.data.exists()


def test_run_refuses_an_unreadable_settings_file(home: Home) -> None:
    store(home, STORED)
    # Certainly broken (a value this version does not take is read around: test_newer_files)
    (home.config / "settings.json").write_text(
        '{"version": 1, "retention_days": 0, "retention_days": 9}'
    )
    before = snapshot(home.config)
    result = tcpmonitor(home, "run")
    assert result.returncode == 2
    line = only_error_line(result)
    assert "settings.json" in line
    assert "the key 'retention_days' appears twice" in line
    assert snapshot(home.config) == before
    assert not home.data.exists()


def test_commands_that_do_not_need_a_broken_file_do_not_read_it(home: Home) -> None:
    store(home, STORED)
    (home.config / "settings.json").write_text("{not json")
    listed = tcpmonitor(home, "profiles", "list")
    assert listed.returncode == 0, listed.stderr
    assert "db" in listed.stdout
    (home.config / "profiles.json").write_text("{not json either")
    events = tcpmonitor(home, "events")
    assert events.returncode == 0, events.stderr


# -- profiles -----------------------------------------------------------------------------


def test_added_profiles_are_listed_and_stored_privately(home: Home) -> None:
    result = tcpmonitor(
        home,
        "profiles",
        "add",
        "Orders DB",
        "127.0.0.1:6379",
        "--detector",
        "heartbeat",
        "--preset",
        "redis",
        "--interval",
        "2.5",
        "--timeout",
        "1.5",
        "--group",
        "prod",
    )
    assert result.returncode == 0, result.stderr
    assert "Orders DB" in result.stdout
    assert tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:8080").returncode == 0

    table = tcpmonitor(home, "profiles", "list")
    assert table.returncode == 0
    header, *rows = table.stdout.splitlines()
    assert header.split()[:3] == ["NAME", "TARGET", "DETECTOR"]
    assert len(rows) == 2
    for text in ("Orders DB", "127.0.0.1:6379", "heartbeat/redis", "2.5s", "prod"):
        assert text in rows[0]
    for text in ("web", "127.0.0.1:8080", "probe", "5s"):
        assert text in rows[1]

    doc = profiles_json(home)
    assert doc["version"] == 1
    orders, web = doc["profiles"]
    assert (orders["name"], orders["host"], orders["port"]) == ("Orders DB", "127.0.0.1", 6379)
    assert orders["group"] == "prod"
    assert orders["enabled"] is True
    detector = orders["detector"]
    assert (detector["kind"], detector["preset"]) == ("heartbeat", "redis")
    assert (detector["interval_s"], detector["timeout_s"]) == (2.5, 1.5)
    assert (web["name"], web["port"], web["detector"]["kind"]) == ("web", 8080, "probe")
    assert ID.match(orders["id"])
    assert orders["id"] != web["id"]
    assert orders["id"] in rows[0]

    stored = home.config / "profiles.json"
    assert json.loads(stored.read_bytes()) == doc
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.config.stat().st_mode) == 0o700
    assert [p.name for p in home.config.iterdir()] == ["profiles.json"]
    assert not home.data.exists()


def test_listing_an_empty_store_prints_nothing_and_creates_nothing(home: Home) -> None:
    table = tcpmonitor(home, "profiles", "list")
    assert (table.returncode, table.stdout) == (0, "")
    assert profiles_json(home) == {"version": 1, "profiles": []}
    assert not home.config.exists()


def test_the_dirs_come_from_the_environment_without_options(home: Home) -> None:
    result = tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:80", flags=False)
    assert result.returncode == 0, result.stderr
    assert (home.config / "profiles.json").is_file()


def test_the_options_win_over_the_environment(home: Home, tmp_path: Path) -> None:
    elsewhere = Home(tmp_path / "env-config", tmp_path / "env-data")
    result = tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:80", env=elsewhere.env)
    assert result.returncode == 0, result.stderr
    assert (home.config / "profiles.json").is_file()
    assert not elsewhere.config.exists()


@pytest.mark.parametrize("group", ["profiles", "actions"])
def test_the_dir_options_may_come_between_profiles_and_its_command(
    home: Home, tmp_path: Path, group: str
) -> None:
    """'tcpmonitor profiles --config-dir DIR list' said "'DIR' is not a command": the dirs
    were taken before 'tcpmonitor' and after 'list', not after 'profiles' or 'actions'."""
    elsewhere = Home(tmp_path / "env-config", tmp_path / "env-data")
    added = tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:80")
    assert added.returncode == 0, added.stderr
    tail = ["list", "--json"] if group == "profiles" else ["test", "web"]
    result = tcpmonitor(home, group, *home.options, *tail, flags=False, env=elsewhere.env)
    assert "is not a command" not in result.stderr, result.stderr
    if group == "profiles":
        assert [p["name"] for p in json.loads(result.stdout)["profiles"]] == ["web"]
    else:  # found the profile; it has no actions
        assert result.returncode == 1 and "'web' has no actions" in result.stderr
    assert not elsewhere.config.exists()


def test_the_dir_options_may_come_before_the_command(home: Home, tmp_path: Path) -> None:
    """As many tools take them; before, the folder was read as the command ("invalid choice:
    '/tmp/…'"). Given in both places, the command's own win."""
    elsewhere = Home(tmp_path / "env-config", tmp_path / "env-data")
    before = [*home.options, "profiles", "add", "web", "127.0.0.1:80"]
    result = tcpmonitor(home, *before, flags=False, env=elsewhere.env)
    assert result.returncode == 0, result.stderr
    assert [p["name"] for p in stored_document(home)["profiles"]] == ["web"]
    assert not elsewhere.config.exists()

    both = ["--config-dir", str(elsewhere.config), "profiles", "list", "--json"]
    listed = tcpmonitor(home, *both, env=elsewhere.env)
    assert [p["name"] for p in json.loads(listed.stdout)["profiles"]] == ["web"]


def test_profiles_are_removed_by_name_or_by_id(home: Home) -> None:
    store(home, WEB, STORED, REDIS)

    by_name = tcpmonitor(home, "profiles", "remove", "web")
    assert by_name.returncode == 0, by_name.stderr
    assert "web" in by_name.stdout
    by_id = tcpmonitor(home, "profiles", "remove", STORED_ID)
    assert by_id.returncode == 0, by_id.stderr
    assert "db" in by_id.stdout

    assert [p["name"] for p in stored_document(home)["profiles"]] == ["redis"]


def test_a_name_added_again_after_removal_gets_a_new_id(home: Home) -> None:
    """A new profile is a new history: the old one's events must not become its own."""
    first = add(home, "web", "127.0.0.1:80")
    assert tcpmonitor(home, "profiles", "remove", "web").returncode == 0
    assert add(home, "web", "127.0.0.1:8080") != first


def test_adding_never_reuses_the_id_of_a_renamed_profile(home: Home, tmp_path: Path) -> None:
    web_id = add(home, "web", "127.0.0.1:80")
    renamed = stored_document(home)
    renamed["profiles"][0]["name"] = "api"  # edited by hand; the id (its history) stays
    result = tcpmonitor(
        home, "profiles", "import", str(write_json(tmp_path / "renamed.json", renamed)), "--replace"
    )
    assert result.returncode == 0, result.stderr

    result = tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:8080")
    assert result.returncode == 0, result.stderr
    ids = {p["name"]: p["id"] for p in stored_document(home)["profiles"]}
    assert ids["api"] == web_id
    assert ids["web"] != web_id


def test_export_to_stdout_is_the_list_json(home: Home) -> None:
    store(home, WEB, REDIS)
    exported = tcpmonitor(home, "profiles", "export")
    listed = tcpmonitor(home, "profiles", "list", "--json")
    assert exported.returncode == listed.returncode == 0
    assert exported.stdout == listed.stdout
    assert len(json.loads(exported.stdout)["profiles"]) == 2


def test_import_dash_reads_what_export_dash_wrote(home: Home, tmp_path: Path) -> None:
    """``export -`` writes to stdout, so ``import -`` reads stdin (it looked for a file "-")."""
    store(home, WEB, REDIS)
    exported = tcpmonitor(home, "profiles", "export", "-")
    other = Home(tmp_path / "other-config", tmp_path / "other-data")

    def import_dash(text: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(TCPMONITOR), "profiles", "import", "-", *other.options],
            env=other.env, input=text, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    imported = import_dash(exported.stdout)
    assert (imported.returncode, imported.stderr) == (0, "")
    assert imported.stdout == "imported 2 profiles (0 replaced) from standard input\n"
    assert stored_document(other) == stored_document(home)
    stored = snapshot(other.config)
    bad = import_dash("{")
    assert bad.returncode == 2
    assert only_error_line(bad).startswith("tcpmonitor: standard input: not valid JSON")
    huge = import_dash(" " * (30 << 20))  # only 16 MiB and a byte are read: "16.0 MiB" it said
    assert only_error_line(huge) == (
        "tcpmonitor: standard input: too large (over 16 MiB, at most 16 MiB); not loaded"
    )
    assert snapshot(other.config) == stored


def test_one_profile_is_counted_as_one_not_as_many(home: Home, tmp_path: Path) -> None:
    """'exported 1 profiles', 'imported 1 profiles' and check's '1 attempts'."""
    assert tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:80").returncode == 0
    file = tmp_path / "one.json"
    exported = tcpmonitor(home, "profiles", "export", str(file))
    assert exported.stderr == f"exported 1 profile to {file}\n"
    other = Home(tmp_path / "other-config", tmp_path / "other-data")
    imported = tcpmonitor(other, "profiles", "import", str(file))
    assert imported.stdout == f"imported 1 profile (0 replaced) from {file}\n"


def test_an_exported_file_imports_identically_into_another_config_dir(
    home: Home, tmp_path: Path
) -> None:
    store(home, WEB, REDIS, SSH)
    file = tmp_path / "exported.json"
    exported = tcpmonitor(home, "profiles", "export", str(file))
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == ""  # stdout stays clean for scripts; the note goes to stderr
    assert json.loads(file.read_bytes()) == stored_document(home)

    other = Home(tmp_path / "other-config", tmp_path / "other-data")
    imported = tcpmonitor(other, "profiles", "import", str(file))
    assert imported.returncode == 0, imported.stderr
    assert "3" in imported.stdout
    restored = tcpmonitor(other, "profiles", "list", "--json").stdout
    assert restored == tcpmonitor(home, "profiles", "list", "--json").stdout
    assert stored_document(other) == stored_document(home)
    assert stat.S_IMODE((other.config / "profiles.json").stat().st_mode) == 0o600

    stored = snapshot(other.config)
    again = tcpmonitor(other, "profiles", "import", str(file))
    assert again.returncode == 2
    line = only_error_line(again)
    assert "web" in line
    assert "--replace" in line
    assert snapshot(other.config) == stored

    replaced = tcpmonitor(other, "profiles", "import", str(file), "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert stored_document(other) == stored_document(home)


def test_import_replace_swaps_a_profile_of_the_same_name(home: Home, tmp_path: Path) -> None:
    store(home, STORED, WEB)
    file = write_json(
        tmp_path / "new-db.json",
        {
            "version": 1,
            "profiles": [{"id": "new-db", "name": "DB", "host": "127.0.0.1", "port": 6432}],
        },
    )
    result = tcpmonitor(home, "profiles", "import", str(file), "--replace")
    assert result.returncode == 0, result.stderr
    profiles = {p["name"]: p for p in stored_document(home)["profiles"]}
    assert set(profiles) == {"DB", "web"}
    assert (profiles["DB"]["id"], profiles["DB"]["port"]) == ("new-db", 6432)
    assert STORED_ID not in {p["id"] for p in profiles.values()}


def test_a_legacy_bare_list_of_profiles_imports(home: Home, tmp_path: Path) -> None:
    legacy = write_json(
        tmp_path / "legacy.json",
        [
            {"name": "legacy web", "host": "127.0.0.1", "port": 80},
            {
                "name": "legacy redis",
                "host": "127.0.0.1",
                "port": 6379,
                "detector": {"kind": "heartbeat", "preset": "redis", "interval_s": 10},
            },
        ],
    )
    result = tcpmonitor(home, "profiles", "import", str(legacy))
    assert result.returncode == 0, result.stderr
    doc = stored_document(home)
    assert doc["version"] == 1
    web, redis = doc["profiles"]
    assert (web["name"], web["port"]) == ("legacy web", 80)
    assert (redis["detector"]["preset"], redis["detector"]["interval_s"]) == ("redis", 10)
    assert ID.match(web["id"])


# -- run and events -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Monitored:
    """What one ``run --json`` printed and stored while a heartbeat's peer reset it."""

    home: Home
    probe_id: str
    heartbeat_id: str
    heartbeat_address: str
    lines: list[str]
    exit_code: int
    stderr: str
    #: Seconds from SIGTERM to the exit.
    stop_s: float
    #: What ``events --format json`` shows afterwards.
    stored: list[dict[str, Any]]


def _is_state(line: str, name: str, state: str, cause: str | None = None) -> bool:
    event = json.loads(line)
    return bool(
        event["kind"] == "state"
        and event["profile_name"] == name
        and event["state"] == state
        and (cause is None or event["cause"] == cause)
    )


@pytest.fixture(scope="module")
def monitored(tmp_path_factory: pytest.TempPathFactory) -> Monitored:
    """Run a probe and a heartbeat until both are up, reset the heartbeat, stop with SIGTERM.

    Module-scoped: the ``run`` and ``events`` tests all read this one run's output and
    stored log, rather than each paying for a monitoring session. The dirs are explicit
    (this fixture is set up before the per-test environment is).
    """
    base = tmp_path_factory.mktemp("monitored")
    home = Home(base / "config", base / "data")
    with LineEchoServer() as echo, FaultProxy(echo.address) as proxy:
        probe_id = add(home, "echo probe", f"127.0.0.1:{echo.address[1]}", "--interval", "0.2")
        heartbeat_address = f"127.0.0.1:{proxy.address[1]}"
        heartbeat_id = add(
            home,
            "echo heartbeat",
            heartbeat_address,
            "--detector",
            "heartbeat",
            "--interval",
            "0.2",
            "--timeout",
            "1",
        )
        with Running(home, "run", "--json") as run:
            up: set[str] = set()

            def both_up(line: str) -> bool:
                for name in ("echo probe", "echo heartbeat"):
                    if _is_state(line, name, "up"):
                        up.add(name)
                return len(up) == 2

            run.read_until(both_up)
            proxy.set_mode("reset")
            run.read_until(lambda line: _is_state(line, "echo heartbeat", "down", "reset"))
            run.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            exit_code = run.wait(DEADLINE_S)
            stop_s = time.monotonic() - signalled
    return Monitored(
        home=home,
        probe_id=probe_id,
        heartbeat_id=heartbeat_id,
        heartbeat_address=heartbeat_address,
        lines=run.lines,
        exit_code=exit_code,
        stderr=run.stderr,
        stop_s=stop_s,
        stored=stored_events(home),
    )


def test_run_stops_promptly_and_cleanly_on_sigterm(monitored: Monitored) -> None:
    assert monitored.exit_code == 0
    assert monitored.stop_s < 5.0
    assert monitored.stderr == ""


def test_run_json_prints_a_reset_as_a_down_event_with_its_cause(monitored: Monitored) -> None:
    states = [e for e in events_of(monitored.lines) if e["kind"] == "state"]
    downs = [e for e in states if e["state"] == "down"]
    assert downs
    down = downs[0]
    assert (down["profile_id"], down["profile_name"]) == (monitored.heartbeat_id, "echo heartbeat")
    assert (down["previous"], down["cause"], down["detector"]) == ("up", "reset", "heartbeat")
    assert down["address"] == monitored.heartbeat_address
    assert isinstance(down["detection_ms"], float)
    probe_up = next(e for e in states if e["profile_name"] == "echo probe")
    assert (probe_up["profile_id"], probe_up["state"]) == (monitored.probe_id, "up")
    probe_states = [e["state"] for e in states if e["profile_name"] == "echo probe"]
    # Up throughout; at SIGTERM every profile records that nothing watches it any more.
    assert probe_states == ["up", "unknown"]
    stopped = [e for e in states if e["detail"] == "monitoring stopped"]
    assert {e["profile_id"] for e in stopped} == {monitored.probe_id, monitored.heartbeat_id}


def test_run_json_lines_are_events_with_exactly_the_contract_fields(monitored: Monitored) -> None:
    assert monitored.lines
    for line in monitored.lines:
        event = json.loads(line)
        assert isinstance(event, dict)
        assert list(event) == EVENT_FIELDS
        assert ISO_MS_UTC.match(event["ts"]), event["ts"]
        assert event["kind"] in ("state", "sample")
        assert event["profile_id"] in (monitored.probe_id, monitored.heartbeat_id)
    kinds = {json.loads(line)["kind"] for line in monitored.lines}
    assert kinds == {"state", "sample"}


def stored_events(home: Home, *args: str) -> list[dict[str, Any]]:
    result = tcpmonitor(home, "events", "--format", "json", *args)
    assert result.returncode == 0, result.stderr
    return events_of(result.stdout.splitlines())


def test_events_json_holds_every_state_change_that_run_printed(monitored: Monitored) -> None:
    stored = monitored.stored
    printed = [e for e in events_of(monitored.lines) if e["kind"] == "state"]
    assert all(e["kind"] == "state" for e in stored)
    assert [e for e in printed if e not in stored] == []
    assert [list(e) for e in stored] == [EVENT_FIELDS] * len(stored)
    assert any(e["state"] == "down" and e["cause"] == "reset" for e in stored)
    assert [e["ts"] for e in stored] == sorted(e["ts"] for e in stored)


def test_events_csv_has_a_header_and_one_row_per_state_change(monitored: Monitored) -> None:
    result = tcpmonitor(monitored.home, "events", "--format", "csv")
    assert result.returncode == 0, result.stderr
    reader = csv.DictReader(io.StringIO(result.stdout))
    rows = list(reader)
    assert reader.fieldnames == EVENT_FIELDS
    stored = monitored.stored
    assert [(r["ts"], r["profile_id"], r["state"]) for r in rows] == [
        (e["ts"], e["profile_id"], e["state"]) for e in stored
    ]
    down = next(r for r in rows if r["state"] == "down")
    assert (down["profile_name"], down["cause"]) == ("echo heartbeat", "reset")


def test_events_profile_filters_by_name_or_id(monitored: Monitored) -> None:
    by_name = stored_events(monitored.home, "--profile", "echo heartbeat")
    assert by_name
    assert {e["profile_id"] for e in by_name} == {monitored.heartbeat_id}
    by_id = stored_events(monitored.home, "--profile", monitored.probe_id)
    assert by_id
    assert {e["profile_name"] for e in by_id} == {"echo probe"}
    assert len(by_name) + len(by_id) == len(monitored.stored)


def test_events_since_takes_an_age_or_an_iso_time(monitored: Monitored) -> None:
    everything = monitored.stored
    assert stored_events(monitored.home, "--since", "1h") == everything
    down = next(e for e in everything if e["state"] == "down")
    since_down = stored_events(monitored.home, "--since", down["ts"])
    assert down in since_down
    assert all(e["ts"] >= down["ts"] for e in since_down)
    assert len(since_down) < len(everything)
    assert stored_events(monitored.home, "--since", "2999-01-01T00:00Z") == []


def test_events_text_has_one_line_per_state_change(monitored: Monitored) -> None:
    result = tcpmonitor(monitored.home, "events", "--profile", "echo heartbeat")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(stored_events(monitored.home, "--profile", "echo heartbeat"))
    assert any(
        "echo heartbeat" in line and "up -> down" in line and "reset" in line for line in lines
    )


def test_events_limit_shows_the_newest_events_oldest_first(monitored: Monitored) -> None:
    """'events --limit 2' is the last two changes, as 'journalctl -n' and 'tail' count: it
    gave the first two ever stored, on a log a month old a month-old start-up."""
    everything = monitored.stored
    assert len(everything) > 2
    assert stored_events(monitored.home, "--limit", "2") == everything[-2:]
    heartbeat = stored_events(monitored.home, "--profile", "echo heartbeat")
    assert stored_events(monitored.home, "--profile", "echo heartbeat", "--limit", "1") == [
        heartbeat[-1]
    ]
    assert stored_events(monitored.home, "--limit", "10000") == everything


@pytest.mark.parametrize(("flag", "fmt"), [("--json", "json"), ("--csv", "csv")])
def test_events_takes_json_and_csv_as_outages_does(
    monitored: Monitored, flag: str, fmt: str
) -> None:
    """'outages --json' and 'check --json' work, and so must 'events --json'; it was refused."""
    short = tcpmonitor(monitored.home, "events", flag)
    assert short.returncode == 0, short.stderr
    assert short.stdout == tcpmonitor(monitored.home, "events", "--format", fmt).stdout
    both = tcpmonitor(monitored.home, "events", flag, "--format", "text")
    assert both.returncode == 2 and "not allowed with" in both.stderr


@pytest.mark.parametrize("command", ["events", "outages"])
def test_a_second_profile_is_refused_not_silently_dropped(
    monitored: Monitored, command: str
) -> None:
    """'report --profile a --profile b' reports both; 'outages --profile a --profile b' showed
    b's alone, exit 0: a's outages read as none."""
    result = tcpmonitor(monitored.home, command, "--profile", "echo probe", "--profile",
                        "echo heartbeat")  # fmt: skip
    assert result.returncode == 2 and result.stdout == ""
    line = only_error_line(result)
    assert "--profile" in line and "'echo probe'" in line and "'echo heartbeat'" in line


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_events_without_a_log_prints_nothing_and_creates_nothing(home: Home, fmt: str) -> None:
    result = tcpmonitor(home, "events", "--format", fmt)
    assert result.returncode == 0
    assert result.stdout == ""
    assert not home.data.exists()
    assert not home.config.exists()


@pytest.mark.parametrize("command", ["events", "outages"])
def test_events_of_a_removed_profile_are_still_shown_by_its_name(home: Home, command: str) -> None:
    """``--profile`` is refused only when neither the store nor the log knows the name."""
    gone = Profile.from_dict({"name": "gone", "host": "127.0.0.1", "port": 1})
    now = dt.datetime.now(dt.UTC)
    with EventLog(home.data / "events.sqlite3") as log:
        log.submit([stored_event(gone, now - dt.timedelta(minutes=5), State.DOWN,
                                 cause=Cause.REFUSED)])  # fmt: skip
        assert log.flush()
    shown = tcpmonitor(home, command, "--profile", "GONE", "--format", "json")
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.splitlines()[0])["profile_name"] == "gone"
    earlier = tcpmonitor(home, command, "--profile", "gone", "--until", "1h")
    assert (earlier.returncode, earlier.stdout) == (0, "")  # known, nothing then
    store(home, WEB)
    never = tcpmonitor(home, command, "--profile", "web")
    assert (never.returncode, never.stdout) == (0, "")  # stored, never monitored


def test_run_profiles_file_monitors_its_profiles_not_the_stored_ones(
    home: Home, echo_server: LineEchoServer, tmp_path: Path
) -> None:
    port = echo_server.address[1]
    stored = {"kind": "probe", "interval_s": 0.2}
    store(home, {"name": "stored probe", "host": "127.0.0.1", "port": port, "detector": stored})
    file = write_json(
        tmp_path / "watch.json",
        {
            "version": 1,
            "profiles": [
                {
                    "name": "file probe",
                    "host": "127.0.0.1",
                    "port": port,
                    "detector": {"kind": "probe", "interval_s": 0.2},
                },
                {"name": "file disabled", "host": "127.0.0.1", "port": port, "enabled": False},
            ],
        },
    )
    samples = 0

    def third_sample(line: str) -> bool:
        # Monitors start within one interval (staggered), so by the file probe's third check
        # a stored probe, were it monitored, would have reported its first.
        nonlocal samples
        event = json.loads(line)
        if event["profile_name"] == "file probe" and event["kind"] == "sample":
            samples += 1
        return samples >= 3

    with Running(home, "run", "--profiles", str(file), "--json") as run:
        run.read_until(third_sample)
        run.send_signal(signal.SIGTERM)
        assert run.wait() == 0
    # Only the profiles' events: this computer's own (a network change while other programs
    # add links, a sleep) name none, and may come at any time.
    events = [json.loads(line) for line in run.lines]
    names = {event["profile_name"] for event in events if event["profile_id"]}
    assert names == {"file probe"}
    assert {e["profile_name"] for e in stored_events(home)} == {"file probe"}


@pytest.fixture(params=["no-store", "only-disabled", "empty-file"])
def nothing_enabled(request: pytest.FixtureRequest, home: Home, tmp_path: Path) -> list[str]:
    """``run`` arguments under which there is nothing to monitor."""
    if request.param == "only-disabled":
        store(home, {**STORED, "enabled": False})
    if request.param == "empty-file":
        file = write_json(tmp_path / "empty.json", {"version": 1, "profiles": []})
        return ["run", "--profiles", str(file)]
    return ["run"]


def test_run_with_nothing_enabled_fails_with_one_line(
    home: Home, nothing_enabled: list[str]
) -> None:
    before = snapshot(home.config)
    result = tcpmonitor(home, *nothing_enabled)
    assert result.returncode != 0
    assert "no enabled profiles" in only_error_line(result)
    assert snapshot(home.config) == before
    assert not home.data.exists()


def test_run_with_a_bad_profiles_file_names_it_and_exits_2(
    home: Home, inputs: dict[str, Path]
) -> None:
    # Certainly broken: a connection with a value this version does not take is left out,
    # the others monitored (test_newer_profiles_run)
    result = tcpmonitor(home, "run", "--profiles", str(inputs["malformed"]))
    assert result.returncode == 2
    line = only_error_line(result)
    assert str(inputs["malformed"]) in line
    assert "not valid JSON" in line
    assert not home.data.exists()
    assert not home.config.exists()


# -- the command itself -------------------------------------------------------------------


def test_version_prints_the_package_version(home: Home) -> None:
    result = tcpmonitor(home, "--version", flags=False)
    assert result.returncode == 0
    assert result.stdout.strip() == f"tcpmonitor {__version__}"


@pytest.mark.parametrize(
    ("args", "names"),
    [([], ["command"]), (["frobnicate"], ["'frobnicate'"]), (["profiles"], ["profiles", "action"])],
    ids=["no-subcommand", "unknown-subcommand", "no-action"],
)
def test_missing_or_unknown_subcommand_is_one_line_and_exit_2(
    home: Home, args: list[str], names: list[str]
) -> None:
    result = tcpmonitor(home, *args, flags=False)  # the top level takes no dirs
    assert result.returncode == 2
    line = only_error_line(result)
    assert not line.startswith("tcpmonitor: tcpmonitor:"), line
    for name in names:
        assert name in line


def test_the_installed_command_is_the_one_tested() -> None:
    assert TCPMONITOR.is_file(), f"{TCPMONITOR} is missing: is the package installed?"
    assert TCPMONITOR.parent == Path(sys.executable).parent


# -- snooze ----------------------------------------------------------------------------------


def test_profiles_snooze_and_unsnooze_hold_back_and_restore_notices(home: Home) -> None:
    store(home, WEB)
    before = dt.datetime.now(dt.UTC)
    result = tcpmonitor(home, "profiles", "snooze", "web", "1h30m")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("'web': notices snoozed until ")
    [stored] = stored_document(home)["profiles"]
    until = dt.datetime.fromisoformat(stored["snooze_until"])
    assert dt.timedelta(minutes=89) < until - before < dt.timedelta(minutes=91)
    listed = tcpmonitor(home, "profiles", "list")
    assert "SNOOZED" in listed.stdout and "until " in listed.stdout
    assert tcpmonitor(home, "profiles", "snooze", "web-1", "forever").returncode == 0
    assert stored_document(home)["profiles"][0]["snooze_until"] == "forever"
    result = tcpmonitor(home, "profiles", "unsnooze", "web")
    assert result.returncode == 0 and "notices are on again" in result.stdout
    assert stored_document(home)["profiles"][0]["snooze_until"] == ""


@pytest.mark.parametrize(
    ("duration", "problem"),
    [
        ("10x", "is not a duration"),
        ("0m", "is no time at all"),
        ("9999d", "is longer than 366 days, the most"),
        ("999999d", "is longer than 366 days, the most"),  # a duration, not "not a duration"
        ("1" + "0" * 5000 + "m", "is longer than 366 days, the most"),
        ("-1h", "required: DURATION"),  # taken for an option, as argparse does
        ("1h 30m", "is not a duration"),
    ],
)
def test_a_bad_snooze_duration_is_named_and_changes_nothing(
    home: Home, duration: str, problem: str
) -> None:
    store(home, WEB)
    before = (home.config / "profiles.json").read_bytes()
    result = tcpmonitor(home, "profiles", "snooze", "web", duration)
    assert result.returncode == 2
    assert "DURATION" in result.stderr and problem in result.stderr, result.stderr
    assert (home.config / "profiles.json").read_bytes() == before


def test_a_hand_written_bad_snooze_is_left_out_with_its_field(home: Home) -> None:
    store(home, WEB)
    doc = stored_document(home)
    doc["profiles"][0]["snooze_until"] = "next tuesday"
    (home.config / "profiles.json").write_text(json.dumps(doc))
    result = tcpmonitor(home, "profiles", "list")
    assert "1 connection is left out" in result.stderr
    assert "snooze_until" in result.stderr and "next tuesday" in result.stderr
    assert "web" not in result.stdout


def test_profiles_maintenance_adds_lists_and_removes_windows(home: Home) -> None:
    store(home, WEB)
    result = tcpmonitor(
        home, "profiles", "maintenance", "web", "--add", "Sun  02:00-04:00 Europe/Berlin",
        "--add", "2026-12-24 18:00 - 2026-12-27 08:00 UTC",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == [
        "  Sun 02:00-04:00 Europe/Berlin",
        "  2026-12-24 18:00 - 2026-12-27 08:00 UTC",
    ]
    [stored] = stored_document(home)["profiles"]
    assert stored["maintenance"] == [
        "Sun 02:00-04:00 Europe/Berlin",
        "2026-12-24 18:00 - 2026-12-27 08:00 UTC",
    ]
    assert "MAINTENANCE" in tcpmonitor(home, "profiles", "list").stdout
    listed = tcpmonitor(home, "profiles", "maintenance", "web")  # no change: lists
    assert listed.stdout.splitlines()[1:] == result.stdout.splitlines()[1:]
    gone = tcpmonitor(
        home, "profiles", "maintenance", "web", "--remove", "Sun 02:00-04:00 Europe/Berlin"
    )
    assert gone.returncode == 0, gone.stderr
    assert stored_document(home)["profiles"][0]["maintenance"] == [
        "2026-12-24 18:00 - 2026-12-27 08:00 UTC"
    ]
    cleared = tcpmonitor(home, "profiles", "maintenance", "web", "--clear")
    assert cleared.stdout == "'web': no maintenance windows\n"
    assert stored_document(home)["profiles"][0]["maintenance"] == []


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--add", "Sun 02:00-04:00 Mars/Olympus"), "'Mars/Olympus', which is not a time zone"),
        (("--add", "someday"), "is not a maintenance window"),
        (("--remove", "Mon 01:00-02:00"), "'web' has no window 'Mon 01:00-02:00'"),
        (("--add", "Sun 02:00-04:00", "--add", "x" * 10_000), "is not a maintenance window"),
    ],
)
def test_a_bad_maintenance_window_is_named_and_changes_nothing(
    home: Home, args: tuple[str, ...], problem: str
) -> None:
    store(home, WEB)
    before = (home.config / "profiles.json").read_bytes()
    line = only_error_line(tcpmonitor(home, "profiles", "maintenance", "web", *args))
    assert problem in line and len(line) < 400
    assert (home.config / "profiles.json").read_bytes() == before


def test_a_window_written_another_way_is_the_same_window(home: Home) -> None:
    """ "sun 02:00 - 04:00 utc" was stored beside "Sun 02:00-04:00 UTC" (one window listed
    twice), and --remove wanted the text exactly as it was first written."""
    store(home, WEB)
    maint = ("profiles", "maintenance", "web")
    assert tcpmonitor(home, *maint, "--add", "Sun 02:00-04:00 UTC").returncode == 0
    again = tcpmonitor(home, *maint, "--add", "sun  02:00 - 04:00 utc")
    assert again.returncode == 0 and again.stdout.splitlines()[1:] == ["  Sun 02:00-04:00 UTC"]
    removed = tcpmonitor(home, *maint, "--remove", "SUN 02:00-04:00 utc")
    assert (removed.returncode, removed.stdout) == (0, "'web': no maintenance windows\n")


def test_profiles_ack_marks_one_or_all_and_undo_clears(home: Home) -> None:
    store(home, WEB, REDIS)
    result = tcpmonitor(home, "profiles", "ack", "web")
    assert result.returncode == 0 and result.stdout == "'web': acknowledged\n"
    acked = dt.datetime.fromisoformat(stored_document(home)["profiles"][0]["acknowledged"])
    assert abs(acked - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert stored_document(home)["profiles"][1]["acknowledged"] == ""
    assert tcpmonitor(home, "profiles", "ack", "--all").returncode == 0
    assert all(p["acknowledged"] for p in stored_document(home)["profiles"])
    assert tcpmonitor(home, "profiles", "ack", "--all", "--undo").returncode == 0
    assert not any(p["acknowledged"] for p in stored_document(home)["profiles"])
    assert "give the profile to acknowledge, or --all" in only_error_line(
        tcpmonitor(home, "profiles", "ack")
    )
    assert "not a stored profile" in only_error_line(tcpmonitor(home, "profiles", "ack", "nope"))
