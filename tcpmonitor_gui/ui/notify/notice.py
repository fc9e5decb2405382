"""What the notification policy deals in: a profile's change, and a notice for the user."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Container, Sequence

from ...core.events import Event

#: How long a notice stays on screen, however it is shown: the banner and the desktop's
#: notices take it from here, the tray's balloon keeps the same (``tray.MESSAGE_MS``).
SHOWN_S = 10


class Transition(enum.StrEnum):
    DOWN = "down"
    UP = "up"
    #: A check could not be made here (unknown, ``local_error``): no drop, said so.
    UNCHECKED = "unchecked"


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


class Joining:
    """Drops told while the last notice told is a drop notice still on screen join it, and
    so do recoveries: a tray balloon shows one notice at a time (the banner lists them), and
    must not say "2 connections down" while 3 are, nor "131 connections back up" while 300
    are. The joined notice names the earlier one's profiles still down (or up) as well, and
    takes its key, so that it replaces it where it is shown."""

    def __init__(self) -> None:
        self._count = 0
        self._told_last: str | None = None  # the key of the notice told last
        #: The last drop or recovery notice: its transition, key, changes and when.
        self._shown: tuple[Transition, str, list[Change], float] | None = None

    def told(self, notice: Notice) -> None:
        # Only a drop or recovery notice may be joined (another under its key may be
        # something else).
        self._told_last = notice.key if notice.snoozable else None

    def join(
        self,
        transition: Transition,
        changes: list[Change],
        down: Container[str],
        known: Container[str],
    ) -> tuple[str, list[Change]]:
        """The key of the notice telling ``changes`` (profiles in ``down`` are down now),
        and what it tells: ``changes`` joined to the last notice if it may be, without its
        profiles no longer ``known`` (removed meanwhile, by another program's edit too)."""
        self._count += 1
        key = f"window-{self._count}"
        shown, at = self._shown, max(c.at for c in changes)
        if (
            shown is not None
            and shown[0] is transition
            and shown[1] == self._told_last
            and at - shown[3] < SHOWN_S
        ):
            key, earlier = shown[1], shown[2]
            new = {c.event.profile_id for c in changes}
            is_down = transition is Transition.DOWN
            changes = [
                c
                for c in earlier
                if (c.event.profile_id in down) == is_down
                and c.event.profile_id not in new
                and c.event.profile_id in known
            ] + changes
        self._shown = (transition, key, changes, at)
        return key, changes


def net(pending: Sequence[Change], watched: Callable[[str], bool]) -> list[Change]:
    """One change per ``watched`` profile: down then up within the window is a blip, told
    as down."""
    by_profile: dict[str, list[Change]] = {}
    for change in pending:
        by_profile.setdefault(change.event.profile_id, []).append(change)
    changes = []
    for pid, seq in by_profile.items():
        if not watched(pid):
            continue
        first, last = seq[0], seq[-1]
        if first.transition is Transition.DOWN and last.transition is Transition.UP:
            changes.append(Change(Transition.DOWN, first.event, last.at, last.event))
        elif last.transition is Transition.UP:
            changes.append(Change(Transition.UP, last.event, last.at, first.other))
        else:
            changes.append(last)
    return changes
