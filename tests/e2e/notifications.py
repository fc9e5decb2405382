"""The notifications dunst has shown, read from the log its script rule appends to.

Each line is one notification, written by ``scripts/record_notification.py`` as dunst shows
it. ``received`` is on the monotonic clock the test reads with ``time.monotonic()``, so a test
can say "within 2 s of the drop" by comparing the two.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from .processes import poll_until


@dataclasses.dataclass(frozen=True)
class Notification:
    id: int
    app_name: str
    summary: str
    body: str
    urgency: str  # LOW, NORMAL or CRITICAL
    icon_path: str
    received: float  # time.monotonic() when dunst showed it

    @classmethod
    def from_record(cls, record: dict[str, str | float]) -> Notification:
        return cls(
            id=int(record.get("id") or 0),
            app_name=str(record.get("app_name", "")),
            summary=str(record.get("summary", "")),
            body=str(record.get("body", "")),
            urgency=str(record.get("urgency", "")),
            icon_path=str(record.get("icon_path", "")),
            received=float(record["received"]),
        )


class NotificationLog:
    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> list[Notification]:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return []
        # A line still being appended has no newline yet: it is read next time.
        return [Notification.from_record(json.loads(line)) for line in text.splitlines(True)
                if line.endswith("\n")]  # fmt: skip

    def wait_for(
        self,
        *,
        summary: str | None,
        body_contains: str,
        app_name: str | None,
        since: float,
        timeout: float,
    ) -> Notification:
        def match() -> Notification | None:
            for n in self.read():
                if (
                    n.received >= since
                    and (summary is None or n.summary == summary)
                    and body_contains in n.body
                    and (app_name is None or n.app_name == app_name)
                ):
                    return n
            return None

        wanted = {"summary": summary, "body_contains": body_contains, "app_name": app_name}
        try:
            return poll_until(match, timeout, f"a notification {wanted}")
        except AssertionError as exc:
            seen = [(n.app_name, n.summary, n.body) for n in self.read() if n.received >= since]
            raise AssertionError(f"{exc}; dunst showed meanwhile: {seen}") from None
