"""The installed ``tcpmonitor-gui`` command starts, runs its loop and quits cleanly."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.app import FIRST_FRAME_WAIT_MS, _until_next_frame
from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.ui.bench_hooks import REPORT_ENV
from tcpmonitor_gui.ui.common.first_paint import AfterFirstPaint

GUI = Path(sys.executable).parent / "tcpmonitor-gui"


def run_until_quit(tmp_path: Path, quit_after_s: float) -> None:
    """The installed command, offscreen, with its own quit timer; it must end, and cleanly."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(GUI), "--config-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d"),
         "--quit-after", str(quit_after_s)],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_installed_gui_command_starts_and_exits(tmp_path: Path) -> None:
    run_until_quit(tmp_path, 0.2)
    version = subprocess.run([str(GUI), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("tcpmonitor-gui ")


def test_the_program_runs_actions_and_serves_metrics_on_its_own_loops(tmp_path: Path) -> None:
    """The real program (qasync's policy installed): a profile's command runs for its drop,
    and the metrics setting serves /metrics, before it quits."""
    config, ran = tmp_path / "c", tmp_path / "ran"
    config.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    action = {"on": "down", "run": ["sh", "-c", f"echo $TCPMONITOR_STATE > {ran}"]}
    profile = {"name": "db", "host": "127.0.0.1", "port": 1, "fail_after": 1,
               "detector": {"kind": "probe", "interval_s": 0.5}, "actions": [action]}  # fmt: skip
    (config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))
    (config / "settings.json").write_text(
        json.dumps({"version": 1, "metrics_listen": f"127.0.0.1:{port}"})
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    program = subprocess.Popen(
        [str(GUI), "--config-dir", str(config), "--data-dir", str(tmp_path / "d"),
         "--quit-after", "30"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        served = ""
        while not (ran.exists() and 'tcpmonitor_up{profile="db"' in served):
            assert time.monotonic() < deadline, f"ran: {ran.exists()}; served: {served[:200]}"
            time.sleep(0.2)  # ok-sleep: polling another process's file and port, with a deadline
            with contextlib.suppress(OSError):
                url = f"http://127.0.0.1:{port}/metrics"
                with urllib.request.urlopen(url, timeout=2) as response:
                    served = response.read().decode()
        assert ran.read_text().strip() == "down"
    finally:
        program.terminate()
        _, err = program.communicate(timeout=30)
    assert "Traceback" not in err, err


def test_the_window_does_not_wait_for_an_event_log_another_process_holds(
    tmp_path: Path,
) -> None:
    """SQLite waits up to 10 s for another process's write lock on the event log (the
    headless engine's, a command's). The window waited with it, on its own thread: its first
    frame came 4.19 s after the start with the lock held 4 s. Now the I/O thread waits, the
    window shows at once, and monitoring starts, its events stored, once the lock is free."""
    config, data = tmp_path / "c", tmp_path / "d"
    config.mkdir()
    profile = {"id": "db", "name": "db", "host": "127.0.0.1", "port": 1,
               "detector": {"kind": "probe", "interval_s": 0.5}}  # fmt: skip
    (config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))
    log = EventLog(data / "events.sqlite3").start()
    log.close()
    holder = sqlite3.connect(log.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a write transaction of this process, not the program's
    report = tmp_path / "bench.json"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", REPORT_ENV: str(report)}
    began = time.monotonic()
    program = subprocess.Popen(
        [str(GUI), "--config-dir", str(config), "--data-dir", str(data), "--quit-after", "30"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = began + 20
        while not report.exists():  # written at the first frame
            assert time.monotonic() < deadline and program.poll() is None, "no first frame"
            time.sleep(0.05)  # ok-sleep: polling another process's file, with a deadline
        first_frame = json.loads(report.read_text())["first_frame"] - began
        assert first_frame < 5.0, f"the first frame came {first_frame:.2f} s after the start"
        assert log.events(profile="db") == []  # nothing could be written meanwhile
        holder.execute("ROLLBACK")
        while State.DOWN not in [e.state for e in log.events(profile="db")]:  # port 1: refused
            assert time.monotonic() < deadline, "no drop stored once the lock was free"
            time.sleep(0.1)  # ok-sleep: polling another process's database, with a deadline
    finally:
        holder.close()
        program.terminate()
        _, err = program.communicate(timeout=30)
    assert "Traceback" not in err, err


def test_a_connection_shown_at_start_gets_its_history(tmp_path: Path) -> None:
    """``--show NAME``: the details dock asks for the history before the event log is open
    (it opens after the first frame); the question waits for it, and is answered."""
    config = tmp_path / "c"
    config.mkdir()
    profile = {"id": "db", "name": "db", "host": "127.0.0.1", "port": 1}
    (config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(GUI), "--config-dir", str(config), "--data-dir", str(tmp_path / "d"),
         "--show", "db", "--verbose", "--quit-after", "3"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "details of db:" in done.stderr, done.stderr[-1500:]


#: Modules the first frame does not need (#12): asyncio and qasync (60-80 ms here); hashlib
#: (OpenSSL) and uuid (``platform``), which only making a new id needs; Qt's network module
#: (the single-instance server listens after the first frame); zoneinfo (a maintenance window
#: with a named zone) and re2 (a heartbeat pattern); the details dock (built when wanted);
#: the engine's samples (they load with its monitors).
NOT_BEFORE_THE_FIRST_FRAME = (
    "asyncio", "qasync", "hashlib", "uuid", "PySide6.QtNetwork", "zoneinfo", "re2",
    "tcpmonitor_gui.ui.details.dock", "tcpmonitor_gui.core.sample",
)  # fmt: skip


def test_what_the_window_needs_to_show_loads_nothing_it_does_not_show() -> None:
    """The modules the window is built from must not bring in what it does not show."""
    code = (
        "import sys; import tcpmonitor_gui.app, tcpmonitor_gui.core.session, "
        "tcpmonitor_gui.engine.engine, tcpmonitor_gui.ui.main_window, "
        "tcpmonitor_gui.ui.single_instance; "
        f"print(sorted(m for m in {NOT_BEFORE_THE_FIRST_FRAME!r} if m in sys.modules))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_first_frame_is_waited_for_only_until_it_is_painted(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    painted: list[float] = []
    AfterFirstPaint(window, lambda: painted.append(time.monotonic()))
    window.show()
    started = time.monotonic()
    _until_next_frame(window)  # type: ignore[arg-type] - any widget will do
    took = time.monotonic() - started
    assert painted, "returned before the window was painted"
    assert took < FIRST_FRAME_WAIT_MS / 1000 * 0.75, f"waited {took:.2f} s"


def test_a_quit_asked_before_the_first_frame_still_ends_the_program(tmp_path: Path) -> None:
    """Until its first frame the program runs Qt's own loop; a quit asked then (here the
    test's timer, at once) must end the program, not only that loop."""
    run_until_quit(tmp_path, 0.001)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=str)
def test_a_signal_quits_as_the_menu_does_and_the_log_says_monitoring_stopped(
    tmp_path: Path, sig: signal.Signals
) -> None:
    """A logout, ``kill``, a closed terminal or Ctrl+C ended the process where it stood: the
    drop it was watching stayed an ongoing outage while nothing watched (exit 143)."""
    config, data = tmp_path / "c", tmp_path / "d"
    config.mkdir()
    profile = {"id": "db", "name": "db", "host": "127.0.0.1", "port": 1, "fail_after": 1,
               "detector": {"kind": "probe", "interval_s": 0.2}}  # fmt: skip
    (config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": [profile]}))
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    program = subprocess.Popen(
        [str(GUI), "--config-dir", str(config), "--data-dir", str(data), "--quit-after", "60"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    log = EventLog(data / "events.sqlite3")
    try:
        deadline = time.monotonic() + 30
        while State.DOWN not in [e.state for e in stored(log)]:  # port 1: refused
            assert time.monotonic() < deadline and program.poll() is None, "no drop stored"
            time.sleep(0.1)  # ok-sleep: polling another process's database, with a deadline
        program.send_signal(sig)
        _, err = program.communicate(timeout=30)
    finally:
        if program.poll() is None:
            program.kill()
            program.communicate()
    assert program.returncode == 0, err
    assert "Traceback" not in err, err
    last = stored(log)[-1]
    assert (last.state, last.detail) == (State.UNKNOWN, "monitoring stopped")
    log.close()


def stored(log: EventLog) -> list[Event]:
    """The state events the program has written so far (none while its log does not exist)."""
    if not log.path.exists():
        return []
    return [e for e in log.events(profile="db") if e.kind is Kind.STATE]


@pytest.mark.parametrize("option", ["--config-dir", "--data-dir"])
def test_an_empty_folder_name_is_refused_not_taken_for_the_users_own(
    tmp_path: Path, option: str
) -> None:
    """``tcpmonitor-gui --config-dir "$DIR"`` with ``DIR`` unset started on the user's own
    profiles and event log (here a stand-in home's), as if no folder were named; refused in
    one line naming the option, as the command line refuses it, before anything is opened."""
    home = tmp_path / "home"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(home)}
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_DATA_HOME=str(home / "data"))
    for name in ("TCPMONITOR_CONFIG_DIR", "TCPMONITOR_DATA_DIR"):
        env.pop(name, None)
    other = "--data-dir" if option == "--config-dir" else "--config-dir"
    done = subprocess.run(
        [str(GUI), option, "", other, str(tmp_path / "other"), "--quit-after", "1"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert f"argument {option}: '' is empty (name a folder)" in done.stderr
    assert not home.exists(), sorted(str(p) for p in home.rglob("*"))
