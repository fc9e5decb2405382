"""Actions that failed, told: a restart script that exited 1, a page the service refused.

The user who set an action relies on it (a tunnel restarted, a team paged); when it did not
happen, only the event log said so. A failed action (``core.action_result``) is told in one
quiet notice, "Action failed: Orders DB", saying which action and why, in the user's language.
Failures that come together (a switch took twenty connections and their pages with them) are
gathered as the drops are (``QUIET_S``, at most ``COALESCE_S``) into one notice; after a notice
the next waits until ``GAP_S`` have passed, and then tells every failure held meanwhile, so
that a script failing at every flap of a connection is one notice a minute, and none is lost.
A snoozed connection's are not told (recorded all the same), as its drops are not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QObject, Slot

from ...core.action_result import failed
from ...core.events import Event
from ...core.profile import Profile
from ...core.snooze import snoozed
from ..common.bidi import isolated
from ..common.detail_text import detail_text
from ..common.i18n import translate
from .computer import single_shot
from .notice import Notice
from .wording import MAX_LINES, join_names, lines_text, shown_name

QUIET_S = 0.5
COALESCE_S = 2.0
#: After a notice of failed actions, the next comes this long after it at the soonest.
GAP_S = 60.0


class FailedActions(QObject):
    """Owned by the notification policy, which tells what this gives it (``tell``)."""

    def __init__(
        self,
        profiles: Mapping[str, Profile],
        tell: Callable[[Sequence[Notice]], None],
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self._profiles = profiles
        self._tell = tell
        self._held: list[Event] = []
        self.quiet = single_shot(self, QUIET_S, self.flush)  # restarted by each failure
        self.bound = single_shot(self, COALESCE_S, self.flush)
        self.gap = single_shot(self, GAP_S, self.flush)  # after a notice; then the held

    def take(self, event: Event) -> None:
        """An event of the engine's: held to be told if it says an action failed."""
        if not failed(event):
            return
        profile = self._profiles.get(event.profile_id)
        if profile is None or snoozed(profile.snooze_until):
            return
        self._held.append(event)
        if self.gap.isActive():  # told a moment ago: this waits for the gap's end
            return
        self.quiet.start()
        if not self.bound.isActive():
            self.bound.start()

    @Slot()
    def flush(self) -> None:
        self.quiet.stop()
        self.bound.stop()
        held, self._held = self._held, []
        held = [e for e in held if e.profile_id in self._profiles]  # not those removed since
        if held:
            self.gap.start()
            self._tell([self.notice(held)])

    def stop(self) -> None:
        for timer in (self.quiet, self.bound, self.gap):
            timer.stop()
        self._held = []

    def notice(self, events: Sequence[Event]) -> Notice:
        """``Action failed: Orders DB`` and which action, how it went and what it said; several
        as ``3 actions failed: A, B, C``, one line each."""
        names = list(dict.fromkeys(e.profile_name for e in events))  # each once, in order
        if len(events) == 1:
            title = self.tr("Action failed: {name}").format(name=shown_name(names[0]))
            body = isolated(detail_text(events[0].detail))
        else:
            title = self.tr("{n} actions failed: {names}", "", len(events))
            title = title.format(n=len(events), names=join_names(names))
            lines = [
                translate("Notify", "{name}: {reason}").format(
                    name=shown_name(e.profile_name), reason=isolated(detail_text(e.detail))
                )
                for e in events[:MAX_LINES]
            ]
            body = lines_text(lines, len(events))
        ids = tuple(dict.fromkeys(e.profile_id for e in events))
        return Notice(title, body, True, ids, sound=False)
