"""Running actions: commands in their own process group, notices through Apprise, on a
thread and loop of their own (``core.actions`` says what an action is and how it is written)."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterable, Sequence

from .action_command import Command, close_command, run_one
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
    REPEAT_S,
    Action,
    Outcome,
    as_known,
    batch_words,
    found_again,
    notice_words,
    record,
)
from .apprise_send import send
from .eventdb import EventLogError
from .events import Event, State
from .untold import AGAIN, Untold


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
        known_before: Callable[[Sequence[Event]], Sequence[State | None]] | None = None,
    ) -> None:
        self._report = report  # ``known_before``: ``last_seen.states_before`` (its thread asks)
        self._known_before = known_before
        # Explicitly a selector loop: in the window, qasync's policy would make a Qt loop here.
        self._loop: asyncio.AbstractEventLoop = asyncio.SelectorEventLoop()
        self._slots = asyncio.Semaphore(MAX_RUNNING)
        self._own_slots: dict[str, asyncio.Semaphore] = {}  # by profile id, on the loop
        #: The last change told (or being told) to each (profile, service), and when (under
        #: the lock: the caller's thread and the loop's start changes).
        self._told: dict[tuple[str, str], tuple[State, float]] = {}
        self._untold = Untold()  # what services missed (on the loop)
        #: Notices being gathered, by service URL (on the loop).
        self._batches: dict[str, _Batch] = {}
        self._waiting = 0
        self._waiting_for: collections.Counter[str] = collections.Counter()  # by profile id
        #: States found again whose log's answer the loop awaits, by profile id: the same
        #: profile's later changes go after them (its down ran before the up found first).
        self._asking: collections.Counter[str] = collections.Counter()
        #: Those states, asked of the log together in the loop's next turn (one read for all).
        self._found: list[tuple[Event, list[Action], str, bool]] = []
        #: Commands that exited leaving processes that hold their output (on the loop).
        self._left: set[Command] = set()
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
                    first = not self._found
                    self._found.append((event, maybe, target, snoozed))
                if first:
                    self._loop.call_soon_threadsafe(self._all_as_known)
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

    def _all_as_known(self) -> None:
        """On the loop: the states found again since its last turn, each as a change from what
        the log knew before it, read for all at once."""
        with self._lock:
            found, self._found = self._found, []
        before: Sequence[State | None] = [None] * len(found)
        try:
            with contextlib.suppress(EventLogError):  # not known: a first sight, as with no log
                if self._known_before is not None:
                    before = self._known_before([event for event, *_ in found])
        finally:  # each is acted on (or let go), or its profile's later changes would wait
            for (event, actions, target, snoozed), was in zip(found, before, strict=True):
                self._as_known(event, actions, target, snoozed, was)

    def _as_known(
        self,
        event: Event,
        actions: Sequence[Action],
        target: str,
        snoozed: bool,
        before: State | None,
    ) -> None:
        """``actions`` for a state found again, as a change from ``before``, what the log knew
        before it (``actions.as_known``); those it then wants no more are said."""
        try:
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
                if ago := self._told_lately(event, action.notify):
                    quiet = Outcome(action, False, f"not sent: {ago} (once in {REPEAT_S:g} s)", "")
                    self._report(record(event, quiet))
                    continue
            if full := self._wait([event.profile_id]):
                self._report(record(event, Outcome(action, False, f"skipped: {full}", "")))
                continue
            if action.notify:  # gathered with the other changes told to that service now
                self._loop.call_soon_threadsafe(self._gather, action, event, target)
            else:
                asyncio.run_coroutine_threadsafe(self._run(action, event, target), self._loop)

    def _told_lately(self, event: Event, url: str) -> str:
        """When the same change of the profile was told to ``url`` less than ``REPEAT_S``
        ago, in words; else "" and it is told now. Under the lock: changes are started on
        the caller's thread and on the loop's at once (those after a state found again)."""
        key, now = (event.profile_id, url), time.monotonic()
        with self._lock:
            last = self._told.get(key)
            if last is not None and last[0] is event.state and now - last[1] < REPEAT_S:
                return f"{event.state} was told {now - last[1]:.0f} s ago"
            self._told.pop(key, None)  # newest last: those older than REPEAT_S first
            self._told[key] = (event.state, now)
            while (old := next(iter(self._told.items()), None)) and now - old[1][1] >= REPEAT_S:
                self._told.pop(old[0], None)  # (every profile told was kept, removed ones too)
        return ""

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
            for pid in profile_ids:  # (not Counter's -=: it goes over every profile waiting)
                self._waiting_for[pid] -= 1
                if self._waiting_for[pid] <= 0:
                    del self._waiting_for[pid]
                    # On the loop, as _run: every one was kept, removed profiles' too.
                    self._own_slots.pop(pid, None)

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
        in_batch = set(ids)
        again = [pid for pid in dict.fromkeys(batch.again) if pid not in in_batch]  # what it missed

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
                    with self._lock:
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
        pid = event.profile_id
        own = self._own_slots.setdefault(pid, asyncio.Semaphore(MAX_RUNNING_PER_PROFILE))
        try:
            async with own, self._slots:
                outcome = await run_one(action, event, target, self._left)
        finally:
            self._waited([pid])
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
            await asyncio.gather(*(close_command(command) for command in list(self._left)))

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(finish(), self._loop).result(
                timeout + 2 * KILL_GRACE_S + 1
            )
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._loop.close()
