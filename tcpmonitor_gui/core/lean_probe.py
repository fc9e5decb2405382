"""The lean path of the commonest check: a ``probe`` that only connects, to an IP address.

The general path (``run_probe``: a task that awaits ``probe_once``, then sleeps) suspends
and resumes a coroutine stack three deep twice per check, with a future and a timer each
time. A thousand probes a second spent more on that than on their connects. Here the same
check is three callbacks on the loop: the timer that makes it due, the socket's answer (or
its deadline), and the report; the sample is the one ``probe_once`` makes for the same
check (same cause, detail, address and timings), so nothing downstream can tell them apart.

Only for what needs no coroutine: no send/expect, no TLS, a host that is an IP address
without a scope (names need the resolver; a scope's interface may come and go).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Callable

from .connect import Attempt, attempt_error, format_address
from .events import Cause
from .failure import classify
from .probe import exchange_for
from .profile import Profile
from .resolver import AddrInfo, literal
from .sample import Sample, Timings
from .sockopts import kernel_rtt_ms

#: Made non-blocking as it is made (Linux): one system call fewer per check than
#: ``setblocking``, of the eight a connect check takes.
_NONBLOCK = getattr(socket, "SOCK_NONBLOCK", 0)

log = logging.getLogger(__name__)

Report = Callable[[Sample], None]


def lean_address(profile: Profile) -> AddrInfo | None:
    """The one address a lean probe of ``profile`` connects to, or None: it needs the
    general path (a name, a scoped address, TLS, or something to say or expect)."""
    d = profile.detector
    if d.kind != "probe" or d.tls or "%" in profile.host:
        return None
    if not exchange_for(profile).is_empty:
        return None
    try:
        found = literal(profile.host, profile.port, profile.ip_family)
    except Exception:
        return None
    return found[0] if found and len(found) == 1 else None


class LeanProbe:
    """Checks one profile every ``interval_s`` until stopped; ``now()`` brings the next
    check forward (the ``Wake`` of the general path)."""

    def __init__(self, profile: Profile, address: AddrInfo, report: Report) -> None:
        self._loop = asyncio.get_running_loop()
        self.profile = profile
        self._family, self._sockaddr = address
        self._address = format_address(self._sockaddr)
        self._report = report
        self._timer: asyncio.TimerHandle | asyncio.Handle | None = None
        self._attempt: Attempt | None = None
        self._sock: socket.socket | None = None
        self._started = 0.0
        self._tick = 0.0
        self._woken = False
        self._early = False  # the next check is an extra one, due now
        self.active = False

    def start(self, delay_s: float = 0.0) -> None:
        self.active = True
        self._tick = self._loop.time() + delay_s
        self._timer = self._loop.call_at(self._tick, self._due)

    def stop(self) -> None:
        self.active = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._attempt is not None:
            self._attempt.cancel()
            self._attempt = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def now(self) -> None:
        """Check now if waiting for the next check; right after it if one is under way."""
        if not self.active:
            return
        if self._timer is None:  # a check is under way
            self._woken = True
            return
        if self._early:  # brought forward already: a second wake changes nothing
            return
        self._timer.cancel()
        # An extra check: the schedule keeps its phase (see ``run_probe``).
        self._early = True
        self._tick -= self.profile.detector.interval_s
        self._timer = self._loop.call_soon(self._due)

    def _due(self) -> None:
        self._timer, self._early = None, False
        try:
            sock = socket.socket(self._family, socket.SOCK_STREAM | _NONBLOCK)
        except OSError as exc:  # out of file descriptors, say
            self._done(Sample.failure(*classify(exc), address=self._address))
            return
        if not _NONBLOCK:
            sock.setblocking(False)
        self._sock = sock
        self._started = time.perf_counter()
        timeout_s = self.profile.detector.timeout_s
        try:
            attempt = Attempt(self._loop, sock, self._sockaddr, timeout_s, self._settled)
        except (OSError, ValueError, OverflowError) as exc:  # refused by the socket call
            self._sock = None
            sock.close()
            self._done(Sample.failure(*classify(exc), address=self._address))
            return
        if self._sock is sock:  # not settled at once
            self._attempt = attempt

    def _settled(self, outcome: int) -> None:
        sock, self._sock, self._attempt = self._sock, None, None
        if sock is None:  # stopped meanwhile
            return
        connect_ms = (time.perf_counter() - self._started) * 1000.0
        if outcome == 0:
            rtt = kernel_rtt_ms(sock)
            timings = Timings(dns_ms=0.0, connect_ms=connect_ms, kernel_rtt_ms=rtt)
            sample = Sample(True, None, timings.connect_latency_ms, "", self._address, timings)
        else:
            cause, detail = classify(attempt_error(outcome))
            if cause is Cause.CONNECT_TIMEOUT:
                detail = f"no answer to connect within {self.profile.detector.timeout_s:g} s"
            sample = Sample.failure(cause, detail, self._address)
        sock.close()
        self._done(sample)

    def _done(self, sample: Sample) -> None:
        try:
            self._report(sample)
        except Exception as exc:  # a bug, not a network failure: say so, keep checking
            log.exception("probe %r (%s) failed", self.profile.name, self.profile.id)
            try:
                self._report(Sample.failure(Cause.LOCAL_ERROR, f"internal error: {exc!r}"))
            except Exception:  # the bug may be in what consumes our events
                log.exception("probe %r could not report its failure", self.profile.name)
        if not self.active:  # stopped by what the report set off
            return
        now = self._loop.time()
        # A check that outlasted the interval skips the missed ticks.
        self._tick = max(self._tick + self.profile.detector.interval_s, now)
        if self._woken:  # woken while checking: once more, now
            self._woken, self._early = False, True
            self._tick -= self.profile.detector.interval_s
            self._timer = self._loop.call_soon(self._due)
            return
        self._timer = self._loop.call_at(self._tick, self._due)
