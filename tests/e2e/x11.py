"""What is on the X screen, seen from outside as a person (or a window manager) would see it.

Windows come from one ``xwininfo -root -tree`` (ids, titles, WM_CLASS, geometry, nesting) and
one ``xdotool search --onlyvisible`` (which of them are mapped and viewable). The tray's
readiness is the owner of the ``_NET_SYSTEM_TRAY_S0`` selection, the very thing Qt's
``QSystemTrayIcon.isSystemTrayAvailable()`` looks at, asked through libX11 with ctypes because
no command-line tool prints a selection's owner.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import functools
import re
import subprocess

COMMAND_TIMEOUT_S = 10.0

#: ``     0x600007 "TCP Monitor": ("tcpmonitor-gui" "TCP Monitor")  640x240+0+0  +0+0``
_LINE = re.compile(
    r"^(?P<indent>\s*)(?P<id>0x[0-9a-f]+) (?:\"(?P<title>.*)\"|\(has no name\)): "
    r"\((?:\"(?P<instance>.*?)\" \"(?P<wm_class>.*?)\")?\)\s+"
    r"(?P<w>\d+)x(?P<h>\d+)\+-?\d+\+-?\d+\s+\+(?P<x>-?\d+)\+(?P<y>-?\d+)"
)


@dataclasses.dataclass(frozen=True)
class Window:
    """One X window. ``x``/``y`` are relative to the screen; ``parent`` is 0 for top-level
    windows (children of the root), so a tray icon shows up as a child of the tray host."""

    id: int
    title: str | None
    instance: str | None
    wm_class: str | None
    x: int
    y: int
    width: int
    height: int
    parent: int
    visible: bool
    #: Placed by the program itself, past any window manager: tooltips, menus, Qt's tray
    #: balloons. Looked up for visible top-level windows only (False for the others).
    override_redirect: bool

    @property
    def top_level(self) -> bool:
        return self.parent == 0

    @property
    def popup(self) -> bool:
        """A visible top-level window that is not a window a person manages (see above)."""
        return self.visible and self.top_level and self.override_redirect


def _run(argv: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        argv, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S, check=False
    )
    if done.returncode != 0 and done.stdout == "":
        # xdotool search exits 1 when nothing matches; anything else is a real failure.
        if argv[0] == "xdotool" and done.stderr == "":
            return ""
        raise AssertionError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


#: How often a listing that met a window vanishing under it is made again.
_VANISHED_RETRIES = 5


def _visible(env: dict[str, str]) -> set[int]:
    """The viewable windows' ids. ``xdotool search`` lists the windows, then asks about each:
    one destroyed in between (a balloon closing, a tooltip) fails the whole search with
    BadWindow, which says nothing about the program, so the search is made again."""
    argv = ["xdotool", "search", "--onlyvisible", "--name", "--class", "--classname", ""]
    for attempt in range(_VANISHED_RETRIES):
        try:
            return {int(word) for word in _run(argv, env).split()}
        except AssertionError as exc:
            if "BadWindow" not in str(exc) or attempt == _VANISHED_RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def windows(env: dict[str, str]) -> list[Window]:
    """Every window on the display, the topmost first, each followed by its children."""
    visible = _visible(env)
    found: list[Window] = []
    parents: list[tuple[int, int]] = []  # (indent, window id) of the enclosing windows
    for line in _run(["xwininfo", "-root", "-tree"], env).splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        indent = len(m["indent"])
        while parents and parents[-1][0] >= indent:
            parents.pop()
        wid = int(m["id"], 16)
        parent = parents[-1][1] if parents else 0
        found.append(
            Window(
                id=wid,
                title=m["title"],
                instance=m["instance"],
                wm_class=m["wm_class"],
                x=int(m["x"]),
                y=int(m["y"]),
                width=int(m["w"]),
                height=int(m["h"]),
                parent=parent,
                visible=wid in visible,
                override_redirect=not parent and wid in visible and _override_redirect(wid, env),
            )
        )
        parents.append((indent, wid))
    return found


def _override_redirect(window: int, env: dict[str, str]) -> bool:
    try:
        info = _run(["xwininfo", "-id", hex(window)], env)
    except AssertionError:
        return False  # gone since the tree was listed
    return "Override Redirect State: yes" in info


@functools.cache
def _xlib() -> ctypes.CDLL:
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    lib = ctypes.CDLL(name)
    lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    lib.XOpenDisplay.restype = ctypes.c_void_p
    lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    lib.XInternAtom.restype = ctypes.c_ulong
    lib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    lib.XGetSelectionOwner.restype = ctypes.c_ulong
    lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return lib


def xlib_available() -> bool:
    try:
        _xlib()
    except OSError:
        return False
    return True


def selection_owner(display: str, selection: str) -> int:
    """The window that owns ``selection`` on ``display``; 0 for none."""
    lib = _xlib()
    dpy = lib.XOpenDisplay(display.encode())
    if not dpy:
        raise AssertionError(f"cannot open X display {display}")
    try:
        atom = lib.XInternAtom(dpy, selection.encode(), False)
        return int(lib.XGetSelectionOwner(dpy, atom))
    finally:
        lib.XCloseDisplay(dpy)


class _ClientMessage(ctypes.Structure):
    """``XClientMessageEvent``, padded to the size of an ``XEvent`` (24 longs)."""

    _fields_ = [
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("message_type", ctypes.c_ulong),
        ("format", ctypes.c_int),
        ("data", ctypes.c_long * 5),
        ("pad", ctypes.c_long * 12),
    ]


_CLIENT_MESSAGE = 33  # X.h


def close_window(display: str, window: int) -> None:
    """Ask ``window`` to close as a window manager's close button does: a ``WM_DELETE_WINDOW``
    client message (the program decides what closing means; ``xdotool windowclose`` would
    destroy the window under it instead)."""
    lib = _xlib()
    lib.XSendEvent.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.c_void_p
    ]  # fmt: skip
    lib.XFlush.argtypes = [ctypes.c_void_p]
    dpy = lib.XOpenDisplay(display.encode())
    if not dpy:
        raise AssertionError(f"cannot open X display {display}")
    try:
        event = _ClientMessage()
        event.type = _CLIENT_MESSAGE
        event.window = window
        event.message_type = lib.XInternAtom(dpy, b"WM_PROTOCOLS", False)
        event.format = 32
        event.data[0] = lib.XInternAtom(dpy, b"WM_DELETE_WINDOW", False)
        event.data[1] = 0  # CurrentTime
        if not lib.XSendEvent(dpy, window, False, 0, ctypes.byref(event)):
            raise AssertionError(f"XSendEvent to window {window:#x} failed")
        lib.XFlush(dpy)
    finally:
        lib.XCloseDisplay(dpy)
