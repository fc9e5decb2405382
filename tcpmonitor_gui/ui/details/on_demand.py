"""The details dock, built the first time it is wanted.

Hidden at start-up unless the user left it open, the dock (its module, its history reader,
its outage table and the Qt classes they name) was built before the window's first frame,
which did not show it: with message boxes, file dialogs and ``QStyle`` named when used, 18 ms
came off the first frame (12 interleaved runs). This holder stands in for the dock until it
is wanted: it builds it when asked to show a profile or when something asks for it, and
until then remembers only what the dock would have followed, the table's current row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

if TYPE_CHECKING:
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMainWindow

    from ...core.session import Session
    from ...engine.registry import ProfileRegistry
    from .dock import DetailsDock, InState


class DetailsOnDemand:
    def __init__(
        self,
        window: QMainWindow,
        session: Session,
        registry: ProfileRegistry,
        toggle: QAction,
        edit: Callable[[str], object],
    ) -> None:
        """``toggle``: the checkable action that shows and hides the dock (kept in step with
        it); ``edit``: what the dock's Edit button asks for, with a profile id."""
        self._window, self._session, self._registry = window, session, registry
        self._toggle, self._edit = toggle, edit
        #: The table's ``StatusModel.in_state``, for the dock (``DetailsDock.in_state``).
        self.in_state: InState | None = None
        self._dock: DetailsDock | None = None
        self._current: str | None = None
        toggle.toggled.connect(self.set_visible)

    @property
    def built(self) -> bool:
        return self._dock is not None

    def dock(self) -> DetailsDock:
        """The dock, built now if it is not yet (hidden; where a saved state puts it)."""
        if self._dock is None:
            from .dock import DetailsDock  # noqa: PLC0415 - the point of this holder

            # Kept before anything can show it: showing it checks the action, which asks
            # for the dock again.
            dock = self._dock = DetailsDock(self._session, self._registry, self._window)
            dock.in_state = self.in_state or dock.in_state
            self._window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
            dock.hide()
            dock.show_profile(self._current)
            dock.visibilityChanged.connect(self._toggle.setChecked)
            dock.editRequested.connect(self._edit)
            self._window.restoreDockWidget(dock)  # where the saved state had it, if anywhere
        return self._dock

    def show(self, profile_id: str) -> None:
        """That profile's details and history, beside the table, in front."""
        dock = self.dock()
        dock.show_profile(profile_id)
        if dock.isHidden():
            dock.show()
            width = max(420, self._window.width() * 2 // 5)
            self._window.resizeDocks([dock], [width], Qt.Orientation.Horizontal)
        dock.raise_()

    def follow(self, profile_id: str | None) -> None:
        """The table's current row changed: the dock follows it (or will, once built)."""
        self._current = profile_id
        if self._dock is not None:
            self._dock.show_profile(profile_id)

    def set_visible(self, visible: bool) -> None:
        if visible or self._dock is not None:
            self.dock().setVisible(visible)

    def is_visible(self) -> bool:
        return self._dock is not None and self._dock.isVisible()

    def release(self) -> None:
        """At shutdown (see ``DetailsDock.release``)."""
        if self._dock is not None:
            self._dock.release()
