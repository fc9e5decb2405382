"""The program's two-stage start (issue #12): the main window's first frame is on screen before
the session's modules are loaded, and says nothing it has not measured; the session is then
attached to that same window, which shows the rows."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.ui.bench_hooks import REPORT_ENV
from tcpmonitor_gui.ui.main_window import MainWindow
from tcpmonitor_gui.ui.window_state import WindowState

#: The session's modules, none of which the first frame needs.
SESSION_MODULES = (
    "sqlite3", "tcpmonitor_gui.core.session", "tcpmonitor_gui.core.profile",
    "tcpmonitor_gui.core.settings", "tcpmonitor_gui.core.eventlog",
    "tcpmonitor_gui.engine.engine", "tcpmonitor_gui.ui.status.model",
    "tcpmonitor_gui.ui.log.pane", "tcpmonitor_gui.ui.notify.policy", "tcpmonitor_gui.ui.tray",
    "tcpmonitor_gui.composition",
)  # fmt: skip

#: Run in the program's process: what the window shows and which modules are loaded, at the
#: moment the session is to be attached (the first frame is on screen), and what it shows
#: once its next frame, with the session attached, is on screen.
SPY = """
import json, sys
from PySide6.QtWidgets import QLabel
from tcpmonitor_gui import app

seen = {}

def shown(window):
    labels = [x.text() for x in window.findChildren(QLabel) if x.isVisible() and x.text()]
    menus = [action.text() for action in window.menuBar().actions()]
    return {"labels": labels, "menus": menus}

real_attach, real_wait = app._attach, app._until_next_frame

def attach(window, *args):
    seen["first"] = {**shown(window), "loaded": sorted(m for m in MODULES if m in sys.modules)}
    return real_attach(window, *args)

def wait(window):
    real_wait(window)
    if "first" in seen:  # the frame after the session was attached: complete
        seen["attached"] = {**shown(window), "rows": window.model.rowCount()}

app._attach, app._until_next_frame = attach, wait
status = app.main(sys.argv[1:])
print("SEEN " + json.dumps(seen))
sys.exit(status)
"""


def _first_and_attached(tmp_path: Path) -> tuple[dict, dict, dict]:
    """The program's window at its first frame and once attached, and its bench report."""
    report = tmp_path / "report.json"
    code = f"MODULES = {SESSION_MODULES!r}\n{SPY}"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", REPORT_ENV: str(report)}
    done = subprocess.run(
        [sys.executable, "-c", code, "--config-dir", str(tmp_path / "c"),
         "--data-dir", str(tmp_path / "d"), "--quit-after", "1.0"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if x.startswith("SEEN "))
    seen = json.loads(line.removeprefix("SEEN "))
    return seen["first"], seen["attached"], json.loads(report.read_text())


def _profiles(config: Path, *names: str) -> None:
    config.mkdir(parents=True, exist_ok=True)
    profiles = [{"name": n, "host": "127.0.0.1", "port": 1} for n in names]
    (config / "profiles.json").write_text(json.dumps({"version": 1, "profiles": profiles}))


def test_the_first_frame_is_painted_before_the_session_is_loaded(tmp_path: Path) -> None:
    first, attached, report = _first_and_attached(tmp_path)
    assert first["loaded"] == [], "the first frame waited for the session's modules"
    marks = dict(report["marks"])
    assert report["first_frame"] is not None
    assert report["first_frame"] <= marks["modules for the session"]
    # The same window, complete: its next frame came once the session was attached.
    assert report["complete"] is not None and report["complete"] >= marks["session attached"]
    # Monitoring once the rows are on screen (a thousand first connects would compete with
    # their paint), without waiting for asyncio's loop.
    assert report["complete"] <= marks["monitoring started"]
    assert first["menus"] == attached["menus"] and len(first["menus"]) == 4


def test_the_first_frame_says_loading_not_that_there_are_no_connections(tmp_path: Path) -> None:
    """With two connections saved, the first frame must not say there are none (nor any
    state it has not measured): it says "Loading…"; once attached, both rows are there."""
    _profiles(tmp_path / "c", "Orders DB", "Broker")
    first, attached, _ = _first_and_attached(tmp_path)
    assert first["labels"] == ["Loading…"], first["labels"]
    assert attached["rows"] == 2
    assert "Loading…" not in attached["labels"]


def test_with_no_connections_the_complete_window_says_so(tmp_path: Path) -> None:
    first, attached, _ = _first_and_attached(tmp_path)
    assert first["labels"] == ["Loading…"], first["labels"]
    assert attached["rows"] == 0
    assert any("No connections yet" in text for text in attached["labels"]), attached["labels"]


def test_the_chinese_window_is_chinese_from_its_first_frame(tmp_path: Path) -> None:
    """The language is read from settings.json before the first frame (with json alone)."""
    config = tmp_path / "c"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"version": 1, "language": "zh_CN"}))
    first, attached, _ = _first_and_attached(tmp_path)
    for text in (*first["menus"], *first["labels"]):
        assert not any("a" <= c.lower() <= "z" for c in text.split("(")[0]), first
    assert first["menus"] == attached["menus"]


def test_closing_the_first_frame_before_the_session_is_attached_quits(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """There is no tray to hide in yet: a close then (the window manager's button while the
    first frame is coming) is a quit, not a window hidden with nothing to bring it back."""
    window = MainWindow(WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.quitRequested, timeout=1000):
        window.close()
    assert not window.isVisible()
