"""Changes a notification service missed, said with the next notice it gets.

A notice that could not be sent (this computer offline, the service down or refusing) left
the service with a story that skipped a step: when the network came back, the team heard
"Orders DB is up" of a drop it never heard of. The runner keeps, for each profile and
service, the first change not delivered since the last one that was (and how many more), and
the next notice to that service about that profile says it: "Not delivered at 2026-12-05
14:02:11 UTC: Orders DB (db:5432) is down: refused".
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .actions import notice_words
from .events import Event


@dataclasses.dataclass
class _Missed:
    first: Event
    target: str
    count: int = 1


class Untold:
    """On the runner's loop: what each service missed, by (profile id, service URL)."""

    def __init__(self) -> None:
        self._missed: dict[tuple[str, str], _Missed] = {}

    def missed(self, url: str, event: Event, target: str) -> None:
        """The notice of ``event`` did not reach ``url``'s service."""
        key = (event.profile_id, url)
        if (earlier := self._missed.get(key)) is not None:
            earlier.count += 1
        else:
            self._missed[key] = _Missed(event, target)

    def delivered(self, url: str, event: Event) -> None:
        """A notice about ``event``'s profile reached the service, with what it missed."""
        self._missed.pop((event.profile_id, url), None)

    def note(self, url: str, event: Event) -> str:
        """What the service missed of ``event``'s profile, or ""."""
        missed = self._missed.get((event.profile_id, url))
        if missed is None:
            return ""
        at = missed.first.ts.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        said = f"Not delivered at {at} UTC: {notice_words(missed.first, missed.target)[1]}"
        if missed.count > 1:
            after = missed.count - 1
            said += f" (and {after} change{'s' if after > 1 else ''} after it)"
        return said
