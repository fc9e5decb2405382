"""A normal laptop at 150 %: 1366 × 768 pixels are 911 × 512 for Qt. Every dialog and the main
window (with its details dock) fit, with their OK buttons in reach; screenshots of each are
kept with the test's logs."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.e2e.session import check_prerequisites, start_xvfb

SCRIPT = Path(__file__).parent / "scripts" / "dialogs_fit.py"


def test_every_window_fits_1366_by_768_at_150_percent(tmp_path: Path) -> None:
    check_prerequisites()
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": "1.5"}
        env["DISPLAY"] = start_xvfb(stack, env, tmp_path, "1366x768x24")
        env.pop("WAYLAND_DISPLAY", None)
        done = subprocess.run(
            [sys.executable, str(SCRIPT), str(tmp_path / "shots")],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    results = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [r["window"] for r in results] == [
        "main window", "main window with details", "add connection", "settings",
    ], done.stderr  # fmt: skip
    for r in results:
        assert r["screen"] == [911, 512], r  # 150 % of 1366 x 768, less nothing (no panel)
        assert r["fits"] and r["ok_visible"], r
        assert Path(r["shot"]).stat().st_size > 1000
    assert done.returncode == 0, done.stderr
