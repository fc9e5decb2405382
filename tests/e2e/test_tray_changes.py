"""The tray is not forever: it can go away while the program runs (a panel crash, a desktop
switch), and a balloon can open under the pointer. Alerts must still arrive, every notice must
end, and the window must never be hidden where nothing can bring it back."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tcpmonitor_gui.lab import LineEchoServer

from . import x11
from .desktop import Desktop
from .gui import GuiProcess
from .processes import poll_until
from .test_desktop_program import APP_CLASS, NOTICE_WITHIN_S, write_profiles

pytestmark = pytest.mark.e2e

#: The program looks for the tray every 2 s (ui/tray.py, WATCH_MS); a margin for a busy machine.
TRAY_NOTICED_S = 6.0


def main_window_visible(desktop: Desktop) -> bool:
    return any(
        w.visible and w.top_level and w.title == "TCP Monitor" and not w.override_redirect
        for w in desktop.windows()
    )


def test_when_the_tray_goes_away_alerts_still_arrive_and_the_window_comes_back(
    desktop: Desktop,
    gui: Callable[..., GuiProcess],
    server: LineEchoServer,
    tmp_path: Path,
    screenshot: Callable[[str], Path],
) -> None:
    write_profiles(tmp_path, server)
    program = gui()
    window = desktop.wait_for_window("TCP Monitor", timeout=15.0)
    poll_until(lambda: desktop.tray_icons(APP_CLASS) or None, 10.0, "our tray icon")
    assert server.wait_for_connections(1, timeout=10.0), program.stderr
    x11.close_window(desktop.display, window.id)  # hides to the tray, as it should
    poll_until(lambda: not main_window_visible(desktop) or None, 10.0, "the window hidden")

    with desktop.without_tray():  # the panel crashes: our icon and the hidden window with it
        poll_until(
            lambda: main_window_visible(desktop) or None,
            TRAY_NOTICED_S,
            "the window back on the screen once the tray was gone",
        )
        screenshot("tray-gone")
        killed_at = time.monotonic()
        server.stop()
        notice = desktop.wait_for_notification(
            body_contains="Orders DB", since=killed_at, timeout=NOTICE_WITHIN_S
        )
        assert "down" in notice.summary.lower()
        window = desktop.wait_for_window("TCP Monitor", timeout=5.0)
        x11.close_window(desktop.display, window.id)  # nowhere to hide now: it quits
        assert program.wait(timeout=10.0) == 0, program.stderr


def test_a_balloon_under_the_pointer_still_closes(
    desktop: Desktop,
    gui: Callable[..., GuiProcess],
    server: LineEchoServer,
    tmp_path: Path,
) -> None:
    write_profiles(tmp_path, server)
    program = gui()
    desktop.wait_for_window("TCP Monitor", timeout=15.0)
    assert server.wait_for_connections(1, timeout=10.0), program.stderr
    server.stop()
    balloon = desktop.wait_for_popup(APP_CLASS, timeout=NOTICE_WITHIN_S)
    shown_at = time.monotonic()
    centre = (balloon.x + balloon.width // 2, balloon.y + balloon.height // 2)
    desktop.xdotool("mousemove", "--sync", str(centre[0]), str(centre[1]))
    poll_until(
        lambda: not any(w.id == balloon.id and w.visible for w in desktop.windows()) or None,
        20.0,
        "the balloon closed although the pointer rests on it",
    )
    lasted = time.monotonic() - shown_at
    print(f"\nthe balloon under the pointer closed after {lasted:.1f} s")
    assert lasted < 15.0


def test_a_tray_that_comes_after_the_program_shows_its_alerts(
    desktop: Desktop,
    gui: Callable[..., GuiProcess],
    server: LineEchoServer,
    tmp_path: Path,
) -> None:
    """Started before the panel (at login, by autostart), the program docked its icon once the
    tray came, and closing the window then hid it there; but its alerts never went to that
    tray: the tray's way was left out for good at the start. They went to the desktop's
    service where there was one, and where there was none to the banner of the window hidden
    in the tray, which nobody saw. A tray that comes later shows them, as one there from the
    start does."""
    write_profiles(tmp_path, server)
    with desktop.without_tray():
        program = gui()
        desktop.wait_for_window("TCP Monitor", timeout=15.0)
        assert server.wait_for_connections(1, timeout=10.0), program.stderr
    poll_until(lambda: desktop.tray_icons(APP_CLASS) or None, TRAY_NOTICED_S, "our tray icon")
    server.stop()
    balloon = desktop.wait_for_popup(APP_CLASS, timeout=NOTICE_WITHIN_S)
    assert balloon.width > 0
