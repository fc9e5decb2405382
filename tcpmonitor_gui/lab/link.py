"""One proxied connection: a client socket, an upstream socket and the two pipes between them.

Built on ``asyncio.Protocol`` and transports rather than streams because the faults need the
socket-level controls that streams hide: ``pause_reading()`` makes a blackhole that leaves the
bytes in the kernel (so neither peer sees them, and they flow again on resume), ``abort()`` after
``SO_LINGER (1, 0)`` makes a real RST, and write-buffer flow control bounds what we hold.
"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from collections import deque
from collections.abc import Callable
from typing import Literal, Protocol

#: A transport's write buffer above this pauses the reading side (resumed below the low mark).
WRITE_HIGH = 256 * 1024
WRITE_LOW = 64 * 1024
#: Bytes a pipe may hold while delaying them or waiting for the upstream connection.
#: With one recv() of overshoot each (256 KiB), a direction holds at most 1 MiB.
QUEUE_LIMIT = 256 * 1024

How = Literal["rst", "fin", "graceful"]


class Policy(Protocol):
    """What a link asks its proxy, on the proxy's loop thread."""

    @property
    def forwarding(self) -> bool: ...

    @property
    def delay_s(self) -> float: ...


def set_rst_on_close(transport: asyncio.BaseTransport) -> None:
    """Make the socket's close send RST instead of FIN (SO_LINGER on, timeout 0)."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def _drain(fd: int) -> None:
    """Discard unread input so close() sends FIN: Linux answers close() with RST otherwise."""
    for _ in range(256):
        try:
            if not os.read(fd, 65536):
                return
        except OSError:  # includes BlockingIOError: nothing (more) to read
            return


class Pipe:
    """One direction of a link: reads from ``src``, writes to ``dst``, in order, maybe late.

    Chunks wait in a FIFO with the time they are due; EOF travels through it as ``None`` so that
    a delayed FIN still comes after the data before it.
    """

    def __init__(self, link: Link) -> None:
        self._link = link
        self.src: asyncio.Transport | None = None
        self.dst: asyncio.Transport | None = None
        self._queue: deque[tuple[float, bytes | None]] = deque()
        self._queued = 0
        self._timer: asyncio.TimerHandle | None = None
        self.dst_full = False
        self.src_eof = False
        self.eof_delivered = False

    @property
    def held(self) -> int:
        """Bytes of this direction in our hands: queued here plus in the writer's buffer."""
        dst = self.dst
        return self._queued + (dst.get_write_buffer_size() if dst is not None else 0)

    def push(self, data: bytes | None) -> None:
        due = asyncio.get_running_loop().time() + self._link.policy.delay_s
        self._queue.append((due, data))
        if data is None:
            self.src_eof = True
        else:
            self._queued += len(data)
        self.refresh()

    def refresh(self) -> None:
        """Deliver whatever is due, then read or stop reading as the policy and buffers allow."""
        self._deliver()
        self.update_reading()

    def update_reading(self) -> None:
        src = self.src
        if src is None or src.is_closing() or self.src_eof:
            return
        policy = self._link.policy
        if policy.forwarding and not self.dst_full and self._queued < QUEUE_LIMIT:
            src.resume_reading()
        else:
            src.pause_reading()

    def _deliver(self) -> None:
        dst = self.dst
        policy = self._link.policy
        if dst is None or dst.is_closing() or not policy.forwarding:
            return
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self._queue and not self.dst_full:  # write() may set dst_full (pause_writing)
            due, data = self._queue[0]
            if due > now and policy.delay_s > 0:
                if self._timer is None or self._timer.when() > due:
                    self.cancel_timer()
                    self._timer = loop.call_at(due, self._on_timer)
                return
            self._queue.popleft()
            if data is not None:
                self._queued -= len(data)
                dst.write(data)
                continue
            self.eof_delivered = True
            if dst.can_write_eof():
                try:
                    dst.write_eof()
                except OSError:  # its peer reset it, unseen: we stopped reading it at its FIN
                    self._link.kill(client="rst", upstream="rst")
                    return
            self._link.finish_if_done()
            return

    def _on_timer(self) -> None:
        self._timer = None
        self.refresh()

    def cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def discard(self) -> None:
        self.cancel_timer()
        self._queue.clear()
        self._queued = 0


class Side(asyncio.Protocol):
    """The protocol on one of a link's two sockets: feeds ``inbound``, written by ``outbound``."""

    def __init__(self, link: Link, inbound: Pipe, outbound: Pipe) -> None:
        self._link = link
        self._inbound = inbound
        self._outbound = outbound
        self._fd = -1
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        self._fd = sock.fileno() if sock is not None else -1
        transport.set_write_buffer_limits(high=WRITE_HIGH, low=WRITE_LOW)
        self._inbound.src = transport
        self._outbound.dst = transport
        self._link.side_made(self)

    def data_received(self, data: bytes) -> None:
        self._inbound.push(data)

    def eof_received(self) -> bool:
        self._inbound.push(None)
        return True  # keep the other direction open: TCP half-close

    def pause_writing(self) -> None:
        self._outbound.dst_full = True
        self._outbound.update_reading()

    def resume_writing(self) -> None:
        self._outbound.dst_full = False
        self._outbound.refresh()

    def connection_lost(self, exc: Exception | None) -> None:
        # Called by the transport just before it closes the socket: the last chance to drain.
        if self._fd >= 0:
            _drain(self._fd)
        self._link.side_lost(self, exc)


class Link:
    """A client connection and its upstream connection, and how they end."""

    def __init__(
        self,
        policy: Policy,
        on_client_made: Callable[[Link], None],
        on_client_lost: Callable[[Link], None],
    ) -> None:
        self.policy = policy
        self._on_client_made = on_client_made
        self._on_client_lost = on_client_lost
        self.up = Pipe(self)  # client -> upstream
        self.down = Pipe(self)  # upstream -> client
        self.client = Side(self, inbound=self.up, outbound=self.down)
        self.upstream: Side | None = None
        self.connecting: asyncio.Task[None] | None = None
        self.closing = False

    def new_upstream_side(self) -> Side:
        self.upstream = Side(self, inbound=self.down, outbound=self.up)
        return self.upstream

    def side_made(self, side: Side) -> None:
        if side is self.client:
            self._on_client_made(self)
        elif self.closing and side.transport is not None:
            side.transport.abort()
            return
        self.refresh()

    def refresh(self) -> None:
        if not self.closing:
            self.up.refresh()
            self.down.refresh()

    def side_lost(self, side: Side, exc: Exception | None) -> None:
        if not self.closing:
            # The peer went away on its own: pass the news on the way it came.
            how: How = "fin" if exc is None else "rst"
            self.kill(client=how, upstream=how)
        if side is self.client:
            self._on_client_lost(self)

    def finish_if_done(self) -> None:
        if self.up.eof_delivered and self.down.eof_delivered:
            self.kill(client="graceful", upstream="graceful")

    def kill(self, *, client: How, upstream: How) -> None:
        """End both connections now; ``graceful`` lets written data drain first."""
        if self.closing:
            return
        self.closing = True
        if self.connecting is not None:
            self.connecting.cancel()
        self.up.discard()
        self.down.discard()
        for side, how in ((self.client, client), (self.upstream, upstream)):
            transport = side.transport if side is not None else None
            if transport is None or transport.is_closing():
                continue
            if how == "graceful":
                transport.close()
                continue
            if how == "rst":
                set_rst_on_close(transport)
            transport.abort()
