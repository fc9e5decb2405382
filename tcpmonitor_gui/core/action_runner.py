"""Running actions: commands in their own process group, notices through Apprise, on a
thread and loop of their own (``core.actions`` says what an action is and how it is written).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from .actions import (
    GATHER_MAX_S,
    GATHER_QUIET_S,
    KILL_GRACE_S,
    MAX_RUNNING,
    MAX_RUNNING_PER_PROFILE,
    MAX_WAITING,
    MAX_WAITING_ALL,
    NO_CHANGE,
    NOT_AGAIN,
    OUTPUT_AFTER_EXIT_S,
    OUTPUT_KEPT,
    REPEAT_S,
    Action,
    Outcome,
    as_known,
    batch_words,
    environment,
    found_again,
    notice_words,
    record,
)
from .apprise_send import send, tell
from .eventdb import EventLogError
from .events import Event, State
from .interpreter import missing_interpreter
from .untold import AGAIN, Untold
from .validate import CONTROL_ESCAPES


class _Command(asyncio.SubprocessProtocol):
    """A running command: the start of its output kept (the rest read and dropped, so that
    nothing writing to it ever blocks), and when it exited and when its output ended: not
    the same moment when a process it started goes on holding that output."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.kept = bytearray()
        self.exited: asyncio.Future[None] = loop.create_future()
        self.ended: asyncio.Future[None] = loop.create_future()  # its output's end
        self.finished: asyncio.Future[None] = loop.create_future()  # both, and all closed
        self.transport: asyncio.SubprocessTransport | None = None
        self.left: set[_Command] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.SubprocessTransport)
        self.transport = transport

    def pipe_data_received(self, fd: int, data: bytes) -> None:
        self.kept.extend(data[: max(0, OUTPUT_KEPT * 4 - len(self.kept))])

    def pipe_connection_lost(self, fd: int, exc: Exception | None) -> None:
        if fd == 1:
            _settle(self.ended)

    def process_exited(self) -> None:
        _settle(self.exited)

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()
        _settle(self.finished)

    def close(self) -> None:
        if self.left is not None:
            self.left.discard(self)
        if self.transport is not None:
            self.transport.close()


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def run_one(action: Action, event: Event, target: str, left: set[_Command]) -> Outcome:
    """Run ``action`` for ``event``: its result is its own process's exit, and the first
    ``OUTPUT_KEPT`` characters of what it wrote until then are kept; at the timeout it is
    killed with its process group. Processes it started and left running when it exited are
    left alone (a tunnel it restarted): what they write to its output is read and dropped
    while they hold it, or until the runner closes the output (``left`` holds those)."""
    if action.notify:
        return await tell(action, event, target)
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    starting = asyncio.ensure_future(
        loop.subprocess_exec(
            lambda: _Command(loop),
            *action.run,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=environment(event, target),
            start_new_session=True,  # its own process group: killed whole at the timeout
        )
    )
    try:
        transport, command = await asyncio.shield(starting)
    except asyncio.CancelledError:
        # Quitting while asyncio still connected its pipes: cancelled there, it killed the
        # command alone (what it started ran on), left the pipes open, and waited for them
        # for ever ('actions test' interrupted hung 5 s and left its 'sleep' running). The
        # start is let finish, then the whole group goes, as at a timeout.
        with contextlib.suppress(Exception):
            transport, command = await starting
            await _kill(transport.get_pid(), command)
            await _close(command)
        raise
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        if isinstance(exc, FileNotFoundError) and (missing := missing_interpreter(action.run[0])):
            why = f"{missing}, named in its #! line: {why}"
        return Outcome(action, False, f"cannot run: {why}", "")
    lingers = False
    try:
        stdin = transport.get_pipe_transport(0)
        assert isinstance(stdin, asyncio.WriteTransport)
        stdin.write(event.to_json().encode() + b"\n")  # it need not read it
        stdin.close()
        exited = bool((await asyncio.wait({command.exited}, timeout=action.timeout_s))[0])
        if not exited:
            await _kill(transport.get_pid(), command)
            summary, ok = f"timed out after {action.timeout_s:g} s (killed)", False
        else:
            code = transport.get_returncode()
            took = time.monotonic() - started
            if code is not None and code < 0:
                summary = f"killed by signal {-code} after {took:.1f} s"
            else:
                summary = f"exit {code} in {took:.1f} s"
            ok = code == 0
        # What it wrote before it exited comes within a turn or two of the loop; the end of
        # its output is not waited for: a process it left running may hold that for days.
        await asyncio.wait({command.ended}, timeout=OUTPUT_AFTER_EXIT_S)
        lingers = exited and not command.ended.done()
        output = bytes(command.kept)
    except asyncio.CancelledError:  # the program is quitting: a running command goes with it
        if not command.exited.done():
            await _kill(transport.get_pid(), command)
        raise
    finally:
        if lingers:
            command.left = left
            left.add(command)
        else:
            await _close(command)
    text = output.decode("utf-8", "replace")
    text = " / ".join(line.strip() for line in text.splitlines() if line.strip())
    # Kept with its control characters as escapes: it may relay a remote's words (ssh, curl),
    # and the record is printed as it is by 'events --format csv' and 'run --json'.
    return Outcome(action, ok, summary, text.translate(CONTROL_ESCAPES)[:OUTPUT_KEPT])


async def _kill(pid: int, command: _Command) -> None:
    """SIGTERM to its process group, then SIGKILL to what of it is left after
    ``KILL_GRACE_S`` (the command itself, or a process still holding its output)."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        gone = {command.exited, command.ended}
        if not (await asyncio.wait(gone, timeout=KILL_GRACE_S))[1]:
            return


async def _close(command: _Command) -> None:
    """Close its output and wait (briefly) until the loop has let go of it: a transport left
    for the collector after the loop closed printed 'Event loop is closed'."""
    command.close()
    await asyncio.wait({command.finished}, timeout=KILL_GRACE_S)


@dataclasses.dataclass(eq=False)
class _Batch:
    action: Action
    first: float
    items: list[tuple[Event, str]] = dataclasses.field(default_factory=list)
    #: Profiles whose changes the service missed, told again (``untold``).
    again: list[str] = dataclasses.field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    task: asyncio.Task[None] | None = None


class ActionRunner:
    """Runs actions on a thread and loop of its own; ``report`` gets each ``action`` event
    (on that thread). ``submit`` may be called from any thread and never waits."""

    def __init__(
        self,
        report: Callable[[Event], None],
        known_before: Callable[[Event], State | None] | None = None,
    ) -> None:
        self._report = report  # ``known_before``: ``last_seen.state_before`` (its thread asks)
        self._known_before = known_before
        # Explicitly a selector loop: in the window, qasync's policy would make a Qt loop here.
        self._loop: asyncio.AbstractEventLoop = asyncio.SelectorEventLoop()
        self._slots = asyncio.Semaphore(MAX_RUNNING)
        self._own_slots: dict[str, asyncio.Semaphore] = {}  # by profile id, on the loop
        #: The last change told (or being told) to each (profile, service), and when.
        self._told: dict[tuple[str, str], tuple[State, float]] = {}
        self._untold = Untold()  # what services missed (on the loop)
        #: Notices being gathered, by service URL (on the loop).
        self._batches: dict[str, _Batch] = {}
        self._waiting = 0
        self._waiting_for: collections.Counter[str] = collections.Counter()  # by profile id
        #: States found again whose log's answer the loop awaits, by profile id: the same
        #: profile's later changes go after them (its down ran before the up found first).
        self._asking: collections.Counter[str] = collections.Counter()
        #: Commands that exited leaving processes that hold their output (on the loop).
        self._left: set[_Command] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._loop.run_forever, name="actions", daemon=True)
        self._thread.start()

    def submit(
        self, event: Event, actions: Iterable[Action], target: str, *, snoozed: bool = False
    ) -> None:
        """Start what ``actions`` want done for ``event``. Notices to services follow the
        desktop's rules: none while the profile is ``snoozed``, and the same change of one
        profile is told to one service at most once in ``REPEAT_S`` (a flapping connection).
        A drop found at a start or a resume that was down when last watched is no new drop:
        its actions are not run again (a tunnel restarted, a page sent at every restart); one
        found up that was down is a recovery, and one found as it was is no change. A
        profile's changes are acted on in their order, those after a state found again
        after its answer."""
        pid = event.profile_id
        if self._known_before is not None and found_again(event):
            maybe = [a for a in actions if a.may_want(event)]
            if maybe:
                with self._lock:
                    self._asking[pid] += 1
                self._loop.call_soon_threadsafe(self._as_known, event, maybe, target, snoozed)
            return
        wanted = [a for a in actions if a.wants(event)]
        if not wanted:
            return
        with self._lock:
            behind = self._asking[pid] > 0
        if behind:  # after the state found again before it, whose answer the loop awaits
            self._loop.call_soon_threadsafe(self._start, event, wanted, target, snoozed)
        else:
            self._start(event, wanted, target, snoozed)

    def _as_known(
        self, event: Event, actions: Sequence[Action], target: str, snoozed: bool
    ) -> None:
        """On the loop: ``actions`` for a state found again, as a change from what the log
        knew before it (``actions.as_known``); those it then wants no more are said."""
        before = None
        try:
            with contextlib.suppress(EventLogError):  # not known: a first sight, as with no log
                before = self._known_before(event) if self._known_before is not None else None
            known = as_known(event, before)
            for action in actions:
                if action.wants(event) and not action.wants(known):
                    said = NOT_AGAIN if before is State.DOWN else NO_CHANGE.format(state=before)
                    self._report(record(event, Outcome(action, True, said, "")))
            self._start(known, [a for a in actions if a.wants(known)], target, snoozed)
        finally:
            with self._lock:
                self._asking[event.profile_id] -= 1
                if self._asking[event.profile_id] <= 0:
                    del self._asking[event.profile_id]

    def _start(self, event: Event, actions: Sequence[Action], target: str, snoozed: bool) -> None:
        for action in actions:
            if action.notify:
                if snoozed:
                    continue
                key, now = (event.profile_id, action.notify), time.monotonic()
                last = self._told.get(key)
                if last is not None and last[0] is event.state and now - last[1] < REPEAT_S:
                    ago = f"{event.state} was told {now - last[1]:.0f} s ago"
                    quiet = Outcome(action, False, f"not sent: {ago} (once in {REPEAT_S:g} s)", "")
                    self._report(record(event, quiet))
                    continue
                self._told[key] = (event.state, now)
            if full := self._wait([event.profile_id]):
                self._report(record(event, Outcome(action, False, f"skipped: {full}", "")))
                continue
            if action.notify:  # gathered with the other changes told to that service now
                self._loop.call_soon_threadsafe(self._gather, action, event, target)
            else:
                asyncio.run_coroutine_threadsafe(self._run(action, event, target), self._loop)

    def _wait(self, profile_ids: list[str], *, bound: bool = True) -> str:
        """Count actions of these profiles as waiting; or, past a bound, none, and what it
        is ("20 actions of this connection wait")."""
        with self._lock:
            if bound and self._waiting >= MAX_WAITING_ALL:
                return f"{MAX_WAITING_ALL} actions wait"
            if bound and self._waiting_for[profile_ids[0]] >= MAX_WAITING:
                return f"{MAX_WAITING} actions of this connection wait"
            self._waiting += len(profile_ids)
            self._waiting_for.update(profile_ids)
        return ""

    def _waited(self, profile_ids: list[str]) -> None:
        with self._lock:
            self._waiting -= len(profile_ids)
            self._waiting_for.subtract(profile_ids)
            for pid in profile_ids:
                if self._waiting_for[pid] <= 0:
                    del self._waiting_for[pid]

    def retry_missed(self) -> None:
        """The network is back (or this computer awake): each service that missed changes
        is told them now (``untold``), with a notice on its way to it or in one of their own.
        May be called from any thread."""

        def retry() -> None:
            for action, profile_id in self._untold.waiting():
                self._gather(action, again=profile_id)

        with contextlib.suppress(RuntimeError):  # closed meanwhile (the program is quitting)
            self._loop.call_soon_threadsafe(retry)

    def _gather(
        self, action: Action, event: Event | None = None, target: str = "", again: str = ""
    ) -> None:
        """On the loop: hold a notice until ``GATHER_QUIET_S`` pass without another for the
        same service, or ``GATHER_MAX_S`` after the first (the desktop notices' rule); or
        what the service missed of the profile ``again``, to tell again."""
        batch = self._batches.get(action.notify)
        now = self._loop.time()
        if batch is None:
            batch = self._batches[action.notify] = _Batch(action, now)
        if event is not None:
            batch.items.append((event, target))
        batch.again.extend([again] if again else [])
        if batch.timer is not None:
            batch.timer.cancel()
        wait = max(0.0, min(GATHER_QUIET_S, batch.first + GATHER_MAX_S - now))
        batch.timer = self._loop.call_later(wait, self._flush, action.notify)

    def _flush(self, url: str) -> None:
        batch = self._batches.pop(url, None)
        if batch is not None:
            batch.task = self._loop.create_task(self._tell_batch(batch))

    async def _tell_batch(self, batch: _Batch) -> None:
        items, url = batch.items, batch.action.notify
        ids = [event.profile_id for event, _target in items]
        again = [pid for pid in dict.fromkeys(batch.again) if pid not in ids]  # what it missed

        def gathered(told: Outcome) -> list[Outcome]:
            if len(items) > 1:
                told = dataclasses.replace(
                    told, summary=f"{told.summary} (one notice for {len(items)} changes)"
                )
            return [told] * len(items)

        def settle(told: Outcome, outcomes: list[Outcome]) -> None:
            for pid in again:  # told again what it missed: recorded as such
                if (first := self._untold.first(url, pid)) is not None:
                    said = AGAIN.format(summary=told.summary)
                    self._report(record(first, dataclasses.replace(told, summary=said)))
                if told.ok:
                    self._untold.delivered(url, pid)
            for (event, target), outcome in zip(items, outcomes, strict=True):
                if outcome.ok:
                    self._untold.delivered(url, event.profile_id)
                else:  # not told: the next such change is not "told N s ago", and says it
                    self._untold.missed(batch.action, event, target)
                    key = (event.profile_id, url)
                    if (last := self._told.get(key)) is not None and last[0] is event.state:
                        self._told.pop(key, None)
                self._report(record(event, outcome))

        # What the service missed of these profiles before (``untold``), said after them.
        notes = self._untold.notes(url, [*ids, *again])
        if not items:
            title, body = self._untold.words(url, again)
        else:
            title, body = notice_words(*items[0]) if len(items) == 1 else batch_words(items)
            body = "\n".join((body, *notes))

        def late(told: Outcome) -> None:  # given up at its timeout, it went through after all
            settle(told, gathered(told))

        try:
            async with self._slots:
                told = await send(batch.action, title, body, late=late)
        finally:
            self._waited(ids)
        settle(told, gathered(told))

    async def _run(self, action: Action, event: Event, target: str) -> Outcome:
        own = self._own_slots.setdefault(
            event.profile_id, asyncio.Semaphore(MAX_RUNNING_PER_PROFILE)
        )
        try:
            async with own, self._slots:
                outcome = await run_one(action, event, target, self._left)
        finally:
            self._waited([event.profile_id])
        self._report(record(event, outcome))
        return outcome

    def run_now(self, runs: Sequence[tuple[Action, Event]], target: str) -> list[Outcome]:
        """Run every action for its event whatever it is set off by, and wait (``tcpmonitor
        actions test``)."""

        async def every() -> list[Outcome]:
            return list(await asyncio.gather(*(self._run(a, e, target) for a, e in runs)))

        self._wait([event.profile_id for _action, event in runs], bound=False)
        return asyncio.run_coroutine_threadsafe(every(), self._loop).result()

    def close(self, timeout: float = 5.0) -> None:
        """Wait up to ``timeout`` for running actions; those still running then are killed
        (their whole process group) and recorded no more. Processes an action started and
        left running stay, no longer read from. Then the thread ends."""

        async def finish() -> None:
            for url in list(self._batches):  # what is being gathered goes now
                batch = self._batches[url]
                if batch.timer is not None:
                    batch.timer.cancel()
                self._flush(url)
            pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if pending:
                _done, still = await asyncio.wait(pending, timeout=timeout)
                for task in still:
                    task.cancel()
                await asyncio.gather(*still, return_exceptions=True)
            # Processes an action left running go on; their output is no longer read.
            await asyncio.gather(*(_close(command) for command in list(self._left)))

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(finish(), self._loop).result(
                timeout + 2 * KILL_GRACE_S + 1
            )
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
