"""Talking to a peer over a ``Wire``: its greeting, our request, its reply.

Shared by ``probe`` (once per connection) and ``heartbeat`` (every interval on one held
connection). A reply is judged as soon as it is complete, so a wrong answer is reported at
once rather than at the timeout.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable

from .events import Cause
from .failure import CheckFailed, classify
from .patterns import Pattern
from .presets import Exchange
from .sample import Timings
from .validate import CONTROL_ESCAPES
from .wire import Wire

Judge = Callable[[bytes], bool | None]
#: How long a reply that reached the kernel in time, but not yet us, is given to be read.
LATE_GRACE_S = 0.05


#: How ``preview`` shows what is not printable text: control characters, a backslash, the
#: bidirectional controls a profile name may not hold (a peer's U+202E turned the rest of a
#: notice around), and each byte that is not UTF-8 (``surrogateescape`` made it U+DC80-DCFF).
_SHOWN = CONTROL_ESCAPES | {0x5C: "\\\\"} | {0xDC00 + b: f"\\x{b:02x}" for b in range(0x80, 0x100)}


def preview(data: bytes, limit: int = 60) -> str:
    """The first ``limit`` bytes of what a peer said, quoted, each escaped once: ``'+OK\\r\\n'``
    (it was ``'+OK\\\\r\\\\n'``: escaped by hand, then again by ``repr``)."""
    text = data[:limit].decode("utf-8", "surrogateescape").translate(_SHOWN)
    return f"'{text}{'...' if len(data) > limit else ''}'"


def lost_failure(wire: Wire) -> CheckFailed:
    """Why a held connection ended: the peer's FIN, an RST, or the kernel giving up."""
    exc = wire.lost.result() if wire.lost.done() else None
    if exc is None:
        if wire.eof:
            return CheckFailed(Cause.CLOSED_BY_PEER, "peer closed the connection (FIN)")
        return CheckFailed(Cause.LOCAL_ERROR, "connection closed locally")
    cause, detail = classify(exc, held=True)
    return CheckFailed(cause, detail)


async def await_reply(
    wire: Wire, judge: Judge, timeout: float, what: str, cut_short: Callable[[bytes], bool]
) -> float:
    """Wait until the buffered reply satisfies ``judge``; return when its last byte came.

    Raises ``CheckFailed``: unexpected_reply as soon as the reply is complete and wrong (or
    the peer sent more than we keep, or it is wrong at the deadline), heartbeat_timeout if
    nothing came in time or what came stopped halfway (``cut_short``: a peer that stalls in
    the middle of its answer is hung, not wrong; it was "reply 'tc' did not match"), and the
    connection's own cause if it ended first.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    late = False
    while True:
        data = bytes(wire.buffer)
        verdict = judge(data)
        if verdict is True:
            return wire.last_data_at or time.monotonic()
        if wire.overflowed and verdict is None:  # a flood, a line with no end (MAX_BUFFER)
            raise CheckFailed(
                Cause.UNEXPECTED_REPLY,
                f"{what}: over 64 KiB with no match, starting {preview(data)}",
            )
        if verdict is False:
            raise CheckFailed(Cause.UNEXPECTED_REPLY, f"{what}: got {preview(data)}")
        if wire.lost.done():
            if data:
                raise CheckFailed(
                    Cause.UNEXPECTED_REPLY, f"{what}: connection ended after {preview(data)}"
                )
            raise lost_failure(wire)
        try:
            async with asyncio.timeout_at(deadline):
                await wire.wait_data()
        except TimeoutError:
            if not late and (len(wire.buffer) != len(data) or wire.unread()):
                # The reply came in time but the loop, running late, read it together with
                # the deadline (or has not read it yet): judge it before the peer is blamed
                # for our lateness.
                late, deadline = True, loop.time() + LATE_GRACE_S
                continue
            if data and not cut_short(data):
                raise CheckFailed(
                    Cause.UNEXPECTED_REPLY, f"{what}: reply {preview(data)} did not match"
                ) from None
            if data:
                raise CheckFailed(
                    Cause.HEARTBEAT_TIMEOUT,
                    f"{what}: incomplete within {timeout:g} s, got {preview(data)}",
                ) from None
            raise CheckFailed(
                Cause.HEARTBEAT_TIMEOUT, f"{what}: no reply within {timeout:g} s"
            ) from None


def _greeted(greeting: Pattern, done: Pattern | None) -> Judge:
    """Right when ``greeting`` matches; wrong once a whole greeting (``done``) came that
    does not; else more may come."""

    def judge(data: bytes) -> bool | None:
        if greeting.search(data):
            return True
        return False if done is not None and done.search(data) else None

    return judge


async def read_greeting(wire: Wire, exchange: Exchange, timeout: float) -> float | None:
    """Wait for the banner a server sends first (SSH, SMTP, FTP), then drop it; returns how
    long it took to come whole, in ms (None: the exchange has no greeting)."""
    if exchange.greeting is None:
        return None
    waited_from = time.monotonic()
    came_at = await await_reply(
        wire,
        _greeted(exchange.greeting, exchange.greeting_done),
        timeout,
        "greeting",
        exchange.cut_short,
    )
    wire.take()
    return max(0.0, (came_at - waited_from) * 1000.0)


async def ask(wire: Wire, exchange: Exchange, timeout: float) -> float:
    """Send the request and wait for a matching reply; returns the round trip in ms."""
    if exchange.send is None:
        return 0.0
    if wire.lost.done():
        raise lost_failure(wire)
    wire.take()  # anything unsolicited before our request is not its answer
    assert wire.transport is not None
    sent_at = wire.ask_out()
    try:
        wire.transport.write(exchange.send)
    except (OSError, RuntimeError) as exc:
        cause, detail = classify(exc, held=True)
        raise CheckFailed(cause, detail) from None
    replied_at = await await_reply(wire, exchange.verdict, timeout, "reply", exchange.cut_short)
    wire.take()
    wire.asked_at = None  # answered: no question is out
    return max(0.0, (replied_at - sent_at) * 1000.0)


async def converse(
    wire: Wire, exchange: Exchange, timeout: float, timings: Timings
) -> tuple[Timings, float | None]:
    """The greeting, then the question and its answer, timed into ``timings``. Returns them
    with the check's latency: the answer's round trip; with nothing sent, the wait for the
    greeting; the connect's if neither. A check that asks is as fast as its answer: an HTTP
    server 400 ms slow behind a quick handshake was "0.03 ms", never degraded."""
    greeting_ms = await read_greeting(wire, exchange, timeout)
    reply_ms = await ask(wire, exchange, timeout) if exchange.send is not None else None
    timings = dataclasses.replace(timings, greeting_ms=greeting_ms, reply_ms=reply_ms)
    asked = (t for t in (reply_ms, greeting_ms) if t is not None)
    return timings, next(asked, timings.connect_latency_ms)
