"""``tcpmonitor run`` on a profiles file a newer TCP Monitor wrote: a connection it cannot
read (a new detector, a field added since) is left out and named, and the others are
monitored; the file is left as it is.

The service (``tcpmonitor.service``) refused to start at all: one connection added in a newer
window (a newer pip install beside the distro's package) and, at the next restart, nothing
was monitored, and systemd's restarts failed the same way for good. A reload while it ran
kept the profiles of before: the connections the newer window added that this version can
read were never watched either.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path
from typing import Any

from tcpmonitor_gui.core.validate import HIDDEN
from tcpmonitor_gui.lab import LineEchoServer
from tests.helpers import contents, make_profile, plant
from tests.unit._cli_process import DEADLINE_S, Home, Running, tcpmonitor

#: A connection as a newer version may write it: a detector this version does not know.
NEWER = {"id": "n1", "name": "Cert", "host": "127.0.0.1", "port": 1,
         "detector": {"kind": "tls_expiry"}}  # fmt: skip
SAID = (
    "profiles.json: 1 connection is left out: this version cannot read it "
    "(profiles[1].detector.kind: 'tls_expiry' is not one of probe, heartbeat, watch); the "
    "others are monitored, and the file is left as it is"
)


def write(home: Home, profiles: list[dict[str, Any]]) -> bytes:
    home.config.mkdir(parents=True, exist_ok=True)
    raw = json.dumps({"version": 1, "profiles": profiles}, indent=2).encode()
    (home.config / "profiles.json").write_bytes(raw)
    return raw


def test_run_monitors_what_it_can_read_of_a_newer_versions_profiles(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        db = make_profile(*echo.address, "watch", name="db").to_dict()
        original = write(home, [db, NEWER])
        with Running(home, "run", "--json") as run:
            line = run.read_until(lambda line: '"state":"up"' in line)
            assert json.loads(line)["profile_name"] == "db"
            run.wait_stderr(lambda text: SAID in text)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    assert (home.config / "profiles.json").read_bytes() == original
    assert sorted(p.name for p in home.config.iterdir()) == ["profiles.json"]


def test_a_reload_takes_in_what_a_newer_version_added_that_this_one_can_read(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        db = make_profile(*echo.address, "watch", name="db").to_dict()
        write(home, [db])
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: '"state":"up"' in line)
            cache = make_profile(*echo.address, "watch", name="cache").to_dict()
            original = write(home, [db, NEWER, cache])  # the newer window adds two
            run.send_signal(signal.SIGHUP)  # (or the file seen changed, first)
            run.wait_stderr(lambda text: "profiles read again" in text and "1 added" in text)
            assert SAID in run.stderr
            run.read_until(lambda line: '"profile_name":"cache"' in line)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    assert (home.config / "profiles.json").read_bytes() == original


def test_the_commands_that_write_still_refuse_the_file(tmp_path: Path) -> None:
    """A profile added, changed or removed by this version would be written without the one
    it cannot read: refused, the file as it was."""
    home = Home(tmp_path / "config", tmp_path / "data")
    original = write(home, [make_profile("127.0.0.1", 2, name="db").to_dict(), NEWER])
    done = tcpmonitor(home, "profiles", "add", "cache", "127.0.0.1:3")
    assert done.returncode == 2, done
    assert "profiles[1].detector.kind: 'tls_expiry' is not one of" in done.stderr
    assert (home.config / "profiles.json").read_bytes() == original


def test_run_uses_what_it_can_read_of_a_newer_versions_settings(tmp_path: Path) -> None:
    """A field a newer window saved in settings.json stopped the service the same way."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        write(home, [make_profile(*echo.address, "watch", name="db").to_dict()])
        settings = {"version": 1, "retention_days": 365, "theme": "dark"}
        original = json.dumps(settings).encode()
        (home.config / "settings.json").write_bytes(original)
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: '"state":"up"' in line)
            run.wait_stderr(
                lambda text: (
                    f"settings.json: theme: {HIDDEN} is not a known field" in text
                    and text.endswith("; the others are used, and the file is left as it is\n")
                )
            )
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    assert (home.config / "settings.json").read_bytes() == original


def test_the_commands_that_only_read_read_the_others(tmp_path: Path) -> None:
    """``events --profile``, ``report``, ``profiles list``: refused whole (exit 2) for one
    connection of the file, though what they were asked about was readable."""
    home = Home(tmp_path / "config", tmp_path / "data")
    original = write(home, [make_profile("127.0.0.1", 2, name="db").to_dict(), NEWER])
    said = SAID.removesuffix("monitored, and the file is left as it is")
    for args, done in [
        (("profiles", "list"), "listed"),
        (("events", "--profile", "db"), "read"),
        (("outages", "--profile", "db"), "read"),
        (("report",), "read"),
    ]:
        result = tcpmonitor(home, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert f"{said}{done}, and the file is left as it is" in result.stderr, args
    listed = tcpmonitor(home, "profiles", "list")
    assert "db" in listed.stdout and "Cert" not in listed.stdout
    exported = tcpmonitor(home, "profiles", "export")  # all or nothing: a copy of the file
    assert exported.returncode == 2 and exported.stdout == ""
    assert (home.config / "profiles.json").read_bytes() == original


def test_run_monitors_what_it_can_read_of_a_file_it_is_given(tmp_path: Path) -> None:
    """``run --profiles FILE`` (a service's own file, edited with a newer version) alike."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        file = tmp_path / "watch.json"
        db = make_profile(*echo.address, "watch", name="db").to_dict()
        file.write_text(json.dumps({"version": 1, "profiles": [db, NEWER]}))
        with Running(home, "run", "--json", "--profiles", str(file)) as run:
            run.read_until(lambda line: '"state":"up"' in line)
            run.wait_stderr(lambda text: SAID.replace("profiles.json", str(file)) in text)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


def test_run_monitors_beside_a_newer_versions_event_log(tmp_path: Path) -> None:
    """A newer version opened the shared log and brought it to its schema: the older service
    refused to start (exit 2) at its next restart, and nothing was monitored. It monitors
    now (its output, its actions, its metrics), says that the changes are not recorded, and
    leaves the log as it is; its stop is not held up waiting for a log it cannot write."""
    home = Home(tmp_path / "config", tmp_path / "data")
    path = home.data / "events.sqlite3"
    plant("future", path, tmp_path / "elsewhere.sqlite3")
    before = contents(path)
    with LineEchoServer() as echo:
        write(home, [make_profile(*echo.address, "watch", name="db").to_dict()])
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: '"state":"up"' in line)
            run.wait_stderr(lambda text: "schema version 99 is newer than this program" in text)
            run.send_signal(signal.SIGTERM)
            started = time.monotonic()
            assert run.wait(DEADLINE_S) == 2, run.stderr  # said: what was not recorded
            assert time.monotonic() - started < 4.0  # a flush's 5 s for a log that never opens
        assert "events lost" in run.stderr.splitlines()[-1]
    assert contents(path) == before


def test_an_action_a_newer_version_added_leaves_out_that_action_only(tmp_path: Path) -> None:
    """A trigger this version does not know, on one action: the whole connection was left
    out (not monitored); in the settings, every action for every connection (the team's
    alerts) went with it. Now only that action is left out, and said."""
    home = Home(tmp_path / "config", tmp_path / "data")
    marks = tmp_path / "marks"
    newer = {"on": "degraded", "run": ["touch", str(marks / "degraded")]}
    with LineEchoServer() as echo:
        db = make_profile(*echo.address, "watch", name="db").to_dict()
        db["actions"] = [newer, {"on": "change", "run": ["touch", str(marks / "own")]}]
        write(home, [db])
        settings = {
            "version": 1,
            "actions": [newer, {"on": "change", "run": ["touch", str(marks / "all")]}],
        }
        (home.config / "settings.json").write_text(json.dumps(settings))
        marks.mkdir()
        with Running(home, "run", "--json") as run:
            done: list[str] = []

            def both(line: str) -> bool:  # the profile's and the settings' action, done
                if '"kind":"action"' in line:
                    done.append(line)
                return len(done) == 2

            run.read_until(both)
            errors = run.stderr
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    assert sorted(p.name for p in marks.iterdir()) == ["all", "own"]
    assert "profiles.json: profiles[0].actions[0].on: 'degraded' is not one of" in errors
    assert "settings.json: actions[0].on: 'degraded' is not one of" in errors


def test_a_reload_that_can_read_nothing_keeps_what_it_watches(tmp_path: Path) -> None:
    """A newer version rewrote every connection in a form this one cannot read: at a start
    that is refused (exit 2, "nothing else to monitor"), but a reload watched nothing from
    then on ("1 removed"), saying that "the others are monitored". It keeps what it
    watches now, as for a file it cannot read at all, and says so."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        db = make_profile(*echo.address, "watch", id="d1", name="db").to_dict()
        write(home, [db])
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: '"state":"up"' in line)
            original = write(home, [{**db, "detector": {"kind": "tls_expiry"}}])
            run.send_signal(signal.SIGHUP)
            said = run.wait_stderr(lambda text: "still watched" in text or "read again" in text)
            assert "nothing else to monitor" in said
            assert said.endswith("the profiles watched so far are still watched"), said
            echo.stop()  # still watched: its drop is seen
            line = run.read_until(lambda line: '"state":"down"' in line)
            assert json.loads(line)["profile_name"] == "db"
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
            assert "removed" not in run.stderr and "the others are monitored" not in run.stderr
    assert (home.config / "profiles.json").read_bytes() == original


def test_a_reload_of_no_connections_and_a_newer_field_removes_them(tmp_path: Path) -> None:
    """Every connection removed (an empty list) is not "nothing this version can read",
    a field of the document it does not know beside it or not."""
    home = Home(tmp_path / "config", tmp_path / "data")
    with LineEchoServer() as echo:
        write(home, [make_profile(*echo.address, "watch", name="db").to_dict()])
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: '"state":"up"' in line)
            raw = json.dumps({"version": 1, "profiles": [], "groups": {}})
            (home.config / "profiles.json").write_text(raw)
            run.send_signal(signal.SIGHUP)
            said = run.wait_stderr(lambda text: "still watched" in text or "read again" in text)
            assert said.endswith("0 added, 0 changed, 1 removed"), said
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
