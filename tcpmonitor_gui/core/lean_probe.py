"""The lean path of the commonest check: a ``probe`` that only connects, to an IP address.

The general path (``run_probe``: a task that awaits ``probe_once``, then sleeps) suspends
and resumes a coroutine stack three deep twice per check, with a future and a timer each
time. A thousand probes a second spent more on that than on their connects. Here the same
check is three callbacks on the loop: the timer that makes it due, the socket's answer (or
its deadline), and the report; the sample is the one ``probe_once`` makes for the same
check (same cause, detail, address and timings), so nothing downstream can tell them apart.
A peer on this computer has answered by the time ``connect`` returns: its check asks the
kernel then (``answered_at_once``) and is one callback and four system calls (socket,
connect, TCP_INFO, close), the fewest a connect check with the kernel's RTT can make.

Only for what needs no coroutine: no send/expect, no TLS, a host that is an IP address
without a scope (names need the resolver; a scope's interface may come and go).
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import socket
import threading
import time
import weakref
from collections.abc import Callable

from .connect import IN_PROGRESS, Attempt, attempt_error, format_address
from .events import Cause
from .failure import classify
from .probe import exchange_for
from .profile import Profile
from .resolver import AddrInfo, literal
from .sample import Sample, Timings
from .sockopts import answered_at_once, kernel_rtt_ms

#: Made non-blocking as it is made (Linux): one system call fewer per check than
#: ``setblocking``, of the eight a connect check takes.
_NONBLOCK = getattr(socket, "SOCK_NONBLOCK", 0)

#: A peer whose handshake took less than this is on this computer (loopback, a container's
#: bridge) and answers within the ``connect`` call: its checks ask the kernel at once
#: instead of waiting for the socket to turn writable. A farther peer is asked once, on
#: its first check, and again only after an answer this quick.
AT_ONCE_RTT_MS = 0.1

#: Checks that fall due within the same slot of this many seconds run in one wake-up of
#: the loop (``Ticks``), at most this much after their time.
SLOT_S = 0.01

log = logging.getLogger(__name__)

Report = Callable[[Sample], None]


#: Cancelled checks are swept out of ``Ticks`` once they are this many and half of all.
SWEEP_MIN = 256

#: A loop that shares the GIL with a window's thread takes the cheapest ways (``Pace``)
#: while its lean probes make at most this many checks a second. Full runs of
#: ``tests/bench/gui_responsiveness.py``: at 1,000 rows (900 a second) the window's CPU went
#: from 1.81x the headless engine's to 1.19x, its thread's stall p99 18.5 ms; at 5,000 rows
#: (4,500 a second) that stall p99 went from 67-100 to 122-257 ms.
SHARED_CHEAP_CHECKS_PER_S = 2000.0


class Pace:
    """Whether the lean probes of one loop take the cheapest ways: checks due together run
    in one wake-up (``Ticks``) and a peer on this computer is asked at once
    (``answered_at_once``). Both keep the loop's thread in Python for longer stretches.

    A loop of its own (the command line) always takes them. A loop that shares the GIL with
    a window's thread (``shares_gil``: the window's thread must win the GIL back after every
    call into Qt) takes them while its probes are few enough that those stretches stay
    short, and goes back to a timer and a wait per check while they are more (the same
    checks, samples and schedule either way: only what they cost moves)."""

    def __init__(self, shares_gil: bool = False) -> None:
        self._bound = SHARED_CHEAP_CHECKS_PER_S if shares_gil else math.inf
        #: Checks a second of the probes running on the loop.
        self.per_s = 0.0

    @property
    def cheap(self) -> bool:
        return self.per_s <= self._bound

    def joined(self, interval_s: float) -> float:
        """A probe that checks every ``interval_s`` started; returns what it adds."""
        per_s = 1.0 / max(interval_s, 1e-3)
        self.per_s += per_s
        return per_s

    def left(self, per_s: float) -> None:
        """A probe stopped: ``per_s`` as ``joined`` returned it."""
        remaining = self.per_s - per_s
        self.per_s = remaining if remaining > 1e-9 else 0.0  # no float dust once all left


class Due:
    """A check's place in ``Ticks``; ``cancel`` takes it out."""

    __slots__ = ("_ticks", "callback")

    def __init__(self, callback: Callable[[], object] | None, ticks: Ticks) -> None:
        self.callback = callback
        self._ticks = ticks

    def cancel(self) -> None:
        if self.callback is not None:
            self.callback = None
            self._ticks.cancelled()


class Ticks:
    """The lean probes' one timer on a loop: checks due within the same ``SLOT_S`` run
    together, in one wake-up, as a kernel coalesces timers. A thousand checks a second
    spread over the second woke the loop a thousand times, each with a ``TimerHandle`` put
    in asyncio's heap (compared in Python); now a slot is an integer in a heap of its own
    and a check is a list entry."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._slots: dict[int, list[Due]] = {}
        self._heap: list[int] = []
        self._timer: asyncio.TimerHandle | None = None
        self._armed: float = math.inf
        #: While due checks run: the last slot they come from (checks they set for it or
        #: before wait for the next slot: a check that keeps falling due now starves nothing).
        self._running: int | None = None
        #: Checks held, and how many of them were cancelled (roughly: see ``cancelled``).
        self._held = 0
        self._cancelled = 0

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop) -> Ticks:
        """The loop's one ``Ticks`` (each worker thread runs a loop of its own)."""
        with _TICKS_LOCK:
            ticks = _TICKS.get(loop)
            if ticks is None:
                ticks = _TICKS[loop] = cls(loop)
            return ticks

    def at(self, when: float, callback: Callable[[], object]) -> Due:
        """Call ``callback`` at ``when`` (the loop's time), or up to ``SLOT_S`` after it."""
        slot = math.ceil(when / SLOT_S)
        if self._running is not None and slot <= self._running:
            slot = self._running + 1
        due = Due(callback, self)
        self._held += 1
        entries = self._slots.get(slot)
        if entries is not None:
            entries.append(due)
            return due
        self._slots[slot] = [due]
        heapq.heappush(self._heap, slot)
        if slot < self._armed and self._running is None:
            self._arm(slot)
        return due

    def later(self, delay_s: float, callback: Callable[[], object]) -> Due:
        return self.at(self._loop.time() + delay_s, callback)

    def cancelled(self) -> None:
        """A check was cancelled: it stays in its slot until then, unless many did (a
        profile edited again and again restarts its probe each time; a day's interval would
        keep each cancelled check a day)."""
        self._cancelled += 1
        if self._cancelled >= SWEEP_MIN and self._cancelled * 2 >= self._held:
            self._sweep()

    def _sweep(self) -> None:
        slots = {}
        for slot, entries in self._slots.items():
            if kept := [due for due in entries if due.callback is not None]:
                slots[slot] = kept
        self._slots = slots
        self._heap = list(slots)
        heapq.heapify(self._heap)
        self._held = sum(len(entries) for entries in slots.values())
        self._cancelled = 0

    def _arm(self, slot: int) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._armed = slot
        self._timer = self._loop.call_at(slot * SLOT_S, self._fire)

    def _fire(self) -> None:
        armed, self._timer, self._armed = self._armed, None, math.inf
        # asyncio runs a timer up to its clock's resolution early: the armed slot is due
        # (if it is still there: a sweep may have taken it), and any the loop was late for.
        last = max(int(armed), math.floor(self._loop.time() / SLOT_S))
        self._running = last
        try:
            while self._heap and self._heap[0] <= last:
                entries = self._slots.pop(heapq.heappop(self._heap), [])
                self._held = max(0, self._held - len(entries))
                for due in entries:
                    callback, due.callback = due.callback, None
                    if callback is not None:
                        self._call(callback)
                    else:
                        self._cancelled = max(0, self._cancelled - 1)
        finally:
            self._running = None
            if self._heap:
                self._arm(self._heap[0])

    @staticmethod
    def _call(callback: Callable[[], object]) -> None:
        try:
            callback()
        except Exception:  # as the loop would: one check's bug stops no other
            log.exception("a check failed to run")


_TICKS_LOCK = threading.Lock()
_TICKS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Ticks] = weakref.WeakKeyDictionary()


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

    def __init__(
        self, profile: Profile, address: AddrInfo, report: Report, *, pace: Pace | None = None
    ) -> None:
        """``pace``: the loop's, shared by its probes (see ``Pace``)."""
        self._loop = asyncio.get_running_loop()
        self.profile = profile
        self._family, self._sockaddr = address
        self._address = format_address(self._sockaddr)
        self._report = report
        self._pace = Pace() if pace is None else pace
        self._per_s = 0.0  # what this probe adds to its pace while it runs
        self._ticks = Ticks.of(self._loop)
        self._timer: Due | asyncio.Handle | None = None
        self._attempt: Attempt | None = None
        self._sock: socket.socket | None = None
        self._started = 0.0
        self._tick = 0.0
        self._woken = False
        self._early = False  # the next check is an extra one, due now
        #: Ask for the answer right after ``connect`` (the last check's peer was this close),
        #: when the pace is cheap.
        self._at_once = True
        self.active = False

    def start(self, delay_s: float = 0.0) -> None:
        if not self.active:
            self._per_s = self._pace.joined(self.profile.detector.interval_s)
        self.active = True
        self._tick = self._loop.time() + delay_s
        if delay_s > 0:
            self._next_check()
        else:
            self._timer = self._loop.call_soon(self._due)

    def stop(self) -> None:
        if self.active:
            self._pace.left(self._per_s)
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
        self._started = time.perf_counter()
        try:
            outcome = sock.connect_ex(self._sockaddr)
        except (OSError, ValueError, OverflowError) as exc:  # refused by the socket call
            sock.close()
            self._done(Sample.failure(*classify(exc), address=self._address))
            return
        rtt = None
        if outcome in IN_PROGRESS:
            answer = answered_at_once(sock) if self._at_once and self._pace.cheap else None
            if answer is None:
                self._wait(sock)
                return
            outcome, rtt = answer
        self._checked(sock, outcome, rtt)

    def _wait(self, sock: socket.socket) -> None:
        """Wait for the kernel's answer with the loop: the handshake is under way."""
        self._sock = sock
        timeout_s = self.profile.detector.timeout_s
        self._attempt = Attempt(
            self._loop,
            sock,
            None,
            timeout_s,
            self._settled,
            later=self._ticks.later if self._pace.cheap else None,
        )

    def _settled(self, outcome: int) -> None:
        """The ``Attempt``'s end: the kernel answered (or not) while the loop went on."""
        sock, self._sock, self._attempt = self._sock, None, None
        if sock is None:  # stopped meanwhile
            return
        self._at_once = False
        self._checked(sock, outcome, kernel_rtt_ms(sock) if outcome == 0 else None)

    def _checked(self, sock: socket.socket, outcome: int, rtt: float | None) -> None:
        connect_ms = (time.perf_counter() - self._started) * 1000.0
        if outcome == 0:
            # A peer this close is asked at once next time (see ``answered_at_once``).
            self._at_once = rtt is not None and rtt < AT_ONCE_RTT_MS
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
        self._next_check()

    def _next_check(self) -> None:
        if self._pace.cheap:
            self._timer = self._ticks.at(self._tick, self._due)
        else:
            self._timer = self._loop.call_at(self._tick, self._due)
