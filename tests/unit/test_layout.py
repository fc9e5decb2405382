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
