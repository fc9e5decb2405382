"""What the notification policy deals in: a profile's change, and a notice for the user."""

from __future__ import annotations

import dataclasses
import enum

from ...core.events import Event


class Transition(enum.StrEnum):
    DOWN = "down"
    UP = "up"


@dataclasses.dataclass(frozen=True)
class Notice:
    """One message for the user; ``urgent`` notices are about something that broke."""

    title: str
    body: str
    urgent: bool
    profile_ids: tuple[str, ...]
    sound: bool = False


@dataclasses.dataclass
class Change:
    """A profile's net change within one coalescing window."""

    transition: Transition
    event: Event
    at: float
    #: For ``UP``: the event that took the profile down. For ``DOWN``: the event that brought
    #: it back within the same window (a blip), if one did.
    other: Event | None = None
