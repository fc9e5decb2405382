"""Actions on state changes: checked when read, run with the event (environment and stdin),
recorded with how they went, killed whole at their timeout, and never in the way of
detection; through ``tcpmonitor actions test`` and ``tcpmonitor run``, on loopback."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from tcpmonitor_gui.core.action_command import run_one
from tcpmonitor_gui.core.action_runner import ActionRunner
from tcpmonitor_gui.core.actions import parse
from tcpmonitor_gui.core.actions import test_event as a_test_event  # not a test to collect
from tcpmonitor_gui.core.profile import Profile
from tcpmonitor_gui.core.settings import Settings
from tcpmonitor_gui.core.validate import FieldError
from tcpmonitor_gui.lab import FaultProxy
from tests.unit._cli_process import DEADLINE_S, Home, Running, tcpmonitor


@pytest.mark.parametrize(
    ("actions", "problem"),
    [
        ({"on": "down"}, "actions: "),
        ([{"on": "sideways", "run": ["x"]}], "actions[0].on"),
        ([{"on": "down", "run": []}], "actions[0].run"),
        ([{"on": "down", "run": "rm -rf /"}], "actions[0].run"),
        ([{"on": "down", "run": ["x", 5]}], "actions[0].run"),
        ([{"on": "down", "run": ["x\0y"]}], "actions[0].run"),
        ([{"on": "down", "run": ["  "]}], "is not a program"),
        ([{"on": "down", "run": ["x"], "timeout_s": 0}], "actions[0].timeout_s"),
        ([{"on": "down", "run": ["x"], "timeout_s": True}], "actions[0].timeout_s"),
        ([{"on": "down", "run": ["x"], "shell": True}], "actions[0]"),
        ([{"on": "down", "run": ["x"]}] * 11, "more than 10"),
    ],
)
def test_a_bad_action_is_refused_naming_where(actions: Any, problem: str) -> None:
    with pytest.raises(FieldError) as caught:
        parse("actions", actions)
    assert problem in str(caught.value)


def test_actions_are_kept_by_profiles_and_settings() -> None:
    actions = [{"on": "up", "run": ["notify-send", "back"], "timeout_s": 5}]
    p = Profile.from_dict({"name": "db", "host": "127.0.0.1", "port": 1, "actions": actions})
    assert Profile.from_dict(p.to_dict()) == p
    assert p.to_dict()["actions"] == actions
    settings = Settings.from_dict({"actions": actions})
    assert Settings.from_dict(settings.to_dict()) == settings


def store(home: Home, actions: list[dict[str, Any]], **profile: Any) -> None:
    home.config.mkdir(parents=True, exist_ok=True)
    (home.config / "profiles.json").write_text(
        json.dumps(
            {
                "version": 1,
                "profiles": [
                    {"name": "db", "host": "127.0.0.1", "port": 1, "actions": actions, **profile}
                ],
            }
        )
    )


def test_actions_test_runs_each_with_the_event_and_reports_how_it_went(
    tmp_path: Path,
) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    record = tmp_path / "record"
    marker = f"{1000 + time.monotonic_ns() % 1000}.5"  # a sleep no one else runs
    store(home, [
        {"on": "down", "run": ["sh", "-c", f"env > {record}.env; cat > {record}.json; echo done"]},
        {"on": "change", "run": ["sh", "-c", "echo oops >&2; exit 3"]},
        {"on": "down", "run": ["sh", "-c", f"sleep {marker} & sleep {marker}"], "timeout_s": 0.5},
        {"on": "down", "run": [str(tmp_path / "missing")]},
    ])  # fmt: skip
    result = tcpmonitor(home, "actions", "test", "db")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok      down action 'sh -c env") and lines[0].endswith(": done")
    assert lines[1] == "FAILED  change action 'sh -c echo oops >&2; exit 3': exit 3 in 0.0 s: oops"
    assert lines[2].endswith("timed out after 0.5 s (killed)")
    assert lines[3].endswith("cannot run: No such file or directory")
    env = dict(line.split("=", 1) for line in Path(f"{record}.env").read_text().splitlines()
               if line.startswith("TCPMONITOR_"))  # fmt: skip
    assert env["TCPMONITOR_PROFILE"] == "db"
    assert (env["TCPMONITOR_STATE"], env["TCPMONITOR_PREVIOUS"]) == ("down", "up")
    assert env["TCPMONITOR_TARGET"] == "127.0.0.1:1"
    assert env["TCPMONITOR_DETAIL"] == "a test from 'tcpmonitor actions test'"
    told = json.loads(Path(f"{record}.json").read_text())
    assert (told["profile_name"], told["state"], told["kind"]) == ("db", "down", "state")
    # The timed-out command's whole process group went: no sleep it started is left.
    left = [p for p in psutil.process_iter(["cmdline"]) if marker in (p.info["cmdline"] or [])]
    assert left == []
    assert not (home.data / "events.sqlite3").exists()  # a test is not history


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_actions_test_interrupted_stops_its_commands_and_says_so(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """Ctrl-C on 'actions test' while a command ran printed a KeyboardInterrupt traceback;
    SIGTERM ended it at once and left the command running on its own (a 'sleep' reparented
    to init, a restart script going on). Both now stop the commands it started, as their
    timeout would, and say so in one line, exit 1."""
    home = Home(tmp_path / "config", tmp_path / "data")
    started = tmp_path / "started"
    marker = f"{2000 + time.monotonic_ns() % 1000}.5"  # a sleep no one else runs
    store(home, [{"on": "down", "run": ["sh", "-c", f"touch {started}; sleep {marker}"],
                  "timeout_s": 600}])  # fmt: skip
    with Running(home, "actions", "test", "db") as test:
        deadline = time.monotonic() + DEADLINE_S
        while not started.exists():
            assert time.monotonic() < deadline, "the action did not start"
            time.sleep(0.01)  # ok-sleep: polling for a file the action creates
        test.send_signal(sig)
        assert test.wait(DEADLINE_S) == 1
    assert test.stderr == (
        f"tcpmonitor: interrupted ({sig.name}); the commands still running were stopped\n"
    )

    def left() -> list[psutil.Process]:
        found = psutil.process_iter(["cmdline", "status"])
        mine = [p for p in found if marker in (p.info["cmdline"] or [])]
        return [p for p in mine if p.info["status"] != psutil.STATUS_ZOMBIE]

    deadline = time.monotonic() + DEADLINE_S
    while left():
        assert time.monotonic() < deadline, left()
        time.sleep(0.01)  # ok-sleep: polling for the killed process to go


def test_actions_test_runs_an_up_action_for_a_recovery_not_for_a_drop(tmp_path: Path) -> None:
    """A script run on ``up`` (back from down) that 'actions test' handed a ``down``
    ("down", previous "up") would do its drop's work when tested: each action is tested with
    the change it is set off by, as 'run' runs it."""
    home = Home(tmp_path / "config", tmp_path / "data")
    said = tmp_path / "said"
    tell = f'echo "$TCPMONITOR_STATE $TCPMONITOR_PREVIOUS" >> {said}; echo "$TCPMONITOR_STATE"'
    store(home, [
        {"on": "up", "run": ["sh", "-c", tell]},
        {"on": "down", "run": ["sh", "-c", tell]},
        {"on": "change", "run": ["sh", "-c", tell]},
    ])  # fmt: skip
    result = tcpmonitor(home, "actions", "test", "db")
    assert result.returncode == 0, result.stderr
    assert [line.rsplit(": ", 1)[-1] for line in result.stdout.splitlines()] == [
        "up", "down", "down"
    ]  # fmt: skip
    assert sorted(said.read_text().splitlines()) == ["down up", "down up", "up down"]


def test_a_profile_without_actions_says_so(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [])
    result = tcpmonitor(home, "actions", "test", "db")
    assert result.returncode == 1 and "has no actions" in result.stderr


def test_run_runs_actions_on_changes_records_them_and_a_hanging_one_delays_nothing(
    tmp_path: Path, proxy: FaultProxy
) -> None:
    """A profile whose every change starts commands that hang (more than can run at once)
    beside another whose drop must still be told at once; the outcomes go to the event log."""
    home = Home(tmp_path / "config", tmp_path / "data")
    record = tmp_path / "ran"
    hang = {"on": "change", "run": ["sleep", "30"], "timeout_s": 20}
    host, port = proxy.address
    home.config.mkdir(parents=True)
    (home.config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [
        {"name": "hangs", "host": "127.0.0.1", "port": 1, "fail_after": 1,
         "detector": {"kind": "probe", "interval_s": 0.2}, "actions": [hang] * 6},
        {"name": "watched", "host": host, "port": port, "detector": {"kind": "watch"},
         "actions": [{"on": "down", "run": ["sh", "-c", f"echo $TCPMONITOR_CAUSE > {record}"]}]},
    ]}))  # fmt: skip
    with Running(home, "run", "--json") as run:
        run.read_until(lambda line: '"profile_name":"hangs"' in line and '"down"' in line)
        run.read_until(lambda line: '"profile_name":"watched"' in line and '"up"' in line)
        # Up as soon as the kernel accepts it; the proxy takes it a moment later: only a
        # connection the proxy holds can be cut.
        assert proxy.wait_for_connections(1, DEADLINE_S)
        cut = proxy.cut()
        run.read_until(lambda line: '"profile_name":"watched"' in line and '"down"' in line)
        told_after = time.monotonic() - cut
        assert told_after < 1.0  # a watch sees a reset at once, commands hanging or not
        line = run.read_until(lambda line: '"kind":"action"' in line and "watched" in line)
        assert "exit 0" in json.loads(line)["detail"]
        assert record.read_text().strip() == "reset"
        run.send_signal(signal.SIGTERM)
        assert run.wait(DEADLINE_S * 2) == 0  # the hanging commands are killed, not waited for
    stored = tcpmonitor(home, "events", "--format", "json", "--profile", "watched").stdout
    kinds = [json.loads(line)["kind"] for line in stored.splitlines()]
    assert "action" in kinds


def test_profiles_actions_adds_lists_and_removes_and_names_what_is_wrong(tmp_path: Path) -> None:
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [])
    # Every word after --run is the command's: the dirs come from the environment here.
    logger = ["/usr/bin/logger", "-t", "tcpmonitor", "db is down"]
    added = tcpmonitor(home, "profiles", "actions", "db", "--on", "down", "--run", *logger,
                       flags=False)  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.splitlines()[1] == (
        "  1. on down: /usr/bin/logger -t tcpmonitor 'db is down' (timeout 30 s)"
    )
    assert tcpmonitor(home, "profiles", "actions", "db", "--on", "up", "--timeout", "5",
                      "--run", "notify-send", "--urgency=low", "back",
                      flags=False).returncode == 0  # fmt: skip
    [stored] = json.loads((home.config / "profiles.json").read_text())["profiles"]
    assert stored["actions"] == [
        {"on": "down", "run": ["/usr/bin/logger", "-t", "tcpmonitor", "db is down"],
         "timeout_s": 30.0},
        {"on": "up", "run": ["notify-send", "--urgency=low", "back"], "timeout_s": 5.0},
    ]  # fmt: skip
    before = (home.config / "profiles.json").read_bytes()
    for args, problem in (
        # It said "5 is not one of 'db''s 2 actions" (and "of 'db''s 0 actions").
        (("--remove", "5"), "--remove: 'db' has 2 actions (1 to 2), not 5"),
        (("--run", "x"), "--on: say when it runs"),
        (("--on", "down"), "--run: give the command"),
        (("--on", "down", "--timeout", "0", "--run", "x"), "--timeout: 0 is out of range"),
    ):
        result = tcpmonitor(home, "profiles", "actions", "db", *args, flags=False)
        assert result.returncode == 2 and problem in result.stderr, result.stderr
    none = tcpmonitor(home, "profiles", "actions", "db", "--clear", "--remove", "1", flags=False)
    assert none.returncode == 2 and "--remove: 'db' has no actions" in none.stderr, none.stderr
    assert (home.config / "profiles.json").read_bytes() == before
    assert tcpmonitor(home, "profiles", "actions", "db", "--remove", "1").returncode == 0
    cleared = tcpmonitor(home, "profiles", "actions", "db", "--clear")
    assert cleared.stdout == "'db': no actions\n"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (("--on", "up", "--notify", ""), "--notify: '' is not a notification URL"),
        (("--on", "up", "--run", ""), "--run: '' is not a program"),
        (("--on", "up", "--run", "x", "a" * 5000), "--run: 'aaaa"),
        (("--on", "up", "--timeout", "nan", "--run", "x"), "--timeout: nan is out of range"),
        (("--on", "up", "--timeout", "abc", "--run", "x"), "--timeout: 'abc' is not a number"),
        (
            (
                "--remove",
                "x",
            ),
            "--remove: 'x' is not a whole number",
        ),
    ],
)
def test_a_bad_action_option_is_named_as_it_was_typed(
    tmp_path: Path, args: tuple[str, ...], problem: str
) -> None:
    """As every other option: one line naming the option and the value as typed, not the
    stored field (``actions[0].timeout_s: -1.0``), argparse's "invalid float value", or
    ``--run: give the command`` for an empty ``--notify``."""
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [])
    before = (home.config / "profiles.json").read_bytes()
    result = tcpmonitor(home, "profiles", "actions", "db", *args, flags=False)
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1, result.stderr
    assert problem in result.stderr, result.stderr
    assert (home.config / "profiles.json").read_bytes() == before


def running(marker: str) -> list[psutil.Process]:
    """The processes (not zombies) with ``marker`` among their words."""
    return [
        p
        for p in psutil.process_iter(["cmdline", "status"])
        if marker in (p.info["cmdline"] or []) and p.info["status"] != psutil.STATUS_ZOMBIE
    ]


def test_a_timed_out_action_whose_output_outlives_it_leaves_stderr_clean(tmp_path: Path) -> None:
    """Killed at its timeout while a process it started out of its group still holds its
    output: the run's transport was left open and, collected after the loop closed, printed
    'Exception ignored ... Event loop is closed' (a race, 2 in 20, for one killed late)."""
    home = Home(tmp_path / "config", tmp_path / "data")
    marker = f"{2000 + time.monotonic_ns() % 1000}.5"  # a sleep no one else runs
    store(home, [{"on": "down", "run": ["sh", "-c", f"setsid sleep {marker} & sleep {marker}"],
                  "timeout_s": 0.2}])  # fmt: skip
    try:
        result = tcpmonitor(home, "actions", "test", "db")
    finally:
        for p in running(marker):
            p.kill()
    assert result.stdout.endswith("timed out after 0.2 s (killed)\n")
    assert result.stderr == ""


def test_an_action_is_done_when_it_exits_and_what_it_left_running_goes_on(
    tmp_path: Path,
) -> None:
    """A command that starts a daemon (a tunnel) and exits: its result is its exit and what
    it wrote, though the daemon still holds its output; it was 'timed out (killed)', the
    daemon killed with it."""
    home = Home(tmp_path / "config", tmp_path / "data")
    marker = f"{3000 + time.monotonic_ns() % 1000}.5"  # a sleep no one else runs
    store(home, [{"on": "down", "run": ["sh", "-c", f"sleep {marker} & echo started"],
                  "timeout_s": 5}])  # fmt: skip
    try:
        began = time.monotonic()
        result = tcpmonitor(home, "actions", "test", "db")
        took = time.monotonic() - began
        left = running(marker)
    finally:
        for p in running(marker):
            p.kill()
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("ok      down action 'sh -c sleep")
    assert result.stdout.endswith(": started\n") and "exit 0 in 0." in result.stdout
    assert took < 5  # not at the timeout
    assert len(left) == 1  # still running when the command said it was done
    assert result.stderr == ""


def test_actions_test_shows_control_characters_in_what_a_command_wrote_as_escapes(
    tmp_path: Path,
) -> None:
    """A command's output that sets the terminal's title and colour reached it raw."""
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [{"on": "down", "run": ["printf", r"\033]0;pwned\007\033[31mred"]}])
    result = tcpmonitor(home, "actions", "test", "db")
    assert result.returncode == 0, result.stderr
    assert result.stdout.endswith(r": \x1b]0;pwned\x07\x1b[31mred" + "\n")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout


def test_a_script_whose_interpreter_is_missing_is_not_called_missing_itself(
    tmp_path: Path,
) -> None:
    """The kernel's "No such file or directory" of a script that is right there sent the user
    looking for the script; it is its #! line's interpreter that is missing."""
    told = script_run(tmp_path, b"#!/nonexistent/python3 -u\nprint('restarted')\n")
    assert told.endswith(
        "cannot run: /nonexistent/python3, named in its #! line: No such file or directory"
    )


def test_a_script_with_windows_line_ends_is_told_so(tmp_path: Path) -> None:
    """A script saved with Windows line ends: its #! line names "/bin/sh\\r", which is not
    there, and the record said "cannot run: No such file or directory" of a script that is."""
    told = script_run(tmp_path, b"#!/bin/sh\r\necho restarted\r\n")
    assert told.endswith(
        "cannot run: /bin/sh and a carriage return (Windows line ends), named in its #! line:"
        " No such file or directory"
    )


def script_run(tmp_path: Path, text: bytes) -> str:
    """``tcpmonitor actions test`` of a down action that runs a script of ``text``: what it
    printed (it failed: exit 1)."""
    script = tmp_path / "restart-tunnel"
    script.write_bytes(text)
    script.chmod(0o755)
    home = Home(tmp_path / "config", tmp_path / "data")
    store(home, [{"on": "down", "run": [str(script)]}])
    result = tcpmonitor(home, "actions", "test", "db")
    assert result.returncode == 1
    return result.stdout.rstrip("\n")


def test_an_imported_file_brings_its_commands_only_when_asked(tmp_path: Path) -> None:
    """A profile file from someone else (a colleague's, a download) ran its commands here:
    'import' took them silently, 'list' did not show them, and the first change ran them.
    Now they are named and the import refused until the user says to take them or leave
    them out; nothing is stored meanwhile."""
    home = Home(tmp_path / "config", tmp_path / "data")
    ran = tmp_path / "ran"
    shared = tmp_path / "shared.json"
    command = ["/bin/sh", "-c", f"touch {ran}"]
    profile = {"name": "Shared DB", "host": "127.0.0.1", "port": 1,
               "actions": [{"on": "change", "run": command}]}  # fmt: skip
    shared.write_text(json.dumps({"version": 1, "profiles": [profile]}))

    refused = tcpmonitor(home, "profiles", "import", str(shared))
    assert refused.returncode == 2, refused.stderr
    assert f"'Shared DB' on change: /bin/sh -c 'touch {ran}'" in refused.stderr
    assert "--with-actions" in refused.stderr and "--without-actions" in refused.stderr
    assert not (home.config / "profiles.json").exists()

    left_out = tcpmonitor(home, "profiles", "import", str(shared), "--without-actions")
    assert left_out.returncode == 0, left_out.stderr
    assert "actions left out" in left_out.stdout
    stored = json.loads((home.config / "profiles.json").read_text())["profiles"]
    assert [p.get("actions", []) for p in stored] == [[]]

    taken = tcpmonitor(home, "profiles", "import", str(shared), "--with-actions", "--replace")
    assert taken.returncode == 0, taken.stderr
    stored = json.loads((home.config / "profiles.json").read_text())["profiles"]
    assert [a["run"] for p in stored for a in p["actions"]] == [command]
    assert not ran.exists()  # an import runs nothing


def test_what_a_command_wrote_is_kept_with_its_control_characters_as_escapes() -> None:
    """A command's output is kept in its action's record, which the event log stores and
    'events --format csv' and 'run --json' print as they are: an escape sequence it relayed
    (a remote's words through ssh, a page through curl) reached the terminal from there, as
    did an 8-bit CSI (U+009B, which JSON leaves as it is) and a right-to-left override."""
    [action] = parse("actions", [{"on": "down", "run": [
        "printf", "\\033]0;pwned\\007 \\302\\2332J \\342\\200\\256txt\\tend"]}])  # fmt: skip
    runner = ActionRunner(lambda event: None)
    try:
        [outcome] = runner.run_now([(action, a_test_event("p", "db", "probe"))], "127.0.0.1:1")
    finally:
        runner.close()
    assert outcome.ok, outcome
    assert outcome.output == r"\x1b]0;pwned\x07 \x9b2J \u202etxt\tend"


def test_a_command_cancelled_as_it_starts_goes_with_its_group_and_ends_the_run() -> None:
    """Cancelled while asyncio still connected its pipes (a quit or Ctrl-C just as a drop's
    command started), asyncio killed the command alone: what it started ran on holding the
    pipes, which were never closed, and the run waited for them for ever ('actions test'
    interrupted hung 5 s and left its 'sleep' running). Cancelled at each of the first turns
    of the loop, the run now ends at once and leaves nothing of the command."""
    marker = f"{3000 + time.monotonic_ns() % 1000}.5"  # a sleep no one else runs
    (action,) = parse("actions", [{"on": "down", "run": ["sh", "-c", f"sleep {marker}"]}])
    event = a_test_event("p1", "db", "probe", "down")

    async def cancelled_after(turns: int) -> None:
        task = asyncio.ensure_future(run_one(action, event, "db:1", set()))
        for _ in range(turns):
            await asyncio.sleep(0)  # ok-sleep: one turn of the loop, not a wait
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await asyncio.wait_for(task, DEADLINE_S)  # TimeoutError (not this) if it hangs

    for turns in range(12):
        asyncio.run(cancelled_after(turns))

    def left() -> list[psutil.Process]:
        found = psutil.process_iter(["cmdline", "status"])
        mine = [p for p in found if marker in " ".join(p.info["cmdline"] or [])]
        return [p for p in mine if p.info["status"] != psutil.STATUS_ZOMBIE]

    deadline = time.monotonic() + DEADLINE_S
    while left():
        assert time.monotonic() < deadline, left()
        time.sleep(0.01)  # ok-sleep: polling for the killed processes to go
