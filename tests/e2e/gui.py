"""Running the installed ``tcpmonitor-gui`` on the test's desktop, as a person's launcher would.

The program runs as its own process from the script that the package installs next to the
interpreter, with its config and data in the test's temporary dirs and the desktop's env (so
its tray icon goes to the test's trayer and its notifications to the test's dunst). Its stdout
and stderr go to files that a test can read at any time; ``stop`` ends it (SIGTERM, SIGKILL at
the deadline), reaps it and closes the files.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from .desktop import Desktop
from .processes import Child

TCPMONITOR_GUI = Path(sys.executable).parent / "tcpmonitor-gui"

_serial = itertools.count(1)


class GuiProcess(Child):
    """One run of the program. Every launch in a test shares the test's config and data dirs,
    as two launches by the same person would (a second launch finds the first)."""

    def __init__(
        self,
        desktop: Desktop,
        tmp_path: Path,
        args: tuple[str, ...],
        env: dict[str, str] | None = None,
    ) -> None:
        n = next(_serial)
        self.config_dir = tmp_path / "config"
        self.data_dir = tmp_path / "data"
        self.stdout_path = tmp_path / f"gui-{n}.stdout"
        self.stderr_path = tmp_path / f"gui-{n}.stderr"
        argv = [
            str(TCPMONITOR_GUI),
            "--config-dir", str(self.config_dir),
            "--data-dir", str(self.data_dir),
            *args,
        ]  # fmt: skip
        env = {**desktop.env, **(env or {})}
        super().__init__(argv, env=env, log=self.stderr_path, stdout_log=self.stdout_path)

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")


def launch_gui(
    desktop: Desktop, tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> GuiProcess:
    """Start ``tcpmonitor-gui`` with ``args`` (and ``env`` over the desktop's); the caller
    stops it (the ``gui`` fixture does)."""
    if not TCPMONITOR_GUI.exists():
        raise AssertionError(f"{TCPMONITOR_GUI} is not installed: run `make` first")
    return GuiProcess(desktop, tmp_path, args, env)
