"""Flapping protection: whether a profile's change may be told, by the switches and what the
user last heard of it."""

from __future__ import annotations

import math

from ...core.profile import Profile
from ...core.settings import Settings
from ...core.snooze import snoozed
from .notice import Change, Transition


class Repeats:
    """A profile gets at most one notice per ``repeat_s`` (30 s) unless its state changes
    again. "Changes again" means: the notice would tell the other transition than the last
    notice about this profile did. So down, up, down within 30 s are all told (each is a
    change from what the user last heard), while a repeat of the same transition within 30 s
    is not: down, paused and resumed, down again; or a blip (down and back within the
    coalescing window, told as a down) recurring every few seconds."""

    def __init__(self, repeat_s: float) -> None:
        self.repeat_s = repeat_s
        #: What each profile's last notice told, and when (``monotonic()``).
        self.last: dict[str, tuple[Transition, float]] = {}

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
        last, last_at = self.last.get(p.id, (None, -math.inf))
        if last is change.transition and change.at - last_at < self.repeat_s:
            return False
        if record:
            self.last[p.id] = (change.transition, change.at)
        return True
