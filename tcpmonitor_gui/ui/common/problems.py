"""What the window says about a ``core.session.Problem``, in the user's language.

The session finds problems before the window's language is chosen (the settings say which),
so the core keeps them as kinds and the words are looked up here when shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...core.session import Problem, ProblemKind
from .file_problems import file_problem_text
from .i18n import QT_TRANSLATE_NOOP, Context, translate

if TYPE_CHECKING:
    from collections.abc import Callable

    from ...core.eventlog import EventLogHealth

_TITLES = {
    ProblemKind.SETTINGS_UNREADABLE: QT_TRANSLATE_NOOP("Problems", "Settings could not be read"),
    ProblemKind.PROFILES_UNREADABLE: QT_TRANSLATE_NOOP("Problems", "Profiles could not be read"),
    ProblemKind.PROFILES_NOT_ALL_READ: QT_TRANSLATE_NOOP(
        "Problems", "Profiles were not read in full"
    ),
    ProblemKind.SETTINGS_NOT_ALL_READ: QT_TRANSLATE_NOOP(
        "Problems", "Settings were not read in full"
    ),
    ProblemKind.EVENTLOG_UNUSABLE: QT_TRANSLATE_NOOP("Problems", "The event log cannot be used"),
    ProblemKind.WINDOW_STATE_UNREADABLE: QT_TRANSLATE_NOOP(
        "Problems", "The window's layout could not be read"
    ),
    ProblemKind.ZONE_UNUSABLE: QT_TRANSLATE_NOOP("Problems", "Times are shown in UTC"),
}
_KEPT = {
    ProblemKind.SETTINGS_UNREADABLE: QT_TRANSLATE_NOOP(
        "Problems", "A copy was kept as {kept}; the defaults are used."
    ),
    ProblemKind.PROFILES_UNREADABLE: QT_TRANSLATE_NOOP(
        "Problems",
        "The file was kept as {kept}; TCP Monitor starts with no connections "
        "and will not write over your copy.",
    ),
}
#: A file a newer version may have written: left as it is, never set aside and replaced.
_NEWER = {
    ProblemKind.SETTINGS_UNREADABLE: QT_TRANSLATE_NOOP(
        "Problems",
        "It may come from a newer version of TCP Monitor, so it is left as it is: the "
        "defaults are used, and changes to the settings are not saved over it. Use the newer "
        "version, correct the file, or move it away to start afresh here.",
    ),
    ProblemKind.PROFILES_UNREADABLE: QT_TRANSLATE_NOOP(
        "Problems",
        "It may come from a newer version of TCP Monitor, so it is left as it is: TCP Monitor "
        "starts with no connections, and none is saved over your file. Use the newer version, "
        "correct the file, or move it away to start afresh here.",
    ),
    ProblemKind.SETTINGS_NOT_ALL_READ: QT_TRANSLATE_NOOP(
        "Problems",
        "What this version cannot read may come from a newer version of TCP Monitor, so the "
        "file is left as it is: the settings read are used (the defaults for the rest), and "
        "changes to the settings are not saved over it. Use the newer version, correct the "
        "file, or move it away to start afresh here.",
    ),
    ProblemKind.PROFILES_NOT_ALL_READ: QT_TRANSLATE_NOOP(
        "Problems",
        "What this version cannot read may come from a newer version of TCP Monitor, so the "
        "file is left as it is: the connections read are monitored, and changes to the "
        "connections are not saved over it. Use the newer version, correct the file, or move "
        "it away to start afresh here.",
    ),
}
_NOT_KEPT = QT_TRANSLATE_NOOP(
    "Problems",
    "No copy could be made, so the file is left as it is and nothing is saved over it "
    "until TCP Monitor starts again.",
)
_LAYOUT_LEFT = QT_TRANSLATE_NOOP(
    "Problems",
    "It is left as it is; the window's size and columns are saved there once it is a file "
    "again (or nothing is there).",
)
_NOT_STORED = QT_TRANSLATE_NOOP(
    "Problems",
    "Monitoring works; events are kept in memory and stored once the event log can be opened "
    "(it is tried again every 5 s).",
)


#: The banner's key of the settings that could not be read: said until settings are saved
#: (the defaults were said to be used on, the user's own settings saved since).
SETTINGS_READ = "settings read"
#: The banner's key of the profiles a read left out: said again, or withdrawn, as the file
#: is read again (``notify.left_out``).
PROFILES_LEFT_OUT = "profiles left out"


def problem_key(problem: Problem) -> object:
    """Under what the banner says ``problem``: the event log's is withdrawn when the log
    writes (``tell_health``), the settings' when settings are saved, the profiles left out
    (or a newer ``version``'s file) when a read leaves none out; the others stay so."""
    if problem.kind is ProblemKind.EVENTLOG_UNUSABLE:
        return "event log"
    newer = problem.newer and problem.kind is ProblemKind.PROFILES_UNREADABLE
    if newer or problem.kind is ProblemKind.PROFILES_NOT_ALL_READ:
        return PROFILES_LEFT_OUT
    settings = (ProblemKind.SETTINGS_UNREADABLE, ProblemKind.SETTINGS_NOT_ALL_READ)
    return SETTINGS_READ if problem.kind in settings else problem


def problem_title(problem: Problem) -> str:
    return translate("Problems", _TITLES[problem.kind])


def problem_text(problem: Problem) -> str:
    if problem.kind is ProblemKind.ZONE_UNUSABLE:
        return _zone_text(problem.error)
    if problem.kind is ProblemKind.EVENTLOG_UNUSABLE:
        advice = translate("Problems", _NOT_STORED)
    elif problem.kind is ProblemKind.WINDOW_STATE_UNREADABLE:
        advice = translate("Problems", _LAYOUT_LEFT)
    elif problem.newer and problem.kind in _NEWER:
        advice = translate("Problems", _NEWER[problem.kind])
    elif problem.kept:
        advice = translate("Problems", _KEPT[problem.kind]).format(kept=problem.kept)
    else:
        advice = translate("Problems", _NOT_KEPT)
    return f"{file_problem_text(problem.error)}\n\n{advice}"


def _zone_text(setting: str) -> str:
    if not setting:
        return translate(
            "Problems",
            "This computer's time zone puts the clock 24 hours or more from UTC, which no "
            "time zone does, so every time in this window is in UTC. Set TZ to a zone such "
            "as Europe/Berlin and start TCP Monitor again.",
        )
    return translate(
        "Problems",
        "{setting} puts the clock 24 hours or more from UTC, which no time zone does, so "
        "every time in this window is in UTC. Set TZ to a zone such as Europe/Berlin, or "
        "unset it, and start TCP Monitor again.",
    ).format(setting=setting)


class Problems(Context):
    """The translation context of this module's words (``tr`` for counts)."""


def eventlog_health_words(health: EventLogHealth) -> tuple[str, str] | None:
    """``(title, text)`` of a banner for the event log's health; None: it writes again."""
    if health.renewed is not None:
        text = Problems.tr(
            "{renewed}. The history it held is gone; events are stored in the new log."
        ).format(renewed=file_problem_text(health.renewed))
        return Problems.tr("A new event log was started"), text
    if health.error is not None:
        text = Problems.tr(
            "{error}. Monitoring goes on; events are kept in memory and written "
            "when the disk takes them again."
        ).format(error=file_problem_text(health.error))
        return Problems.tr("Events are not being stored"), text
    if health.dropped_samples:
        text = Problems.tr(
            "The event log fell behind: {n} latency samples were dropped (state changes "
            "are all kept).",
            "",
            health.dropped_samples,
        ).format(n=health.dropped_samples)
        return Problems.tr("Samples were dropped"), text
    return None


def tell_health(
    health: EventLogHealth,
    warn: Callable[[str, str, str], object],
    say: Callable[[str, int], object],
    solved: Callable[[], object] = lambda: None,
) -> None:
    """The event log's health in the window: a banner (``warn``) while it cannot write or
    drops samples, a word in the status bar (``say``) when it writes again, and what the
    banner said taken away (``solved``): it went on saying "Events are not being stored"."""
    if (words := eventlog_health_words(health)) is not None:
        warn(*words, "warning")
    else:
        solved()
        say(Problems.tr("Events are stored again."), 10_000)
