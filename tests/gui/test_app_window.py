"""The ``tcpmonitor-gui`` entry point starts and shows a window titled "TCP Monitor"."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication


def test_main_window_is_titled_tcp_monitor(qapp: QApplication) -> None:
    from PySide6.QtCore import QTimer

    from tcpmonitor_gui import app

    titles: list[str] = []

    def look() -> None:
        titles.extend(w.windowTitle() for w in QApplication.topLevelWidgets() if w.isVisible())
        QApplication.quit()

    QTimer.singleShot(0, look)
    assert app.run_window(qapp) == 0
    assert "TCP Monitor" in titles


def test_installed_gui_command_starts_and_exits(tmp_path: Path) -> None:
    gui = Path(sys.executable).parent / "tcpmonitor-gui"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [str(gui), "--config-dir", str(tmp_path / "c"), "--data-dir", str(tmp_path / "d"),
         "--quit-after", "0.2"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    version = subprocess.run([str(gui), "--version"], capture_output=True, text=True, check=True)
    assert version.stdout.startswith("tcpmonitor-gui ")
