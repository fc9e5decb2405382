"""What the user does to profiles: add, edit, duplicate, remove, pause, test, import, export.

Each change goes three ways, in this order: the table (at once), the file (through the
context's I/O thread; a failure is shown, never swallowed) and the engine (which restarts
the monitor with the new settings). Dialogs are opened with ``open()``, never ``exec()``,
so the qasync loop keeps running underneath them.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QMenu, QMessageBox

from ...core.jsonfile import JsonFileError, atomic_write_text, read_json
from ...core.profile import Profile
from ...core.profile_store import dump_document, parse_document
from ...core.sample import Sample
from ...core.settings import Settings
from ..common.i18n import Context

if TYPE_CHECKING:
    from ..main_window import MainWindow


class ProfileActions(Context):
    def __init__(self, window: MainWindow) -> None:
        self.w = window

    # -- helpers --------------------------------------------------------------------------

    @property
    def saved(self) -> list[Profile]:
        return list(self.w.ctx.profiles)

    def _is_demo(self, profile_id: str) -> bool:
        demo = self.w.demo
        return demo is not None and any(p.id == profile_id for p in demo.profiles)

    def _find(self, profile_id: str) -> Profile | None:
        row = self.w.model.row_of(profile_id)
        return None if row is None else self.w.model.profile_at(row)

    def _selected(self) -> list[Profile]:
        found = (self._find(pid) for pid in self.w.table.selected_ids())
        return [p for p in found if p is not None]

    def _save(self, profiles: list[Profile]) -> None:
        future = self.w.ctx.save_profiles(profiles)
        self.w.relay.when_done(future, self._saved)

    def _saved(self, future: concurrent.futures.Future[None]) -> None:
        if (exc := future.exception()) is not None:
            self.w.banner.show_message(self.tr("Profiles were not saved"), str(exc), "warning")

    def _apply(self, profile: Profile, *, new: bool) -> None:
        """Show, save (unless it is the demo's) and monitor one added or edited profile."""
        self.w.model.upsert_profile(profile)
        if not self._is_demo(profile.id):
            saved = self.saved
            index = next((i for i, p in enumerate(saved) if p.id == profile.id), None)
            if index is None:
                saved.append(profile)
            else:
                saved[index] = profile
            self._save(saved)
        engine = self.w.ctx.engine
        if engine.running:
            engine.add(profile) if new else engine.update(profile)
        self.w.after_profiles_change()

    def _dialog(self, profile: Profile | None, *, duplicate: bool = False) -> None:
        profiles = self.w.model_profiles()
        names = [p.name for p in profiles]
        from .dialog import ProfileDialog  # noqa: PLC0415 - not needed to start

        dialog = ProfileDialog(
            self.w,
            profile=profile,
            existing_names=names,
            tester=self.w.ctx.engine.test_now,
            duplicate=duplicate,
            groups=sorted({p.group for p in profiles if p.group}),
        )
        editing = profile is not None and not duplicate

        def accepted() -> None:
            result = dialog.result_profile()
            if result is not None:
                self._apply(result, new=not editing)

        dialog.accepted.connect(accepted)
        dialog.open()

    # -- the actions ----------------------------------------------------------------------

    def add(self) -> None:
        self._dialog(None)

    def edit(self, profile_id: str) -> None:
        profile = self._find(profile_id)
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
        names = ", ".join(p.name for p in selected[:5]) + ("…" if len(selected) > 5 else "")
        box = QMessageBox(
            QMessageBox.Icon.Question,
            self.tr("Remove connections"),
            self.tr(
                "Remove {count} connection(s): {names}?\nTheir stored history is kept.",
                "",
                len(selected),
            ).format(count=len(selected), names=names),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self.w,
        )
        box.accepted.connect(lambda: self.remove([p.id for p in selected]))
        box.open()

    def remove(self, profile_ids: list[str]) -> None:
        engine = self.w.ctx.engine
        for pid in profile_ids:
            self.w.model.remove_profile(pid)
            if engine.running and pid in engine.profiles:
                engine.remove(pid)
        self._save([p for p in self.saved if p.id not in profile_ids])
        self.w.after_profiles_change()

    def toggle_selected(self) -> None:
        """Pause what runs and start what is paused; the choice is saved (``enabled``)."""
        for profile in self._selected():
            self._apply(dataclasses.replace(profile, enabled=not profile.enabled), new=False)

    def test_selected(self) -> None:
        for profile in self._selected():
            future = self.w.ctx.engine.test_now(profile)
            self.w.relay.when_done(future, functools.partial(self._tested, profile))

    def _tested(self, profile: Profile, future: concurrent.futures.Future[Sample]) -> None:
        if (exc := future.exception()) is not None:
            failed = self.tr("{name}: test failed to run: {error}")
            self.w.statusBar().showMessage(failed.format(name=profile.name, error=exc), 15_000)
        else:
            self.w.show_test_result(profile, future.result())

    def context_menu(self, profile_ids: list[str], where: QPoint) -> None:
        menu = QMenu(self.w)
        if profile_ids:
            for action in (self.w.act_edit, self.w.act_duplicate, self.w.act_test,
                           self.w.act_toggle, None, self.w.act_remove):  # fmt: skip
                menu.addSeparator() if action is None else menu.addAction(action)
        else:
            menu.addAction(self.w.act_add)
        menu.popup(where)

    # -- files ----------------------------------------------------------------------------

    def import_dialog(self) -> None:
        self.w.ask_file(False, self.tr("Import profiles"), self.import_file)

    def import_file(self, path: Path) -> tuple[int, int]:
        """Add the file's profiles; those whose name or id is already here are skipped."""
        try:
            incoming = parse_document(read_json(path, str(path)), str(path))
        except JsonFileError as exc:
            self.w.banner.show_message(self.tr("Import failed"), str(exc), "warning")
            return 0, 0
        present = self.w.model_profiles()
        ids = {p.id for p in present}
        names = {p.name.casefold() for p in present}
        added = [p for p in incoming if p.id not in ids and p.name.casefold() not in names]
        for profile in added:
            self.w.model.upsert_profile(profile)
            if self.w.ctx.engine.running:
                self.w.ctx.engine.add(profile)
        self._save(self.saved + added)
        self.w.after_profiles_change()
        skipped = len(incoming) - len(added)
        text = self.tr("Imported {count} profiles from {file}", "", len(added))
        text = text.format(count=len(added), file=path.name)
        if skipped:
            more = self.tr("; {count} skipped (already present)", "", skipped)
            text += more.format(count=skipped)
        self.w.statusBar().showMessage(text, 10_000)
        return len(added), skipped

    def export_dialog(self) -> None:
        self.w.ask_file(True, self.tr("Export profiles"), self.export_file)

    def export_file(self, path: Path) -> concurrent.futures.Future[None]:
        text = json.dumps(dump_document(self.saved), indent=2, ensure_ascii=False) + "\n"
        future = self.w.ctx.io.submit(atomic_write_text, path, text)
        self.w.relay.when_done(future, lambda f: self._exported(path, f))
        return future

    def _exported(self, path: Path, future: concurrent.futures.Future[None]) -> None:
        if (exc := future.exception()) is not None:
            self.w.banner.show_message(self.tr("Export failed"), f"{path}: {exc}", "warning")
        else:
            count = len(self.saved)
            exported = self.tr("Exported {count} profiles to {path}", "", count)
            self.w.statusBar().showMessage(exported.format(count=count, path=path), 10_000)

    def settings_dialog(self) -> None:
        from ..settings.dialog import SettingsDialog  # noqa: PLC0415 - not needed to start

        autostart = self.w.autostart() if self.w.autostart is not None else None

        dialog = SettingsDialog(
            self.w.ctx.settings,
            self.w,
            start_at_login=autostart.is_enabled() if autostart is not None else None,
        )

        def accepted() -> None:
            self.apply_settings(dialog.result_settings())
            self.apply_start_at_login(dialog.start_at_login_checked())

        dialog.accepted.connect(accepted)
        dialog.open()

    def apply_start_at_login(self, wanted: bool) -> None:
        """Write or remove the platform's login entry (a small file: no thread needed)."""
        from ...integration.autostart import AutostartError  # noqa: PLC0415 - not at start-up

        autostart = self.w.autostart() if self.w.autostart is not None else None
        if autostart is None or wanted == autostart.is_enabled():
            return
        try:
            if wanted:
                autostart.enable(self.w.launch_args())
            else:
                autostart.disable()
        except AutostartError as exc:
            self.w.banner.show_message(
                self.tr("Start at login was not changed"), str(exc), "warning"
            )

    def apply_settings(self, settings: Settings) -> None:
        self.w.policy.set_settings(settings)
        future = self.w.ctx.save_settings(settings)
        self.w.relay.when_done(future, self._settings_saved)

    def _settings_saved(self, future: concurrent.futures.Future[None]) -> None:
        if (exc := future.exception()) is not None:
            self.w.banner.show_message(self.tr("Settings were not saved"), str(exc), "warning")
