"""``tcpmonitor check HOST:PORT``: tcping, with causes and timings."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
from collections.abc import Coroutine
from typing import Any

from ..core.events import iso_ms, utc_now
from ..core.probe import probe_once
from ..core.profile import Profile
from ..core.resolver import Resolver
from ..core.sample import Sample
from .errors import EXIT_FAILED, EXIT_OK, counted
from .options import profile_from_args


def cmd_check(args: argparse.Namespace) -> int:
    # A check has no name, and shows its target: the target is no name either (a name has
    # a limit of its own, shorter than a host's 253 characters).
    profile = profile_from_args(args, name="check", kind="probe")
    if args.interval is None:
        profile = _with_interval(profile, 1.0)
    return asyncio.run(_check(profile, args.count, args.json))


def _with_interval(profile: Profile, interval: float) -> Profile:
    data = profile.to_dict()
    data["detector"]["interval_s"] = interval
    return Profile.from_dict(data)


async def _check(profile: Profile, count: int, as_json: bool) -> int:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    resolver = Resolver(max_threads=2)
    samples: list[Sample] = []
    try:
        while not stop.is_set() and (count == 0 or len(samples) < count):
            started = loop.time()
            if (sample := await _unless_stopped(probe_once(profile, resolver), stop)) is None:
                break  # Ctrl-C while an attempt waited (up to --timeout): it is not counted
            samples.append(sample)
            print(_line(profile, sample, as_json), flush=True)
            if count and len(samples) >= count:
                break
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout_at(started + profile.detector.interval_s):
                    await stop.wait()
        if not as_json:
            print(_summary(profile, samples), flush=True)
    except BrokenPipeError:  # `check ... | head -1`: the reader has its line; the result stays
        pass
    finally:
        resolver.close()
    return EXIT_OK if samples and samples[-1].ok else EXIT_FAILED


async def _unless_stopped(
    attempt: Coroutine[Any, Any, Sample], stop: asyncio.Event
) -> Sample | None:
    """The attempt's sample, or None if ``stop`` is set first (the attempt is cancelled)."""
    trying = asyncio.ensure_future(attempt)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait((trying, stopping), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (trying, stopping):
            task.cancel()
        await asyncio.gather(trying, stopping, return_exceptions=True)
    return None if trying.cancelled() else trying.result()


def _line(profile: Profile, sample: Sample, as_json: bool) -> str:
    t = sample.timings
    if as_json:
        return json.dumps(
            {
                "ts": iso_ms(utc_now()),
                "target": profile.target,
                "address": sample.address,
                "ok": sample.ok,
                "cause": sample.cause,
                "latency_ms": sample.latency_ms,
                "time_ms": t and t.total_ms,
                "detail": sample.detail,
                "dns_ms": t and t.dns_ms,
                "connect_ms": t and t.connect_ms,
                "tls_ms": t and t.tls_ms,
                "greeting_ms": t and t.greeting_ms,
                "reply_ms": t and t.reply_ms,
                "kernel_rtt_ms": t and t.kernel_rtt_ms,
            }
        )
    where = sample.address or profile.target
    if sample.ok:
        took = t.total_ms if t is not None else None  # the steps in brackets add up to it
        latency = f"{took:.3f} ms" if took is not None else "?"
        return f"Connected to {where}: time={latency} ({t.describe() if t else ''})"
    timings = f" [{t.describe()}]" if t else ""
    return f"Failed {where}: {sample.cause} ({sample.detail}){timings}"


def _summary(profile: Profile, samples: list[Sample]) -> str:
    if not samples:
        return f"--- {profile.target}: no attempt completed (interrupted)"
    ok = [s for s in samples if s.ok]
    failed = len(samples) - len(ok)
    text = (
        f"--- {profile.target}: {counted(len(samples), 'attempt')}, {len(ok)} connected, "
        f"{failed} failed "
        f"({100.0 * failed / len(samples):.1f}% failed)"
    )
    times = [t for s in ok if s.timings is not None and (t := s.timings.total_ms) is not None]
    if times:
        text += (
            f"\ntime min/avg/max = {min(times):.3f}/{statistics.fmean(times):.3f}"
            f"/{max(times):.3f} ms"
        )
    return text
