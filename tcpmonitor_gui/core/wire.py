"""The protocol object under every held connection: a read is always pending.

asyncio's selector loop reads whenever the socket is readable, so a FIN, an RST or the
kernel giving up (ETIMEDOUT from keepalive or the user timeout) reaches ``connection_lost``
the moment it arrives, with no heartbeat needed. What a peer sends is kept up to 64 KiB and
no more, whatever it sends.

A peer that floods (the 64 KiB fill before they are taken) is not read on as it comes:
reading stops and TCP's flow control holds the peer back (its window closes), so a flood
costs almost no CPU here, where reading it cost 63 % of a core. Every ``FLOOD_POLL_S`` the
kernel is asked whether the peer reset or closed the connection (an RST is seen so), and up
to ``FLOOD_DRAIN`` bytes are read and dropped: a FIN comes after the data the peer queued
before it, so it arrives once that is drained (a peer's send buffer of a few MiB in a few
tenths of a second). ``take`` and ``wait_data`` read as usual again. Under TLS the bytes on
the socket are the cipher's, and one read from under it ends the connection (the next record
fails, "DECRYPTION_FAILED_OR_BAD_RECORD_MAC"): there reading resumes through TLS instead, and
drops up to ``FLOOD_DRAIN`` bytes of what it deciphers.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import socket
import time
from typing import Any

from .sockopts import last_ack_age_ms, peer_gone
from .stamped import StampedSocket

MAX_BUFFER = 64 * 1024
#: While a flooding peer is not read, how often the kernel is asked whether it closed.
FLOOD_POLL_S = 0.05
#: The receive buffer a flooding peer's connection is held to (the kernel's autotuning would
#: let it grow to megabytes, each read again on ``take``).
FLOOD_RCVBUF = 64 * 1024
#: Read and dropped from a flooding peer every ``FLOOD_POLL_S``: 10 MB/s at most, a
#: millisecond of copying a second.
FLOOD_DRAIN = 512 * 1024
_SCRATCH = bytearray(256 * 1024)


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
        #: ``time.monotonic()`` of the question sent on it and not yet answered.
        self.asked_at: float | None = None
        #: When the last question went out, the peer's FIN (or RST) already waited in the
        #: kernel, unread, with nothing before it: the peer ended before the question.
        self.ended_before_asked = False
        #: The socket's byte count (``StampedSocket.read_total``) up to which what is read
        #: was waiting in the kernel when the question went out: not its answer.
        self._unasked_upto = 0
        self._tls = False
        self.eof = False
        self._waiter: asyncio.Future[None] | None = None
        self.ack_age_at_loss_ms: float | None = None
        #: Reading is stopped (a flood), and the timer that asks the kernel meanwhile.
        self.throttled = False
        self._poll: asyncio.TimerHandle | None = None
        #: Under TLS, while throttled: how much more of what is deciphered is dropped.
        self._sipping = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._tls = transport.get_extra_info("ssl_object") is not None

    def ask_out(self) -> float:
        """A question goes out now: what the kernel holds unread is from before it, whatever
        its receive stamp says (the kernel may not have stamped it). Returns the time."""
        if self._stamped is not None:
            self._unasked_upto = self._stamped.read_total + self._stamped.waiting()
        self.ended_before_asked = self._ended_unread()
        self.asked_at = time.monotonic()
        return self.asked_at

    def _ended_unread(self) -> bool:
        """Whether the kernel holds the peer's end (a FIN or an error) and no byte before
        it, not read yet (Linux's stamped sockets, not under TLS: elsewhere not known)."""
        if self.eof:
            return True
        if self._stamped is None or self._tls or not self.unread():
            return False
        return self._stamped.waiting() == 0

    def _asked(self, data: bytes) -> bytes:
        """``data`` without what was waiting in the kernel when the question went out."""
        if self._stamped is None:
            return data
        unasked = self._unasked_upto - self._stamped.read_total
        if unasked >= 0:
            return b""  # all of this read was there before the question
        if self._tls:
            return data  # deciphered: whose bytes were whose is not known; it straddles
        return data[max(0, len(data) + unasked) :]

    def data_received(self, data: bytes) -> None:
        if self._sipping:
            self._sip(len(data))
            return
        arrived = self._stamped.received_at() if self._stamped is not None else None
        if arrived is not None and self.asked_at is not None and arrived < self.asked_at:
            # It waited in the kernel, unread, while the question went out: not its answer
            # (a peer that spoke unasked before it was "answered" in 0.0 ms).
            return
        data = self._asked(data)
        if not data:
            return
        self.last_data_at = time.monotonic() if arrived is None else arrived
        room = MAX_BUFFER - len(self.buffer)
        if len(data) > room:
            self.overflowed = True
            data = data[: max(room, 0)]
        self.buffer += data
        if len(self.buffer) >= MAX_BUFFER:
            self._throttle()
        self._wake()

    def _throttle(self) -> None:
        """Stop reading a flooding peer; watch its connection's state instead."""
        transport = self.transport
        if self.throttled or transport is None or transport.is_closing():
            return
        sock = transport.get_extra_info("socket")
        if sock is None or peer_gone(sock) is None:
            return  # no way to watch it without reading: read on (and drop)
        self.throttled = True
        self.overflowed = True  # more is coming that is not kept
        transport.pause_reading()
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, FLOOD_RCVBUF)
        self._poll = asyncio.get_running_loop().call_later(FLOOD_POLL_S, self._look)

    def _look(self) -> None:
        self._poll = None
        transport = self.transport
        if not self.throttled or transport is None or transport.is_closing():
            return
        sock = transport.get_extra_info("socket")
        if sock is None or peer_gone(sock) or (not self._tls and self._drain(sock)):
            self._read_again()  # the FIN or RST is read now, and lost follows at once
            return
        if self._tls and not self._sipping:  # drained through TLS, as it deciphers
            self._sipping = FLOOD_DRAIN
            transport.resume_reading()
        self._poll = asyncio.get_running_loop().call_later(FLOOD_POLL_S, self._look)

    def _sip(self, got: int) -> None:
        """Drop ``got`` deciphered bytes of a flooding TLS peer; pause at the budget's end."""
        self.last_data_at = time.monotonic()
        self._sipping = max(0, self._sipping - got)
        if not self._sipping and self.transport is not None and not self.transport.is_closing():
            self.transport.pause_reading()

    def _drain(self, sock: Any) -> bool:
        """Read and drop up to ``FLOOD_DRAIN`` bytes; True if the end came (EOF or an error,
        which is then the connection's: reading it consumed it)."""
        drained = 0
        while drained < FLOOD_DRAIN:
            try:
                got = os.readv(sock.fileno(), [_SCRATCH])  # non-blocking: asyncio's socket
            except (BlockingIOError, InterruptedError):
                return False
            except OSError as exc:
                self._end(exc)
                return True
            if got == 0:
                return True  # EOF: read again, and the transport finds it too
            if self._stamped is not None:
                self._stamped.read_total += got
            self.last_data_at = time.monotonic()
            drained += got
        return False

    def cut(self, exc: BaseException) -> None:
        """End the connection now, for ``exc`` (a ``CheckFailed``: why it cannot live on)."""
        self._end(exc)

    def _end(self, exc: BaseException) -> None:
        """The connection failed under a drain (an RST): said as the reading would have."""
        self.lost_at = time.monotonic()
        if not self.lost.done():
            self.lost.set_result(exc)
        if self.transport is not None:
            self.transport.abort()
        self._wake()

    def _read_again(self) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None
        if self._sipping:
            self._sipping = 0  # reading is on already: keep it so
            self.throttled = False
            return
        if self.throttled:
            self.throttled = False
            if self.transport is not None and not self.transport.is_closing():
                self.transport.resume_reading()

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
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None
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
        self._read_again()  # someone wants more: a flooding peer is read again
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
        """What arrived, emptied; a flooding peer is read again (until the next 64 KiB)."""
        data = bytes(self.buffer)
        self.buffer.clear()
        self.overflowed = False
        self._read_again()
        return data

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()
