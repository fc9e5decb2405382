"""One check: resolve, connect, optional TLS and send/expect, close.

This is the ``probe`` detector's unit of work, the command line's ``check``, and the profile
dialog's "Test now" for every detector kind.
"""

from __future__ import annotations

import functools

from .connect import connect
from .exchange import converse
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
        return exc.sample()
    timings = conn.timings
    latency = timings.connect_latency_ms
    try:
        if talk and conn.wire is not None:
            timings, latency = await converse(
                conn.wire, exchange, profile.detector.timeout_s, timings
            )
    except CheckFailed as exc:
        return Sample(False, exc.cause, None, exc.detail, conn.address, timings)
    finally:
        conn.close()
    return Sample(True, None, latency, "", conn.address, timings)
