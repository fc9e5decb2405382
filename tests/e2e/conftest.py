"""Fixtures of the end-to-end tests: one private desktop for the whole session, the program
launched on it per test, and screenshots kept for review.

``desktop`` is session-scoped: starting it takes about a second, and every test leaves it as it
found it (its programs are stopped; notifications stay in dunst's log, so tests look only at
those received after they began, with ``since=``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.lab import LineEchoServer

from .desktop import Desktop
from .gui import GuiProcess, launch_gui
from .session import start_desktop

SCREENSHOTS_ENV = "TCPMONITOR_SCREENSHOTS"


@pytest.fixture(scope="session")
def desktop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    with start_desktop(tmp_path_factory.mktemp("desktop")) as running:
        yield running


@pytest.fixture
def gui(desktop: Desktop, tmp_path: Path) -> Iterator[Callable[..., GuiProcess]]:
    """``gui(*args)`` starts ``tcpmonitor-gui`` on the desktop; all are stopped afterwards.

    Each test starts with no notification on screen: dunst stacks a notification identical to
    one still shown (its ``stack_duplicates``) and never shows it anew, so its rule's script
    never logs it. Two tests whose drops said "after 0.4 s (noticed 0.3 ms ...)" alike, 3 s
    apart, made the second wait in vain for a notice the program had delivered in 1 ms."""
    desktop.close_notifications()
    launched: list[GuiProcess] = []

    def launch(*args: str, env: dict[str, str] | None = None) -> GuiProcess:
        process = launch_gui(desktop, tmp_path, *args, env=env)
        launched.append(process)
        return process

    try:
        yield launch
    finally:
        for process in reversed(launched):
            process.stop()


@pytest.fixture
def screenshot(
    desktop: Desktop, request: pytest.FixtureRequest, tmp_path: Path
) -> Callable[[str], Path]:
    """``screenshot(name)`` saves the screen for review, in ``$TCPMONITOR_SCREENSHOTS`` if
    set (CI keeps that folder), else in the test's tmp_path; prints where."""
    folder = Path(os.environ[SCREENSHOTS_ENV]) if os.environ.get(SCREENSHOTS_ENV) else tmp_path
    test = re.sub(r"[^\w.-]+", "_", request.node.name)

    def take(name: str) -> Path:
        path = desktop.screenshot(folder / f"{test}-{name}.png")
        print(f"\nscreenshot: {path}")
        return path

    return take


@pytest.fixture
def server() -> Iterator[LineEchoServer]:
    """A server of the user's on loopback, for the program to watch."""
    with LineEchoServer() as s:
        yield s
