"""Drops that are no news: a connection down when monitoring stopped (the program quit, a
reboot) or was paused (Pause all), and found down again at the start or the resume.

Every start (and resume) checks each connection afresh: unknown, connecting, then down. Told
as a drop, that said "Connection down: ..." at every restart, with the urgency and the sound
of news, for a port the user knew was closed. It is still down, as far as anyone knows (nothing
watched in between: when it came back or went again is not known), so it is told once,
quietly, for all of them: "Still down: ...". Its recovery is news, and told as one.

What was down before a start comes from the event log (``StatusModel``'s ``LastSeen``), read
on the I/O thread as monitoring starts: until it answers (``waiting``), the drops found first
are held; at the policy's next flush (2 s at most) those still held are told as drops.
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
    from .computer import Policy


class StillDown(Context):
    """See the module's docstring; also the translation context of its words."""

    def __init__(self) -> None:
        #: Profiles down when last watched, not yet found again.
        self.before: set[str] = set()
        #: The log's answer is awaited (``expect``): the first drops found are ``held``.
        self.waiting = False
        self.held: list[Change] = []
        #: Profiles whose state was found since the start (their first find is decided).
        self.found_since: set[str] = set()
        #: Found down again, to be told quietly at the next flush.
        self.still: list[Change] = []

    def expect(self) -> None:
        """Monitoring starts: the log's answer of what was down is on its way."""
        self.waiting, self.found_since = True, set()

    def left(self, down: Collection[str]) -> list[Change]:
        """The log's answer: ``down`` were down when last watched. Returns the drops held
        that are news (down now, not before)."""
        self.waiting = False
        news = [c for c in self.held if c.event.profile_id not in down]
        self.still += [c for c in self.held if c.event.profile_id in down]
        self.before |= set(down) - self.found_since
        self.held = []
        return news

    def paused(self, profile_id: str, was_down: bool) -> None:
        """Paused while down: its drop, found again at the resume, is no news."""
        if was_down:
            self.before.add(profile_id)
        else:
            self.before.discard(profile_id)

    def found(self, event: Event, now: float) -> bool:
        """A state found (up, degraded, down); True if it is a drop to hold or tell quietly
        (not as news)."""
        pid = event.profile_id
        first = pid not in self.found_since
        self.found_since.add(pid)
        if pid in self.before:
            self.before.discard(pid)
            if event.state is State.DOWN:
                self.still.append(Change(Transition.DOWN, event, now))
                return True
            return False
        if self.waiting and first and event.state is State.DOWN:
            self.held.append(Change(Transition.DOWN, event, now))
            return True
        return False

    def take(self) -> tuple[list[Change], list[Change]]:
        """At a flush: (drops held with no answer yet, told as news; those found again)."""
        news = self.held if self.waiting else []
        self.waiting, self.held = False, []
        still, self.still = self.still, []
        return news, still

    def notices(self, policy: Policy, still: Sequence[Change]) -> list[Notice]:
        """The quiet notice of those found down again that may be told (``still``, of profiles
        there still); none if none may."""
        if not (told := [c for c in still if policy.allowed(c)]):
            return []
        about = [p for p in policy.monitored() if p.id in {c.event.profile_id for c in told}]
        notice = policy.notice(*still_words(told), False, about)
        return [dataclasses.replace(notice, sound=False)]

    def forget(self, profile_ids: Collection[str]) -> None:
        """Only these profiles are left (the others were removed)."""
        self.before &= set(profile_ids)


def still_words(changes: Sequence[Change]) -> tuple[str, str]:
    """The quiet notice's title and body."""
    names = [c.event.profile_name for c in changes]
    title = StillDown.tr("Still down: {name}").format(name=shown_name(names[0]))
    if len(names) > 1:
        title = StillDown.tr("%n connections still down: {names}", "", len(names)).format(
            names=join_names(names)
        )
    body = StillDown.tr(
        "Down when last watched too (before the restart or the pause): not a new drop. "
        "Nothing was watched in between."
    )
    return title, body
