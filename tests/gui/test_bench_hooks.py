"""The benchmark's measurement hook: stall ticks, the first painted frame, the JSON report.

``tests/bench/gui_responsiveness.py`` relies on these; the program builds the hook only when
``TCPMONITOR_BENCH_REPORT`` is set, and must not even import it otherwise.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.ui.bench_hooks import (
    HIGH_EVENT_PRIORITY,
    REPORT_ENV,
    TICK_MS,
    BenchHooks,
    lateness_ms,
)
from tcpmonitor_gui.ui.common.first_paint import AfterFirstPaint


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    w = QMainWindow()
    w.setWindowTitle("TCP Monitor")
    w.resize(300, 200)
    qtbot.addWidget(w)
    return w


@pytest.fixture
def hooks(qapp: QApplication, window: QMainWindow, tmp_path: Path) -> Iterator[BenchHooks]:
    hook = BenchHooks(qapp, window, tmp_path / "report.json")
    try:
        yield hook
    finally:
        hook.finish()
        hook.deleteLater()  # it is the application's child: do not outlive the test


def test_the_gui_thread_timer_keeps_ticking(qtbot: QtBot, hooks: BenchHooks) -> None:
    qtbot.waitUntil(lambda: len(hooks.ticks) >= 10, timeout=5000)
    ticks = list(hooks.ticks)
    assert ticks == sorted(ticks)
    assert hooks.active


def test_lateness_is_the_gap_beyond_the_interval() -> None:
    ticks = [100.000, 100.010, 100.035, 100.040]
    assert lateness_ms(ticks) == pytest.approx([0.0, 15.0, 0.0], abs=1e-6)
    assert lateness_ms([1.0]) == []


def test_the_first_painted_frame_is_timed_and_reported_at_once(
    qtbot: QtBot, window: QMainWindow, hooks: BenchHooks
) -> None:
    assert hooks.first_paint is None
    window.show()
    qtbot.waitUntil(lambda: hooks.first_frame is not None, timeout=5000)
    assert hooks.first_paint is not None and hooks.first_frame is not None
    assert hooks.installed_at <= hooks.first_paint <= hooks.first_frame
    report = json.loads(hooks.path.read_text())
    assert report["first_frame"] == hooks.first_frame
    assert report["pid"] == os.getpid()


def test_without_stall_ticks_the_first_frame_is_still_timed(
    qtbot: QtBot, qapp: QApplication, window: QMainWindow, tmp_path: Path
) -> None:
    """The bare window's hook: the first frame and no stall timer (which would build
    ``Qt``'s enums, time a bare window does not spend); the priority it posts at is Qt's
    high one."""
    assert Qt.EventPriority.HighEventPriority.value == HIGH_EVENT_PRIORITY
    hook = BenchHooks(qapp, window, tmp_path / "report.json", stalls=False)
    try:
        window.show()
        qtbot.waitUntil(lambda: hook.first_frame is not None, timeout=5000)
        assert not hook.active and not hook.ticks
        assert json.loads(hook.path.read_text())["first_frame"] == hook.first_frame
    finally:
        hook.finish()
        hook.deleteLater()


def test_the_frame_is_timed_ahead_of_work_started_after_the_first_paint(
    qtbot: QtBot, window: QMainWindow, hooks: BenchHooks
) -> None:
    """The program starts monitoring once its first frame is shown (``AfterFirstPaint``, set
    up after the hook): that work is not part of the frame, and must not be timed with it."""
    started: list[float] = []

    def start_work() -> None:
        started.append(time.monotonic())
        time.sleep(0.2)  # ok-sleep: stands for the work, it waits for nothing

    AfterFirstPaint(window, start_work)
    window.show()
    qtbot.waitUntil(lambda: hooks.first_frame is not None and bool(started), timeout=5000)
    assert hooks.first_frame is not None
    assert hooks.first_frame <= started[0]


def test_finish_stops_the_timer_and_writes_every_tick(qtbot: QtBot, hooks: BenchHooks) -> None:
    qtbot.waitUntil(lambda: len(hooks.ticks) >= 3, timeout=5000)
    hooks.finish()
    assert not hooks.active
    report = json.loads(hooks.path.read_text())
    assert report["ticks"] == list(hooks.ticks)
    assert report["tick_ms"] == TICK_MS
    assert not hooks.path.with_name(hooks.path.name + ".tmp").exists()


def _run_program(tmp_path: Path, env: dict[str, str]) -> str:
    """Run the program's ``main`` for a moment; print whether the hook's module was loaded."""
    code = (
        "import sys\n"
        "from tcpmonitor_gui import app\n"
        f"status = app.main(['--config-dir', {str(tmp_path / 'c')!r}, '--data-dir', "
        f"{str(tmp_path / 'd')!r}, '--quit-after', '1.0'])\n"
        "print('tcpmonitor_gui.ui.bench_hooks' in sys.modules, status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_program_reports_when_asked(tmp_path: Path) -> None:
    report = tmp_path / "bench.json"
    assert _run_program(tmp_path, {**os.environ, REPORT_ENV: str(report)}) == "True 0"
    data = json.loads(report.read_text())
    assert data["first_frame"] is not None
    # Written again at quit, with the whole run's ticks: some came after the first frame
    # (how many depends on how busy the machine is, so that is not what is asserted).
    assert any(tick > data["first_frame"] for tick in data["ticks"])
    # Start-up's phases, in order: those of the first frame ended before it, the session's
    # after it; the window was complete (its next frame) once the session was attached.
    names = [name for name, _ in data["marks"]]
    assert names[0] == "python and this module", names
    ends = [at for _, at in data["marks"]]
    assert ends == sorted(ends)
    marks = dict(data["marks"])
    assert marks["shown"] <= data["first_frame"] <= marks["modules for the session"]
    assert data["complete"] is not None and marks["session attached"] <= data["complete"]


def test_without_the_variable_the_hook_is_not_even_imported(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != REPORT_ENV}
    assert _run_program(tmp_path, env) == "False 0"


@pytest.mark.parametrize("script", ["bare_window.py", "floor_window.py"])
def test_the_start_up_references_report_their_first_frame(tmp_path: Path, script: str) -> None:
    """The benchmark's two start-up references run, paint, quit and report their phases."""
    report = tmp_path / "bench.json"
    bench = Path(__file__).parents[1] / "bench"
    env = {**os.environ, REPORT_ENV: str(report), "QT_QPA_PLATFORM": "offscreen"}
    argv = [sys.executable, str(bench / script)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    names = [name for name, _ in data["marks"]]
    assert names == ["python and this module", "PySide6", "QApplication", "window built", "shown"]
    assert data["first_frame"] >= data["marks"][-1][1]
