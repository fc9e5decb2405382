"""The words of notices: names, a drop, a recovery, in lines a notification can hold."""

from __future__ import annotations

from collections.abc import Sequence

from ...core.events import COULD_NOT_CHECK, Event, State
from ..common.bidi import anchored, isolated
from ..common.detail_text import detail_text
from ..common.i18n import Context, translate
from ..common.labels import cause_text
from ..common.text import duration_text

#: Lines of detail in one notice; daemons cut long bodies anyway.
MAX_LINES = 5
#: Characters of a name a notice shows: a tray balloon is as wide as its longest line, and
#: one that named a profile of 100 characters ran off the screen, unreadable.
NAME_SHOWN = 40


class Notify(Context):
    """The translation context of this module's functions."""


def shown_name(name: str) -> str:
    """A profile's name as a notice shows it: cut at ``NAME_SHOWN`` characters, and a name
    with right-to-left text isolated from the words around it, which it turned around
    ("db 1 is down: ... the last قاعدة" read from the right; see ``common.bidi``)."""
    if len(name) > NAME_SHOWN:
        name = name[: NAME_SHOWN - 1] + "…"
    return isolated(name)


def join_names(names: Sequence[str], limit: int = 3) -> str:
    """``A, B, C and 2 more``: names enough to recognise, short enough for a title."""
    if len(names) <= limit:
        return ", ".join(map(shown_name, names))
    rest = len(names) - limit
    more = Notify.tr("{names} and {n} more", "", rest)
    return more.format(names=", ".join(map(shown_name, names[:limit])), n=rest)


def down_line(event: Event) -> str:
    """``Orders DB is down: reset — connection reset by peer (noticed 0.4 ms after ...)``."""
    reason = cause_text(event.cause)
    if event.detail:  # a peer's words, perhaps right to left
        detail = isolated(detail_text(event.detail))
        reason = f"{reason} — {detail}" if reason else detail
    name = shown_name(event.profile_name)
    if event.detection_ms is None:
        if reason:
            return translate("Notify", "{name} is down: {reason}").format(name=name, reason=reason)
        return translate("Notify", "{name} is down").format(name=name)
    delay = duration_text(event.detection_ms / 1000)
    if reason:
        line = translate(
            "Notify", "{name} is down: {reason} (noticed {delay} after the last good sign)"
        )
    else:
        line = translate("Notify", "{name} is down (noticed {delay} after the last good sign)")
    return line.format(name=name, reason=reason, delay=delay)


def up_line(event: Event, down: Event | None) -> str:
    name = shown_name(event.profile_name)
    if down is None:
        line = translate("Notify", "{name} is back up").format(name=name)
    else:
        after = duration_text((event.ts - down.ts).total_seconds())
        if down.cause is None:
            line = translate("Notify", "{name} is back up after {duration}")
        else:
            line = translate("Notify", "{name} is back up after {duration} ({cause})")
        line = line.format(name=name, duration=after, cause=cause_text(down.cause))
    if event.state is State.DEGRADED and event.detail:
        line += translate("Notify", ", but slow: {detail}").format(
            detail=isolated(detail_text(event.detail))
        )
    return line


def unchecked_words(events: Sequence[Event]) -> tuple[str, str]:
    """The title and body of a notice for connections this computer could not check (state
    unknown, ``local_error``): not a drop, and said so."""
    names = [e.profile_name for e in events]
    title = translate("Notify", "Could not check {name}").format(name=shown_name(names[0]))
    if len(events) > 1:
        title = Notify.tr("Could not check {n} connections: {names}", "", len(events))
        title = title.format(n=len(events), names=join_names(names))
    lines = [
        translate("Notify", "{name}: {reason}").format(
            name=shown_name(e.profile_name),
            reason=isolated(detail_text(e.detail.removeprefix(f"{COULD_NOT_CHECK}: "))),
        )
        for e in events
    ]
    after = translate(
        "Notify",
        "The trouble is on this computer, not the server: its state is unknown until a check"
        " can be made.",
    )
    if len(events) > 1:
        after = translate(
            "Notify",
            "The trouble is on this computer, not the servers: their state is unknown until a"
            " check can be made.",
        )
    return title, lines_text(lines) + "\n" + after


def lines_text(lines: Sequence[str], total: int | None = None) -> str:
    """The first ``MAX_LINES`` lines, and how many more of ``total`` (the lines' own count
    by default): a burst of 5,000 need not be worded for the five shown."""
    shown = [anchored(line) for line in lines[:MAX_LINES]]
    if (total := len(lines) if total is None else total) > MAX_LINES:
        rest = total - MAX_LINES
        shown.append(Notify.tr("…and {n} more", "", rest).format(n=rest))
    return "\n".join(shown)
