"""Drops that are no news: a connection down when monitoring stopped (the program quit, a
reboot) or was paused (Pause all), and found down again at the start or the resume.

Every start (and resume) checks each connection afresh: unknown, connecting, then down. Told
as a drop, that said "Connection down: ..." at every restart, with the urgency and the sound
of news, for a port the user knew was closed. It is still down, as far as anyone knows (nothing
watched in between: when it came back or went again is not known), so it is told once,
quietly, for all of them: "Still down: ...". Its recovery is news, and told as one; found up
at the start, it is "Up again: ..." (when it came back is not known), quietly too.

What was down before a start comes from the event log (``StatusModel``'s ``LastSeen``), read
on the I/O thread as monitoring starts: until it answers (``waiting``), the drops found first
are held; at the policy's first flush ``HOLD_S`` after the start those still held are told as
drops (a flush sooner than that, at its quiet 0.5 s, may come before the answer).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from ...core.events import Event, State
from ..common.i18n import Context
from .notice import Change, Notice, Transition
from .wording import join_names, shown_name

if TYPE_CHECKING:
    from ...core.profile import Profile
    from .computer import Policy


#: How long the drops found first wait for the log's answer at most (the policy's bound on the
#: wait for news, ``COALESCE_S``).
HOLD_S = 2.0


class StillDown(Context):
    """See the module's docstring; also the translation context of its words."""

    def __init__(self) -> None:
        #: Profiles down when last watched, not yet found again; those of them paused then
        #: (the user resumes them: up again is no news, as at ``paused``).
        self.before: set[str] = set()
        self.by_pause: dict[str, Profile] = {}  # (as it was when paused)
        #: The log's answer is awaited (``expect``): the first states found are ``held``
        #: (drops, held from the policy; ups, kept to tell "Up again" if they were down).
        self.waiting = False
        self.deadline = 0.0  # (``monotonic()``) when the held drops are told as news
        self.held: list[Change] = []
        #: Profiles whose state was found since the start (their first find is decided).
        self.found_since: set[str] = set()
        #: Down before, found down (``DOWN``) or up (``UP``), told quietly at the next flush.
        self.still: list[Change] = []

    def expect(self, now: float) -> None:
        """Monitoring starts (``now``, ``monotonic()``): the log's answer of what was down is
        on its way."""
        self.waiting, self.found_since, self.deadline = True, set(), now + HOLD_S

    def left(self, down: Collection[str]) -> list[Change]:
        """The log's answer: ``down`` were down when last watched. Returns the drops held
        that are news (down now, not before)."""
        self.waiting = False
        news = [c for c in self.held if c.event.profile_id not in down and _drop(c)]
        self.still += [c for c in self.held if c.event.profile_id in down]
        self.before |= set(down) - self.found_since
        self.held = []
        return news

    def paused(self, profile_id: str, was_down: bool, profile: Profile) -> None:
        """Paused while down: its drop, found again at the resume, is no news (nor is its
        being up then: the user paused the outage, and ended it so)."""
        if was_down:
            self.before.add(profile_id)
            self.by_pause[profile_id] = profile
        else:
            self.before.discard(profile_id)

    def found(self, event: Event, now: float, profile: Profile) -> bool:
        """A state found (up, degraded, down); True if it is a drop to hold or tell quietly
        (not as news). Paused down, then given another target: its drop is news, not "still
        down" said quietly of a target that was never down."""
        pid = event.profile_id
        if (paused := self.by_pause.get(pid)) is not None and not paused.same_target(profile):
            self.before.discard(pid)
            del self.by_pause[pid]
        first = pid not in self.found_since
        self.found_since.add(pid)
        down = event.state is State.DOWN
        change = Change(Transition.DOWN if down else Transition.UP, event, now)
        if pid in self.before:
            self.before.discard(pid)
            if down or pid not in self.by_pause:
                self.still.append(change)
            self.by_pause.pop(pid, None)
            return down
        if self.waiting and first:
            self.held.append(change)
            return down
        return False

    def take(self, now: float) -> tuple[list[Change], list[Change]]:
        """At a flush: (drops held with no answer by the deadline, told as news; those found
        again)."""
        late = self.waiting and now >= self.deadline
        news = [c for c in self.held if _drop(c)] if late else []
        if late:  # the log's answer came too late for them
            self.waiting, self.held = False, []
        still, self.still = self.still, []
        return news, still

    def notices(self, policy: Policy, still: Sequence[Change]) -> list[Notice]:
        """The quiet notices of those found again (``still``, of profiles there still) that
        may be told: "Still down", "Up again"."""
        notices = []
        for drops in (True, False):
            if told := [c for c in still if _drop(c) is drops and policy.allowed(c)]:
                ids = {c.event.profile_id for c in told}
                about = [p for p in policy.monitored() if p.id in ids]
                notice = policy.notice(*still_words(told, drops), False, about)
                notices.append(dataclasses.replace(notice, sound=False))
        return notices

    def forget(self, profile_ids: Collection[str]) -> None:
        """Only these profiles are left (the others were removed)."""
        self.before &= set(profile_ids)
        self.by_pause = {k: v for k, v in self.by_pause.items() if k in self.before}


def _drop(change: Change) -> bool:
    return change.transition is Transition.DOWN


def still_words(changes: Sequence[Change], drops: bool) -> tuple[str, str]:
    """A quiet notice's title and body: of ``drops`` found again, or of connections up again."""
    names, n = [c.event.profile_name for c in changes], len(changes)
    one, many, body = (
        (StillDown.tr("Still down: {name}"), StillDown.tr(
            "%n connections still down: {names}", "", n), StillDown.tr(
            "Down when last watched too (before the restart or the pause): not a new drop. "
            "Nothing was watched in between."))
        if drops
        else (StillDown.tr("Up again: {name}"), StillDown.tr(
            "%n connections up again: {names}", "", n), StillDown.tr(
            "Down when last watched (before the restart), up now. When it came back is not "
            "known: nothing was watched in between."))
    )  # fmt: skip
    if n > 1:
        return many.format(names=join_names(names)), body
    return one.format(name=shown_name(names[0])), body
