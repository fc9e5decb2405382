"""Check that a built bundle runs: ``--version``, then a short start on a private X server.

    python packaging/pyinstaller/smoke.py dist/tcpmonitor-gui

The start uses a private Xvfb (``QT_QPA_PLATFORM=xcb``, the real window system plugin, so the
bundle's own Qt plugins and libraries are what is tested) and temporary config and data dirs
with one saved profile; the program must show its window, write its event log, and quit by
itself (``--quit-after``) with exit code 0 and no traceback. Every wait is a poll with a
deadline. Exits non-zero with a one-line reason on any failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_DEADLINE_S = 60.0


class SmokeError(Exception):
    pass


def poll(check: Callable[[], bool], deadline_s: float, what: str) -> None:
    end = time.monotonic() + deadline_s
    while not check():
        if time.monotonic() > end:
            raise SmokeError(f"timed out after {deadline_s:.0f} s waiting for {what}")
        time.sleep(0.05)  # a poll interval, not a wait for something


def package_version() -> str:
    text = (ROOT / "tcpmonitor_gui" / "__init__.py").read_text()
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    assert match is not None
    return match.group(1)


def free_display() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise SmokeError("no free X display number between :90 and :199")


def check_version(exe: Path) -> None:
    done = subprocess.run(
        [str(exe), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    expected = f"tcpmonitor-gui {package_version()}"
    if done.returncode != 0 or done.stdout.strip() != expected:
        raise SmokeError(
            f"--version: exit {done.returncode}, printed {done.stdout.strip()!r} "
            f"(expected {expected!r}); stderr: {done.stderr.strip()[-500:]}"
        )
    print(f"--version: {done.stdout.strip()}")


def check_start(exe: Path, work: Path) -> None:
    if shutil.which("Xvfb") is None:
        raise SmokeError("Xvfb is not installed (Debian: xvfb)")
    display = free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        poll(lambda: Path(f"/tmp/.X11-unix/X{display}").exists(), 15, "Xvfb to listen")
        with socket.socket() as listener:  # one saved profile, watched on loopback
            listener.bind(("127.0.0.1", 0))
            listener.listen()
            host, port = listener.getsockname()
            config, data = work / "config", work / "data"
            config.mkdir()
            profile = {"id": "smoke", "name": "Smoke", "host": host, "port": port}
            doc = {"version": 1, "profiles": [profile]}
            (config / "profiles.json").write_text(json.dumps(doc))
            env = {
                **os.environ,
                "DISPLAY": f":{display}",
                "QT_QPA_PLATFORM": "xcb",
                "HOME": str(work),
                "XDG_RUNTIME_DIR": str(work),
            }
            started = time.monotonic()
            done = subprocess.run(
                [str(exe), "--config-dir", str(config), "--data-dir", str(data),
                 "--quit-after", "3"],
                env=env,
                capture_output=True,
                text=True,
                timeout=START_DEADLINE_S,
                check=False,
            )  # fmt: skip
            took = time.monotonic() - started
        if done.returncode != 0 or "Traceback" in done.stderr:
            raise SmokeError(f"start: exit {done.returncode}; stderr: {done.stderr[-1500:]}")
        log = data / "events.sqlite3"
        if not log.exists():
            raise SmokeError(f"start: no event log at {log}; stderr: {done.stderr[-500:]}")
        print(f"start: ran {took:.1f} s and quit by itself; event log written ({log.name})")
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(timeout=10)
        except subprocess.TimeoutExpired:
            xvfb.kill()


def size_mb(folder: Path) -> float:
    files = (f for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return sum(f.stat().st_size for f in files) / 1e6


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else ROOT / "dist" / "tcpmonitor-gui")
    exe = folder / ("tcpmonitor-gui.exe" if sys.platform == "win32" else "tcpmonitor-gui")
    try:
        if not exe.exists():
            raise SmokeError(f"{exe} does not exist: run `make bundle` first")
        print(f"bundle: {folder} ({size_mb(folder):.0f} MB)")
        check_version(exe)
        with tempfile.TemporaryDirectory(prefix="tcpmonitor-smoke-") as work:
            check_start(exe, Path(work))
    except (SmokeError, subprocess.TimeoutExpired) as exc:
        print(f"bundle smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    print("bundle smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
