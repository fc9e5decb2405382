"""The event log's filter and order: which lines the pane shows, newest first or last."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QSortFilterProxyModel

from ...core.events import Cause, Event, Kind, State
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.labels import CAUSE_LABELS, STATE_WORDS, cause_text, state_text
from .cells import haystack
from .model import LogModel, Role

__all__ = ["CAUSE_CHOICES", "STATE_CHOICES", "LogFilterProxy", "choice_text", "start_or_stop"]

_Index = QModelIndex | QPersistentModelIndex


#: The pane's filter choices: (words, what they accept; None: anything).
STATE_CHOICES: list[tuple[str, frozenset[State] | None]] = [
    (QT_TRANSLATE_NOOP("LogPane", "All states"), None),
    (QT_TRANSLATE_NOOP("LogPane", "Down or degraded"), frozenset({State.DOWN, State.DEGRADED})),
    *((STATE_WORDS[s], frozenset({s})) for s in State),
]
CAUSE_CHOICES: list[tuple[str, frozenset[Cause] | None]] = [
    (QT_TRANSLATE_NOOP("LogPane", "Any cause"), None),
    *((CAUSE_LABELS[c], frozenset({c})) for c in Cause),
]


def choice_text(text: str, choices: frozenset[State] | frozenset[Cause] | None) -> str:
    """A filter choice in the user's language, capitalised as a menu entry."""
    if choices is None or len(choices) > 1:
        return translate("LogPane", text)
    (only,) = choices
    word = state_text(only) if isinstance(only, State) else cause_text(only)
    return word[:1].upper() + word[1:]


class LogFilterProxy(QSortFilterProxyModel):
    """Filters by profile id, states, causes and free text; ``None`` means "any".

    It also puts the rows in time order (the model's store is a ring, see ``LogModel``):
    sorted on ``Role.SEQ``, in C++, newest first or last as the pane says; that order is
    what export writes and what auto-scroll relies on.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(Role.SEQ)
        self._profile: str | None = None
        self._states: frozenset[State] | None = None
        self._causes: frozenset[Cause] | None = None
        self._text = ""
        #: Starts and stops are folded away (each start and quit writes a line per profile).
        self.quiet = True
        #: Profiles whose lines went away with them (the demo's, when it stops).
        self._hidden: frozenset[str] = frozenset()

    def set_profile(self, profile_id: str | None) -> None:
        """Only this profile's events; ``None`` or ``"all"`` for every profile."""
        self.beginFilterChange()
        self._profile = None if profile_id in (None, "all") else profile_id
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_states(self, states: Iterable[State] | None) -> None:
        self.beginFilterChange()
        self._states = None if states is None else frozenset(states)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_causes(self, causes: Iterable[Cause] | None) -> None:
        self.beginFilterChange()
        self._causes = None if causes is None else frozenset(causes)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_quiet(self, quiet: bool) -> None:
        self.beginFilterChange()
        self.quiet = quiet
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def hide_profiles(self, profile_ids: Iterable[str]) -> None:
        self.beginFilterChange()
        self._hidden |= frozenset(profile_ids)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        """Case-insensitive substring of the profile name, detail, address or cause."""
        self.beginFilterChange()
        self._text = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        source = self.sourceModel()
        event = (
            source.event_at(source_row)
            if isinstance(source, LogModel)
            else source.index(source_row, 0, source_parent).data(Role.EVENT)
        )
        if not isinstance(event, Event) or event.profile_id in self._hidden:
            return False
        told = isinstance(source, LogModel) and source.checked_again_at(source_row)
        if self.quiet and start_or_stop(event) and not told:
            return False
        if self._profile is not None and event.profile_id != self._profile:
            return False
        if self._states is not None and event.state not in self._states:
            return False
        if self._causes is not None and event.cause not in self._causes:
            return False
        if not self._text:
            return True
        if isinstance(source, LogModel):
            return self._text in source.haystack_at(source_row)
        return self._text in haystack(event)


def start_or_stop(event: Event) -> bool:
    """A line that monitoring starting or stopping writes for every profile: to unknown
    ("monitoring stopped", "resumed"), to connecting, and the first state found after it
    when that is up (a drop found at start is news, and is shown). Unknown because a check
    could not be made here (``local_error``: out of open files...) is news too."""
    return event.kind is Kind.STATE and (
        (event.state is State.UNKNOWN and event.cause is not Cause.LOCAL_ERROR)
        or event.state is State.CONNECTING
        or (event.state is State.UP and event.previous in (State.UNKNOWN, State.CONNECTING))
    )
