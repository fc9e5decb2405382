"""The profile registry as Qt signals: a thin face of ``core.profile_set.ProfileSet``.

The engine, the status table, the log's filter and the window connect to these signals; none
keeps a list of its own (STYLE.md, practice 13). Each signal carries a whole change (a list),
so toggling fifty profiles is one emission and one repaint, not fifty.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from ..core.profile_set import Change, ChangeKind, ProfileSet
from ..core.profile_store import ProfileStore
from .gui_thread import call_in_gui_thread

#: Changes in the folder are gathered this long before the file is read again.
RESYNC_AFTER_MS = 300
#: After a failed write (a full disk), the profiles are written again this often until one
#: works, with no change needed to set it off.
RETRY_SAVE_MS = 30_000


class ProfileRegistry(QObject):
    #: ``list[Profile]``: new profiles, in order.
    added = Signal(object)
    #: ``list[Change]``: edited profiles (``change.profile`` now, ``change.previous`` before).
    changed = Signal(object)
    #: ``list[Profile]``: the profiles as they were.
    removed = Signal(object)
    #: After each write of ``profiles.json``: ``""`` when it worked, else the error (one line
    #: naming the file), in the GUI thread.
    saved = Signal(str)
    #: What the file holds that the last read of it left out (``left_out``), each time that
    #: changes, in the GUI thread.
    leftOut = Signal(object)

    def __init__(
        self,
        profiles: ProfileSet,
        parent: QObject | None = None,
        *,
        store: ProfileStore | None = None,
    ) -> None:
        """``store``: the profiles file's; when another program changes the file (``tcpmonitor
        profiles add`` in a terminal, a newer version), its changes are taken in, and what
        this version cannot read of it is said (``leftOut``)."""
        super().__init__(parent)
        self.profiles = profiles
        self._store = store
        #: What the file holds that the last read of it left out (a newer version's
        #: connections: ``JsonStore.unread_error``), "" for nothing; None while it cannot be
        #: read at all (a newer ``version``: nothing is saved over it either).
        self.left_out = "" if store is None else _left_out(store)
        profiles.subscribe(self._relay)
        profiles.watch_saves(self._save_done)  # called on the I/O thread
        profiles.deliver_with(lambda call: call_in_gui_thread(call, owner=self))
        #: Writes again after a failed write (``resync``: it merges with the file as it is).
        self.save_retry = QTimer(self)
        self.save_retry.setSingleShot(True)
        self.save_retry.setInterval(RETRY_SAVE_MS)
        self.save_retry.timeout.connect(profiles.resync)
        self.saved.connect(self._retry_if_failed)
        self._watcher: QFileSystemWatcher | None = None
        if store is not None:
            # The folder, not the file: a file replaced by a rename is a new file.
            self._watcher = QFileSystemWatcher([str(store.path.parent)], self)
            self._settle = QTimer(self)
            self._settle.setSingleShot(True)
            self._settle.setInterval(RESYNC_AFTER_MS)
            self._settle.timeout.connect(profiles.resync)
            self._watcher.directoryChanged.connect(lambda _dir: self._settle.start())

    def _relay(self, changes: Sequence[Change]) -> None:
        by_kind: dict[ChangeKind, list[Change]] = {}
        for change in changes:
            by_kind.setdefault(change.kind, []).append(change)
        if removed := by_kind.get(ChangeKind.REMOVED):
            self.removed.emit([c.profile for c in removed])
        if added := by_kind.get(ChangeKind.ADDED):
            self.added.emit([c.profile for c in added])
        if changed := by_kind.get(ChangeKind.CHANGED):
            self.changed.emit(changed)

    def _retry_if_failed(self, error: str) -> None:
        if error:
            self.save_retry.start()
        else:
            self.save_retry.stop()

    def _save_done(self, error: Exception | None) -> None:
        """After each write or read of the file (``resync``), on the I/O thread: the one that
        reads the store."""
        left_out = "" if self._store is None else _left_out(self._store)
        call_in_gui_thread(self._left_out_now, left_out, owner=self)
        call_in_gui_thread(self.saved.emit, "" if error is None else str(error), owner=self)

    def _left_out_now(self, left_out: str | None) -> None:
        if left_out != self.left_out:
            self.left_out = left_out
            self.leftOut.emit(left_out)


def _left_out(store: ProfileStore) -> str | None:
    """``ProfileRegistry.left_out`` as the store's last read found it."""
    if store.unread:
        return store.unread_error
    return None if store.read_only else ""
