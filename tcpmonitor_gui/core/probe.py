"""One check: resolve, connect, optional TLS and send/expect, close.

This is the ``probe`` detector's unit of work, the command line's ``check``, and the profile
dialog's "Test now" for every detector kind.
"""

from __future__ import annotations

import dataclasses
import functools

from .connect import connect
from .exchange import ask, read_greeting
from .failure import CheckFailed
from .presets import Exchange, compile_exchange
from .profile import Profile
from .resolver import Resolver
from .sample import Sample


@functools.lru_cache(maxsize=1024)
def exchange_for(profile: Profile) -> Exchange:
    d = profile.detector
    return compile_exchange(d.preset, d.send, d.expect, profile.host)


async def probe_once(profile: Profile, resolver: Resolver) -> Sample:
    """Run one check and describe it; never raises for a network failure."""
    exchange = exchange_for(profile)
    talk = not exchange.is_empty and profile.detector.kind != "watch"
    try:
        conn = await connect(profile, resolver, wire=talk, hold=False)
    except CheckFailed as exc:
        return Sample.failure(exc.cause, exc.detail, exc.address)
    timings = conn.timings
    latency = timings.connect_latency_ms
    try:
        if talk and conn.wire is not None:
            timeout = profile.detector.timeout_s
            greeting_ms = await read_greeting(conn.wire, exchange, timeout)
            reply_ms = await ask(conn.wire, exchange, timeout) if exchange.send else None
            timings = dataclasses.replace(timings, greeting_ms=greeting_ms, reply_ms=reply_ms)
            # A check that asks a question is as fast as its answer, as a heartbeat is: an
            # HTTP server 400 ms slow behind a quick handshake was "0.03 ms", never degraded.
            latency = next((t for t in (reply_ms, greeting_ms) if t is not None), latency)
    except CheckFailed as exc:
        return Sample(False, exc.cause, None, exc.detail, conn.address, timings)
    finally:
        conn.close()
    return Sample(True, None, latency, "", conn.address, timings)
