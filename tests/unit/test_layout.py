"""The package's shape: small modules (STYLE.md, practice 9). The layer rules and the absence of
import cycles are import-linter's contracts (pyproject.toml), run by ``make test``."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "tcpmonitor_gui"
MAX_LINES = 450


def test_no_module_is_over_450_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these by what they do: {long}"


def test_no_widget_is_asked_for_its_screen() -> None:
    """``QWidget.screen()`` ties the ``QScreen`` wrapper it returns to the widget (PySide
    6.11), and a widget freed with a garbage cycle then deleted the application's screen:
    the gui suite segfaulted in ``QScreen::virtualSiblings`` while building the next widget.
    ``ui.common.screen.screen_of`` finds the screen by position instead."""
    tests = PACKAGE.parent / "tests"
    asking = [
        f"{path.relative_to(PACKAGE.parent)}:{n}"
        for path in [*PACKAGE.rglob("*.py"), *tests.rglob("*.py")]
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if ".screen()" in line and "``" not in line and path.name != "test_layout.py"
    ]
    assert not asking, f"use ui.common.screen.screen_of: {asking}"
