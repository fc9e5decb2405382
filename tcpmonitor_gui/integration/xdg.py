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

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path

from .. import APP_ID, assets
from ..core.atomicfile import atomic_write

DESKTOP_FILE = f"{APP_ID}.desktop"
METAINFO_FILE = f"{APP_ID}.metainfo.xml"
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


class InstallError(OSError):
    """The install stopped; ``written`` are the files it had written by then."""

    def __init__(self, message: str, written: Sequence[Path] = ()) -> None:
        super().__init__(message)
        self.written = list(written)


def install(env: Mapping[str, str] | None = None) -> tuple[list[Path], list[Path]]:
    """Install the desktop entry, metainfo and icons for this user: the paths written, and
    those left where a file of that name is not what an install writes (the user's own, or
    changed, or a link: never replaced). Every folder is made before any file is written (a
    folder that cannot be is the usual failure: then nothing is); a file that fails after
    that raises ``InstallError`` with those written before it."""
    home = data_home(env)
    targets = install_targets(home)
    for folder in dict.fromkeys(target.parent for target in targets):
        _make_folder(folder)
    written: list[Path] = []
    left: list[Path] = []
    for target, content in targets.items():
        if os.path.lexists(target) and not is_own(target, content):
            left.append(target)
            continue
        try:
            data = content.read_bytes() if isinstance(content, Path) else content.encode()
            # whole or not at all: a half-written icon (a full disk) would be a file an
            # install does not recognise as its own, left for good
            atomic_write(target, data, mode=0o644, follow_links=False)
        except OSError as exc:
            raise InstallError(f"{target}: {exc.strerror or exc}", written) from exc
        written.append(target)
    _refresh_caches(home)
    return written, left


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


def uninstall(env: Mapping[str, str] | None = None) -> tuple[list[Path], list[Path]]:
    """Remove what ``install`` wrote, and nothing else: the paths removed, and those left
    where a file of that name is not what an install writes (the user's own, or edited)."""
    home = data_home(env)
    removed, left = [], []
    for target, content in install_targets(home).items():
        if not os.path.lexists(target):
            continue
        if is_own(target, content):
            target.unlink()
            removed.append(target)
        else:
            left.append(target)
    _refresh_caches(home)
    return removed, left


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


def read_regular(target: Path, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of ``target`` if it is a regular file; read without following
    a link or waiting on a FIFO."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(target, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def _without_exec(text: bytes) -> list[bytes]:
    return [line for line in text.splitlines() if not line.startswith(b"Exec=")]


def command(*, remove: bool) -> int:
    """``--install-desktop-entry``, or ``--uninstall-desktop-entry`` (``remove``): says
    what it did, or why not (exit 1)."""
    if not sys.platform.startswith("linux"):
        print("tcpmonitor-gui: desktop entries are for Linux (XDG) desktops", file=sys.stderr)
        return 2
    left: list[Path] = []
    try:
        done, left = uninstall() if remove else install()
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
    for path in done:
        print(f"{verb} {path}")
    mine = "not what --install-desktop-entry writes (your own, or changed)"
    for path in left:
        if remove:
            print(f"left {path}: {mine}")
        else:  # never replaced: the install is not complete
            print(f"tcpmonitor-gui: left {path}: {mine}; move it away and run this again"
                  " to install it", file=sys.stderr)  # fmt: skip
    if remove and not done and not left:
        print("nothing to remove: no desktop entry was installed")
    return 1 if left and not remove else 0


def _refresh_caches(home: Path) -> None:
    """Tell the menu and the icon theme; optional tools, so their absence is fine."""
    commands = (
        ["update-desktop-database", "-q", str(home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(home / "icons" / "hicolor")],
    )
    for command in commands:
        if shutil.which(command[0]) and Path(command[-1]).is_dir():
            subprocess.run(command, check=False, capture_output=True, timeout=30)
