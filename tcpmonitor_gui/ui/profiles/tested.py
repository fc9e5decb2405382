"""What "Test now" says once every connection it was asked to test is done.

Each result is said in the status bar as it comes, in the place of the one before: of three
tested, a refusal and then a slower connection's success left "connected" there, the refusal
never read. Tested together, they end with one line that says how many were tested and names
each that failed, with why.
"""

from __future__ import annotations

from collections.abc import Callable

from ..common.bidi import anchored, isolated
from ..common.i18n import Context

# Failures named in the last line, at most (the status bar is one line).
MOST_NAMED = 5


class Tested(Context):
    """The context of these lines' translations."""


def summary_text(count: int, failed: list[str]) -> str:
    """``Tested 3 connections, 1 failed: Orders DB (refused)``; ``failed``: "name (why)"."""
    if not failed:
        text = Tested.tr("Tested {count} connections: all connected", "", count)
        return text.format(count=count)
    which = ", ".join(failed[:MOST_NAMED]) + ("…" if len(failed) > MOST_NAMED else "")
    text = Tested.tr("Tested {count} connections, {failed} failed: {which}", "", count)
    return text.format(count=count, failed=len(failed), which=which)


class TestedTogether:
    """The connections of one "Test now": ``done`` once for each; when the last is, and
    there were several, ``say`` gets the line that names those that failed."""

    def __init__(self, count: int, say: Callable[[str], object]) -> None:
        self._count = self._left = count
        self._say = say
        self._failed: list[str] = []

    def done(self, name: str, failure: str | None) -> None:
        """``name``'s test is done; ``failure``: why it failed (None: it connected)."""
        if failure is not None:
            self._failed.append(f"{isolated(name)} ({failure})" if failure else isolated(name))
        self._left -= 1
        if self._left == 0 and self._count > 1:
            self._say(anchored(summary_text(self._count, self._failed)))
