"""One program per user and config dir: a second launch raises the first window and exits.

A ``QLocalServer`` named from the application id (and the config dir, so a test or a second
profile set can run beside the user's own) answers "show" from later launches.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from .. import APP_ID

CONNECT_TIMEOUT_MS = 500


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


def ask_running_instance(name: str, message: bytes = b"show") -> bool:
    """True if another instance answered under ``name`` (and was told ``message``)."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return False
    socket.write(message + b"\n")
    socket.flush()
    socket.waitForBytesWritten(CONNECT_TIMEOUT_MS)
    socket.disconnectFromServer()
    return True


class InstanceServer(QObject):
    """Listens for later launches; ``showRequested`` when one asks."""

    showRequested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.newConnection.connect(self._accept)
        self._connections: set[QLocalSocket] = set()
        self.name = name

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A stale socket from a crashed instance (nobody answered ask_running_instance).
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def _accept(self) -> None:
        while (conn := self._server.nextPendingConnection()) is not None:
            self._connections.add(conn)
            conn.readyRead.connect(self._read)
            conn.disconnected.connect(self._drop)

    def _read(self) -> None:
        for conn in list(self._connections):
            if conn.bytesAvailable() and b"show" in bytes(conn.readAll().data()):
                self.showRequested.emit()

    def _drop(self) -> None:
        for conn in [
            c
            for c in self._connections
            if c.state() != QLocalSocket.LocalSocketState.ConnectedState
        ]:
            self._connections.discard(conn)
            conn.deleteLater()

    def close(self) -> None:
        self._server.close()
        for conn in list(self._connections):
            conn.abort()
        self._connections.clear()
