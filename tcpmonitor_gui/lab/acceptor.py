"""A listening socket that can be closed at any moment without losing accepted connections.

Why not ``loop.create_server``: on Python 3.11, closing an ``asyncio.Server`` between its
``accept()`` and the task that builds the transport makes that task fail an assertion, which
asyncio swallows; the accepted socket is then never served nor closed (the client hangs, and a
``ResourceWarning`` follows at garbage collection). The proxy's ``refuse`` mode closes the
listener while clients connect, so the lab accepts on its own: on close it first accepts what
the kernel has already queued (those clients completed their handshake: they are existing
connections, not new ones) and hands every accepted socket to the loop before letting go.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

from tcpmonitor_gui.lab.loop_thread import DEADLINE_S

_BACKLOG = 128


class Acceptor:
    """Accepts connections on ``(host, port)`` for ``factory``'s protocols, on the running loop."""

    def __init__(self, factory: Callable[[], asyncio.BaseProtocol], host: str, port: int) -> None:
        self._factory = factory
        self._host = host
        self.port = port
        self._sock: socket.socket | None = None
        self._adopting: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> bool:
        return self._sock is not None

    def listen(self) -> None:
        """Bind (SO_REUSEADDR, so the same port works again at once) and start accepting."""
        if self._sock is not None:
            return
        family, kind, proto, _, address = socket.getaddrinfo(
            self._host, self.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
            sock.listen(_BACKLOG)
            sock.setblocking(False)
            asyncio.get_running_loop().add_reader(sock.fileno(), self._accept_pending)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self.port = sock.getsockname()[1]

    def close(self) -> None:
        """Adopt what the kernel has queued, then close: later connects are refused."""
        sock = self._sock
        if sock is None:
            return
        self._accept_pending()
        asyncio.get_running_loop().remove_reader(sock.fileno())
        sock.close()
        self._sock = None

    async def aclose(self) -> None:
        """Close, and wait until every accepted socket has its transport (or is closed)."""
        self.close()
        if self._adopting:
            await asyncio.wait(self._adopting, timeout=DEADLINE_S)

    def _accept_pending(self) -> None:
        sock = self._sock
        if sock is None:
            return
        loop = asyncio.get_running_loop()
        for _ in range(_BACKLOG):
            try:
                conn, _ = sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # ECONNABORTED and friends: that client is gone already
                continue
            conn.setblocking(False)
            task = loop.create_task(self._adopt(loop, conn))
            self._adopting.add(task)
            task.add_done_callback(self._adopting.discard)

    async def _adopt(self, loop: asyncio.AbstractEventLoop, conn: socket.socket) -> None:
        try:
            await loop.connect_accepted_socket(self._factory, conn)
        except OSError:
            conn.close()  # reset before we got to it: nothing to serve
        except BaseException:
            conn.close()
            raise
