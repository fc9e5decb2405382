"""What the notification policy deals in: a profile's change, and a notice for the user."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable

from ...core.events import Event

#: How long a notice stays on screen, however it is shown: the banner and the desktop's
#: notices take it from here, the tray's balloon keeps the same (``tray.MESSAGE_MS``).
SHOWN_S = 10


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
    #: About these connections themselves (a drop, a recovery), not this computer: offers
    #: to snooze them where the desktop shows buttons.
    snoozable: bool = False
    #: Notices with the same key are one notice, updated: the later replaces the earlier
    #: where it is shown (the first drop is told at once, the drops after it join it).
    key: str | None = None


@dataclasses.dataclass(frozen=True)
class Offer:
    """What a shown notice lets the user do: buttons (label, what it does) where the desktop
    shows them (D-Bus notifications with the ``actions`` capability), and what clicking the
    notice itself does (also a tray balloon's click)."""

    buttons: tuple[tuple[str, Callable[[], object]], ...] = ()
    clicked: Callable[[], object] | None = None


NO_OFFER = Offer()


@dataclasses.dataclass
class Change:
    """A profile's net change within one coalescing window."""

    transition: Transition
    event: Event
    at: float
    #: For ``UP``: the event that took the profile down. For ``DOWN``: the event that brought
    #: it back within the same window (a blip), if one did.
    other: Event | None = None
