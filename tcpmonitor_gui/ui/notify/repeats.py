"""Flapping protection: whether a profile's change may be told, by the switches and what the
user last heard of it."""

from __future__ import annotations

import math

from ...core.profile import Profile
from ...core.settings import Settings
from ...core.snooze import snoozed
from .notice import Change, Transition

#: What a profile checks: its host, port and address family (``Profile.same_target``).
Target = tuple[str, int, str]


def target(p: Profile) -> Target:
    return (p.host, p.port, p.ip_family)


class Repeats:
    """A profile gets at most one notice per ``repeat_s`` (30 s) unless its state changes
    again. "Changes again" means: the notice would tell the other transition than the last
    notice about this profile did. So down, up, down within 30 s are all told (each is a
    change from what the user last heard), while a repeat of the same transition within 30 s
    is not: down, paused and resumed, down again; or a blip (down and back within the
    coalescing window, told as a down) recurring every few seconds.

    A profile given a new target (its host or port edited) is a new thing: its first drop is
    news, however soon after the old target's (it was held back as a repeat of it)."""

    def __init__(self, repeat_s: float) -> None:
        self.repeat_s = repeat_s
        #: What each profile's last notice told, when (``monotonic()``), and of which target.
        self.last: dict[str, tuple[Transition, float, Target]] = {}
        #: The target each profile checked when its outage began.
        self.outage_of: dict[str, Target] = {}

    def allowed(
        self, change: Change, p: Profile, settings: Settings, *, record: bool = True
    ) -> bool:
        """Whether the switches and the flapping protection let this change be told."""
        if change.transition is not Transition.UP:  # a drop, or a check that cannot be made
            wanted = settings.notify_on_down and p.notify.on_down
        else:
            wanted = settings.notify_on_up and p.notify.on_up
        if not wanted or snoozed(p.snooze_until):
            return False
        last, last_at, of = self.last.get(p.id, (None, -math.inf, target(p)))
        if last is change.transition and change.at - last_at < self.repeat_s and of == target(p):
            return False
        if record:  # a drop is its outage's target's (``p`` may have been edited since)
            began = self.outage_of.get(p.id) if change.transition is Transition.DOWN else None
            self.last[p.id] = (change.transition, change.at, began or target(p))
        return True

    def told(self, p: Profile, transition: Transition, at: float) -> None:
        """The user has heard of ``transition`` of ``p`` at ``at`` (``monotonic()``)."""
        self.last[p.id] = (transition, at, target(p))

    def began(self, p: Profile) -> None:
        """``p``'s outage begins (or is found): of the target it checks now."""
        self.outage_of[p.id] = target(p)

    def moved(self, p: Profile) -> bool:
        """Whether ``p`` checks another target than when its outage began: a drop now is the
        new target's, news, not the old outage going on."""
        return self.outage_of.get(p.id, target(p)) != target(p)
