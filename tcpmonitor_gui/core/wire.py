"""The protocol object under every held connection: a read is always pending.

asyncio's selector loop reads whenever the socket is readable, so a FIN, an RST or the
kernel giving up (ETIMEDOUT from keepalive or the user timeout) reaches ``connection_lost``
the moment it arrives, with no heartbeat needed. What a peer sends is kept up to 64 KiB and
no more, whatever it sends.
"""

from __future__ import annotations

import asyncio
import select
import time

from .sockopts import last_ack_age_ms
from .stamped import StampedSocket

MAX_BUFFER = 64 * 1024


class Wire(asyncio.Protocol):
    def __init__(self, stamped: StampedSocket | None = None) -> None:
        """``stamped``: the socket, when it keeps the kernel's receive time of each read
        (``core.stamped``); then ``last_data_at`` is when the data arrived, not when this
        thread got to read it."""
        loop = asyncio.get_running_loop()
        self._stamped = stamped
        self.lost: asyncio.Future[BaseException | None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.overflowed = False
        #: ``time.monotonic()`` of the last data (its arrival in the kernel where the socket
        #: keeps receive times), and of the FIN/RST/error.
        self.last_data_at: float | None = None
        self.lost_at: float | None = None
        self.eof = False
        self._waiter: asyncio.Future[None] | None = None
        self.ack_age_at_loss_ms: float | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        arrived = self._stamped.received_at() if self._stamped is not None else None
        self.last_data_at = time.monotonic() if arrived is None else arrived
        room = MAX_BUFFER - len(self.buffer)
        if len(data) > room:
            self.overflowed = True
            data = data[: max(room, 0)]
        self.buffer += data
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self.lost_at = time.monotonic()
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        if self.lost_at is None:
            self.lost_at = time.monotonic()
        if self.transport is not None:
            # On a plain transport the socket is still open here (it is closed after this
            # returns), so the kernel can still say when the peer last acknowledged anything.
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                self.ack_age_at_loss_ms = last_ack_age_ms(sock)
        if not self.lost.done():
            self.lost.set_result(exc)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait_data(self) -> None:
        """Wait until more data arrives or the connection is lost."""
        if self.lost.done():
            return
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def unread(self) -> bool:
        """Whether the kernel holds data (or a FIN or an error) this side has not read yet:
        a loop running late has not got to it, which is no sign of a silent peer."""
        if self.transport is None or self.transport.is_closing():
            return False
        sock = self.transport.get_extra_info("socket")
        if sock is None:
            return False
        try:
            readable, _, _ = select.select([sock], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(readable)

    def take(self) -> bytes:
        data = bytes(self.buffer)
        self.buffer.clear()
        self.overflowed = False
        return data

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
