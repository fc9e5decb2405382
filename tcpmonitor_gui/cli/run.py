"""``tcpmonitor run``: every enabled profile, headless, until SIGINT or SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.eventlog import EventLog
from ..core.events import Event, Kind
from ..core.monitor import MonitorSet
from ..core.profile import Profile
from ..core.rlimit import raise_open_file_limit
from .errors import EXIT_FAILED, EXIT_OK, die
from .options import load_profiles_file, open_session

log = logging.getLogger(__name__)

#: Events reach the log's writer thread in batches, at least this often.
BATCH_S = 0.1


def cmd_run(args: argparse.Namespace) -> int:
    session = open_session(args)
    try:
        if args.profiles:
            profiles = load_profiles_file(Path(args.profiles))
        else:
            profiles = list(session.profiles)
        enabled = [p for p in profiles if p.enabled]
        if not enabled:
            return die(
                "no enabled profiles to monitor (add one with 'tcpmonitor profiles add')",
                EXIT_FAILED,
            )
        raise_open_file_limit(len(enabled) + 256)
        events = session.open_eventlog()
        assert events is not None  # strict: it opens or raises
        asyncio.run(_run(enabled, events, args.json))
    finally:
        session.close()
    return EXIT_OK


async def _run(profiles: Sequence[Profile], events: EventLog, as_json: bool) -> None:
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    batch: list[Event] = []
    out = sys.stdout

    pipe_closed = False

    def hand_over() -> None:
        events.submit(batch.copy())
        batch.clear()

    def emit(event: Event) -> None:
        nonlocal pipe_closed
        if not batch:  # a timer only while there is something to hand over: idle stays idle
            loop.call_later(BATCH_S, hand_over)
        batch.append(event)
        if pipe_closed:
            return
        try:
            if as_json:
                out.write(event.to_json() + "\n")
                out.flush()
            elif event.kind is Kind.STATE:
                out.write(describe(event) + "\n")
                out.flush()
        except BrokenPipeError:  # `tcpmonitor run --json | head`: the reader is gone
            pipe_closed = True
            stop.set()

    monitors = MonitorSet(emit)
    monitors.add_all(profiles)
    try:
        await stop.wait()
    finally:
        await monitors.close()
        events.submit(batch)
        batch.clear()


def describe(event: Event) -> str:
    """One human line for a state change."""
    parts = [event.to_dict()["ts"], event.profile_name, f"{event.previous} -> {event.state}"]
    if event.cause is not None:
        parts.append(str(event.cause))
    if event.detail:
        parts.append(event.detail)
    if event.detection_ms is not None:
        parts.append(f"(noticed {event.detection_ms:.1f} ms after the last good sign)")
    return "  ".join(parts)
