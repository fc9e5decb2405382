"""Socket options that let the kernel notice a silent drop, and the kernel's own RTT.

Linux has everything (SO_KEEPALIVE with idle/interval/count, TCP_USER_TIMEOUT, TCP_INFO).
macOS and Windows expose keepalive timing (Python 3.10+) but no user timeout; where an option
is missing we say so once in the log rather than pretend.
"""

from __future__ import annotations

import logging
import socket
import struct
import sys
from typing import Any

from .profile import Keepalive

log = logging.getLogger(__name__)

# struct tcp_info (linux/tcp.h): eight u8 fields, then u32s. Offsets of the ones we read.
_TCPI_LAST_ACK_RECV = 8 + 4 * 12
_TCPI_RTT = 8 + 4 * 15
_TCP_INFO_LEN = 104
_TCP_INFO = getattr(socket, "TCP_INFO", None) if sys.platform.startswith("linux") else None
#: macOS names the idle time TCP_KEEPALIVE (0x10); Python does not export it there.
_MACOS_TCP_KEEPALIVE = 0x10

_noted: set[str] = set()


def _note_once(what: str) -> None:
    if what not in _noted:
        _noted.add(what)
        log.info("%s is not available on %s; relying on the other detectors", what, sys.platform)


def apply_keepalive(sock: Any, keepalive: Keepalive, user_timeout_s: float) -> list[str]:
    """Turn on keepalive with the profile's timing and set TCP_USER_TIMEOUT.

    Returns the names of the options this platform lacks (also logged once each).
    """
    missing: list[str] = []
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    idle_opt = getattr(socket, "TCP_KEEPIDLE", None)
    if idle_opt is None and sys.platform == "darwin":
        idle_opt = _MACOS_TCP_KEEPALIVE
    for name, opt, value in (
        ("TCP_KEEPIDLE", idle_opt, keepalive.idle_s),
        ("TCP_KEEPINTVL", getattr(socket, "TCP_KEEPINTVL", None), keepalive.interval_s),
        ("TCP_KEEPCNT", getattr(socket, "TCP_KEEPCNT", None), keepalive.count),
    ):
        if opt is None:
            missing.append(name)
            continue
        sock.setsockopt(socket.IPPROTO_TCP, opt, value)
    if "TCP_KEEPIDLE" in missing and hasattr(socket, "SIO_KEEPALIVE_VALS"):
        # Older Windows: idle and interval in one ioctl (milliseconds); no count.
        vals = (1, keepalive.idle_s * 1000, keepalive.interval_s * 1000)
        sock.ioctl(socket.SIO_KEEPALIVE_VALS, vals)
        missing = [m for m in missing if m not in ("TCP_KEEPIDLE", "TCP_KEEPINTVL")]
    if user_timeout_s > 0:
        opt = getattr(socket, "TCP_USER_TIMEOUT", None)
        if opt is None:
            missing.append("TCP_USER_TIMEOUT")
        else:
            sock.setsockopt(socket.IPPROTO_TCP, opt, int(user_timeout_s * 1000))
    for name in missing:
        _note_once(name)
    return missing


def _tcp_info(sock: Any, offset: int) -> bytes | None:
    """The socket's ``tcp_info``, if it reaches the u32 at ``offset``."""
    if _TCP_INFO is None:
        return None
    try:
        raw: bytes = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, _TCP_INFO_LEN)
    except OSError:
        return None
    return raw if len(raw) >= offset + 4 else None


def _tcp_info_u32(sock: Any, offset: int) -> int | None:
    raw = _tcp_info(sock, offset)
    if raw is None:
        return None
    value: int = struct.unpack_from("=I", raw, offset)[0]
    return value


def kernel_rtt_ms(sock: Any) -> float | None:
    """The kernel's smoothed RTT (``tcpi_rtt``), free of any wait for the GIL.

    Right after connect it is the handshake's RTT. Later it is smoothed over the ACKs of data
    this side sent, and only those: on a connection we never write to (a ``watch``) it stays
    the handshake's however long it is held (keepalive probes and their answers leave it
    alone). None where TCP_INFO is not available.
    """
    rtt_us = _tcp_info_u32(sock, _TCPI_RTT)
    return None if not rtt_us else rtt_us / 1000.0


def last_ack_age_ms(sock: Any) -> float | None:
    """Milliseconds since the peer last acknowledged anything (``tcpi_last_ack_recv``).

    On a silent drop this is the time since the last good sign from the peer's kernel.
    """
    age = _tcp_info_u32(sock, _TCPI_LAST_ACK_RECV)
    return None if age is None else float(age)


#: ``tcpi_state`` of a connection the peer has not closed (``TCP_ESTABLISHED``), of a
#: socket whose connect was refused or reset (``TCP_CLOSE``), and of a connection the peer
#: has closed already (``TCP_CLOSE_WAIT``: its FIN came in after the handshake).
_TCP_ESTABLISHED = 1
_TCP_CLOSE = 7
_TCP_CLOSE_WAIT = 8
#: A connect has been answered "connected" in these states.
_CONNECTED = (_TCP_ESTABLISHED, _TCP_CLOSE_WAIT)


def answered_at_once(sock: Any) -> tuple[int, float | None] | None:
    """Right after a non-blocking ``connect`` said "in progress": the answer, if the kernel
    has it already — a peer on this computer answers within the ``connect`` call itself.
    ``(0, RTT in ms)`` when connected, ``(errno, None)`` when refused; None while the
    handshake is under way (or TCP_INFO is not available). One system call when connected,
    where waiting for the socket to turn writable takes three and a trip round the loop."""
    raw = _tcp_info(sock, _TCPI_RTT)
    if raw is None:
        return None
    if raw[0] in _CONNECTED:  # a server that closes right after accepting is connected to
        rtt_us: int = struct.unpack_from("=I", raw, _TCPI_RTT)[0]
        return 0, (rtt_us / 1000.0 if rtt_us else None)
    if raw[0] == _TCP_CLOSE:
        err: int = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
        return (err, None) if err else None
    return None


def peer_gone(sock: Any) -> bool | None:
    """Whether the peer has closed or reset the connection, asked of the kernel without
    reading (``tcpi_state`` is no longer ESTABLISHED: a FIN arrived, or an RST, or the
    kernel gave up). Not ``SO_ERROR``: asking it clears the error that says which it was.
    None where TCP_INFO is not available."""
    if _TCP_INFO is None:
        return None
    try:
        state = sock.getsockopt(socket.IPPROTO_TCP, _TCP_INFO, 1)[0]
    except (OSError, IndexError):
        return True
    return bool(state != _TCP_ESTABLISHED)
