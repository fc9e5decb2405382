"""The command's output where standard output's encoding is not UTF-8: a Latin-1 or ASCII
locale, or Windows, where a redirected stdout (``tcpmonitor profiles export > backup.json``)
takes the ANSI code page.

``PYTHONIOENCODING`` stands in for such a locale: it sets standard output's encoding as the
locale would. What a script reads (JSON, CSV, the HTML page, the profile file) is UTF-8, as
JSON must be between programs and as ``profiles import`` and the page's charset say; what
people read is in their encoding, with what it cannot show written as an escape (``\\u6570``),
never a traceback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import signal
import subprocess
from pathlib import Path

import pytest

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.profile_store import ProfileStore
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import make_profile, stored_event
from tests.unit._cli_process import DEADLINE_S, Home, Running, command

NAME = "Bücher 数据库"
SHOWN = "B\\xfccher \\u6570\\u636e\\u5e93"  # in ASCII, as Python writes escapes


@pytest.fixture
def home(tmp_path: Path) -> Home:
    """A profile whose name no single-byte encoding holds, and an outage of it."""
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = make_profile("127.0.0.1", 1, name=NAME)
    ProfileStore(home.config).save([profile])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with EventLog(home.data / "events.sqlite3") as log:
        log.submit([stored_event(profile, start, State.DOWN, cause=Cause.REFUSED),
                    stored_event(profile, start + dt.timedelta(minutes=1), State.UP)])  # fmt: skip
        assert log.flush()
    return home


def in_encoding(home: Home, encoding: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        command(home, args, True),
        env={**home.env, "PYTHONIOENCODING": encoding},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("encoding", ["latin-1", "ascii"])
def test_what_scripts_read_is_utf8_whatever_the_locale(
    home: Home, tmp_path: Path, encoding: str
) -> None:
    """A Latin-1 'profiles export -' wrote 'Bücher' as byte 0xfc, which 'profiles import'
    refused ('not UTF-8 text (byte 0xfc at offset 56)': a backup that cannot be restored);
    the other documents ended in a UnicodeEncodeError traceback, exit 1, half written."""
    documents = {
        ("profiles", "export", "-"): lambda text: json.loads(text)["profiles"][0]["name"],
        ("profiles", "list", "--json"): lambda text: json.loads(text)["profiles"][0]["name"],
        ("events", "--json"): lambda text: json.loads(text.splitlines()[0])["profile_name"],
        ("outages", "--csv"): lambda text: next(csv.DictReader(io.StringIO(text)))["profile_name"],
        ("outages", "--json"): lambda text: json.loads(text.splitlines()[0])["profile_name"],
        ("report", "--csv", "-"): lambda text: next(csv.DictReader(io.StringIO(text)))["profile"],
        ("report", "--html", "-"): lambda text: NAME if NAME in text else text,
    }
    for args, name_in in documents.items():
        result = in_encoding(home, encoding, *args)
        assert result.returncode == 0, (args, result.stderr.decode())
        assert name_in(result.stdout.decode("utf-8")) == NAME, args
    backup = tmp_path / "backup.json"
    backup.write_bytes(in_encoding(home, encoding, "profiles", "export", "-").stdout)
    elsewhere = Home(tmp_path / "config2", tmp_path / "data2")
    result = in_encoding(elsewhere, encoding, "profiles", "import", str(backup))
    assert result.returncode == 0, result.stderr.decode()
    assert [p.name for p in ProfileStore(elsewhere.config).load()] == [NAME]


@pytest.mark.parametrize(
    "args",
    [
        ("profiles", "list"),
        ("events",),
        ("outages",),
        ("report",),
        ("profiles", "add", "Zweite 数", "127.0.0.1:2"),
    ],
)
def test_what_people_read_shows_what_their_encoding_cannot_as_escapes(
    home: Home, args: tuple[str, ...]
) -> None:
    result = in_encoding(home, "ascii", *args)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Traceback" not in result.stderr
    shown = "Zweite \\u6570" if args[1:2] == ("add",) else SHOWN
    assert shown in result.stdout.decode("ascii"), result.stdout


def test_a_run_prints_every_change_in_an_encoding_that_lacks_a_name(tmp_path: Path) -> None:
    """The first line with the name failed, and 'run' said 'standard output cannot be
    written ('ascii' codec can't encode ...)' and printed nothing more until it ended."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        named = [make_profile(*echo.address, "watch", name=n) for n in (NAME, "plain")]
        ProfileStore(home.config).save(named)
        with Running(home, "run", env={"PYTHONIOENCODING": "ascii"}) as run:
            up: set[str] = set()

            def both_up(line: str) -> bool:
                up.update(n for n in (SHOWN, "plain") if f"  {n}  connecting -> up" in line)
                return len(up) == 2

            run.read_until(both_up)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    assert "cannot be written" not in run.stderr, run.stderr
