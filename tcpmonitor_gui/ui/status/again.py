"""A row's state found again as it was left: at a start, the event log's last one; at a
resume, the one it was paused in. "For" counts from the start (or the resume), as the
details' ongoing outage does (its outage ended at the pause: nothing was watched in
between); the row says beside it that the state was so before too (``Row.before``). Without
that, a drop paused and resumed still down read "down for 2 s", as if it had just gone."""

from __future__ import annotations

from ...core.eventqueries import KNOWN_STATES
from ...core.events import TARGET_CHANGED, Event, State
from ...core.last_seen import LastSeen
from ...core.live_uptime import LiveUptime
from ...core.profile import Profile
from .cells import SAMPLES, Row

#: Why a row's state was left unwatched: the program stopped, or the row was paused.
RESTART, PAUSE = "restart", "pause"


def remember(row: Row, last: LastSeen) -> bool:
    """What the log last knew, into a row that may or may not have heard from the engine;
    True if the "for" cell changes (``found_again``)."""
    if not row.samples:
        row.samples.extend(last.latencies[-SAMPLES:])
    if row.cause is None and last.cause is not None:
        row.cause, row.haystack = last.cause, None
    row.last, row.last_by = last, RESTART
    return found_again(row)  # if the engine found a state already


def retarget(row: Row, profile: Profile) -> None:
    """``profile``, the row's edited, checks another target: what the old one was left
    (``last``) and its last drop's cause ("Last cause: reset" of a new target that never
    failed) are not the new one's."""
    if not row.profile.same_target(profile):
        row.last = row.cause = row.retry_cause = row.detection_ms = None
        row.haystack = None


def moved_on(row: Row, event: Event) -> None:
    """``event``, the row's (since ``row.since_at``), may end its old target's history
    (``TARGET_CHANGED``): the sparkline and the uptime are the new target's from then on
    (they went on drawing and counting the old one's failures, for one that never failed)."""
    if event.state is not State.UNKNOWN or event.detail != TARGET_CHANGED:
        return
    row.samples.clear()
    row.latency = None
    row.live = LiveUptime(floor=row.since_at)


def found_again(row: Row, event: Event | None = None) -> bool:
    """Whether the first state found after a start, or after a resume (``event``: the row's
    state event, just applied), is the one left then (``before``, said beside "for"). Nothing
    is known of the time nothing watched (from before, a drop read "for 11 min" beside
    "ongoing, 58 s"). The same drop said again (the network back and the target still down,
    its maintenance window closed) goes on as it was found: it lost the word, and "for",
    counted from the start, read "down for 3 s" of a drop hours old."""
    if event is not None and event.previous is event.state:
        return False
    if event is not None and event.state is State.PAUSED and event.previous in KNOWN_STATES:
        row.last, row.last_by = LastSeen(event.previous, event.ts), PAUSE
    last, row.before, row.in_state_until = row.last, "", None
    if last is None or row.state not in KNOWN_STATES:
        return False
    row.last = None
    since, now = last.since, row.since  # the log's own may be this start's change already
    if last.state is row.state and since is not None and now is not None and since < now:
        row.before = row.last_by
    return bool(row.before)
