"""``tcpmonitor run``: every enabled profile, headless, until SIGINT or SIGTERM; SIGHUP (and
a change of the file) reads the profiles again (``follow.py``); SIGTSTP (Ctrl-Z) pauses them
before the process stops (``suspend``)."""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import faulthandler
import functools
import logging
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from ..core.action_runner import ActionRunner
from ..core.actions import Action
from ..core.claims import TAKEN_OVER
from ..core.computer import RETRY_AFTER, ThisComputer
from ..core.eventlog import EventLog
from ..core.events import Event, Kind, State
from ..core.jsonfile import JsonFileError, Unread
from ..core.last_seen import known_states, states_before
from ..core.metrics import Metrics
from ..core.metrics_server import RETRY_S, ServedWhenFree
from ..core.monitor import MonitorSet
from ..core.profile import Profile
from ..core.profile_store import unread_message
from ..core.rlimit import raise_open_file_limit
from ..core.snooze import snoozed
from . import hangup
from .errors import EXIT_FAILED, EXIT_OK, EXIT_READER_GONE, EXIT_USAGE, UsageError, counted, die
from .follow import Follower
from .options import load_profiles_file, open_session, say_unread
from .output import Output
from .supervisor import Supervisor

log = logging.getLogger(__name__)

#: Events reach the log's writer thread in batches, at least this often.
BATCH_S = 0.1


def cmd_run(args: argparse.Namespace) -> int:
    supervisor = Supervisor()  # first: nothing started from here is the service
    # A profile a newer version added is left out, and said: it must not stop the others.
    session = open_session(args, partial=True)
    try:
        path = Path(args.profiles) if args.profiles else session.profile_store.path

        def read() -> tuple[list[Profile], list[Unread], str]:
            """The profiles this version can read, what it cannot, and a line for that: at
            the start and at each reload alike."""
            if args.profiles:
                left: list[Unread] = []
                profiles = load_profiles_file(path, left)
                return profiles, left, unread_message(str(path), left)
            store = session.profile_store
            try:
                return store.load(partial=True), store.unread, store.unread_error
            except JsonFileError as exc:  # named, exit 2 (at a reload: said, nothing changes)
                raise UsageError(str(exc)) from None

        def load() -> list[Profile]:  # again, at a reload
            profiles, left, unread = read()
            if not profiles and any(u.item for u in left):  # as at a start: not "all removed"
                raise UsageError(f"{unread}; nothing else to monitor")
            say_unread(unread, "monitored")
            return profiles

        profiles, _, unread = read()
        enabled = [p for p in profiles if p.enabled]
        if not enabled:
            if unread:  # nothing this version can read: not "add one"
                return die(f"{unread}; nothing else to monitor", EXIT_USAGE)
            return die(
                "no enabled profiles to monitor (add one with 'tcpmonitor profiles add')",
                EXIT_FAILED,
            )
        say_unread(unread, "monitored")
        session.settings  # noqa: B018 - read now, to say here what it leaves out
        say_unread(session.settings_store.unread_error, "used")
        raise_open_file_limit(len(enabled))
        # `kill -USR1 PID`: what every thread is doing, on stderr (a service that seems stuck).
        with contextlib.suppress(AttributeError, ValueError, OSError, RuntimeError):
            faulthandler.register(signal.SIGUSR1, all_threads=True)
        events = session.open_eventlog()
        assert events is not None  # strict: it opens or raises
        # Fed only when served: a check's sample costs nothing more without --metrics-listen.
        metrics = Metrics(enabled) if args.metrics_listen else None
        if metrics is not None:  # a state found again after the restart is no change
            metrics.know(known_states(events.path, [p.id for p in enabled]))
        server = None
        if metrics is not None:  # not served yet, it is tried again: monitoring goes on
            host, port = args.metrics_listen
            server = ServedWhenFree(metrics, host, port, failed=_not_served, served=_served)
        everywhere = session.settings.actions
        try:
            reader_gone = asyncio.run(
                _run(
                    enabled,
                    events,
                    args.json,
                    metrics,
                    (path, load),
                    everywhere=everywhere,
                    supervisor=supervisor,
                )
            )
        finally:
            if server is not None:
                server.close()
    finally:
        session.close()
    if lost := events.health().lost:  # a full disk at the end: said, not exit 0
        return die(f"{events.health().error}; {lost} events lost (some may have been printed)")
    if reader_gone:  # not a clean exit: a supervisor or a script must not take it for one
        return die(
            "the reader of standard output has gone (broken pipe): monitoring stopped",
            EXIT_READER_GONE,
        )
    return EXIT_OK


def _not_served(where: str, why: str) -> None:
    """For the service's journal, once for each reason (``ServedWhenFree``)."""
    print(
        f"tcpmonitor: --metrics-listen: {where} cannot be used ({why}); monitoring goes on "
        f"without metrics, and the port is tried again every {RETRY_S:g} s",
        file=sys.stderr,
        flush=True,
    )


def _served(where: str) -> None:
    print(f"metrics on http://{where}/metrics", file=sys.stderr, flush=True)


async def _run(
    profiles: Sequence[Profile],
    events: EventLog,
    as_json: bool,
    metrics: Metrics | None,
    source: tuple[Path, Callable[[], list[Profile]]],
    *,
    everywhere: Sequence[Action] = (),
    supervisor: Supervisor,
) -> bool:
    """Monitor until SIGINT or SIGTERM, or until the reader of stdout goes (then True)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
            loop.add_signal_handler(sig, stop.set)
    batch: list[Event] = []
    # The loop never writes to stdout itself: a reader that stops reading must not stop
    # detection (cli/output.py).
    output = Output(
        sys.stdout,
        stored=events.committed,
        reader_gone=lambda: loop.call_soon_threadsafe(stop.set),
    )

    def hand_over() -> int:
        ticket = events.submit(batch)
        batch.clear()
        return ticket

    def emit(event: Event) -> None:
        if metrics is not None:
            metrics.feed(event)
        # Actions: of the profiles recorded here (another program that records one runs its).
        pid = event.profile_id
        if event.kind is Kind.STATE and (monitor := monitors.monitors.get(pid)):
            p = monitor.profile
            if (p.actions or everywhere) and events.claims.holds(pid):
                quiet = snoozed(p.snooze_until)
                actions.submit(event, (*p.actions, *everywhere), p.target, snoozed=quiet)
        if not batch:  # a timer only while there is something to hand over: idle stays idle
            loop.call_later(BATCH_S, hand_over)
        batch.append(event)
        if event.kind is not Kind.SAMPLE:
            ticket = hand_over()  # news: to the log at once, and printed once stored
            output.put(event.to_json() if as_json else describe(event), ticket)
            if event.kind is Kind.STATE and event.profile_id:
                tell_recorder(event)
        elif as_json:
            output.put(event.to_json())

    #: Profiles whose changes another program records (said once, ``tell_recorder``).
    elsewhere: set[str] = set()

    def tell_recorder(event: Event) -> None:
        """Say once that a profile's changes printed here are stored by another program
        (``claims.py``): a second run printed them as if it recorded them, and said nothing."""
        pid, name = event.profile_id, printable(event.profile_name)
        here = events.claims.recorded_here(pid)
        if here and pid in elsewhere:
            elsewhere.discard(pid)
            output.note(f"tcpmonitor: {name}: {TAKEN_OVER}")
        elif not here and pid not in elsewhere:
            elsewhere.add(pid)
            output.note(
                f"tcpmonitor: {name}: recorded by another program that watches it with this"
                " event log (the window, or another 'tcpmonitor run'); its changes are printed"
                " here, not stored, and its actions run there, until that program stops"
            )

    ours = threading.get_ident()  # this loop's thread
    #: This computer's changes told on a watcher's thread and not yet here, oldest first.
    news: collections.deque[Event] = collections.deque()

    def computer_changed(event: Event) -> None:  # a watcher's thread, or a monitor's
        news.append(event)
        if threading.get_ident() != ours:
            loop.call_soon_threadsafe(tell_news)
        else:  # a monitor read the clocks before it reports a failure, and they say this
            tell_news()  # computer slept: told now, before that failure (posted, after it)

    def tell_news() -> None:
        """What the watchers told, now: before a monitor's event, which came after it (the
        watcher found the sleep first, and the monitor then none to tell before its drop)."""
        while news:
            event = news.popleft()
            emit(event)
            loop.call_soon(retry_after, event)

    def monitored(event: Event) -> None:
        tell_news()
        emit(event)

    def retry_after(event: Event) -> None:
        if event.state in RETRY_AFTER:
            monitors.retry_now(event.state is not State.ONLINE)  # what failed meanwhile: now
            actions.retry_missed()  # and services hear what they missed (``untold``)

    # An action's outcome is news like a change: to the log and the output, on our loop.
    def outcome(event: Event) -> None:  # the actions' thread
        loop.call_soon_threadsafe(emit, event)

    actions = ActionRunner(outcome, functools.partial(states_before, events.path))
    computer = ThisComputer(computer_changed)
    already = computer.start()
    if metrics is not None:  # known now: an online start is told by no event
        metrics.set_computer(online=computer.network.online, asleep=computer.power.asleep)
    monitors = MonitorSet(monitored, local=computer.network, woke=computer.power.look_now)
    for event in already:
        emit(event)
    monitors.add_all(profiles)

    async def apply(new: list[Profile]) -> str:
        """Make ``new`` the watched profiles: what did not change is left running."""
        wanted = {p.id: p for p in new if p.enabled or p.id in monitors.monitors}
        raise_open_file_limit(len(wanted))  # room for the added ones' connections
        gone = [pid for pid in monitors.monitors if pid not in wanted]
        for pid in gone:
            await monitors.remove(pid, record=True)
            events.release(pid)  # once its "unknown" is stored: another program may record it
        added = changed = 0
        for p in wanted.values():
            monitor = monitors.monitors.get(p.id)
            if monitor is None:
                monitors.add(p)
                added += 1
            elif monitor.profile != p:
                await monitors.update(p)
                changed += 1
        if metrics is not None:
            metrics.set_profiles(m.profile for m in monitors.monitors.values())
        supervisor.tell(watching())
        return f"{added} added, {changed} changed, {len(gone)} removed"

    def watching() -> str:  # for `systemctl status`
        n = sum(1 for m in monitors.monitors.values() if m.profile.enabled)
        return f"STATUS=watching {counted(n, 'profile')}"

    suspending: set[asyncio.Task[None]] = set()

    async def suspend() -> None:
        """Ctrl-Z in the terminal (SIGTSTP). Stopped with its claims (``claims.py``), the run
        left the window beside it recording none of their profiles and running none of their
        actions: a drop while it was stopped was in no history, and no mail went. It pauses
        every profile first (stored, or left to the window that watches it), lets go of the
        claims, then stops; at ``fg`` or ``bg`` it resumes them and asks for them again."""
        await monitors.pause_all()
        hand_over()
        await asyncio.to_thread(events.flush)
        for pid in list(monitors.monitors):
            events.claims.release(pid)
        os.kill(os.getpid(), signal.SIGSTOP)
        if not stop.is_set():
            await monitors.resume_all()

    def suspended() -> None:
        if not suspending:
            task = loop.create_task(suspend(), name="suspend")
            suspending.add(task)
            task.add_done_callback(resumed)

    def resumed(task: asyncio.Task[None]) -> None:
        suspending.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("pausing for Ctrl-Z failed", exc_info=exc)

    follower = Follower(source[0], source[1], apply)
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError):
        loop.add_signal_handler(signal.SIGHUP, follower.hangup)
        loop.add_signal_handler(signal.SIGUSR2, _print_tasks)
        loop.add_signal_handler(signal.SIGTSTP, suspended)
    if hangup.came():  # while the program started (hangup.py): a reload, now
        follower.hangup()
    following = loop.create_task(follower.run(), name="profiles follower")
    # A reload now reads the profiles again: systemd may send one (supervisor.py).
    supervisor.tell("READY=1", watching())
    try:
        await stop.wait()
    finally:
        supervisor.tell("STOPPING=1")
        following.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await following
        follower.close()
        computer.close()
        await monitors.close()
        await asyncio.to_thread(actions.close)  # running commands: a moment, then killed
        await asyncio.sleep(0)  # their outcomes, posted to this loop, are emitted
        hand_over()
        events.flush()
        output.close()
    return output.reader_gone


def _print_tasks() -> None:
    """``kill -USR2 PID``: where every task on the loop waits (each monitor is one), on stderr:
    the chain of coroutines down to what it awaits."""
    for task in asyncio.all_tasks():
        lines = [f"task {task.get_name()}:"]
        awaited: object = task.get_coro()
        for _depth in range(30):
            frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "ag_frame", None)
            if frame is None:
                lines.append(f"  waits for {awaited!r:.200}")
                break
            lines.append(f"  {frame.f_code.co_filename}:{frame.f_lineno} in {frame.f_code.co_name}")
            awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "ag_await", None)
        print("\n".join(lines), file=sys.stderr)
    print("end of tasks", file=sys.stderr, flush=True)


def describe(event: Event) -> str:
    """One human line for a state change (or this computer's network or power changing)."""
    if event.kind in (Kind.NETWORK, Kind.POWER):
        parts = [event.to_dict()["ts"], f"this computer: {event.kind} {event.state}"]
    elif event.kind is Kind.ACTION:
        parts = [event.to_dict()["ts"], printable(event.profile_name), printable(event.detail)]
        return "  ".join(parts)
    else:
        parts = [event.to_dict()["ts"], printable(event.profile_name)]
        parts.append(f"{event.previous} -> {event.state}")
    if event.cause is not None:
        parts.append(str(event.cause))
    if event.detail:
        parts.append(printable(event.detail))
    if event.detection_ms is not None:
        parts.append(f"(noticed {event.detection_ms:.1f} ms after the last good sign)")
    return "  ".join(parts)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control characters shown as escapes: a name or a detail read back from
    an old or hand-made event log must not be able to drive the terminal it is printed on,
    nor turn the rest of its line around (the bidirectional controls)."""
    return _CONTROL.sub(lambda m: ascii(m[0])[1:-1], text)
