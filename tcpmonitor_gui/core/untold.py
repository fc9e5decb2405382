"""Changes a notification service missed, told to it after all.

A notice that could not be sent (this computer offline, the service down or refusing) left
the service with a story that skipped a step: when the network came back, the team heard
"Orders DB is up" of a drop it never heard of, and nothing at all of a connection that was
still down. The runner keeps, for each profile and service, the first change not delivered
since the last one that was (and how many more), and says it: after the lines of the next
notice to that service about that profile ("Not delivered at 2026-12-05 14:02:11 UTC: Orders
DB (db:5432) is down: refused"), and when the network comes back (``ActionRunner.
retry_missed``), in a notice of its own if none is on its way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from .actions import Action, notice_words
from .events import Event

#: How a notice that told a service again what it missed went (``Outcome.summary``).
AGAIN = "{summary}, told again (not delivered at first)"
#: Lines of what a service missed in one notice at most (the rest are counted).
NOTES_SHOWN = 20


@dataclasses.dataclass
class _Missed:
    action: Action
    first: Event
    target: str
    count: int = 1


class Untold:
    """On the runner's loop: what each service missed, by (profile id, service URL)."""

    def __init__(self) -> None:
        self._missed: dict[tuple[str, str], _Missed] = {}

    def missed(self, action: Action, event: Event, target: str) -> None:
        """The notice of ``event`` did not reach the service of ``action``."""
        key = (event.profile_id, action.notify)
        if (earlier := self._missed.get(key)) is not None:
            earlier.count += 1
        else:
            self._missed[key] = _Missed(action, event, target)

    def delivered(self, url: str, profile_id: str) -> None:
        """A notice about the profile reached the service, with what it missed."""
        self._missed.pop((profile_id, url), None)

    def first(self, url: str, profile_id: str) -> Event | None:
        """The first change of the profile that the service missed."""
        missed = self._missed.get((profile_id, url))
        return None if missed is None else missed.first

    def waiting(self) -> list[tuple[Action, str]]:
        """Each service's action and a profile it missed changes of."""
        return [(missed.action, pid) for (pid, _url), missed in self._missed.items()]

    def note(self, url: str, profile_id: str) -> str:
        """What the service missed of the profile, or ""."""
        missed = self._missed.get((profile_id, url))
        if missed is None:
            return ""
        at = missed.first.ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        said = f"Not delivered at {at} UTC: {notice_words(missed.first, missed.target)[1]}"
        if missed.count > 1:
            after = missed.count - 1
            said += f" (and {after} change{'s' if after > 1 else ''} after it)"
        return said

    def notes(self, url: str, profile_ids: Sequence[str]) -> list[str]:
        """What the service missed of these profiles, a line each, the first ``NOTES_SHOWN``
        (5,000 drops missed while offline made as many lines after the recoveries' own)."""
        missed = [pid for pid in dict.fromkeys(profile_ids) if (pid, url) in self._missed]
        lines = [self.note(url, pid) for pid in missed[:NOTES_SHOWN]]
        if len(missed) > NOTES_SHOWN:
            lines.append(f"…and {len(missed) - NOTES_SHOWN} more not delivered earlier")
        return lines

    def words(self, url: str, profile_ids: Sequence[str]) -> tuple[str, str]:
        """The title and body of a notice of what the service missed of these profiles."""
        names = [m.first.profile_name for pid in profile_ids if (m := self._missed.get((pid, url)))]
        title = f"Not delivered earlier: {', '.join(names[:3])}"
        if len(names) > 3:
            title += f" and {len(names) - 3} more"
        return title, "\n".join(self.notes(url, profile_ids))
