"""Check that a built bundle runs: ``--version``, then a short start on a private X server.

    python packaging/pyinstaller/smoke.py [dist/tcpmonitor-gui]

1. ``tcpmonitor-gui --version`` prints ``tcpmonitor-gui <the package's version>``, exit 0.
2. Every file of ``tcpmonitor_gui/resources/`` (but the translation sources) is in the bundle.
3. On a private Xvfb, with ``QT_QPA_PLATFORM=xcb`` (the real window system plugin, so the
   bundle's own Qt plugins and libraries are what is tested) and temporary config and data
   dirs holding one saved profile, the program starts, quits by itself (``--quit-after``)
   with exit code 0 within a deadline, prints no traceback, and has written its event log.

Every wait is a poll with a deadline. Prints the bundle's size and the timings; exits 1 with
a one-line reason on any failure. Xvfb is stopped whatever happens.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
#: Resource files that are sources, not shipped (the spec leaves them out).
NOT_SHIPPED = (".ts", ".md")
#: The event log's file name in the data dir (tcpmonitor_gui/core/eventlog.py).
EVENT_LOG = "events.sqlite3"
VERSION_DEADLINE_S = 30.0
XVFB_DEADLINE_S = 15.0
START_DEADLINE_S = 60.0
QUIT_AFTER_S = 3


class SmokeError(Exception):
    pass


def poll(check: Callable[[], bool], deadline_s: float, what: str) -> None:
    end = time.monotonic() + deadline_s
    while not check():
        if time.monotonic() > end:
            raise SmokeError(f"timed out after {deadline_s:.0f} s waiting for {what}")
        time.sleep(0.05)  # the interval between two looks, not a wait for something


def package_version() -> str:
    text = (ROOT / "tcpmonitor_gui" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if match is None:
        raise SmokeError("no __version__ in tcpmonitor_gui/__init__.py")
    return match.group(1)


def check_version(exe: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [str(exe), "--version"],
        capture_output=True,
        text=True,
        timeout=VERSION_DEADLINE_S,
        check=False,
    )
    took = time.monotonic() - started
    expected = f"tcpmonitor-gui {package_version()}"
    if done.returncode != 0 or done.stdout.strip() != expected:
        raise SmokeError(
            f"--version: exit {done.returncode}, printed {done.stdout.strip()!r} "
            f"(expected {expected!r}); stderr: {done.stderr.strip()[-500:]}"
        )
    print(f"--version: {done.stdout.strip()} (exit 0, {took:.2f} s)")


def check_resources(folder: Path) -> None:
    """The spec ships all of resources/ but the sources: so must the bundle have it."""
    shipped = folder / "_internal" / "tcpmonitor_gui" / "resources"
    wanted = [
        path.relative_to(RESOURCES)
        for path in RESOURCES.rglob("*")
        if path.is_file() and path.suffix not in NOT_SHIPPED
    ]
    missing = [str(path) for path in wanted if not (shipped / path).is_file()]
    if missing:
        raise SmokeError(f"resources missing from {shipped}: {', '.join(sorted(missing))}")
    print(f"resources: all {len(wanted)} files of resources/ are in the bundle")


def _x_lock_pid(display: int) -> int | None:
    try:
        return int(Path(f"/tmp/.X{display}-lock").read_text().strip())
    except (OSError, ValueError):
        return None


def _display_in_use(display: int) -> bool:
    return Path(f"/tmp/.X11-unix/X{display}").exists() or Path(f"/tmp/.X{display}-lock").exists()


@contextmanager
def _running(command: list[str], errors: IO[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    """``command`` started; terminated (killed if it must be) on leaving, whatever happens."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def private_xvfb() -> Iterator[str]:
    """A new Xvfb on a display nobody uses, ready for clients; stopped on leaving."""
    if shutil.which("Xvfb") is None or shutil.which("xdpyinfo") is None:
        raise SmokeError("Xvfb and xdpyinfo are needed (Debian: xvfb x11-utils)")
    for display in range(90, 200):
        if _display_in_use(display):
            continue
        command = ["Xvfb", f":{display}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"]
        # Its messages go to a file, not a pipe: a pipe nobody reads can fill and block it.
        with tempfile.TemporaryFile() as errors, _running(command, errors) as xvfb:
            started = time.monotonic()

            def ready(xvfb: subprocess.Popen[bytes] = xvfb, display: int = display) -> bool:
                if xvfb.poll() is not None:
                    return True  # it exited: told apart below
                if _x_lock_pid(display) != xvfb.pid:  # not up yet, or someone else's
                    return False
                probe = subprocess.run(
                    ["xdpyinfo", "-display", f":{display}"],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    timeout=XVFB_DEADLINE_S,
                    check=False,
                )
                return probe.returncode == 0

            poll(ready, XVFB_DEADLINE_S, f"Xvfb :{display} to accept clients")
            if xvfb.returncode is not None:  # lost a race for the display: try the next one
                errors.seek(0)
                said = errors.read().decode(errors="replace").strip().splitlines()
                print(f"Xvfb :{display} exited ({said[-1] if said else 'no message'}); next")
                continue
            print(f"Xvfb :{display}: ready in {time.monotonic() - started:.2f} s")
            yield f":{display}"
            return
    raise SmokeError("no free X display between :90 and :199")


def check_start(exe: Path, work: Path) -> None:
    config, data = work / "config", work / "data"
    with private_xvfb() as display, socket.socket() as listener, webhook() as hook:
        listener.bind(("127.0.0.1", 0))  # the saved profile watches this, on loopback
        listener.listen()
        host, port = listener.getsockname()
        config.mkdir()
        profile = {"id": "smoke", "name": "Smoke", "host": host, "port": port}
        # A second one refused at once (the port is bound, not listening), whose drop runs a
        # command and tells a webhook through Apprise, loaded from the bundle.
        with socket.socket() as refusing:
            refusing.bind(("127.0.0.1", 0))
            closed = refusing.getsockname()[1]
        ran = work / "action-ran"
        actions = [
            {"on": "down", "run": ["sh", "-c", f"echo $TCPMONITOR_STATE > {ran}"]},
            {"on": "down", "notify": f"json://127.0.0.1:{hook.server_address[1]}/smoke"},
        ]
        down = {"id": "down", "name": "Down", "host": "127.0.0.1", "port": closed,
                "fail_after": 1, "detector": {"kind": "probe", "interval_s": 0.5},
                "actions": actions}  # fmt: skip
        (config / "profiles.json").write_text(
            json.dumps({"version": 1, "profiles": [profile, down]})
        )
        env = {
            **os.environ,
            "DISPLAY": display,
            "QT_QPA_PLATFORM": "xcb",
            "HOME": str(work),  # nothing of the user's: ui.ini, autostart, caches
            "XDG_RUNTIME_DIR": str(work),  # mode 0700, as Qt wants
        }
        command = [str(exe), "--config-dir", str(config), "--data-dir", str(data)]
        # On a connection's details: the chart (pyqtgraph, numpy) must work frozen too.
        command += ["--show", "Down", "--verbose", "--quit-after", str(QUIT_AFTER_S)]
        started = time.monotonic()
        try:
            done = subprocess.run(
                command,
                env=env,
                capture_output=True,
                text=True,
                timeout=START_DEADLINE_S,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise SmokeError(
                f"start: still running {START_DEADLINE_S:.0f} s after the start "
                f"(--quit-after {QUIT_AFTER_S}); killed"
            ) from exc
        took = time.monotonic() - started
    if done.returncode != 0 or "Traceback" in done.stderr:
        raise SmokeError(f"start: exit {done.returncode}; stderr: {done.stderr.strip()[-1500:]}")
    log = data / EVENT_LOG
    if not log.is_file():
        raise SmokeError(f"start: no event log at {log}; stderr: {done.stderr.strip()[-500:]}")
    if not ran.is_file() or ran.read_text().strip() != "down":
        raise SmokeError(f"start: the profile's command did not run; stderr: {done.stderr[-500:]}")
    if not any(b"Connection down: Down" in body for body in hook.bodies):
        raise SmokeError(f"start: the webhook heard nothing (Apprise); got {hook.bodies!r}")
    if "details of down:" not in done.stderr:
        raise SmokeError(f"start: the details view did not show; stderr: {done.stderr[-1500:]}")
    print(
        f"start: exit 0 after {took:.2f} s (--quit-after {QUIT_AFTER_S}), no traceback, "
        f"event log written ({log.name}, {log.stat().st_size} bytes), "
        "an action's command ran and its webhook was told, the details view drew its chart"
    )


class _Hook(http.server.ThreadingHTTPServer):
    daemon_threads = True
    bodies: list[bytes]


@contextmanager
def webhook() -> Iterator[_Hook]:
    """A JSON webhook on loopback that keeps what it is sent."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            server.bodies.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = _Hook(("127.0.0.1", 0), Handler)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def bundle_size(folder: Path) -> str:
    """What ``du -sh`` says, or the sum of the file sizes where there is no du."""
    if shutil.which("du"):
        done = subprocess.run(
            ["du", "-sh", str(folder)], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return done.stdout.split()[0]
    files = (f for f in folder.rglob("*") if f.is_file() and not f.is_symlink())
    return f"{sum(f.stat().st_size for f in files) / 2**20:.0f}M"


def main(argv: list[str]) -> int:
    folder = Path(argv[1] if len(argv) > 1 else ROOT / "dist" / "tcpmonitor-gui")
    exe = folder / ("tcpmonitor-gui.exe" if sys.platform == "win32" else "tcpmonitor-gui")
    started = time.monotonic()
    try:
        if not exe.is_file():
            raise SmokeError(f"{exe} does not exist: run `make bundle` first")
        files = sum(1 for f in folder.rglob("*") if f.is_file())
        print(f"bundle: {folder}: {bundle_size(folder)} (du -sh), {files} files")
        check_version(exe)
        check_resources(folder)
        with tempfile.TemporaryDirectory(prefix="tcpmonitor-smoke-") as work:
            check_start(exe, Path(work))
    except (SmokeError, OSError, subprocess.SubprocessError) as exc:
        print(f"bundle smoke test FAILED: {exc}", file=sys.stderr)
        return 1
    print(f"bundle smoke test passed in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
