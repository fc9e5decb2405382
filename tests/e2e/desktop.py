"""The test's private desktop as the tests see it: run programs on it, look at its windows,
its tray and its screen, read the notifications its daemon showed, drive it with xdotool.

``session.start_desktop`` builds one; ``unavailable`` is how a missing prerequisite ends a test:
a skip that names what is missing, or a failure where ``TCPMONITOR_REQUIRE_E2E=1`` (CI).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from . import x11
from .notifications import Notification, NotificationLog
from .processes import Child, poll_until

REQUIRE_ENV = "TCPMONITOR_REQUIRE_E2E"
SCRIPTS = Path(__file__).parent / "scripts"
#: Deadlines, not measurements: each start normally takes well under a second.
READY_S = 15.0
COMMAND_TIMEOUT_S = 30.0


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it where the environment says the desktop is required."""
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)", pytrace=False)
    pytest.skip(reason)


class Desktop:
    """The running desktop. ``env`` is what every program started on it must get."""

    def __init__(self, base: Path, env: dict[str, str], log_dir: Path) -> None:
        self.base = base
        self.env = env
        self.log_dir = log_dir
        self.display = env["DISPLAY"]
        self.started_in_s = 0.0
        self.notification_log = log_dir / "notifications.jsonl"
        self._notifications = NotificationLog(self.notification_log)
        self._serial = 0
        #: The tray host, and how to start another (``without_tray`` stops it for a while).
        self.trayer: Child | None = None
        self.start_tray: Callable[[], Child] | None = None

    # -- running things on it -------------------------------------------------------------

    def run(self, *argv: str, timeout: float = COMMAND_TIMEOUT_S) -> str:
        """Run a command on this desktop to completion; its stdout, or fail with its stderr."""
        done = subprocess.run(
            argv, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            raise AssertionError(
                f"{' '.join(argv)}: exit {done.returncode}\n{done.stdout}{done.stderr}"
            )
        return done.stdout

    def run_script(self, script: str, *args: str, timeout: float = COMMAND_TIMEOUT_S) -> str:
        """Run one of ``scripts/`` to completion with this interpreter; its stdout."""
        return self.run(sys.executable, str(SCRIPTS / script), *args, timeout=timeout)

    def start_script(self, script: str, *args: str) -> Child:
        """Start one of ``scripts/`` with line-based stdin and stdout; the caller stops it."""
        self._serial += 1
        return Child(
            [sys.executable, str(SCRIPTS / script), *args],
            env=self.env,
            log=self.log_dir / f"{Path(script).stem}-{self._serial}.log",
            stdin_pipe=True,
            stdout_pipe=True,
            name=script,
        )

    def xdotool(self, *args: str) -> str:
        """Drive the desktop as a person would: ``desktop.xdotool("key", "ctrl+q")``."""
        return self.run("xdotool", *args)

    # -- looking at it --------------------------------------------------------------------

    def screenshot(self, path: Path) -> Path:
        """Save the whole screen as a PNG at ``path``."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.run_script("screenshot.py", str(path))
        return path

    def windows(self) -> list[x11.Window]:
        return x11.windows(self.env)

    def wait_for_window(
        self, title: str, timeout: float = 10.0, *, wm_class: str | None = None
    ) -> x11.Window:
        """The first visible top-level window titled ``title`` (and of ``wm_class``, if
        given) that a person would call a window: not a tray icon, balloon, tooltip or menu,
        which carry the application's name as their title too."""

        def find() -> x11.Window | None:
            for window in self.windows():
                if (
                    window.visible
                    and window.top_level
                    and not window.override_redirect
                    and window.title == title
                    and (wm_class is None or window.wm_class == wm_class)
                ):
                    return window
            return None

        return poll_until(find, timeout, f"a visible window titled {title!r}")

    def wait_for_popup(self, wm_class: str, timeout: float = 5.0) -> x11.Window:
        """A visible popup of the program whose WM_CLASS is ``wm_class``: under an XEmbed
        tray, that is how a ``QSystemTrayIcon.showMessage`` balloon shows."""

        def find() -> x11.Window | None:
            return next((w for w in self.windows() if w.popup and w.wm_class == wm_class), None)

        return poll_until(find, timeout, f"a popup window of {wm_class!r}")

    def tray_icons(self, wm_class: str) -> list[x11.Window]:
        """The visible windows of ``wm_class`` embedded in the tray host: its tray icons."""
        windows = self.windows()
        by_id = {w.id: w for w in windows}
        hosts = {w.id for w in windows if w.wm_class == "trayer"}

        def in_tray(window: x11.Window) -> bool:
            while window.parent in by_id:
                if window.parent in hosts:
                    return True
                window = by_id[window.parent]
            return False

        return [w for w in windows if w.wm_class == wm_class and w.visible and in_tray(w)]

    def tray_owner(self) -> int:
        """The tray host's selection window; 0 when no tray host runs."""
        return x11.selection_owner(self.display, "_NET_SYSTEM_TRAY_S0")

    # -- its session bus ------------------------------------------------------------------

    def name_has_owner(self, name: str) -> bool:
        reply = self.run(
            "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}",
        )  # fmt: skip
        return "boolean true" in reply

    def notifications(self) -> list[Notification]:
        """Every notification dunst has shown since the desktop started, oldest first."""
        return self._notifications.read()

    def wait_for_notification(
        self,
        *,
        summary: str | None = None,
        body_contains: str = "",
        app_name: str | None = None,
        since: float = 0.0,
        timeout: float = 2.0,
    ) -> Notification:
        """The first notification received at or after ``since`` (``time.monotonic()``)
        that matches; fails at the deadline, listing what did arrive."""
        return self._notifications.wait_for(
            summary=summary, body_contains=body_contains, app_name=app_name,
            since=since, timeout=timeout,
        )  # fmt: skip

    def close_notifications(self) -> None:
        """Clear dunst's screen, e.g. before a screenshot; the log keeps them."""
        self.run("dunstctl", "close-all")

    @contextlib.contextmanager
    def without_tray(self) -> Iterator[None]:
        """A desktop with no tray at all while inside (GNOME without AppIndicator): programs
        started meanwhile find ``QSystemTrayIcon.isSystemTrayAvailable()`` false."""
        assert self.trayer is not None and self.start_tray is not None
        self.trayer.stop()
        self.trayer = None
        poll_until(lambda: self.tray_owner() == 0, READY_S, "the tray selection released")
        try:
            yield
        finally:
            self.trayer = self.start_tray()

    @contextlib.contextmanager
    def status_notifier_watcher(self) -> Iterator[Child]:
        """Make the bus look like KDE's (or GNOME's with AppIndicator) while inside: Qt
        programs started meanwhile export their tray icon over D-Bus, and their
        ``showMessage`` becomes a notification that dunst shows, instead of a balloon."""
        name = "org.kde.StatusNotifierWatcher"
        with self.start_script("sni_watcher.py") as watcher:
            watcher.expect_line("ready", READY_S)
            poll_until(lambda: self.name_has_owner(name), READY_S, f"{name} owned")
            yield watcher
        poll_until(lambda: not self.name_has_owner(name), READY_S, f"{name} released")
