"""Values as people type them: digits in another script (an Arabic or full-width keyboard),
and a value that begins with '-', which argparse takes for an option."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tcpmonitor_gui.core.profile_store import FILE_NAME

from ._cli_process import Home, tcpmonitor


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


def _stored(home: Home) -> dict[str, dict[str, object]]:
    data = json.loads((home.config / FILE_NAME).read_text(encoding="utf-8"))
    return {p["name"]: p for p in data["profiles"]}


def _fails(home: Home, *args: str) -> str:
    result = tcpmonitor(home, *args)
    assert result.returncode == 2, result
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("port", ["٨٠", "８０", "۸۰"])  # Arabic-Indic, full-width, Persian
def test_a_port_in_any_script_is_taken_as_every_number_option_is(home: Home, port: str) -> None:
    """``--interval ٥`` was taken (float() reads any digits) while the port ``٨٠`` beside it
    was refused as "not a whole number"; the window takes both."""
    result = tcpmonitor(home, "profiles", "add", "web", f"127.0.0.1:{port}", "--interval", "٥")
    assert result.returncode == 0, result.stderr
    profile = _stored(home)["web"]
    assert profile["port"] == 80
    assert profile["detector"]["interval_s"] == 5  # type: ignore[index]


def test_digits_of_a_host_name_stay_as_written(home: Home) -> None:
    """Only the port's digits are read as 0-9: a name's are part of the name."""
    result = tcpmonitor(home, "profiles", "add", "web", "١٢٧.٠.٠.١:80")
    assert result.returncode == 0, result.stderr
    assert _stored(home)["web"]["host"] != "127.0.0.1"


def test_durations_times_and_windows_in_any_script(home: Home) -> None:
    """Refused before: "'٣٠m' is not a duration", "'٢٠٢٦-١٢-٠١' is not an ISO 8601 time"."""
    assert tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:80").returncode == 0
    snooze = tcpmonitor(home, "profiles", "snooze", "web", "٣٠m")
    assert snooze.returncode == 0, snooze.stderr
    assert _stored(home)["web"]["snooze_until"]
    window = tcpmonitor(home, "profiles", "maintenance", "web", "--add", "Sun ٠٢:٠٠-٠٤:٠٠")
    assert window.returncode == 0, window.stderr
    assert _stored(home)["web"]["maintenance"] == ["Sun 02:00-04:00"]
    for since in ("٢٠٢٦-١٢-٠١T00:00Z", "٢h"):
        events = tcpmonitor(home, "events", "--since", since)
        assert events.returncode == 0, events.stderr


def test_a_name_that_begins_with_a_dash_is_explained(home: Home) -> None:
    """argparse read "-x" as an unknown option and said only "the following arguments are
    required: HOST:PORT", naming neither the name nor the way to give it."""
    line = _fails(home, "profiles", "add", "-x", "127.0.0.1:80")
    assert "HOST:PORT" in line and "'-x' was read as an option" in line and "'--'" in line
    assert not home.config.exists()
    added = tcpmonitor(home, "profiles", "add", "--", "-x", "127.0.0.1:80", flags=False)
    assert added.returncode == 0, added.stderr
    assert "-x" in _stored(home)


def test_an_option_value_that_begins_with_a_dash_is_explained(home: Home) -> None:
    line = _fails(home, "profiles", "add", "web", "127.0.0.1:80", "--send", "-PING")
    assert "--send: expected one argument" in line and "--send=VALUE" in line
    added = tcpmonitor(home, "profiles", "add", "web", "127.0.0.1:80", "--send=-PING")
    assert added.returncode == 0, added.stderr


def test_no_hint_for_a_mistyped_option_or_a_negative_number(home: Home) -> None:
    assert "read as an option" not in _fails(home, "profiles", "add", "web", "x:1", "--bogus")
    line = _fails(home, "check", "127.0.0.1:80", "--count", "-1")
    assert "out of range" in line and "read as an option" not in line


#: What people paste where HOST:PORT goes, and what the profile dialog takes from it when
#: pasted in its host field (tests/gui/test_profile_dialog.py): the command line reads it
#: the same way.
PASTED = [
    ("https://grafana.example:3000/login", "grafana.example", 3000),
    ("ssh://root@bastion.example", "bastion.example", 22),
    ("db.internal:postgres", "db.internal", 5432),
    ("[2001:db8::1]:443", "2001:db8::1", 443),
]


@pytest.mark.parametrize(("pasted", "host", "port"), PASTED)
def test_a_pasted_url_or_port_name_is_the_host_and_port_the_dialog_takes(
    home: Home, pasted: str, host: str, port: int
) -> None:
    """Refused before: "'https://grafana.example:3000/login' has more than one ':'", "port:
    '//root@bastion.example' is not a whole number", "port: 'postgres' is not a whole number"."""
    result = tcpmonitor(home, "profiles", "add", "web", pasted)
    assert result.returncode == 0, result.stderr
    assert f"({host if ':' not in host else f'[{host}]'}:{port}," in result.stdout
    assert (_stored(home)["web"]["host"], _stored(home)["web"]["port"]) == (host, port)


def test_check_of_a_pasted_url_connects_to_its_host_and_port(home: Home) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = tcpmonitor(home, "check", f"http://127.0.0.1:{port}/health", "--count", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Connected to 127.0.0.1:{port}:"), result.stdout


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("db.internal", "'db.internal' is not HOST:PORT (the port is missing)"),
        ("ssh://db one", "port: '//db one' is not a whole number (allowed 1 to 65535)"),
        ("db.internal:0", "port: 0 is out of range (allowed 1 to 65535)"),
        ("mongodb+srv://cluster0.example.net/db", "is not HOST:PORT (the port is missing)"),
        ("[::1]", "'[::1]' is not HOST:PORT (the port is missing)"),
    ],
)
def test_a_paste_with_no_host_and_port_in_it_is_still_refused(
    home: Home, typed: str, said: str
) -> None:
    assert said in _fails(home, "profiles", "add", "web", typed)
    assert not (home.config / FILE_NAME).exists()
