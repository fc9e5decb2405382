"""A private desktop for end-to-end tests: an X server, a session bus, a notification daemon
and a tray host, each started and waited for in turn, all stopped at the end even on failure.

- Xvfb on a free display: ``-displayfd`` hands back the number once it accepts clients, and
  ``-noreset`` keeps it from resetting (and rewriting that fd) when its last client leaves.
- dbus-daemon with a config of our own: a socket in our runtime dir and no service files, so
  nothing on the bus is auto-started behind the test's back (no dunst with the wrong env, no
  accessibility bus). Ready once it prints its address.
- dunst, ready once it owns ``org.freedesktop.Notifications``; a rule runs a script that logs
  every notification it shows, since ``dunstctl history`` omits the ones still on screen.
- trayer, an XEmbed tray host, ready once it owns ``_NET_SYSTEM_TRAY_S0``.
- A screenshot, which also proves Qt's xcb plugin loads (it needs system libraries).

Nothing touches the user's files or session: HOME, the XDG dirs and TMPDIR point at temporary
dirs, and the variables of the surrounding desktop session are dropped.

A missing tool skips the tests, saying which Debian package brings it, except where
``TCPMONITOR_REQUIRE_E2E=1`` (CI), where it fails them instead.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from . import x11
from .desktop import READY_S, REQUIRE_ENV, SCRIPTS, Desktop, unavailable
from .processes import Child, poll_until, read_line

T = TypeVar("T")

SCREEN = "1280x800x24"

#: Command → the Debian package that provides it.
TOOLS = {
    "Xvfb": "xvfb",
    "dbus-daemon": "dbus-daemon",
    "dbus-send": "dbus-bin",
    "dunst": "dunst",
    "dunstctl": "dunst",
    "trayer": "trayer",
    "xdotool": "xdotool",
    "xwininfo": "x11-utils",
}

#: Variables of the surrounding session that would leak it into the test's desktop.
_DROPPED_PREFIXES = ("XDG_", "QT_", "KDE_", "GNOME_", "GTK_", "WAYLAND_", "TCPMONITOR_", "DBUS_")
_DROPPED = {"DISPLAY", "XAUTHORITY", "SESSION_MANAGER", "DESKTOP_SESSION", "DESKTOP_STARTUP_ID"}
_KEPT = {"XDG_DATA_DIRS", "XDG_CONFIG_DIRS", REQUIRE_ENV}

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""

#: Notifications stay a minute (long enough for any screenshot), at the bottom right, out of
#: the way of the tray at the top right and of balloons under it.
DUNSTRC = """[global]
    monitor = 0
    follow = none
    origin = bottom-right
    offset = 10x10
    width = 360
    font = DejaVu Sans 9
    idle_threshold = 0
    show_indicators = no
    notification_limit = 0
    history_length = 100
    dmenu = /bin/false
    browser = /bin/false
    markup = full
[urgency_low]
    timeout = 60
[urgency_normal]
    timeout = 60
[urgency_critical]
    timeout = 60
[record]
    script = {script}
"""


def check_prerequisites() -> None:
    missing = [f"{tool} (Debian package {pkg})" for tool, pkg in TOOLS.items() if not _which(tool)]
    if not x11.xlib_available():
        missing.append("libX11 (Debian package libx11-6)")
    if missing:
        unavailable("end-to-end tests need " + ", ".join(missing))


def _which(tool: str) -> bool:
    return shutil.which(tool) is not None


def _session_env(base: Path, runtime: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key in _KEPT or not (key in _DROPPED or key.startswith(_DROPPED_PREFIXES))
    }
    dirs = {
        "HOME": base / "home",
        "XDG_CONFIG_HOME": base / "home" / ".config",
        "XDG_DATA_HOME": base / "home" / ".local" / "share",
        "XDG_STATE_HOME": base / "home" / ".local" / "state",
        "XDG_CACHE_HOME": base / "home" / ".cache",
        "TMPDIR": base / "tmp",
        "TCPMONITOR_CONFIG_DIR": base / "tcpmonitor-config",
        "TCPMONITOR_DATA_DIR": base / "tcpmonitor-data",
    }
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    env.update({key: str(path) for key, path in dirs.items()})
    env.update(
        XDG_RUNTIME_DIR=str(runtime),
        QT_QPA_PLATFORM="xcb",
        NO_AT_BRIDGE="1",  # GTK (trayer): no accessibility bus to look for
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def start_xvfb(
    stack: contextlib.ExitStack, env: dict[str, str], log_dir: Path, screen: str = SCREEN
) -> str:
    """An Xvfb of ``screen`` (``WxHxDEPTH``) on a free display, stopped with ``stack``; its
    ``DISPLAY``."""
    read_fd, write_fd = os.pipe()
    with open(read_fd, "rb", buffering=0) as display_pipe:
        try:
            xvfb = stack.enter_context(
                Child(
                    ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", screen,
                     "-nolisten", "tcp", "-noreset"],
                    env=env, log=log_dir / f"xvfb-{screen}.log", pass_fds=[write_fd],
                )
            )  # fmt: skip
        finally:
            os.close(write_fd)
        number = _started(xvfb, lambda: read_line(display_pipe.fileno(), READY_S, "Xvfb"))
    return f":{number}"


@contextlib.contextmanager
def start_desktop(base: Path) -> Iterator[Desktop]:
    """Start Xvfb, a session bus, dunst and trayer under ``base``; stop them all on exit."""
    check_prerequisites()
    began = time.monotonic()
    log_dir = base / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # The runtime dir holds the bus socket: a short path (sun_path is 108 bytes), mode 0700.
    runtime = Path(tempfile.mkdtemp(prefix="tcpmonitor-e2e-"))
    with contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, runtime, ignore_errors=True)
        env = _session_env(base, runtime)

        env["DISPLAY"] = start_xvfb(stack, env, log_dir)

        bus_config = runtime / "bus.conf"
        bus_config.write_text(BUS_CONFIG.format(socket=runtime / "bus"))
        read_fd, write_fd = os.pipe()
        with open(read_fd, "rb", buffering=0) as address_pipe:
            try:
                bus = stack.enter_context(
                    Child(
                        ["dbus-daemon", f"--config-file={bus_config}", "--nofork",
                         f"--print-address={write_fd}"],
                        env=env, log=log_dir / "dbus-daemon.log", pass_fds=[write_fd],
                    )
                )  # fmt: skip
            finally:
                os.close(write_fd)
            address = _started(bus, lambda: read_line(address_pipe.fileno(), READY_S, "bus"))
        env["DBUS_SESSION_BUS_ADDRESS"] = address

        desktop = Desktop(base, env, log_dir)
        record = runtime / "record-notification"
        argv = [sys.executable, "-I", SCRIPTS / "record_notification.py", desktop.notification_log]
        record.write_text(f"#!/bin/sh\nexec {shlex.join(map(str, argv))}\n")
        record.chmod(0o700)
        dunstrc = base / "dunstrc"
        dunstrc.write_text(DUNSTRC.format(script=record))
        dunst = stack.enter_context(
            Child(["dunst", "-config", str(dunstrc)], env=env, log=log_dir / "dunst.log")
        )
        _started(
            dunst,
            lambda: poll_until(
                lambda: desktop.name_has_owner("org.freedesktop.Notifications"),
                READY_S,
                "dunst owning org.freedesktop.Notifications",
            ),
        )

        def start_tray() -> Child:
            trayer = Child(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                 "--height", "24"],
                env=env, log=log_dir / "trayer.log",
            )  # fmt: skip
            _started(
                trayer, lambda: poll_until(desktop.tray_owner, READY_S, "trayer owning the tray")
            )
            return trayer

        desktop.start_tray = start_tray
        desktop.trayer = start_tray()
        stack.callback(lambda: desktop.trayer.stop() if desktop.trayer is not None else None)

        _check_qt_xcb(desktop, log_dir / "startup.png")
        desktop.started_in_s = time.monotonic() - began
        print(f"\ndesktop {env['DISPLAY']} up in {desktop.started_in_s:.2f} s; logs in {log_dir}")
        try:
            yield desktop
        finally:
            stopping = time.monotonic()
            stack.close()
            print(f"\ndesktop {env['DISPLAY']} down in {time.monotonic() - stopping:.2f} s")


def _started(child: Child, wait: Callable[[], T]) -> T:
    """Wait for ``child`` to be ready; if it is not, fail with what it said."""
    try:
        return wait()
    except AssertionError as exc:
        state = "still running" if child.running() else f"exit {child.proc.poll()}"
        raise AssertionError(f"{exc}; {child.name} {state}; log:\n{child.log_text()}") from None


def _check_qt_xcb(desktop: Desktop, path: Path) -> None:
    """Qt's xcb plugin needs system libraries (libxcb-cursor0 and friends) that a fresh
    machine may lack: that is a missing prerequisite, not a failure of the program."""
    try:
        desktop.screenshot(path)
    except AssertionError as exc:
        said = [line for line in str(exc).splitlines() if line.startswith("qt.qpa.")]
        if any("Could not load the Qt platform plugin" in line for line in said):
            unavailable("Qt's xcb platform plugin does not load here: " + " ".join(said))
        raise
