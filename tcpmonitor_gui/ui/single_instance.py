"""One program per user and config dir: a second launch raises the first window and exits.

The instance that runs holds a lock named from the application id and the config dir (so a
test or a second profile set can run beside the user's own): an advisory ``flock`` on a file
in the user's runtime directory, which the kernel lets go of however the process ends. A
``QLocalServer`` whose socket is beside it answers "show" from later launches.

A launch that gets the lock knows at once that nothing else runs: it asks nobody, and listens
once its window is on screen (Qt's network module is some 7 ms of imports the first frame
does not need). A launch that does not get it asks the holder, waiting while the holder is
still starting. Two launches at the same moment therefore make one window, where asking
first and listening after let both run. Without ``flock`` (Windows) a launch asks first, as
before.

The holder answers "shown" once it has been asked: a holder that is frozen (SIGSTOP, a hung
GUI thread) still has its kernel accept the connection and take the message, and a launch that
took that for an answer said "its window was brought to the front" while nothing came. The
lock file holds the holder's process id, so that a launch that gets no answer can name it.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import logging
import os
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from .. import APP_ID
from ..core.filelock import open_lock_file

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

if sys.platform != "win32":
    import fcntl

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 500
#: How long a launch waits for the holder to answer that it showed its window.
ANSWER_WAIT_S = 5.0
#: How long a launch that found the lock held waits for its holder, still starting, to listen.
STARTING_WAIT_S = 10.0
_RETRY_S = 0.05
#: What the holder answers once its window was brought forward.
ANSWER = b"shown"
#: ... when asked to show a connection (``show NAME``) that it does not have.
UNKNOWN = ANSWER + b"; no such connection"
#: How long a peer may take to send its line, from connecting or its last answer.
PEER_WAIT_S = 2.0
#: The longest line a peer may send; a longer one is cut.
MAX_LINE = 4096
#: Connections served at once; another cuts the oldest.
MAX_PEERS = 16
#: How often the server looks that it still listens (and tries to again, when not).
RELISTEN_MS = 1000
#: The lock's file descriptor, open (and the lock held) until the process ends.
_held: list[int] = []


def server_name(config_dir: Path) -> str:
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    key = f"{user}:{config_dir.resolve()}".encode()
    digest = _sha256(key)[:16]
    return f"{APP_ID}-{digest}"


def _sha256(data: bytes) -> str:
    """SHA-256 from Python's own module where there is one: hashlib loads OpenSSL, a
    hundredth of a second before the window shows. The same digest, so the same name as
    before (a running instance of an older version is still found)."""
    for module in ("_sha2", "_sha256"):  # Python 3.12 and later; 3.11
        try:
            return str(importlib.import_module(module).sha256(data).hexdigest())
        except ImportError:
            continue
    import hashlib  # noqa: PLC0415 - a build without them

    return hashlib.sha256(data).hexdigest()


def folder() -> Path:
    """Where the lock and the socket are: the user's runtime directory, else a folder of
    this user's in the temporary one. Never the temporary one itself, where Qt put the
    socket: another user could make its name first (the name is derived from the user's id
    and config dir, both easy to guess), so the program could not listen and a later launch
    asked, and believed, the other user's server."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if os.path.isabs(runtime):
        return Path(runtime)
    user = os.getuid() if hasattr(os, "getuid") else 0
    return Path(os.environ.get("TMPDIR") or "/tmp") / f"tcpmonitor-{user}"


def _private(where: Path) -> bool:
    """``where`` is a folder (made 0700 if missing) that only this user can write in."""
    if sys.platform == "win32":  # pragma: no cover - Qt's pipes have their own security
        return True
    with contextlib.suppress(OSError):
        where.mkdir(mode=0o700)
    try:
        found = os.lstat(where)
    except OSError:
        return False
    mine = stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid()
    if not (mine and found.st_mode & 0o022 == 0):
        log.warning(
            "%s is not a folder only this user can write in: TCP Monitor does not look"
            " there for a running instance (a second launch starts a second window)",
            where,
        )
        return False
    return True


def lock_path(name: str) -> Path:
    return folder() / f"{name}.lock"


def socket_path(name: str) -> str | None:
    """The server's socket (short: its path must fit in 108 bytes), or None where the
    folder is not private."""
    if sys.platform == "win32":  # pragma: no cover - a pipe's name, not a file's
        return name
    where = folder()
    return str(where / f"tcpmonitor-{name[-16:]}.socket") if _private(where) else None


def _older_lock(name: str) -> Path:
    """Where versions before the private folder had the lock (one with the new where the
    runtime directory is set)."""
    return Path(os.environ.get("XDG_RUNTIME_DIR") or _temp()) / f"{name}.lock"


def _temp() -> str:
    """Qt's temporary folder (``QDir::tempPath``), where those versions had the socket."""
    return os.path.realpath(os.environ.get("TMPDIR") or "/tmp")


def _older(name: str) -> str | None:
    """The socket of a running instance of a version before the private folder (updated
    while its window was open), or None: only if the socket and the lock are this user's
    (another user could have made them: why they moved) and the lock is held."""
    if sys.platform == "win32":  # pragma: no cover - the same pipe's name as ever
        return None
    address = os.path.join(_temp(), name)
    try:
        found = os.lstat(address)
    except OSError:
        return None  # as good as always: the cost of looking is one lstat
    if not stat.S_ISSOCK(found.st_mode) or found.st_uid != os.getuid():
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(_older_lock(name), flags)
    except OSError:
        return None
    try:
        lock = os.fstat(fd)
        if not stat.S_ISREG(lock.st_mode) or lock.st_uid != os.getuid():
            return None
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return None  # nobody holds it: a socket left by one that crashed
    except BlockingIOError:
        return address
    except OSError:
        return None
    finally:
        os.close(fd)  # and with it a lock taken just now


def take_lock(name: str) -> bool | None:
    """True: this process now holds ``name``'s lock, for as long as it runs, so no other
    instance runs; False: another process holds it (running, or still starting); None: no
    lock can be had here (no ``flock``; the file cannot be opened, or is not a regular file
    of this user's): ask, as before. An instance of an earlier version running (updated
    while it ran) holds it too: otherwise a second window monitored everything twice."""
    if sys.platform == "win32" or not _private(folder()):
        return None
    if _older(name) is not None:
        return False
    try:
        # Not a file of ours (in a shared /tmp, another user could have made it to hold):
        # its lock proves nothing.
        fd = open_lock_file(lock_path(name), own=True)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return False
    except OSError:  # a file system without locks
        os.close(fd)
        return None
    _held.append(fd)
    with contextlib.suppress(OSError):  # who holds it, for a launch that gets no answer
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    return True


def holder(name: str) -> int | None:
    """The process id the holder of ``name``'s lock wrote in it, if it can be read (an
    earlier version's, where one runs)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK
    older = _older(name) is not None
    try:
        fd = os.open(_older_lock(name) if older else lock_path(name), flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        text = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        return None
    finally:
        os.close(fd)
    return int(text) if text.isdigit() else None


def ask_running_instance(name: str, message: bytes = b"show", *, wait_s: float = 0.0) -> bool:
    """True if another instance answered under ``name`` that it did ``message``; tried
    again for ``wait_s`` while nobody listens yet (a first instance still starting). False
    also when it took the message and did not answer within ``ANSWER_WAIT_S`` (frozen)."""
    return ask(name, message, wait_s=wait_s) is not None


def asking(show: str | None) -> bytes:
    """What a launch asks: ``show``, or ``show NAME`` for ``--show NAME|ID``."""
    if show is None or not show.strip():
        return b"show"
    return b"show " + show.encode(errors="replace")


def ask(name: str, message: bytes, *, wait_s: float = 0.0) -> bytes | None:
    """``ask_running_instance``, with the answer's line (``ANSWER`` or ``UNKNOWN``); None
    for no answer. ``message``: ``show``, or ``show NAME`` (one line: a line end is cut)."""
    from PySide6.QtNetwork import QLocalSocket  # noqa: PLC0415 - see the module

    addresses = [socket_path(name), _older(name)]
    if not any(addresses):
        return None
    deadline = time.monotonic() + wait_s
    socket = QLocalSocket()
    while (address := _connect(socket, addresses)) is None:
        if time.monotonic() >= deadline:
            return None
        time.sleep(_RETRY_S)  # ok-sleep: a server that is not there yet has no wake-up to give
    if address == addresses[1] and message != b"show":  # it answers "show" and no more
        log.warning("the window that runs is an earlier version's: it can only come forward")
        message = b"show"
    socket.write(message.splitlines()[0][: MAX_LINE - 1] + b"\n")
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    answer = b""
    deadline = time.monotonic() + ANSWER_WAIT_S
    while b"\n" not in answer:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms <= 0 or not socket.waitForReadyRead(left_ms):
            break  # frozen, or gone without a word
        answer += bytes(socket.readAll().data())
    socket.abort()
    line = answer.split(b"\n", 1)[0]
    return line if line.startswith(ANSWER) else None


def _connect(socket: QLocalSocket, addresses: list[str | None]) -> str | None:
    """``socket`` connected to the first of ``addresses`` that listens: which one."""
    for address in filter(None, addresses):  # this version's, then an earlier one's
        socket.abort()
        socket.connectToServer(address)
        if socket.waitForConnected(CONNECT_TIMEOUT_MS):
            return address
    return None


class InstanceServer(QObject):
    """Listens for later launches (from ``listen``); ``showRequested`` when one asks.

    What a peer sends is bounded: one line of at most ``MAX_LINE`` bytes, within
    ``PEER_WAIT_S`` of connecting, on one of at most ``MAX_PEERS`` connections (a new one cuts
    the oldest). A peer that holds a connection open and silent, sends garbage or a line
    without end is cut: a thousand of them took every file this process may open, so the
    server's accept failed and Qt closed it, and no later launch was answered again.

    Qt closes it for good on any failed accept: when the process has no file left for other
    reasons (its monitors' connections), a launch then started a second window. A timer looks
    that it still listens and, when not, listens again as soon as a file is free.
    """

    showRequested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        #: Shows the connection a launch named (``--show``); whether there is one.
        self.show_named: Callable[[str], bool] = lambda _name: False
        self._server: QLocalServer | None = None  # made by listen (see the module)
        #: Each connection with what it has sent so far and when it connected.
        self._peers: dict[QLocalSocket, tuple[bytearray, float]] = {}
        self._sweep = QTimer(self)
        self._sweep.setInterval(int(PEER_WAIT_S * 500))
        self._sweep.timeout.connect(self._cut_late)
        self._relisten = QTimer(self)
        self._relisten.setInterval(RELISTEN_MS)
        self._relisten.timeout.connect(self._still_listening)
        self._lost = False  # said that it no longer listens (said once, until it does again)
        self.name = name

    def listen(self) -> bool:
        from PySide6.QtNetwork import QLocalServer  # noqa: PLC0415 - see the module

        if self._server is None:
            self._server = QLocalServer(self)
            # Only this user may ask (however loose the umask: the folder is private,
            # and this is so where Qt makes it elsewhere).
            self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
            self._server.newConnection.connect(self._accept)
        if (address := socket_path(self.name)) is None:
            return False
        self._relisten.start()  # from now on it listens, or tries again
        if self._server.listen(address):
            return True
        # A stale socket from a crashed instance (it no longer holds the lock, or nobody
        # answered ask_running_instance).
        self._server.removeServer(address)
        return self._server.listen(address)

    def _still_listening(self) -> None:
        if self._server is None or self._server.isListening():
            return
        if not self._lost:
            self._lost = True
            log.warning(
                "single-instance server stopped listening (%s): listening again as soon as it can",
                self._server.errorString(),
            )
        if self.listen():
            self._lost = False
            log.warning("single-instance server listens again")

    def _accept(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            conn = self._server.nextPendingConnection()
            while len(self._peers) >= MAX_PEERS:
                self._cut(next(iter(self._peers)))  # the oldest
            self._peers[conn] = (bytearray(), time.monotonic())
            conn.readyRead.connect(functools.partial(self._read, conn))
            conn.disconnected.connect(functools.partial(self._cut, conn))
            self._read(conn)  # a launch writes as it connects: it may all be here
        if self._peers:
            self._sweep.start()

    def _read(self, conn: QLocalSocket) -> None:
        if conn not in self._peers:
            return
        buffer = self._peers[conn][0]
        buffer += bytes(conn.read(MAX_LINE + 1 - len(buffer)).data())
        if b"\n" not in buffer:
            if len(buffer) > MAX_LINE:
                self._cut(conn)  # a line without end
            return
        line = buffer.split(b"\n", 1)[0]
        word, _, named = line.partition(b" ")
        try:
            text = named.decode()
        except UnicodeDecodeError:
            text = ""
        if word != b"show" or (named and not text.strip()):
            self._cut(conn)  # garbage: no answer
            return
        buffer.clear()
        self._peers[conn] = (buffer, time.monotonic())  # asked: its time starts again
        self.showRequested.emit()
        found = self.show_named(text) if text else True
        conn.write((ANSWER if found else UNKNOWN) + b"\n")  # the launch may say so
        conn.flush()

    def _cut_late(self) -> None:
        oldest = time.monotonic() - PEER_WAIT_S
        for conn in [c for c, (_, since) in self._peers.items() if since < oldest]:
            self._cut(conn)
        if not self._peers:
            self._sweep.stop()

    def _cut(self, conn: QLocalSocket) -> None:
        if self._peers.pop(conn, None) is None:
            return
        conn.readyRead.disconnect()
        conn.disconnected.disconnect()
        conn.abort()
        conn.deleteLater()

    def close(self) -> None:
        self._relisten.stop()
        self._sweep.stop()
        if self._server is not None:
            self._server.close()
        for conn in list(self._peers):
            self._cut(conn)
