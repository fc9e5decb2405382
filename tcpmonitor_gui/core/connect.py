"""Resolve, connect (every address in turn), optionally TLS: the start of every check."""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import errno
import functools
import itertools
import os
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from .events import Cause
from .failure import CheckFailed, classify
from .profile import Profile, ca_file_problem
from .resolver import AddrInfo, DnsError, LookupNotMade, NoSuchInterface, Resolver
from .sample import Timings
from .shortage import files_short
from .sockopts import apply_keepalive, kernel_rtt_ms
from .stamped import StampedSocket, make_socket
from .wire import Wire


def format_address(sockaddr: tuple[object, ...]) -> str:
    """``host:port``, ``[v6]:port``; a link-local address with its interface
    (``[fe80::1%eth0]:22``): without it, the same address on every interface."""
    host, port = str(sockaddr[0]), sockaddr[1]
    if len(sockaddr) == 4 and isinstance(scope := sockaddr[3], int) and scope and "%" not in host:
        try:
            host = f"{host}%{socket.if_indextoname(scope)}"
        except OSError:  # the interface went since the address was resolved
            host = f"{host}%{scope}"
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclasses.dataclass
class Connected:
    """A connection that answered; ``wire`` is None when nothing more was asked of it."""

    address: str
    timings: Timings
    wire: Wire | None = None
    sock: socket.socket | None = None

    def close(self) -> None:
        if self.wire is not None:
            self.wire.close()
        if self.sock is not None:
            self.sock.close()


def connected(sock: socket.socket) -> bool:
    """Whether a non-blocking connect has in fact completed."""
    try:
        sock.getpeername()
    except OSError:
        return False
    return sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0


#: ``Attempt``'s outcome when the deadline came first (errno values are positive).
TIMED_OUT = -1
#: What a non-blocking ``connect`` returns while the handshake is under way.
IN_PROGRESS = (errno.EINPROGRESS, errno.EAGAIN, errno.EINTR)


class Cancellable(Protocol):
    def cancel(self) -> object: ...


#: Calls back after a delay in seconds, like ``loop.call_later``.
Later = Callable[[float, Callable[[], object]], Cancellable]


class Attempt:
    """One non-blocking connect of ``sock``, settled once: by the socket turning writable
    (the kernel's answer, ``SO_ERROR``), or by the deadline. ``settled`` is called with 0
    (connected), an errno, or ``TIMED_OUT``; at once when the kernel answers right away.
    ``sockaddr`` None: the caller has started the connect, which is in progress.

    Callbacks, not a coroutine: every check of every probe is one, and a thousand a second
    spent a fifth of their cost on ``sock_connect`` under ``asyncio.timeout`` (a task step,
    a ``Timeout``, and for every sleep that ran out, an exception)."""

    __slots__ = ("_fd", "_loop", "_settled", "_sock", "_timer")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        sockaddr: Any,
        timeout_s: float,
        settled: Callable[[int], None],
        *,
        later: Later | None = None,
    ) -> None:
        """``later(delay_s, callback)`` sets the deadline (the loop's ``call_later`` if None)."""
        self._loop, self._sock, self._settled = loop, sock, settled
        self._timer: Cancellable | None = None
        self._fd = -1
        if sockaddr is not None:
            err = sock.connect_ex(sockaddr)
            if err not in IN_PROGRESS:
                settled(err)
                return
        self._fd = sock.fileno()
        loop.add_writer(self._fd, self._answered)
        self._timer = (later or loop.call_later)(timeout_s, self._late)

    def _answered(self) -> None:
        self._finish(self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))

    def _late(self) -> None:
        # The loop may run late (a thousand checks due at once, a stalled thread), so the
        # deadline and the kernel's "connected" can come due together and the deadline be
        # served first: the handshake was answered in time, and the target must not be
        # blamed for our lateness. Ask the kernel.
        self._timer = None
        self._finish(0 if connected(self._sock) else TIMED_OUT)

    def _finish(self, outcome: int) -> None:
        if self.cancel():
            self._settled(outcome)

    def cancel(self) -> bool:
        """Stop waiting (the socket is the caller's to close); False if already settled."""
        if self._fd < 0:
            return False
        self._loop.remove_writer(self._fd)
        self._fd = -1
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        return True


def attempt_error(outcome: int) -> OSError:
    """The exception an ``Attempt``'s non-zero outcome stands for (see ``classify``)."""
    if outcome == TIMED_OUT:
        return TimeoutError()
    return OSError(outcome, os.strerror(outcome))


async def connect_within(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, sockaddr: Any, timeout_s: float
) -> None:
    """Connect the non-blocking ``sock``; raises ``OSError``, or ``TimeoutError`` when the
    handshake is not answered within ``timeout_s``."""
    done: asyncio.Future[int] = loop.create_future()

    def settled(outcome: int) -> None:
        if not done.done():  # cancelled in the turn the answer came: nobody waits for it
            done.set_result(outcome)

    attempt = Attempt(loop, sock, sockaddr, timeout_s, settled)
    try:
        outcome = await done
    finally:
        attempt.cancel()
    if outcome:
        raise attempt_error(outcome)


def tls_context(verify: bool, ca_file: str) -> ssl.SSLContext:
    """One context per setting, and per version of the CA file (or of the system's store,
    its file and folder as OpenSSL finds them): building one loads the system's store, which
    is slow; kept by the setting alone, a CA file renewed (a private CA rotated with the
    server's certificate, ``update-ca-certificates``) was never read again, and every check
    of the renewed server failed "certificate not trusted" until the program restarted."""
    if ca_file:
        files: tuple[str | None, ...] = (ca_file,)
    else:
        found = ssl.get_default_verify_paths()  # (SSL_CERT_FILE and SSL_CERT_DIR too)
        files = (found.cafile, found.capath)
    return _tls_context(verify, ca_file, tuple(map(_version, files)))


def _version(path: str | None) -> tuple[int, ...] | None:
    """What tells one version of a file (or folder) from another, without reading it."""
    try:
        st = os.stat(path) if path else None
    except OSError:  # (a CA file's problem is said when it is read)
        return None
    return None if st is None else (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@functools.lru_cache(maxsize=32)
def _tls_context(verify: bool, ca_file: str, _version: object) -> ssl.SSLContext:
    """The CA file was checked when the profile was loaded, but it may have changed since:
    anything but a readable file of certificates fails this check (``CheckFailed``, cause
    ``local_error``), and a FIFO put in its place is never opened (it would block the loop)."""
    try:
        if ca_file:
            problem = ca_file_problem(ca_file)
            if problem is not None:
                raise OSError(problem)
        ctx = ssl.create_default_context(cafile=ca_file or None)
    except (OSError, ssl.SSLError) as exc:
        if (short := files_short()) is not None:  # no fault of the file's: said so
            where = f"the CA file {ca_file}" if ca_file else "the system's CA certificates"
            raise CheckFailed(Cause.LOCAL_ERROR, f"{short}, to read {where}") from None
        why = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or str(exc)
        raise CheckFailed(Cause.LOCAL_ERROR, f"CA file {ca_file}: {why}") from None
    if not verify:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def connect(profile: Profile, resolver: Resolver, *, wire: bool, hold: bool) -> Connected:
    """Connect to the profile's target, trying each resolved address in turn.

    ``wire``: put a ``Wire`` protocol on the connection (needed to talk or to hold it).
    ``hold``: the connection will be kept open, so set keepalive and the user timeout.
    Raises ``CheckFailed`` naming the cause and every address that failed.
    """
    d = profile.detector
    try:
        resolved = await resolver.resolve(
            profile.host, profile.port, profile.ip_family, d.timeout_s
        )
    except DnsError as exc:
        raise CheckFailed(Cause.DNS_ERROR, str(exc)) from None
    except (NoSuchInterface, LookupNotMade) as exc:
        raise CheckFailed(Cause.LOCAL_ERROR, str(exc)) from None
    loop = asyncio.get_running_loop()
    failures: list[tuple[str, Cause]] = []
    last: CheckFailed | None = None
    unanswered = untried = 0
    addresses = interleaved(resolved.addresses)
    for index, (family, sockaddr) in enumerate(addresses):
        if unanswered >= MAX_UNANSWERED:
            untried = len(addresses) - index
            break
        address = format_address(sockaddr)
        try:
            # Held connections keep the kernel's receive time of what they read, so a reply
            # is timed from its arrival, not from when this thread next held the GIL.
            sock = make_socket(family) if hold else socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            raise CheckFailed(*classify(exc), address=address) from None
        try:
            sock.setblocking(False)
            if hold:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                apply_keepalive(sock, d.keepalive, d.effective_user_timeout_s)
            start = time.perf_counter()
            await connect_within(loop, sock, sockaddr, d.timeout_s)
            connect_ms = (time.perf_counter() - start) * 1000.0
        except (OSError, TimeoutError) as exc:
            sock.close()
            cause, detail = classify(exc)
            if cause is Cause.CONNECT_TIMEOUT:
                detail = f"no answer to connect within {d.timeout_s:g} s"
                unanswered += 1
            failures.append((address, cause))
            if last is None or _telling(cause) >= _telling(last.cause):
                last = CheckFailed(cause, detail, address)
            continue
        except BaseException:
            sock.close()
            raise
        timings = Timings(
            dns_ms=resolved.dns_ms, connect_ms=connect_ms, kernel_rtt_ms=kernel_rtt_ms(sock)
        )
        if not wire and not d.tls:
            return Connected(address, timings, sock=sock)
        return await _attach(profile, sock, address, timings)
    assert last is not None
    if len(failures) > 1:
        last.detail = f"{last.detail} ({tried(failures)}"
        if untried:
            last.detail += f"; {untried} more not tried after {unanswered} gave no answer"
        last.detail += ")"
    raise last


def _telling(cause: Cause) -> int:
    """How much a connect's failure says of the target: one that never left this computer
    (no route for that family, most home networks' IPv6) the least, a silence more, an
    answer (a refusal) the most. A failure is reported by its most telling address: the
    last one tried was, and a server named by an IPv4 and an IPv6 address whose IPv4 port
    refused, from a computer with no IPv6 route, was "this computer has no route to" it."""
    if cause in (Cause.UNREACHABLE, Cause.LOCAL_ERROR):
        return 0
    return 1 if cause is Cause.CONNECT_TIMEOUT else 2


#: Addresses of one name that may each leave a connect unanswered for the whole timeout
#: before the rest are left untried: a name with 300 addresses that do not answer made one
#: check last 300 timeouts (15 minutes at 3 s; a held connection was "connecting" so long).
MAX_UNANSWERED = 4


def interleaved(addresses: Sequence[AddrInfo]) -> list[AddrInfo]:
    """``addresses`` with their families taking turns, each family's in its order, the first
    address's family first (RFC 8305, 4): only so many that give no answer are tried
    (``MAX_UNANSWERED``), and four IPv6 addresses in a black hole ahead of the IPv4 ones
    that work made a dual-stack server "down" for good."""
    by_family: dict[int, list[AddrInfo]] = {}
    for info in addresses:
        by_family.setdefault(info[0], []).append(info)
    turns = itertools.zip_longest(*by_family.values())
    return [info for turn in turns for info in turn if info is not None]


#: How many of the addresses a connect failed at its detail names; the rest are counted by
#: cause. A name with 300 addresses made a detail of 9 KB, in every event and notice.
NAMED_ADDRESSES = 5


def tried(failures: list[tuple[str, Cause]]) -> str:
    """``tried 192.0.2.1:80 refused; ...``, naming at most ``NAMED_ADDRESSES``."""
    if len(failures) <= NAMED_ADDRESSES:
        return f"tried {'; '.join(f'{a} {c}' for a, c in failures)}"
    named = [f"{a} {c}" for a, c in failures[: NAMED_ADDRESSES - 1]]
    rest = collections.Counter(c for _, c in failures[NAMED_ADDRESSES - 1 :])
    counted = ", ".join(f"{n} {c}" for c, n in rest.most_common())
    return f"tried {'; '.join(named)}; {rest.total()} more addresses: {counted}"


async def _attach(
    profile: Profile, sock: socket.socket, address: str, timings: Timings
) -> Connected:
    d = profile.detector
    loop = asyncio.get_running_loop()
    try:
        ctx = tls_context(d.tls_verify, d.tls_ca_file) if d.tls else None
    except CheckFailed as exc:
        sock.close()
        raise CheckFailed(exc.cause, exc.detail, address) from None
    start = time.perf_counter()
    try:
        _transport, proto = await loop.create_connection(
            functools.partial(Wire, sock if isinstance(sock, StampedSocket) else None),
            sock=sock,
            ssl=ctx,
            server_hostname=(d.tls_server_name or profile.host) if ctx else None,
            ssl_handshake_timeout=d.timeout_s if ctx else None,
            # Closing waits for the peer's close_notify: a hung server never sends it, and
            # each probe's connection stayed open for asyncio's 30 s.
            ssl_shutdown_timeout=d.timeout_s if ctx else None,
        )
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        sock.close()
        cause, detail = classify(exc, held=True)
        if ctx is not None and cause is not Cause.RESET:
            # A handshake cut short by the peer, or asyncio's handshake timeout (raised as
            # ConnectionAbortedError), is a TLS failure whatever the socket said.
            cause = Cause.TLS_ERROR
            waited = time.perf_counter() - start
            if isinstance(exc, ConnectionAbortedError) and waited >= 0.9 * d.timeout_s:
                # asyncio's timeout, in its own English ("SSL handshake is taking longer
                # than 3.0 seconds: aborting the connection"): said as the connect's is.
                detail = f"TLS handshake failed: no answer within {d.timeout_s:g} s"
            elif not detail.startswith(("TLS", "certificate")):
                detail = f"TLS handshake failed: {exc}"
        raise CheckFailed(cause, detail, address, timings) from None
    except BaseException:
        sock.close()
        raise
    if ctx is not None:
        timings = dataclasses.replace(timings, tls_ms=(time.perf_counter() - start) * 1000.0)
    return Connected(address, timings, wire=proto)
