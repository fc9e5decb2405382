"""The end-to-end machinery works: the program's window shows on the test's X server, the
tray host is there for Qt, notifications on the private bus reach dunst, and a tray message
can be seen from outside whichever way Qt delivers it.

Two routes exist for ``QSystemTrayIcon.showMessage`` on Linux, and these tests pin both down:
under an XEmbed tray host (trayer, and most lightweight panels) Qt draws a balloon window of its
own next to the icon and the notification daemon never hears of it; where a
StatusNotifierWatcher is on the session bus (KDE, GNOME with AppIndicator) Qt exports the icon
over D-Bus and the message becomes a freedesktop notification.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .desktop import SCRIPTS, Desktop, unavailable
from .gui import GuiProcess
from .processes import poll_until

pytestmark = pytest.mark.e2e

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PROBE = "balloon-probe"  # the application name, and so the WM_CLASS, of scripts/tray_balloon.py


def test_program_window_appears_and_is_screenshotted(
    desktop: Desktop,
    gui: Callable[..., GuiProcess],
    screenshot: Callable[[str], Path],
) -> None:
    program = gui()
    window = desktop.wait_for_window("TCP Monitor", timeout=15.0)
    assert program.running(), program.stderr
    assert window.top_level
    assert window.width > 0
    assert window.height > 0
    shot = screenshot("window")
    assert shot.read_bytes().startswith(PNG_SIGNATURE)


def test_program_quits_by_itself_with_nothing_on_stderr(
    desktop: Desktop, gui: Callable[..., GuiProcess]
) -> None:
    program = gui("--quit-after", "2")
    desktop.wait_for_window("TCP Monitor", timeout=15.0)
    assert program.wait(timeout=10.0) == 0
    assert program.stderr == ""


def test_qt_sees_the_tray_host(desktop: Desktop) -> None:
    assert desktop.tray_owner() != 0
    seen = json.loads(desktop.run_script("tray_available.py"))
    assert seen == {"available": True, "supports_messages": True}


def test_notification_on_the_private_bus_reaches_dunst(desktop: Desktop) -> None:
    body = f"smoke test {time.monotonic_ns()}"
    sent = time.monotonic()
    if importlib.util.find_spec("desktop_notifier") is not None:
        desktop.run(sys.executable, str(SCRIPTS / "notify.py"), "TCP Monitor e2e", "Smoke", body)
    elif shutil.which("notify-send"):
        desktop.run("notify-send", "--app-name=TCP Monitor e2e", "Smoke", body)
    else:
        unavailable("sending a notification needs desktop-notifier (PyPI) or notify-send")
    shown = desktop.wait_for_notification(summary="Smoke", body_contains=body, since=sent)
    assert shown.app_name == "TCP Monitor e2e"
    print(f"\nnotification shown {shown.received - sent:.3f} s after the send began")


def test_tray_message_under_an_xembed_tray_is_a_balloon_by_the_icon(
    desktop: Desktop, screenshot: Callable[[str], Path]
) -> None:
    with desktop.start_script("tray_balloon.py", "TCP Monitor", "balloon test") as probe:
        probe.expect_line("icon")
        icon = poll_until(lambda: desktop.tray_icons(PROBE), 10.0, "the icon in trayer")[0]
        assert not [w for w in desktop.windows() if w.wm_class == PROBE and w.popup]

        sent = time.monotonic()
        probe.send_line("message")
        probe.expect_line("message")
        balloon = desktop.wait_for_popup(PROBE)
        print(f"\nballoon {balloon} shown {time.monotonic() - sent:.3f} s after the call")
        screenshot("balloon")

        centre = icon.x + icon.width // 2
        assert balloon.x <= centre <= balloon.x + balloon.width, (balloon, icon)
        assert balloon.y < icon.y + icon.height + 50, (balloon, icon)
        assert not [n for n in desktop.notifications() if n.received >= sent]


def test_tray_message_with_a_status_notifier_watcher_is_a_notification(
    desktop: Desktop, screenshot: Callable[[str], Path]
) -> None:
    with (
        desktop.status_notifier_watcher() as watcher,
        desktop.start_script("tray_balloon.py", "TCP Monitor", "watcher test") as probe,
    ):
        probe.expect_line("icon")
        watcher.expect_line(lambda line: line.startswith("register "))
        sent = time.monotonic()
        probe.send_line("message")
        probe.expect_line("message")
        shown = desktop.wait_for_notification(
            summary="TCP Monitor", body_contains="watcher test", since=sent
        )
        print(f"\nnotification from {shown.app_name!r} {shown.received - sent:.3f} s after")
        screenshot("notification")
        assert desktop.tray_icons(PROBE) == []
        assert not [w for w in desktop.windows() if w.wm_class == PROBE and w.popup]
