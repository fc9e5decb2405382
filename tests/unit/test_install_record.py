"""What ``--install-desktop-entry`` and start at login write, and how they know it again
(``integration/xdg.py``, ``integration/autostart.py``), run in-process against temporary XDG
directories (the command itself is driven in ``test_desktop_integration.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tcpmonitor_gui.integration import xdg
from tcpmonitor_gui.integration.autostart import Autostart


def dead_pid() -> int:
    """The id of a process that has ended."""
    done = subprocess.Popen([sys.executable, "-c", ""])
    done.wait()
    return done.pid


def test_files_left_half_written_by_a_killed_install_are_cleared_by_the_next(
    xdg_env: dict[str, str], tmp_path: Path
) -> None:
    """An install (or start at login turned on) killed while it wrote left its temporary
    file beside the target for good: it had a whole-file write of its own, which cleared no
    one's leftovers. It writes as the config files are written, which clears those of writers
    that are gone (one still running keeps its own)."""
    entry = tmp_path / "data" / "applications" / xdg.DESKTOP_FILE
    login = tmp_path / "config" / "autostart" / xdg.DESKTOP_FILE
    alive = entry.with_name(f".{entry.name}.tmp-{os.getpid()}-00000000")
    leftovers = [alive]
    for target in (entry, login):
        target.parent.mkdir(parents=True)
        leftovers.append(target.with_name(f".{target.name}.tmp-{dead_pid()}-0badf00d"))
    for leftover in leftovers:
        leftover.write_text("[Desktop Entry]\nName=TCP Mon")
    xdg.install(xdg_env)
    Autostart("linux", env=xdg_env, home=tmp_path / "home").enable(["/opt/tcpmonitor-gui"])
    assert [p.name for p in leftovers if p.exists()] == [alive.name]
    assert entry.is_file() and login.is_file()
