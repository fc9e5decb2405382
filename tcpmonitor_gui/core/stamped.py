"""A socket that remembers when the kernel received the data it last read.

A heartbeat's round trip is timed from the request's send to the reply's arrival. Timed in
Python, the arrival is when the worker thread got to run after the reply came: in the desktop
program the GUI thread shares the GIL, and a reply that lands while the GUI thread runs Python
waits for it, up to the interpreter's switch interval (5 ms) or longer — a late reading that is
no property of the network. The kernel stamps every packet as it arrives (``SO_TIMESTAMPNS``);
reading with ``recvmsg`` hands that stamp over with the data, so the arrival is known however
late the read ran.

asyncio's selector transports read with ``sock.recv`` (or ``recv_into`` under TLS), so a held
connection built on this socket needs no transport of its own. Linux only (elsewhere
``make_socket`` returns a plain socket and the arrival is timed in Python, as before).
"""

from __future__ import annotations

import socket
import struct
import sys
import time
from typing import Any

if sys.platform != "win32":
    import fcntl
    import termios

#: ``SO_TIMESTAMPNS`` (and its control message, ``SCM_TIMESTAMPNS``): 35 on Linux.
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@qq")
_CMSG_SPACE = socket.CMSG_SPACE(_TIMESPEC.size) if hasattr(socket, "CMSG_SPACE") else 0
SUPPORTED = sys.platform.startswith("linux") and _CMSG_SPACE > 0


class StampedSocket(socket.socket):
    """``recv``/``recv_into`` through ``recvmsg``, keeping the kernel's receive time."""

    #: ``time.time_ns()`` clock (CLOCK_REALTIME) of the last packet read; None before any.
    #: The kernel may leave a packet unstamped (timestamping is switched on system-wide a
    #: moment after the first socket asks for it): a quarter of first reads, measured.
    received_ns: int | None = None
    #: Bytes read from the kernel so far (what arrived, whatever a TLS layer made of it).
    read_total = 0

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        data, ancdata, _flags, _addr = self.recvmsg(bufsize, _CMSG_SPACE, flags)
        self._keep_stamp(ancdata)
        self.read_total += len(data)
        return data

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        view = memoryview(buffer)
        if nbytes:
            view = view[:nbytes]
        size, ancdata, _flags, _addr = self.recvmsg_into([view], _CMSG_SPACE, flags)
        self._keep_stamp(ancdata)
        self.read_total += size
        return size

    def _keep_stamp(self, ancdata: list[tuple[int, int, bytes]]) -> None:
        """The stamp of what was just read; None when it came unstamped (then its arrival is
        timed in Python, never taken from an older packet)."""
        self.received_ns = None
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                seconds, nanoseconds = _TIMESPEC.unpack_from(payload)
                self.received_ns = seconds * 1_000_000_000 + nanoseconds

    def waiting(self) -> int:
        """How many bytes the kernel holds for this socket, unread (0 where it cannot say)."""
        try:
            answer = fcntl.ioctl(self.fileno(), termios.FIONREAD, b"\0\0\0\0")
        except (OSError, ValueError):
            return 0
        return max(0, int.from_bytes(answer, sys.byteorder, signed=True))

    def received_at(self) -> float | None:
        """The last read data's arrival on the ``time.monotonic()`` clock, or None."""
        if self.received_ns is None:
            return None
        age_s = max(0, time.time_ns() - self.received_ns) / 1e9
        return time.monotonic() - age_s


def make_socket(family: int) -> socket.socket:
    """A stream socket that keeps receive times where the platform can."""
    if not SUPPORTED:
        return socket.socket(family, socket.SOCK_STREAM)
    sock = StampedSocket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    except OSError:
        sock.close()
        return socket.socket(family, socket.SOCK_STREAM)
    return sock
