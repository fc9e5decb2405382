"""Linux desktop integration: the desktop entry, the AppStream metainfo and the icons.

``tcpmonitor-gui --install-desktop-entry`` puts them into the user's XDG data directory
(``$XDG_DATA_HOME``, by default ``~/.local/share``) so the program appears in the application
menu; ``--uninstall-desktop-entry`` removes exactly what was put there. One reverse-DNS id
(``APP_ID``) names the desktop file, the metainfo component, the icon and the
single-instance key.

The same text is what ``packaging/linux/`` holds for distribution packagers (a test keeps
the two equal); the only difference is the command: the committed file runs
``tcpmonitor-gui`` from ``PATH``, a per-user install runs the launcher it was installed from.
Qt-free, so the command line can use it before any window exists.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from .. import APP_ID, assets
from ..core.atomicfile import atomic_write
from .record import Record, read_regular

DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
#: The record of what was installed, in the program's folder of the XDG data directory.
RECORD_FILE = "desktop-files.json"
#: Releases for the metainfo, newest first; the package's version must be the first.
RELEASES: tuple[tuple[str, str], ...] = (("0.1.0", "2026-11-26"),)


def data_home(env: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset or not absolute."""
    return _xdg_dir(env, home, "XDG_DATA_HOME", ".local/share")


def config_home(env: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """``$XDG_CONFIG_HOME``, or ``~/.config`` when it is unset or not absolute."""
    return _xdg_dir(env, home, "XDG_CONFIG_HOME", ".config")


def _xdg_dir(env: Mapping[str, str] | None, home: Path | None, name: str, default: str) -> Path:
    value = (os.environ if env is None else env).get(name, "")
    if value and Path(value).is_absolute():  # the spec: a relative value is ignored
        return Path(value)
    return (Path.home() if home is None else home) / default


def launcher_command() -> list[str]:
    """The command that starts this installation of the program, as absolute paths.

    A PyInstaller bundle is its own executable; a virtualenv or a user install has the
    ``tcpmonitor-gui`` script beside the interpreter; failing both, ``python -m``.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable]
    beside = Path(sys.executable).with_name("tcpmonitor-gui")
    if beside.is_file():
        return [str(beside)]
    found = shutil.which("tcpmonitor-gui")
    if found:
        return [str(Path(found).resolve())]
    return [sys.executable, "-m", "tcpmonitor_gui"]


def exec_line(argv: Sequence[str]) -> str:
    """``argv`` as the value of a desktop entry's ``Exec`` key (quoting per the spec)."""
    return " ".join(_exec_quote(arg) for arg in argv)


def _exec_quote(arg: str) -> str:
    arg = arg.replace("%", "%%")  # a literal percent sign is doubled in Exec
    if arg and not any(c in arg for c in " \t\n\r\"'\\><~|&;$*?#()`="):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    # The desktop file is itself an escaped string format: each backslash is doubled again,
    # and a line break is written \n (as itself it ended the entry: the rest of the path
    # became a line of its own, or a key).
    inner = inner.replace("\\", "\\\\")
    return '"' + inner.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + '"'


def _fill(template: str, values: Mapping[str, str]) -> str:
    text = assets.read_text(template)
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def desktop_entry(argv: Sequence[str] = ("tcpmonitor-gui",), *, autostart: bool = False) -> str:
    """The desktop entry for starting ``argv``; ``autostart`` makes the login-time variant."""
    text = _fill(assets.DESKTOP_ENTRY_TEMPLATE, {"EXEC": exec_line(argv), "ICON": assets.ICON_NAME})
    return text + "X-GNOME-Autostart-enabled=true\n" if autostart else text


def metainfo() -> str:
    """The AppStream metainfo of the application."""
    releases = "\n".join(
        f'    <release version="{escape(version)}" date="{escape(date)}"/>'
        for version, date in RELEASES
    )
    values = {"APP_ID": APP_ID, "DESKTOP_FILE": DESKTOP_FILE, "RELEASES": releases}
    return _fill(assets.METAINFO_TEMPLATE, values)


def install_targets(home: Path) -> dict[Path, str | Path]:
    """What a per-user install writes under ``home`` (an XDG data directory): each target
    path with its text, or with the packaged file it is a copy of."""
    icons = home / "icons" / "hicolor"
    targets: dict[Path, str | Path] = {
        home / "applications" / DESKTOP_FILE: desktop_entry(launcher_command()),
        home / "metainfo" / METAINFO_FILE: metainfo(),
        icons / "scalable" / "apps" / f"{assets.ICON_NAME}.svg": assets.resource_path(
            assets.APP_ICON_SVG
        ),
    }
    for size in assets.APP_ICON_SIZES:
        target = icons / f"{size}x{size}" / "apps" / f"{assets.ICON_NAME}.png"
        targets[target] = assets.app_icon_png(size)
    return targets


def install_record(home: Path) -> Record:
    """The record of what was installed under ``home`` (an XDG data directory)."""
    roots = (home / "applications", home / "metainfo", home / "icons" / "hicolor")
    return Record.load(home / "tcpmonitor" / RECORD_FILE, roots)


@dataclasses.dataclass
class Outcome:
    """What an install or uninstall did: the files written or removed, those left (with
    why), and what it says of its record."""

    done: list[Path]
    left: list[tuple[Path, str]]
    notes: list[str]


class InstallError(OSError):
    """The install stopped; ``written`` are the files it had written by then (recorded)."""

    def __init__(self, message: str, written: Sequence[Path] = ()) -> None:
        super().__init__(message)
        self.written = list(written)


def install(env: Mapping[str, str] | None = None) -> Outcome:
    """Install the desktop entry, metainfo and icons for this user, replacing what an
    install wrote and is unchanged since (``record.py``); a file of one of those names that
    is not (the user's own, or changed, or a link) is never replaced but left, and said.
    Every folder is made before any file is written (a folder that cannot be is the usual
    failure: then nothing is); a file that fails after that raises ``InstallError`` with
    those written before it, which are recorded all the same."""
    home = data_home(env)
    targets = install_targets(home)
    for folder in dict.fromkeys(target.parent for target in targets):
        _make_folder(folder)
    record = install_record(home)
    done = Outcome([], [], record.notes)
    try:
        for target, content in targets.items():
            if os.path.lexists(target):
                why = record.verdict(target, functools.partial(is_own, target, content))
                if why is not None:
                    done.left.append((target, why))
                    continue
            data = content.read_bytes() if isinstance(content, Path) else content.encode()
            try:
                # whole or not at all: a half-written icon (a full disk) is not the file
                # recorded, and would be left for good
                atomic_write(target, data, mode=0o644, follow_links=False)
            except OSError as exc:
                raise InstallError(f"{target}: {exc.strerror or exc}", done.done) from exc
            record.note(target, data)
            done.done.append(target)
    finally:
        record.save()
    _refresh_caches(home)
    return done


def _make_folder(folder: Path) -> None:
    """``folder`` and its parents, or ``InstallError`` naming the one in the way: a link to
    a folder that does not exist, or a file ("File exists" said neither)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return
    except FileExistsError:
        pass
    for part in reversed([folder, *folder.parents]):
        if part.is_symlink() and not part.exists():
            raise InstallError(
                f"{part} is a link to a folder that does not exist ({os.readlink(part)})"
            )
        if part.exists() and not part.is_dir():
            raise InstallError(f"{part} is not a folder")
    folder.mkdir(parents=True, exist_ok=True)  # made meanwhile and gone: its own error


def uninstall(env: Mapping[str, str] | None = None) -> Outcome:
    """Remove what an install wrote (this version or another: what its record names) and
    is unchanged since, and nothing else; what it leaves is said with why."""
    home = data_home(env)
    targets = install_targets(home)
    record = install_record(home)
    done = Outcome([], [], record.notes)
    try:
        for target in dict.fromkeys([*targets, *record.files]):
            if not os.path.lexists(target):
                record.forget(target)
                continue
            content = targets.get(target)
            looks_ours = functools.partial(is_own, target, content) if content else bool
            if (why := record.verdict(target, looks_ours)) is not None:
                done.left.append((target, why))
                continue
            target.unlink()
            record.forget(target)
            done.done.append(target)
    finally:
        record.save()
    _refresh_caches(home)
    return done


def is_own(target: Path, content: str | Path) -> bool:
    """``target`` holds what an install (or start at login) writes there (a desktop entry's
    ``Exec`` aside: it runs whichever launcher installed it)."""
    want = content.read_bytes() if isinstance(content, Path) else content.encode()
    entry = target.name == DESKTOP_FILE  # its Exec may be longer than the one in ``content``
    found = read_regular(target, (1 << 16) if entry else len(want) + 1)
    if found is None:
        return False
    if entry:
        return _without_exec(found) == _without_exec(want)
    return found == want


def _without_exec(text: bytes) -> list[bytes]:
    return [line for line in text.splitlines() if not line.startswith(b"Exec=")]


def command(*, remove: bool) -> int:
    """``--install-desktop-entry``, or ``--uninstall-desktop-entry`` (``remove``): says
    what it did, or why not (exit 1)."""
    if not sys.platform.startswith("linux"):
        print("tcpmonitor-gui: desktop entries are for Linux (XDG) desktops", file=sys.stderr)
        return 2
    try:
        done = uninstall() if remove else install()
    except OSError as exc:
        said = ""
        if isinstance(exc, InstallError):  # what it wrote before it stopped, if anything
            for path in exc.written:
                print(f"installed {path}")
            count = len(exc.written)
            said = f"; only the {count} files above were installed" if count else ""
            said = said or "; nothing was installed"
        print(f"tcpmonitor-gui: {exc}{said}", file=sys.stderr)
        return 1
    verb = "removed" if remove else "installed"
    for path in done.done:
        print(f"{verb} {path}")
    for note in done.notes:
        print(f"tcpmonitor-gui: {note}", file=sys.stderr)
    for path, why in done.left:
        if remove:
            print(f"left {path}: {why}")
        else:  # never replaced: the install is not complete
            print(f"tcpmonitor-gui: left {path}: {why}; move it away and run this again"
                  " to install it", file=sys.stderr)  # fmt: skip
    if remove and not done.done and not done.left:
        print("nothing to remove: no desktop entry was installed")
    return 1 if done.left and not remove else 0


def _refresh_caches(home: Path) -> None:
    """Tell the menu and the icon theme; optional tools, so their absence is fine."""
    commands = (
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
    )
    for command in commands:
        if shutil.which(command[0]) and Path(command[-1]).is_dir():
            subprocess.run(command, check=False, capture_output=True, timeout=30)
