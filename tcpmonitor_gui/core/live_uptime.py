"""Uptime that follows the state changes as they arrive.

The event log answers "how much of the last 24 h was each profile up" (``eventqueries.uptimes``)
as of one moment; asked once a minute, that answer alone showed a row down for 14 s as
"100 %". ``LiveUptime`` starts from the stored answer and adds, by the same rules, the time
spent in each state since: the figure moves with every second of a drop, and a connection
that has never worked reads 0 %, not 100 % or nothing. A fresh stored answer (the next
refresh) replaces what was added, so the window still slides.
"""

from __future__ import annotations

import dataclasses
import math

from .eventqueries import KNOWN_STATES, UP_STATES, Uptime
from .events import Cause, State

#: A state the profile was in: (state, local, planned, from, to), seconds on the clock the
#: caller counts on (Unix seconds, or the window's clock that nobody sets, ``ui.status.clock``).
Span = tuple[State, bool, bool, float, float]


@dataclasses.dataclass(slots=True)
class LiveUptime:
    """One profile's uptime: the stored ``base`` (as of ``base.at``) and the spans since."""

    base: Uptime = dataclasses.field(default_factory=lambda: Uptime(None))
    #: The current state, whether it is this computer's network's fault (``local_network``)
    #: or planned (a drop in a maintenance window), and since when (Unix seconds).
    state: State | None = None
    local: bool = False
    planned: bool = False
    since: float = 0.0
    #: The spans that ended since ``base.at``, and their sums (up, known, not counted,
    #: maintenance): kept apart so that an answer asked before a change and given after it
    #: does not lose that change.
    ended: list[Span] = dataclasses.field(default_factory=list)
    sums: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    #: Since when it counts (the profile was given another target then): an answer from
    #: the log as of before is of the old target's time.
    floor: float = -math.inf

    def rebase(self, base: Uptime) -> None:
        """A fresh answer from the log, which holds everything up to ``base.at``; an answer
        that holds nothing (the log could not be read), or that was asked before ``floor``,
        changes nothing."""
        if base.at is None or base.at < self.floor:
            return
        self.base = base
        self.ended = [span for span in self.ended if span[4] > base.at]
        self.sums = (0.0, 0.0, 0.0, 0.0)
        for span in self.ended:
            self._sum(span)

    def change(
        self, state: State, at: float, *, cause: Cause | None = None, planned: bool = False
    ) -> None:
        """The profile entered ``state`` at ``at`` (Unix seconds)."""
        if self.state is not None and at > self.since:
            span = (self.state, self.local, self.planned, self.since, at)
            self.ended.append(span)
            self._sum(span)
        self.state, self.since = state, at
        self.local = state is State.DOWN and cause is Cause.LOCAL_NETWORK
        self.planned = state is State.DOWN and planned

    def at(self, now: float) -> Uptime:
        """The uptime as of ``now`` (Unix seconds): stored, ended spans, and the current one."""
        up, known, not_counted, planned = self.totals(now)
        percent = 100.0 * up / known if known > 1e-9 else None
        return Uptime(percent, not_counted, planned, up_s=up, known_s=known, at=now)

    def totals(self, now: float) -> tuple[float, float, float, float]:
        """Seconds up, counted, not counted (this computer) and planned, as of ``now``: what
        ``at`` says, without building it (asked for every row every second)."""
        up, known, not_counted, planned = self.sums
        if self.state is not None:
            more = self._seconds((self.state, self.local, self.planned, self.since, now))
            up, known = up + more[0], known + more[1]
            not_counted, planned = not_counted + more[2], planned + more[3]
        base = self.base
        return (
            up + base.up_s,
            known + base.known_s,
            not_counted + base.not_counted_s,
            planned + base.maintenance_s,
        )

    def _sum(self, span: Span) -> None:
        more = self._seconds(span)
        self.sums = tuple(a + b for a, b in zip(self.sums, more, strict=True))  # type: ignore[assignment]

    def _seconds(self, span: Span) -> tuple[float, float, float, float]:
        """A span's seconds after the stored answer, by the log's rules (``uptimes``)."""
        state, local, planned, start, end = span
        if self.base.at is not None:
            start = max(start, self.base.at)
        seconds = end - start
        if state not in KNOWN_STATES or seconds <= 0:
            return 0.0, 0.0, 0.0, 0.0
        if planned:  # expected; and not counted at all when the network was down too
            return 0.0, 0.0, 0.0, 0.0 if local else seconds
        if local:
            return 0.0, 0.0, seconds, 0.0
        return (seconds if state in UP_STATES else 0.0), seconds, 0.0, 0.0
