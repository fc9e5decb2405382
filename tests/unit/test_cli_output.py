"""``tcpmonitor run``'s output never holds up monitoring, and what it prints is stored.

The command runs as a real process; its reader is the test, which stops reading, closes the
pipe, or kills the process, as a pager, a pipeline or a crash would.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import itertools
import json
import os
import re
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.cli.follow import POLL_S
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Event, State
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tests.helpers import fill, make_profile
from tests.unit._cli_process import DEADLINE_S, TCPMONITOR, Home, Running, tcpmonitor

# Linux pipes hold 16 pages (64 KiB); a write that does not fit the last page takes a new one,
# so a pipe whose writer blocks may hold half of that: past it, nobody reads and it is full.
PIPE_FULL = 30_000


@pytest.fixture
def home(tmp_path: Path) -> Home:
    return Home(tmp_path / "config", tmp_path / "data")


def profiles_file(tmp_path: Path, *profiles: object) -> Path:
    path = tmp_path / "watch.json"
    path.write_text(json.dumps({"version": 1, "profiles": [p.to_dict() for p in profiles]}))  # type: ignore[attr-defined]
    return path


def start(home: Home, file: Path, **popen: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        [str(TCPMONITOR), "run", "--json", "--profiles", str(file), *home.options],
        env=home.env,
        stderr=subprocess.PIPE,
        **popen,
    )


def wait_until(what: str, check: object, timeout: float = DEADLINE_S) -> object:
    deadline = time.monotonic() + timeout
    while not (found := check()):  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} within {timeout} s")
        time.sleep(0.02)  # ok-sleep: polling another process's file, which has no signal
    return found


def stored(home: Home, **filters: object) -> list[Event]:
    path = home.data / "events.sqlite3"
    return EventLog(path).events(**filters) if path.exists() else []  # type: ignore[arg-type]


def checks_stored(home: Home, profile_id: str, around: dt.datetime) -> int:
    """The checks of ``profile_id`` folded into the event log since the minute before."""
    path = home.data / "events.sqlite3"
    if not path.exists():
        return 0
    minutes = EventLog(path).latency_per_minute(profile_id, around - dt.timedelta(minutes=1))
    return sum(m.ok + m.fail for m in minutes)


def unread_bytes(fd: int) -> int:
    return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0])


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[tuple[FaultProxy, Path]]:
    """40 probes a tenth of a second apart (400 lines a second: a pipe fills in a moment) and
    one watch through the fault proxy, the connection whose drop we time."""
    with LineEchoServer() as echo, FaultProxy(echo.address) as proxy:
        probes = [make_profile(*echo.address, "probe", name=f"p{i}", id=f"p{i}", interval_s=0.1)
                  for i in range(40)]  # fmt: skip
        watched = make_profile(*proxy.address, "watch", name="watched", id="watched")
        yield proxy, profiles_file(tmp_path, *probes, watched)


def test_a_reader_that_stops_reading_holds_up_nothing(
    home: Home, busy: tuple[FaultProxy, Path]
) -> None:
    proxy, file = busy
    with start(home, file, stdout=subprocess.PIPE) as run:
        lines = held_up_nothing(home, proxy, run)
    events = [json.loads(line) for line in lines]
    p0 = [dt.datetime.fromisoformat(e["ts"]) for e in events
          if e["profile_name"] == "p0" and e["kind"] == "sample"]  # fmt: skip
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(p0)]
    assert gaps and max(gaps) < 1.0, f"probes stalled while the reader did not read: {gaps}"


def test_a_reader_that_never_reads_again_is_told_what_it_did_not_get(
    home: Home, busy: tuple[FaultProxy, Path]
) -> None:
    """Ended (SIGTERM) while its reader did not read, ``run`` waited 5 s for it, then exited
    and said nothing: its last lines, every profile's "monitoring stopped" among them, were
    never written, and the samples it had dropped were never counted. stderr now says how
    many lines the reader did not get, and how many of those are changes (the log has them)."""
    _proxy, file = busy
    with start(home, file, stdout=subprocess.PIPE) as run:
        assert run.stdout is not None and run.stderr is not None
        wait_until("its output waiting for room in the pipe", lambda: writes_wait(run.pid))
        run.send_signal(signal.SIGTERM)
        assert run.wait(2 * DEADLINE_S) == 0  # read by nobody until it has ended
        printed = run.stdout.read().decode().split("\n")[:-1]  # the last line may be cut
        err = run.stderr.read().decode()
    said = re.search(r"(\d+) lines of output were not written: .*\((\d+) of them changes", err)
    assert said is not None, err
    changes = [e for e in map(json.loads, printed) if e["kind"] != "sample"]
    assert int(said[2]) > 0  # "monitoring stopped", at least
    assert len(changes) + int(said[2]) == len(stored(home))  # every change: printed, or said


def writes_wait(pid: int) -> bool:
    """Whether a thread of process ``pid`` waits in the kernel for room in a pipe (Linux's
    ``wchan``: ``pipe_write``, ``anon_pipe_write``): a pipe holding fewer bytes than its size
    may still have no room for the next write."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            if (task / "wchan").read_text().endswith("pipe_write"):
                return True
    return False


def held_up_nothing(home: Home, proxy: FaultProxy, run: subprocess.Popen[bytes]) -> list[str]:
    try:
        assert run.stdout is not None
        fd = run.stdout.fileno()
        wait_until("up", lambda: any(e.state is State.UP for e in stored(home, profile="watched")))
        wait_until("a full pipe", lambda: unread_bytes(fd) >= PIPE_FULL)  # nobody reads now
        fault_at = dt.datetime.now(dt.UTC)
        checked = checks_stored(home, "p0", fault_at)
        proxy.set_mode("close")  # a FIN, noticed at once when nothing blocks the loop
        (down,) = wait_until(
            "the drop stored while the pipe is full",
            lambda: [e for e in stored(home, profile="watched") if e.state is State.DOWN],
        )  # type: ignore[misc]
        assert (down.ts - fault_at).total_seconds() < 1.0, "recorded late: the loop was held"
        assert down.detection_ms is not None and down.detection_ms < 1000
        # The probes go on too, not only the held connection (and the run lasts long
        # enough for p0's samples to show their spacing below).
        wait_until(
            "p0 checking on while the pipe is full",
            lambda: checks_stored(home, "p0", fault_at) >= checked + 5,
        )
        assert unread_bytes(fd) >= PIPE_FULL  # still not read: it did not wait for us
    finally:
        run.send_signal(signal.SIGTERM)
        assert run.stdout is not None
        lines = run.stdout.read().decode().splitlines()  # read at last: everything comes
        assert run.wait(DEADLINE_S) == 0
    return lines


def test_with_stdout_closed_monitoring_goes_on_into_the_event_log(
    home: Home, tmp_path: Path
) -> None:
    with LineEchoServer() as echo:
        file = profiles_file(tmp_path, make_profile(*echo.address, "probe", name="p",
                                                    interval_s=0.1))  # fmt: skip
        with start(home, file, stdout=subprocess.DEVNULL, preexec_fn=lambda: os.close(1)) as run:
            try:
                wait_until("up", lambda: [e for e in stored(home) if e.state is State.UP])
            finally:
                run.send_signal(signal.SIGTERM)
                assert run.wait(DEADLINE_S) == 0
            assert run.stderr is not None
            err = run.stderr.read().decode()
    assert "Traceback" not in err
    assert err.count("standard output cannot be written") == 1, err
    assert [e.cause for e in stored(home) if e.cause is not None] == []  # no "local_error"


def test_a_reader_that_goes_ends_the_run_with_a_line_and_no_clean_exit(
    home: Home, tmp_path: Path
) -> None:
    """``tcpmonitor run --json | head -1``: the run ended as a pipeline expects, with exit 0,
    which told a supervisor (``Restart=on-failure``) or a script that it had stopped as asked
    while nothing was monitored any more. It ends with one line on stderr and the status a
    shell gives any program that a closed pipe ends (141), its last events stored."""
    with LineEchoServer() as echo:
        file = profiles_file(tmp_path, make_profile(*echo.address, "probe", name="p",
                                                    interval_s=0.1))  # fmt: skip
        with start(home, file, stdout=subprocess.PIPE) as run:
            assert run.stdout is not None and run.stderr is not None
            assert '"state":"up"' in run.stdout.readline().decode()
            run.stdout.close()  # `head -1` has its line and goes
            assert run.wait(DEADLINE_S) == 141
            err = run.stderr.read().decode()
    assert err.splitlines() == [
        "tcpmonitor: the reader of standard output has gone (broken pipe): monitoring stopped"
    ]
    assert [e.detail for e in stored(home)][-1:] == ["monitoring stopped"]


def test_an_output_on_a_full_disk_is_written_again_once_there_is_room(
    small_disk: Path, tmp_path: Path
) -> None:
    """``run --json >> events.jsonl``: a moment of full disk gave the output up for good:
    the file had nothing more, the drops that came after the room included, until the run
    was started again (and the run ended 0). It is written again once there is room; what
    did not fit is counted on stderr, and the line the full disk cut is finished first."""
    home = Home(tmp_path / "config", tmp_path / "data")  # the log has room: only the output
    out = small_disk / "events.jsonl"
    out.write_text(json.dumps({"padding": "x" * 4000}) + "\n")  # the next line is cut
    with LineEchoServer() as echo, FaultProxy(echo.address) as proxy:
        watched = make_profile(*proxy.address, "watch", name="watched", id="watched")
        probe = make_profile(*echo.address, "probe", name="p", interval_s=0.1)
        file = profiles_file(tmp_path, watched, probe)
        filler = fill(small_disk)
        with out.open("a") as sink, start(home, file, stdout=sink) as run:
            assert run.stderr is not None
            try:
                said = run.stderr.readline().decode()  # (its first line, at the first write)
                filler.unlink()
                proxy.wait_for_connections(1, DEADLINE_S)
                proxy.set_mode("close")  # a drop, once there is room for the output again
                wait_until("the drop in the output", lambda: '"state":"down"' in out.read_text())
            finally:
                run.send_signal(signal.SIGTERM)
                assert run.wait(DEADLINE_S) == 0
            err = run.stderr.read().decode().splitlines()
    lines = [json.loads(line) for line in out.read_text().splitlines()]  # every one whole
    assert lines[0] == {"padding": "x" * 4000}
    assert said == (
        "tcpmonitor: standard output cannot be written (No space left on device); monitoring"
        " goes on, and the output goes on once it can be written\n"
    )
    assert len(err) == 1 and err[0].startswith("tcpmonitor: standard output is written again; ")


#: A change of the file is seen at the next look (every ``POLL_S``), with a margin.
FOLLOW_S = POLL_S + DEADLINE_S


def state_lines(run: Running, after: int = 0) -> list[dict[str, object]]:
    events = [json.loads(line) for line in run.lines[after:]]
    return [e for e in events if e["kind"] == "state"]


def test_sighup_reads_the_profiles_again_and_leaves_the_unchanged_running(
    home: Home, tmp_path: Path
) -> None:
    """SIGHUP is systemd's reload: a renamed profile keeps its held connection (no state
    change at all), a new one starts, a removed one records that it is no longer watched."""
    with LineEchoServer() as echo:
        kept = make_profile(*echo.address, "watch", name="kept")
        gone = make_profile(*echo.address, "watch", name="gone")
        file = profiles_file(tmp_path, kept, gone)
        with Running(home, "run", "--json", "--profiles", str(file)) as run:
            for p in (kept, gone):
                run.read_until(lambda line, p=p: p.id in line and '"state":"up"' in line)
            seen = len(run.lines)
            new = make_profile(*echo.address, "watch", name="new")
            profiles_file(tmp_path, dataclasses.replace(kept, name="kept, renamed"), new)
            run.send_signal(signal.SIGHUP)
            line = run.wait_stderr(lambda text: "profiles read again (SIGHUP)" in text)
            assert line.endswith("1 added, 1 changed, 1 removed")
            run.read_until(lambda line: new.id in line and '"state":"up"' in line)
            states = state_lines(run, seen)
            said = [(e["state"], e["detail"]) for e in states if e["profile_id"] == gone.id]
            assert said == [("unknown", "monitoring stopped")]
            assert [e for e in states if e["profile_id"] == kept.id] == []  # not reconnected
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    last = [e for e in state_lines(run) if e["profile_id"] == kept.id][-1]
    assert (last["profile_name"], last["state"]) == ("kept, renamed", "unknown")


def test_a_profile_edited_while_up_is_not_printed_or_stored_as_a_fresh_start(
    home: Home, tmp_path: Path
) -> None:
    """A watch edited while up (a new interval): ``run`` printed "unknown -> connecting"
    and "connecting -> up" for it, and the event log stored them, as if it had only begun
    to be watched, its server's state unknown a moment. Its changes now are only the real
    ones: connecting and up at the start, unknown when the run ends."""
    with LineEchoServer() as echo:
        watched = make_profile(*echo.address, "watch", name="w", interval_s=5)
        file = profiles_file(tmp_path, watched)
        with Running(home, "run", "--json", "--profiles", str(file)) as run:
            run.read_until(lambda line: '"state":"up"' in line)
            profiles_file(tmp_path, make_profile(*echo.address, "watch", name="w",
                                                 interval_s=0.1, id=watched.id))  # fmt: skip
            run.send_signal(signal.SIGHUP)
            line = run.wait_stderr(lambda text: "profiles read again (SIGHUP)" in text)
            assert line.endswith("0 added, 1 changed, 0 removed")
            checks = 0

            def third_check(line: str) -> bool:  # on the new connection, every 0.1 s
                nonlocal checks
                checks += '"kind":"sample"' in line
                return checks >= 3

            run.read_until(third_check)
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0
    expected = [("unknown", "connecting"), ("connecting", "up"), ("up", "unknown")]
    assert [(e["previous"], e["state"]) for e in state_lines(run)] == expected
    assert [(str(e.previous), str(e.state)) for e in stored(home, profile=watched.id)] == expected


def test_a_changed_file_is_read_again_and_a_bad_one_is_named_and_changes_nothing(
    home: Home, tmp_path: Path
) -> None:
    with LineEchoServer() as echo:
        first = make_profile(*echo.address, "probe", name="first", interval_s=0.2)
        file = profiles_file(tmp_path, first)
        with Running(home, "run", "--json", "--profiles", str(file)) as run:
            run.read_until(lambda line: '"state":"up"' in line)
            second = make_profile(*echo.address, "probe", name="second", interval_s=0.2)
            profiles_file(tmp_path, first, second)  # no signal: the file changed
            run.wait_stderr(lambda text: "(the file changed): 1 added" in text, FOLLOW_S)
            run.read_until(lambda line: second.id in line and '"state":"up"' in line)
            file.write_text('{"version": 1, "profiles": [{"name": "broken"')
            line = run.wait_stderr(lambda text: "still watched" in text, FOLLOW_S)
            assert str(file) in line
            seen = len(run.lines)
            run.read_until(lambda line: second.id in line)  # still checked: nothing changed
            assert all(e["state"] != "unknown" for e in state_lines(run, seen))
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


def test_a_state_change_printed_is_a_state_change_stored_even_after_sigkill(
    home: Home, tmp_path: Path
) -> None:
    with LineEchoServer() as echo, FaultProxy(echo.address) as proxy:
        file = profiles_file(tmp_path, make_profile(*proxy.address, "probe", name="flaky",
                                                    interval_s=0.1, fail_after=1))  # fmt: skip
        with start(home, file, stdout=subprocess.PIPE) as run:
            assert run.stdout is not None
            printed: list[tuple[str, str]] = []
            modes = iter(["refuse", "pass"] * 30)
            for line in run.stdout:
                event = json.loads(line)
                if event["kind"] == "state":
                    printed.append((event["ts"], event["state"]))
                    if event["state"] in ("up", "down"):
                        mode = next(modes, None)
                        if mode is None:
                            break
                        proxy.set_mode(mode)  # flap: a state change every check or two
            run.send_signal(signal.SIGKILL)  # no goodbye: what is not on disk now is lost
            run.wait(DEADLINE_S)
    kept = {(e.to_dict()["ts"], str(e.state)) for e in stored(home)}
    assert len(printed) > 50
    missing = [p for p in printed if p not in kept]
    assert not missing, f"{len(missing)} printed state changes were not stored: {missing[:5]}"


def test_a_deleted_profiles_file_is_named_and_changes_nothing(home: Home) -> None:
    """`rm profiles.json` under a running `run` read as "2 removed": it went on running,
    watching nothing. A file that is gone is not every profile removed (an empty list is)."""
    with LineEchoServer() as echo:
        for name in ("one", "two"):
            target = "{}:{}".format(*echo.address)
            added = tcpmonitor(home, "profiles", "add", name, target, "--interval", "0.2")
            assert added.returncode == 0, added.stderr
        with Running(home, "run", "--json") as run:
            run.read_until(lambda line: '"state":"up"' in line)
            (home.config / "profiles.json").unlink()
            line = run.wait_stderr(lambda text: "is gone" in text, FOLLOW_S)
            assert "still watched" in line, line
            seen = len(run.lines)
            run.read_until(lambda line: '"kind":"sample"' in line)  # still checked
            assert all(e["state"] != "unknown" for e in state_lines(run, seen))
            run.send_signal(signal.SIGTERM)
            assert run.wait(DEADLINE_S) == 0


def test_a_commands_words_and_a_bidi_override_are_shown_as_escapes(home: Home) -> None:
    """`profiles actions NAME` printed a command's words raw (an ESC in an argument reached
    the terminal), and the escaping that `run`, `events` and `actions test` share let a
    right-to-left override through, which turns the rest of the line around."""
    assert tcpmonitor(home, "profiles", "add", "a", "127.0.0.1:1").returncode == 0
    word = "\x1b[31mX\u202eY"
    added = tcpmonitor(home, "profiles", "actions", "a", "--on", "down", "--run", "printf", word)
    assert added.returncode == 0, added.stderr
    assert "\x1b" not in added.stdout and "\u202e" not in added.stdout, added.stdout
    assert "\\x1b[31mX\\u202eY" in added.stdout, added.stdout


def test_a_note_for_stderr_is_written_after_stdout_has_gone(
    capfd: pytest.CaptureFixture[str],
) -> None:
    """``run``'s notes (a profile another program records) are written by the output's
    thread, which ends once stdout cannot be written: they were kept for it, and never said."""
    import threading

    from tcpmonitor_gui.cli.output import Output

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone: the first write fails (EPIPE)
    gone = threading.Event()
    with os.fdopen(write_end, "w") as stdout:
        output = Output(stdout, reader_gone=gone.set)
        output.put("a line no one reads")
        assert gone.wait(DEADLINE_S)
        output.note("tcpmonitor: db: recorded by another program")
        output.close()
    assert "tcpmonitor: db: recorded by another program\n" in capfd.readouterr().err
