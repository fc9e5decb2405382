"""Turning what the OS, the resolver and TLS say into one named cause."""

from __future__ import annotations

import errno
import os
import socket
import ssl

from .events import Cause
from .resolver import DnsError
from .sample import Sample, Timings
from .shortage import out_of

_UNREACHABLE = {
    errno.ENETUNREACH,
    errno.EHOSTUNREACH,
    errno.ENETDOWN,
    getattr(errno, "EHOSTDOWN", -1),
}


#: OpenSSL's codes for the handshake failures people meet, in words (its code said alone,
#: "TLS: WRONG_VERSION_NUMBER", told nobody that the port does not speak TLS).
TLS_REASONS = {
    "WRONG_VERSION_NUMBER": "the peer answered, but not in TLS (a plain-text port?)",
    "UNEXPECTED_EOF_WHILE_READING": "the peer closed the connection during the handshake",
    "TLSV1_ALERT_PROTOCOL_VERSION": "the peer takes none of the TLS versions offered",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "the peer refused the handshake (nothing in common)",
    "TLSV1_ALERT_UNRECOGNIZED_NAME": "the peer does not know the server name sent",
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "the peer asks for a client certificate",
}


class CheckFailed(Exception):
    """A check failed with a named cause; ``detail`` is for people. ``timings``: the steps
    that worked before it failed (a TLS handshake fails after the TCP connect)."""

    def __init__(
        self,
        cause: Cause,
        detail: str,
        address: str | None = None,
        timings: Timings | None = None,
    ) -> None:
        super().__init__(f"{cause}: {detail}")
        self.cause = cause
        self.detail = detail
        self.address = address
        self.timings = timings

    def sample(self) -> Sample:
        """The failed check, as the state machine takes it."""
        return Sample(False, self.cause, None, self.detail, self.address, self.timings)


def classify(exc: BaseException, *, held: bool = False) -> tuple[Cause, str]:
    """The cause and a short detail for an exception raised by a connect, read or write.

    ``held``: the error arrived on an established connection, where ETIMEDOUT means the
    kernel's keepalive or user timeout gave up, not a connect that never completed.
    """
    if isinstance(exc, CheckFailed):
        return exc.cause, exc.detail
    if isinstance(exc, DnsError | socket.gaierror):
        return Cause.DNS_ERROR, str(exc)
    if isinstance(exc, ssl.SSLCertVerificationError):
        return Cause.TLS_ERROR, f"certificate not trusted: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        return Cause.TLS_ERROR, f"TLS: {TLS_REASONS.get(str(exc.reason), exc.reason or exc)}"
    if isinstance(exc, ConnectionRefusedError):
        return Cause.REFUSED, "connection refused"
    if isinstance(exc, ConnectionResetError):
        return Cause.RESET, "connection reset by peer"
    if isinstance(exc, BrokenPipeError | ConnectionAbortedError):
        return Cause.CLOSED_BY_PEER, "connection closed by peer"
    if isinstance(exc, TimeoutError) and exc.errno is None:
        return Cause.CONNECT_TIMEOUT, "no answer to connect"
    if isinstance(exc, OSError) and exc.errno is not None:
        # asyncio's sock_connect replaces strerror with "Connect call failed (addr)".
        text = os.strerror(exc.errno)
        if exc.errno == errno.ETIMEDOUT:
            if held:
                return (
                    Cause.KEEPALIVE_TIMEOUT,
                    "peer stopped acknowledging (keepalive/user timeout)",
                )
            return Cause.CONNECT_TIMEOUT, text
        if exc.errno in _UNREACHABLE:
            return Cause.UNREACHABLE, text
        if exc.errno == errno.ECONNREFUSED:
            return Cause.REFUSED, text
        if exc.errno == errno.ECONNRESET:
            return Cause.RESET, text
        return Cause.LOCAL_ERROR, out_of(exc.errno) or text
    return Cause.LOCAL_ERROR, f"{type(exc).__name__}: {exc}"
