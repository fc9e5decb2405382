"""Start at login: XDG autostart on Linux, a LaunchAgent on macOS, a Startup-folder shortcut
on Windows.

The file in the platform's place is the only record of the choice (no copy in
``settings.json`` that could disagree with it): the settings dialog reads ``is_enabled`` and
calls ``enable`` or ``disable``. The program starts minimized to the tray at login.
Qt-free; every path derives from a home directory and an environment that tests replace.
"""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import APP_ID
from ..core.atomicfile import atomic_write
from . import xdg
from .record import Record, read_regular

_log = logging.getLogger(__name__)

#: The record of the login entry written, in the program's folder of the XDG config directory.
RECORD_FILE = "autostart-files.json"
#: What the program is started with at login, after the launcher.
LOGIN_ARGS = ("--minimized",)


class AutostartError(Exception):
    """Start at login could not be changed; ``str()`` says what and why."""


def _why(exc: Exception) -> str:
    """The system's words for ``exc`` ("File exists"), as the window translates them; not
    Python's "[Errno 17] File exists: '...'" that it cannot."""
    return getattr(exc, "strerror", None) or str(exc)


class NotOurs(AutostartError):
    """The login entry is not what ``enable`` writes (the user's own, or changed, or a
    link), so it was left where it is; ``path`` names it, ``enabling`` says whether it was
    in the way of turning start at login on (rather than off)."""

    def __init__(self, path: Path, *, enabling: bool = False) -> None:
        if enabling:
            said = "move it away to have TCP Monitor start at login"
        else:
            said = "remove it yourself to stop it starting at login"
        super().__init__(
            f"{path} was left: it is not the entry TCP Monitor writes (your own, or changed);"
            f" {said}"
        )
        self.path = path
        self.enabling = enabling


class Autostart:
    def __init__(
        self,
        platform: str = sys.platform,
        env: Mapping[str, str] | None = None,
        home: Path | None = None,
    ) -> None:
        self.platform = platform
        self.env = dict(os.environ if env is None else env)
        self.home = Path.home() if home is None else home

    @property
    def path(self) -> Path:
        """The file whose presence means "start at login"."""
        if self.platform == "darwin":
            return self.home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
        if self.platform == "win32":
            appdata = Path(self.env.get("APPDATA") or self.home / "AppData" / "Roaming")
            startup = appdata / "Microsoft" / "Windows" / "Start Menu" / "Programs" / "Startup"
            return startup / "TCP Monitor.lnk"
        return xdg.config_home(self.env, self.home) / "autostart" / xdg.DESKTOP_FILE

    def is_enabled(self) -> bool:
        return self.path.is_file()

    def enable(self, argv: Sequence[str]) -> Path:
        """Start ``argv`` (the launcher and any options, e.g. a ``--config-dir``) at login,
        minimized; returns the file written. A file there that is not what it writes (the
        user's own, or changed, or a link, even one to nothing) is never replaced:
        ``NotOurs``."""
        command = [*argv, *LOGIN_ARGS]
        target = self.path
        record = self._record()
        if os.path.lexists(target) and not self._is_ours(target, record):
            raise NotOurs(target, enabling=True)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if self.platform == "darwin":
                _write(target, _launch_agent(command))
            elif self.platform == "win32":
                _windows_shortcut(target, command)
            else:
                text = xdg.desktop_entry(command, autostart=True)
                _write(target, text)
                if record is not None:
                    record.note(target, text.encode())
        except (OSError, subprocess.SubprocessError) as exc:
            raise AutostartError(f"could not write {target}: {_why(exc)}") from exc
        finally:
            self._save(record)
        return target

    def disable(self) -> None:
        """Remove what ``enable`` wrote; a file of that name that is not (the user's own, or
        one they changed) is left, and ``NotOurs`` says so."""
        target = self.path
        record = self._record()
        if not os.path.lexists(target):
            return
        if not self._is_ours(target, record):
            raise NotOurs(target)
        try:
            target.unlink(missing_ok=True)
        except OSError as exc:
            raise AutostartError(f"could not remove {target}: {_why(exc)}") from exc
        if record is not None:
            record.forget(target)
            self._save(record)

    def _record(self) -> Record | None:
        """What ``enable`` wrote (``record.py``), on XDG desktops; kept in the program's
        folder of the XDG config directory."""
        if self.platform in ("darwin", "win32"):
            return None
        config = xdg.config_home(self.env, self.home)
        return Record.load(config / "tcpmonitor" / RECORD_FILE, (config / "autostart",))

    @staticmethod
    def _save(record: Record | None) -> None:
        if record is not None:
            record.save()
            for note in record.notes:
                _log.warning("start at login: %s", note)

    def _is_ours(self, target: Path, record: Record | None) -> bool:
        """What ``enable`` wrote there and is unchanged since, as its record says; without
        one, what it writes there, whatever command it starts. A Windows shortcut is binary,
        made by the shell: its name is all there is to go by."""
        if self.platform == "win32":
            return True
        if record is not None:
            want = xdg.desktop_entry(["tcpmonitor-gui"], autostart=True)
            return record.verdict(target, functools.partial(xdg.is_own, target, want)) is None
        import plistlib  # noqa: PLC0415 - macOS only

        want = plistlib.loads(_launch_agent(["tcpmonitor-gui"]).encode())
        found = read_regular(target, 1 << 16)
        try:
            agent = plistlib.loads(found) if found is not None else None
        except Exception:  # any that does not parse is not ours
            return False
        if not isinstance(agent, dict):
            return False
        command = agent.pop("ProgramArguments", None)
        want.pop("ProgramArguments")
        is_argv = isinstance(command, list) and all(isinstance(a, str) for a in command)
        return is_argv and agent == want


def _write(target: Path, text: str) -> None:
    """``target`` replaced whole; a link put there since it was checked is replaced, not
    written through into the file it leads to."""
    atomic_write(target, text.encode(), mode=0o644, follow_links=False)


def _launch_agent(command: Sequence[str]) -> str:
    import plistlib  # noqa: PLC0415 - macOS only, and only when switching it on

    plist = {
        "Label": APP_ID,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    return plistlib.dumps(plist).decode("utf-8")


def _windows_shortcut(target: Path, command: Sequence[str]) -> None:
    """A .lnk through the shell's COM object; the paths travel in environment variables so
    no quoting can go wrong."""
    script = (
        "$s = (New-Object -ComObject WScript.Shell).CreateShortcut($env:TCPM_LNK);"
        "$s.TargetPath = $env:TCPM_TARGET; $s.Arguments = $env:TCPM_ARGS;"
        "$s.WindowStyle = 7; $s.Save()"
    )
    env = {
        **os.environ,
        "TCPM_LNK": str(target),
        "TCPM_TARGET": command[0],
        "TCPM_ARGS": subprocess.list2cmdline(list(command[1:])),
    }
    subprocess.run(
        ["powershell", "-NoProfile", "-NonInteractive", "-Command", script],
        check=True,
        capture_output=True,
        timeout=30,
        env=env,
    )
