"""How an action went, read back from its ``action`` event: done, failed, or not run by the
rules (not a new drop, told a moment ago).

The event keeps the state of the change it ran for (a failed ``up`` action is an ``up``
event), and says how it went in its detail only (``Outcome.detail``: ``up action
'restart-tunnel db': exit 1 in 0.2 s: …``). Read from there, rows stored before this was
asked are answered too, the event's format and the log's schema stay as they are, and the
window, the notices and the command line read it the same way.
"""

from __future__ import annotations

import enum
import re

from .events import Event, Kind


class Result(enum.StrEnum):
    #: The command exited 0; the service took the notice.
    DONE = "done"
    #: What the user set did not happen: the command failed, timed out, could not start, or
    #: was skipped; the service refused, or was not reached in time.
    FAILED = "failed"
    #: Not run by the rules, as it should not: a drop found again that was down before, a
    #: change a service was told of a moment ago.
    NOT_RUN = "not_run"


#: ``{on} action {shown!r}: {summary}`` and maybe ``: {output}``; ``shown`` as Python's repr
#: writes it (in single quotes, or in double ones when it holds a single one).
_DETAIL = re.compile(
    r"(?:down|up|change) action (?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"): (?P<summary>.*)",
    re.DOTALL,
)
_DONE = ("exit 0 in ", "sent in ", "sent after all in ")
_NOT_RUN = re.compile(r"not run: |not sent: \w+ was told \d+ s ago ")


def summary(event: Event) -> str | None:
    """What an ``action`` event says of how it went (with the command's output, if any);
    None for another event."""
    if event.kind is not Kind.ACTION or (found := _DETAIL.fullmatch(event.detail)) is None:
        return None
    return found["summary"]


def result_of(event: Event) -> Result | None:
    """How the action of an ``action`` event went; None for another event."""
    said = summary(event)
    if said is None:
        return None
    if said.startswith(_DONE):
        return Result.DONE
    return Result.NOT_RUN if _NOT_RUN.match(said) else Result.FAILED


def failed(event: Event) -> bool:
    return result_of(event) is Result.FAILED
