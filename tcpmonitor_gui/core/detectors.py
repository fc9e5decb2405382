"""The three detectors as loops that report samples: ``probe``, ``heartbeat`` and ``watch``.

``probe`` checks on a timer. ``heartbeat`` and ``watch`` hold one connection with a read
always pending (see ``wire.py``), so a FIN or RST is reported the moment it arrives;
``heartbeat`` also asks the peer every interval (catching silent drops and hung peers), and
``watch`` stays silent and leaves silent drops to the kernel's keepalive and user timeout.
After a drop they connect again every interval, as a probe would, whatever the last
connection met: a server back is told within an interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable
from typing import NoReturn

from .connect import Connected, connect
from .durations import duration
from .events import Cause
from .exchange import ask, converse, lost_failure, preview
from .failure import CheckFailed
from .presets import Exchange
from .probe import exchange_for, probe_once
from .profile import Profile
from .resolver import Resolver
from .sample import Sample
from .waits import RNG, Wake, wait_until
from .wire import Wire

Report = Callable[[Sample], None]


async def run_probe(
    profile: Profile, resolver: Resolver, report: Report, wake: Wake | None = None
) -> NoReturn:
    loop = asyncio.get_running_loop()
    interval = profile.detector.interval_s
    tick = loop.time()
    wake = wake or Wake()
    while True:
        report(await probe_once(profile, resolver))
        tick += interval
        now = loop.time()
        tick = max(tick, now)  # a check that outlasted the interval skips the missed ticks
        if await wake.sleep(tick - now):
            # Checked early (the network came back, the target answered another monitor):
            # the schedule keeps its phase. Starting it again from now would leave every
            # probe woken together ticking together for good, a thousand checks (and their
            # events) in one turn of the loop every interval.
            tick -= interval


#: Two connections that a watch's peer ended after the same time, this close (seconds, or
#: this share of it), ended the same way: an idle timeout.
SAME_LIFETIME_S = 0.5
SAME_LIFETIME_SHARE = 0.05
#: How long a watch's new connection must stand, beyond two round trips, before it is up.
SETTLE_S = 0.02
#: How a connection's peer ends it.
_PEER_ENDED = (Cause.CLOSED_BY_PEER, Cause.RESET)
#: Two of a watch's connections in a row that the peer ended sooner than this were turned
#: away (a balancer whose backend refuses); longer, or once (a network change), was up.
TURNED_AWAY_S = 1.0
#: How much of what a watch's peer said last is quoted when it ends the connection.
LAST_WORDS = 80


class WatchCloses:
    """Says how a watched connection that its peer ended went: how long it lasted, what the
    peer said last, and, when it is the second in a row that the peer ended after the same
    time with nothing said, what that likely is.

    - A server that accepts and then turns the connection away says why first: Redis's
      "-ERR max number of clients reached", MySQL's "Too many connections". A watch threw
      it away unread, and said only "peer closed the connection".
    - A proxy or load balancer with an idle timeout (HAProxy's ``timeout client``, an AWS
      load balancer's 60 s) ends a connection that carries no data, some with an RST
      (Azure's "TCP reset on idle"), and a watch sends none: it is told down at every such
      close, which is true of the connection and says nothing of the server behind.

    The close is still told (a watch's FIN or RST is its news); the detail says more."""

    def __init__(self, interval_s: float) -> None:
        self._shortest = max(1.0, interval_s)
        self._last: float | None = None  # the last silent connection's lifetime

    def told(self, failure: Sample, wire: Wire, started: float) -> Sample:
        """``failure`` ended a connection opened at ``started`` (monotonic) on ``wire``."""
        if failure.cause not in _PEER_ENDED:
            self._last = None
            return failure
        lasted = (wire.lost_at or time.monotonic()) - started
        silent = wire.last_data_at is None
        last, self._last = self._last, lasted if silent else None
        detail = f"{failure.detail} after {duration(lasted, tenths=True)}"
        said = bytes(wire.buffer)  # what came since the last check (``wire.take``)
        if len(said) > LAST_WORDS:
            detail += f", ending with {preview(said[-LAST_WORDS:], LAST_WORDS)}"
        elif said:
            detail += f", saying {preview(said, LAST_WORDS)}"
        tolerance = max(SAME_LIFETIME_S, SAME_LIFETIME_SHARE * lasted)
        if (
            silent
            and last is not None
            and lasted >= self._shortest
            and abs(lasted - last) <= tolerance
        ):
            detail += (
                " with nothing said, like the one before: likely an idle timeout, the server's"
                " own or on the way (a proxy, load balancer or firewall); a heartbeat keeps"
                " the connection busy"
            )
        return dataclasses.replace(failure, detail=detail)


async def run_held(
    profile: Profile, resolver: Resolver, report: Report, wake: Wake | None = None
) -> NoReturn:
    """Hold a connection and report on it; after a failure, connect again: at the next tick
    while connecting fails, an interval (+-10% jitter) after a connection that was accepted
    and then failed. Never later: only a connection tells whether a server that turned the
    last one away (a load balancer with no backend, a proxy with no upstream) serves again,
    and with backoff a server back was told "up" up to ``max_backoff_s`` late, though the
    user asked for a look every interval. A server turned away is asked no more often than a
    probe would ask it.

    A heartbeat's server may end a kept-alive connection in good order while no question is
    outstanding: HTTP servers do after so many requests or so long idle (Apache's
    KeepAliveTimeout is 5 s), with "Connection: close" or a bare FIN. That is the protocol,
    not a drop, and was told as "down: closed by peer" each time. Such a close is answered
    by connecting again at once: it is told only if that fails (as the FIN, with what the new
    connection met), so a server that really went away is still told within a connect of its
    FIN.

    Some servers close after every answer (HTTP/1.0, "Connection: close" on each reply). A
    close on a connection that was itself the answer to one, and lasted less than an
    interval, is the server's custom: the next connection waits for its tick, so such a
    server is asked once an interval, as a probe would ask it, never in a loop; and what that
    connection meets is told as itself.
    """
    d = profile.detector
    loop = asyncio.get_running_loop()
    wake = wake or Wake()
    closes = WatchCloses(d.interval_s) if d.kind == "watch" else None
    recycled: Sample | None = None  # the close being answered by a new connection
    answering = False  # this connection was opened to answer the last one's close
    turned_away = short = 0.0  # how long a watch's last connection lasted, if it was short

    def told(sample: Sample) -> None:
        nonlocal recycled
        if sample.ok:
            recycled = None  # the new connection answers: the close was the server's custom
        report(sample)

    while True:
        opened = loop.time()
        accepted = False
        try:
            conn = await connect(profile, resolver, wire=True, hold=True)
        except CheckFailed as exc:
            failure = exc.sample()
        else:
            accepted = True
            started = time.monotonic()
            wake.hold(conn)
            try:
                ended, closed_in_order = await _hold(profile, conn, told, 2.0 * turned_away)
            finally:
                wake.hold(None)
                if conn.wire is not None:
                    conn.wire.abort()
            if ended is None:
                continue  # it asked its share of questions (the preset's): the next at once
            lasted = time.monotonic() - started
            peer_ended = closes is not None and ended.cause in _PEER_ENDED
            was_short, short = short, lasted if lasted < TURNED_AWAY_S and peer_ended else 0.0
            turned_away = short if was_short else 0.0  # the second short one in a row
            failure = (
                ended
                if closes is None or conn.wire is None
                else closes.told(ended, conn.wire, started)
            )
            if closed_in_order and recycled is None:
                if answering and loop.time() - opened < d.interval_s:
                    await wake.sleep(opened + d.interval_s - loop.time())  # its custom
                else:
                    recycled = failure  # at once
                answering = True
                continue
        answering = False
        if recycled is not None:
            failure = dataclasses.replace(
                recycled, detail=f"{recycled.detail}; a new connection: {failure.detail}"
            )
            recycled = None
        report(failure)
        # Accepted, then ended or turned away: an interval from its end, so that a connection
        # held for hours is not made again in the instant it dropped (jitter spreads the many
        # held by one proxy that dropped them all). Nothing answered: at the next tick.
        next_tick = opened + d.interval_s - loop.time()
        await wake.sleep(d.interval_s * RNG.uniform(0.9, 1.1) if accepted else max(0.0, next_tick))


async def _hold(
    profile: Profile, conn: Connected, report: Report, outlive: float = 0.0
) -> tuple[Sample | None, bool]:
    """Report on one held connection until it fails; returns the failure (None: a heartbeat
    ended it itself, having asked the preset's ``per_connection`` questions), and whether the
    server ended it in good order after it answered (``_in_order``, ``run_held``). A watch's
    connection is up once it has stood ``outlive`` too (at most an interval, or a second)."""
    d = profile.detector
    wire = conn.wire
    assert wire is not None and wire.transport is not None
    exchange = exchange_for(profile) if d.kind == "heartbeat" else None
    loop = asyncio.get_running_loop()
    last_good = time.monotonic()
    idle = holding = False
    asked = 1
    try:
        timings = conn.timings
        latency = timings.connect_latency_ms
        if exchange is not None:
            # A detector that asks a question is up on a right answer, never on a bare
            # connect: a frozen server's kernel still accepts (DESIGN.md, States).
            timings, latency = await converse(wire, exchange, d.timeout_s, timings)
        else:
            # Nor is a watch up on a connection its server turns away at once (Redis at its
            # maxclients says why and closes): each reconnect was "up" for 0.0 s, a recovery
            # in the history. That close comes within a round trip or two of the connect.
            # After those turned away 0.1 s on (a balancer), it was "up" each time: outlive.
            cap = max(d.interval_s, TURNED_AWAY_S) if outlive > 0 else d.interval_s
            settle = min(cap, max(2.0 * (latency or 0.0) / 1000.0 + SETTLE_S, outlive))
            if await wait_until(wire.lost, loop.time() + settle):
                raise lost_failure(wire)
        report(
            Sample(
                True,
                None,
                latency,
                f"connected to {conn.address} ({timings.describe()})",
                conn.address,
                timings,
            )
        )
        last_good = time.monotonic()
        tick = loop.time() + d.interval_s
        holding = True
        while True:
            idle = True
            if await wait_until(wire.lost, tick):
                raise lost_failure(wire)
            idle = False
            tick = max(tick + d.interval_s, loop.time())
            if exchange is not None:
                if exchange.per_connection is not None and asked >= exchange.per_connection:
                    if exchange.goodbye is not None:
                        with contextlib.suppress(OSError, RuntimeError):
                            wire.transport.write(exchange.goodbye)
                    return None, False
                asked += 1
                latency = rtt = await ask(wire, exchange, d.timeout_s)
                last_good = time.monotonic()
                report(Sample(True, None, rtt, "", conn.address))
            else:
                wire.take()  # whatever a watched peer says is not ours to keep
                # Alive, with no latency: a watch sends nothing, so nothing was timed. The
                # kernel's RTT is still the handshake's (it learns only from ACKs of data we
                # send; keepalive answers do not count), and repeating it every interval
                # would show a latency no one measured, one that no slow network could move.
                report(Sample(True, None, None, "", conn.address))
    except CheckFailed as exc:
        detail = exc.detail
        in_order = exchange is not None and holding and _in_order(exc, wire, exchange, idle)
        if exchange is not None and wire.ended_before_asked and wire.asked_at is not None:
            # Its FIN waited unread as the question went out ("0.0 s after our request").
            detail += "" if in_order else " before our request"
        elif unanswered := (exchange is not None and _unanswered(exc, wire, idle)):
            in_order = in_order and _crossed(wire, unanswered, latency)
            if not in_order:
                detail += f" {_after_request(unanswered)}, unanswered"
        failure = Sample.failure(exc.cause, detail, conn.address, _last_sign(exc, wire, last_good))
        return failure, in_order
    raise AssertionError("unreachable: a held connection is reported on until it fails")


#: A close read sooner than this after the question came with it, as far as can be told.
WITH_REQUEST_S = 0.05


def _after_request(seconds: float) -> str:
    """When after our question its server's close was read: "0.0 s after our request" read
    as an answer to it, said of a server that had closed as it accepted."""
    if seconds < WITH_REQUEST_S:
        return "as our request went out"
    return f"{duration(seconds, tenths=True)} after our request"


def _in_order(exc: CheckFailed, wire: Wire, exchange: Exchange, idle: bool) -> bool:
    """Whether a heartbeat's server, having answered on this connection, ended it in good
    order: a FIN between questions; a FIN (or the RST of a server that closed with the
    question unread) before any byte of an answer, if it crossed the question
    (``_crossed``); or the preset's closing reply (SMTP's and FTP's 421)."""
    if idle:
        return exc.cause is Cause.CLOSED_BY_PEER
    if _ended(exc, wire) and not wire.buffer:
        return True
    return exchange.closing is not None and exchange.closing.search(bytes(wire.buffer)) is not None


#: How much later than a round trip after our question a close that crossed it may be
#: read: the loop, running late, reads it late.
CROSSING_SLACK_S = 0.2


def _unanswered(exc: CheckFailed, wire: Wire, idle: bool) -> float | None:
    """How long after a heartbeat's question its server ended the connection without a byte
    of answer (None: it did not, or not while a question was out)."""
    if idle or not _ended(exc, wire) or wire.buffer:
        return None
    if wire.asked_at is None or wire.lost_at is None:
        return None
    return max(wire.lost_at - wire.asked_at, 1e-9)


def _ended(exc: CheckFailed, wire: Wire) -> bool:
    """The server ended the connection: a FIN, or an RST (a server that closes with our
    question unread in its socket sends one, and it may be read before the FIN)."""
    return wire.eof or exc.cause is Cause.RESET


def _crossed(wire: Wire, after_s: float, rtt_ms: float | None) -> bool:
    """Whether a FIN that came ``after_s`` after the question crossed it: HTTP's kept-alive
    race, when the server's idle timeout and our interval are both 5 s (the RST that the
    question then meets is part of it). The server sent it before the question reached it,
    so it came within a round trip of the question. One that came later followed the
    question: the server took it and went away without answering it, which is no good order
    (a server that did so to every other question was up at 100 %)."""
    return after_s <= (rtt_ms or 0.0) / 1000.0 + CROSSING_SLACK_S


#: Causes that a held connection learns from what arrives on it, the moment it arrives.
_ARRIVED = (Cause.RESET, Cause.CLOSED_BY_PEER, Cause.TLS_ERROR)


def _last_sign(exc: CheckFailed, wire: Wire, last_good: float) -> float:
    """When the connection was last known good, for the detection delay.

    A FIN, an RST or a TLS record that does not decipher is itself the news: the connection
    was fine until it arrived (a watch's last good sign was otherwise its connect, and a bad
    record on one held a day was "noticed after 24 h"). On a silent drop the kernel knows
    when the peer last acknowledged anything.
    """
    if exc.cause in _ARRIVED and wire.lost_at is not None:
        return wire.lost_at
    if exc.cause is Cause.KEEPALIVE_TIMEOUT and wire.ack_age_at_loss_ms is not None:
        return time.monotonic() - wire.ack_age_at_loss_ms / 1000.0
    return last_good
