"""The installed ``tcpmonitor-gui`` command starts, runs its loop and quits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


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
