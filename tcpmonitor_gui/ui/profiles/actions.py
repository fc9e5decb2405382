"""What the user does to profiles: add, edit, duplicate, remove, pause, test, import, export.

Every change is one call on the profile registry, which saves it (on the I/O thread, writes
coalesced) and tells everyone who shows or monitors profiles; nothing here writes a file or
tells the engine by hand. Dialogs open with ``open()``, files are read and written on the I/O
thread, and results come back through ``engine.gui_thread``: the GUI thread never waits.

The actions know nothing of the window: they are given a parent for their dialogs, the table's
selection (read, and set to a row added), and report through ``message`` (a status line) and
``problem`` (a banner).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from ...core.events import utc_now
from ...core.jsonfile import JsonFileError, file_text, read_json
from ...core.outputs import write_output
from ...core.profile import Profile
from ...core.profile_merge import merge_fields
from ...core.profile_set import ProfileConflict
from ...core.profile_store import FILE_NAME as PROFILES_FILE
from ...core.profile_store import dump_document, parse_document
from ...core.snooze import iso, until_for
from ...core.validate import name_key
from ...engine.gui_thread import when_done
from ...engine.registry import ProfileRegistry
from ..common.bidi import anchored, isolated
from ..common.detail_text import detail_text
from ..common.file_dialogs import ask_open_file, ask_save_file
from ..common.file_problems import file_problem_text, not_written_text
from ..common.labels import cause_text
from ..common.text import error_text, unit_text
from ..notify.notice import Notice, Offer
from .tested import TestedTogether

if TYPE_CHECKING:  # the engine's samples load with the engine, after the first frame
    from ...core.sample import Sample

    Tester = Callable[[Profile], concurrent.futures.Future[Sample]]

#: How many profiles an import adds per turn of the event loop (about 0.1 s of work).
IMPORT_PER_TURN = 100
#: An imported file's actions listed when the user is asked whether to take them.
MAX_ACTIONS_SHOWN = 5


class Selection(Protocol):
    """The table's selection, as the actions read it and set it (a new row is selected)."""

    def selected_ids(self) -> list[str]: ...
    def select_ids(self, profile_ids: list[str]) -> None: ...
    def current_id(self) -> str | None: ...


def names_of(profiles: Sequence[Profile], most: int = 5) -> str:
    """The first few names, set apart, for a line about a selection ("a, b, c…")."""
    names = ", ".join(isolated(p.name) for p in profiles[:most])
    return names + ("…" if len(profiles) > most else "")


class ProfileActions(QObject):
    #: A line for the status bar.
    message = Signal(str)
    #: ``(title, text)``: something went wrong that the user must see (the window's banner).
    problem = Signal(str, str)

    def __init__(
        self,
        registry: ProfileRegistry,
        tester: Tester,
        io: concurrent.futures.Executor,
        parent: QWidget,
        table: Selection,
        *,
        own_dirs: Sequence[Path] = (),
    ) -> None:
        super().__init__(parent)
        self._own = own_dirs  # the config and data dirs: no export goes over their files
        self.registry = registry
        self.profiles = registry.profiles
        self._tester = tester
        self._io = io
        self._parent = parent
        self._table = table

    def _selected(self) -> list[Profile]:
        found = (self.profiles.get(pid) for pid in self._table.selected_ids())
        return [p for p in found if p is not None]

    def _dialog(self, profile: Profile | None, *, duplicate: bool = False) -> None:
        from .dialog import ProfileDialog  # noqa: PLC0415 - not needed to start

        dialog = ProfileDialog(
            self._parent,
            profile=profile,
            existing_names=self.profiles.names(),
            tester=self._tester,
            duplicate=duplicate,
            groups=self.profiles.groups(),
        )
        editing = profile is not None and not duplicate

        def accepted() -> None:
            result = dialog.result_profile()
            if result is None:
                return
            if editing and (now := self.profiles.get(result.id)) is None:
                # Removed from a terminal while the dialog was open: it came back, unasked.
                self._ask(
                    self.tr("Connection removed meanwhile"),
                    self.tr(
                        "{name} was removed by another program while you edited it."
                        " Add it again, with your changes?"
                    ).format(name=isolated(result.name)),
                    functools.partial(self.apply, result, new=True),
                )
                return
            if editing and now is not None:
                # What the dialog changed, onto the profile as it is now: a snooze or a
                # maintenance window set from a terminal while it was open was undone.
                result = merge_fields(profile, result, now)
            self.apply(result, new=not editing)

        dialog.accepted.connect(accepted)
        dialog.open()

    def apply(self, profile: Profile, *, new: bool) -> None:
        """Add or replace ``profile`` in the registry (which saves and monitors it); one
        added is selected, the current row (among thousands it was somewhere out of sight,
        and Ctrl+E or Delete acted on the row selected before)."""
        try:
            if not new and profile.id in self.profiles:
                self.profiles.update([profile])
                return
            self.profiles.add([profile])  # (removed while its dialog was open: it comes back)
        except ProfileConflict as exc:  # another one took the name while the dialog was open
            self.problem.emit(self.tr("The connection was not saved"), file_problem_text(str(exc)))
            return
        self._table.select_ids([profile.id])

    # -- the actions ----------------------------------------------------------------------

    def add(self) -> None:
        self._dialog(None)

    def edit(self, profile_id: str) -> None:
        profile = self.profiles.get(profile_id)
        if profile is not None:
            self._dialog(profile)

    def edit_selected(self) -> None:
        if selected := self._selected():
            self._dialog(selected[0])

    def duplicate_selected(self) -> None:
        if selected := self._selected():
            self._dialog(selected[0], duplicate=True)

    def remove_selected(self) -> None:
        selected = self._selected()
        if not selected:
            return
        names = names_of(selected)
        self._ask(
            self.tr("Remove connections"),
            self.tr(
                "Remove {count} connection(s): {names}?\nTheir stored history is kept.",
                "",
                len(selected),
            ).format(count=len(selected), names=names),
            lambda: self._remove_here([p.id for p in selected]),
        )

    def _ask(self, title: str, text: str, then: Callable[[], object]) -> None:
        """A question, Yes or Cancel, that does not hold the event loop; ``then`` on Yes."""
        from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415 - see common.file_dialogs

        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            anchored(text),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self._parent,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # names: see common.plain
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.accepted.connect(then)
        box.open()

    def remove(self, profile_ids: list[str]) -> None:
        self.profiles.remove(profile_ids)

    def _remove_here(self, profile_ids: list[str]) -> None:
        """Removed from the window: the row beside them (where Qt put the table's current
        row) is selected, where the keyboard goes on from; nothing was, and Edit and
        Remove were greyed out with no sign of where the keyboard was."""
        self.remove(profile_ids)
        if (now := self._table.current_id()) is not None:
            self._table.select_ids([now])

    def toggle_selected(self) -> None:
        """Pause the selected connections if any of them runs, else start them, in one
        change; the choice is saved. (Each turned the other way, a selection with one paused
        never paused all: the paused one started as the others paused.)"""
        selected = self._selected()
        start = not any(p.enabled for p in selected)
        self.profiles.update(dataclasses.replace(p, enabled=start) for p in selected)

    def marks_slots(self, unacknowledged: Callable[[], list[str]]) -> dict[str, Callable[[], None]]:
        """The window's snooze and acknowledge commands (``window_actions``), by name;
        ``unacknowledged``: the ids of drops not acknowledged yet (the status model)."""
        slots: dict[str, Callable[[], None]] = {
            f"snooze_{d}": functools.partial(self.snooze_selected, d)
            for d in ("15m", "1h", "tomorrow", "forever")
        }
        slots["unsnooze"] = functools.partial(self.snooze_selected, "")
        slots["acknowledge"] = lambda: self.acknowledge(
            set(self._table.selected_ids()) & set(unacknowledged())
        )
        slots["acknowledge_all"] = lambda: self.acknowledge(unacknowledged())
        return slots

    def acknowledge(self, profile_ids: Iterable[str], stamp: str | None = None) -> None:
        """Mark these drops as seen, in one change (saved: it outlives a restart). ``stamp``
        "" spends the acknowledgements instead (the connections are up again)."""
        stamp = iso(utc_now()) if stamp is None else stamp
        found = (self.profiles.get(pid) for pid in profile_ids)
        changed = [
            dataclasses.replace(p, acknowledged=stamp)
            for p in found
            if p is not None and p.acknowledged != stamp
        ]
        if changed:
            self.profiles.update(changed)

    def snooze_selected(self, duration: str) -> None:
        """Hold back the selected connections' notices for ``duration`` (``core.snooze``;
        "" turns them on again); saved with the profiles, so it outlives the program."""
        self.snooze([p.id for p in self._selected()], duration)

    def offer(self, notice: Notice, show: Callable[[str], object]) -> Offer:
        """What a notice lets the user do: snooze the connections it is about (a drop, a
        recovery), and, clicked, ``show`` the first of them in the window."""
        ids = notice.profile_ids
        if not ids:
            return Offer()
        buttons: tuple[tuple[str, Callable[[], object]], ...] = ()
        if notice.snoozable:
            buttons = (
                (self.tr("Snooze for 1 hour"), lambda: self.snooze(ids, "1h")),
                (self.tr("Snooze until tomorrow"), lambda: self.snooze(ids, "tomorrow")),
            )
        return Offer(buttons, lambda: show(ids[0]))

    def snooze(self, profile_ids: Iterable[str], duration: str) -> None:
        """``snooze_selected`` for these connections (the tray's and a notice's buttons)."""
        until = until_for(duration) if duration else ""
        found = (self.profiles.get(pid) for pid in profile_ids)
        self.profiles.update(dataclasses.replace(p, snooze_until=until) for p in found if p)

    def test_selected(self) -> None:
        """Test each selected connection once; the status line says so at once, as a test
        of one that does not answer takes its whole timeout (a click seemed to do nothing),
        then each result, and of several, at the end, which failed (``tested``)."""
        selected = self._selected()
        if selected:
            names = names_of(selected)
            self.message.emit(anchored(self.tr("Testing {names}…").format(names=names)))
        together = TestedTogether(len(selected), self.message.emit)
        for profile in selected:
            done = functools.partial(self._tested, profile, together)
            when_done(self._tester(profile), done, owner=self)

    def _tested(
        self, profile: Profile, together: TestedTogether, future: concurrent.futures.Future[Sample]
    ) -> None:
        name, failure = isolated(profile.name), None
        if (exc := future.exception()) is not None:
            failure = detail_text(error_text(exc))
            text = self.tr("{name}: test failed to run: {error}").format(name=name, error=failure)
        elif (sample := future.result()).ok:
            ms = sample.timings.total_ms if sample.timings is not None else None
            latency = "?" if ms is None else unit_text("{n} ms", n=f"{ms:.2f}")
            text = self.tr("{name}: connected to {address} in {latency}").format(
                name=name, address=sample.address, latency=latency
            )
        else:
            failure = cause_text(sample.cause)
            text = f"{name}: {failure} — {isolated(detail_text(sample.detail))}"
        self.message.emit(anchored(text))
        together.done(profile.name, failure)

    # -- files ----------------------------------------------------------------------------

    def import_dialog(self) -> None:
        ask_open_file(
            self._parent, self.tr("Import connections"), self._profile_files(), self.import_file
        )

    def import_file(self, path: Path) -> concurrent.futures.Future[list[Profile]]:
        """Read ``path`` on the I/O thread, then add its profiles; those whose name or id is
        already here are skipped. The future holds what the file had."""
        future = self._io.submit(lambda: parse_document(read_json(path, str(path)), str(path)))
        when_done(future, functools.partial(self._imported, path), owner=self)
        return future

    def _imported(self, path: Path, future: concurrent.futures.Future[list[Profile]]) -> None:
        if (exc := future.exception()) is not None:
            error = str(exc) if isinstance(exc, JsonFileError) else f"{path}: {exc}"
            self.problem.emit(self.tr("Import failed"), file_problem_text(error))
            return
        incoming = future.result()
        if any(p.actions for p in incoming):
            self._ask_actions(path, incoming)
            return
        self._add_imported(path, incoming, {name_key(p.name) for p in self.profiles})

    def _ask_actions(self, path: Path, incoming: list[Profile]) -> None:
        """A file from someone else (a colleague's, a download) whose profiles have actions
        ran its commands here at the first change, taken without a word: they are shown, and
        taken, left out or the import cancelled as the user says."""
        from PySide6.QtWidgets import QMessageBox  # noqa: PLC0415 - see common.file_dialogs

        carried = [f"{p.name} — {a.on}: {a.shown()}" for p in incoming for a in p.actions]
        shown = "\n".join(
            [*carried[:MAX_ACTIONS_SHOWN], *(["…"] * (len(carried) > MAX_ACTIONS_SHOWN))]
        )
        text = self.tr(
            "The profiles of {file} have actions, commands run or notices sent from this "
            "computer when their connections change:\n\n{actions}\n\nTake them too?"
        ).format(file=path.name, actions=shown)
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Import actions?"), anchored(text),
                          QMessageBox.StandardButton.Cancel, self._parent)  # fmt: skip
        box.setTextFormat(Qt.TextFormat.PlainText)  # names and commands: see common.plain
        take = box.addButton(self.tr("Import with actions"), QMessageBox.ButtonRole.AcceptRole)
        leave = box.addButton(self.tr("Import without actions"), QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(leave)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered() -> None:
            if box.clickedButton() not in (take, leave):
                return
            profiles = incoming
            if box.clickedButton() is leave:
                profiles = [dataclasses.replace(p, actions=()) for p in incoming]
            self._add_imported(path, profiles, {name_key(p.name) for p in self.profiles})

        box.finished.connect(answered)
        box.open()

    def _add_imported(
        self, path: Path, incoming: list[Profile], taken: set[str], at: int = 0, added: int = 0
    ) -> None:
        """Add ``incoming[at:]``, a piece per turn of the event loop: thousands in one go held
        the window for seconds (each piece is shown, monitored and saved). Those whose id or
        name is here by then are skipped; ``taken``: the names here, kept up to date."""
        piece = []
        for profile in incoming[at : at + IMPORT_PER_TURN]:
            if profile.id not in self.profiles and (key := name_key(profile.name)) not in taken:
                taken.add(key)
                piece.append(profile)
        try:
            added += len(self.profiles.add(piece))
        except ProfileConflict:  # one added meanwhile by another way: the names asked again
            again = {name_key(p.name) for p in self.profiles}
            added += len(self.profiles.add(p for p in piece if name_key(p.name) not in again))
        at += IMPORT_PER_TURN
        if at < len(incoming):
            more = functools.partial(self._add_imported, path, incoming, taken, at, added)
            QTimer.singleShot(0, self, more)
            return
        skipped = len(incoming) - added
        text = self.tr("Imported {count} connections from {file}", "", added)
        text = text.format(count=added, file=path.name)
        if skipped:
            text += self.tr("; {count} skipped (already present)", "", skipped).format(
                count=skipped
            )
        self.message.emit(text)

    def export_dialog(self) -> None:
        ask_save_file(
            self._parent,
            self.tr("Export connections"),
            self._profile_files(),
            self.export_file,
            suggested="tcpmonitor-profiles.json",
            suffix="json",
        )

    def export_file(self, path: Path) -> concurrent.futures.Future[int] | None:
        """Write the saved profiles (not the demo's) to ``path`` on the I/O thread; refused
        (None) while the file holds what this version cannot read, which it would lack (a
        copy taken to another computer lacked the newer version's connection, unsaid)."""
        if left_out := self.registry.left_out:
            text = self.tr(
                "{why}. An export would lack it: export with the newer version, or copy "
                "{file} itself."
            ).format(why=file_problem_text(left_out), file=PROFILES_FILE)
            self.problem.emit(self.tr("Export failed"), text)
            return None
        saved = self.profiles.saved()

        def write() -> int:
            write_output(path, file_text(dump_document(saved), "it"), self._own, mode=0o600)
            return len(saved)

        future = self._io.submit(write)
        when_done(future, functools.partial(self._exported, path), owner=self)
        return future

    def _exported(self, path: Path, future: concurrent.futures.Future[int]) -> None:
        if (exc := future.exception()) is not None:
            self.problem.emit(self.tr("Export failed"), not_written_text(path, exc))
            return
        count = future.result()
        exported = self.tr("Exported {count} connections to {path}", "", count)
        self.message.emit(exported.format(count=count, path=path))

    def _profile_files(self) -> str:
        return self.tr("Connections (*.json);;All files (*)")
