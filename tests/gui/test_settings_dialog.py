"""The settings dialog edits ``Settings`` and refuses what the settings file would refuse."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.settings import Settings
from tcpmonitor_gui.core.validate import FieldError
from tcpmonitor_gui.ui.settings.dialog import SettingsDialog
from tests.gui.test_profile_dialog import type_into

CUSTOM = Settings(
    retention_days=30,
    workers=2,
    start_minimized=True,
    notify_on_down=True,
    notify_on_up=False,
    sound=True,
)


@pytest.fixture
def dialog(qtbot: QtBot) -> SettingsDialog:
    d = SettingsDialog(CUSTOM)
    qtbot.addWidget(d)
    return d


def test_the_dialog_shows_the_settings_it_was_given(dialog: SettingsDialog) -> None:
    assert dialog.result_settings() == CUSTOM
    assert dialog.check("start_minimized").isChecked()
    assert not dialog.check("notify_on_up").isChecked()
    assert dialog.spin("workers").value() == 2
    assert dialog.spin("retention_days").value() == 30
    assert dialog.ok_button().isEnabled()


def test_edits_come_back_as_settings(dialog: SettingsDialog) -> None:
    dialog.check("notify_on_up").setChecked(True)
    dialog.check("sound").setChecked(False)
    dialog.spin("workers").setValue(0)
    dialog.spin("retention_days").setValue(365)
    assert dialog.result_settings() == Settings(
        retention_days=365,
        workers=0,
        start_minimized=True,
        notify_on_down=True,
        notify_on_up=True,
        sound=False,
    )


def test_too_many_workers_disable_ok_with_the_reason_beside_the_field(
    dialog: SettingsDialog,
) -> None:
    dialog.spin("workers").setValue(100)
    assert not dialog.ok_button().isEnabled()
    assert dialog.error_text("workers") == "100 is out of range (allowed 0 to 64)"
    assert dialog.error_text("retention_days") == ""
    with pytest.raises(FieldError):
        dialog.result_settings()
    dialog.spin("workers").setValue(8)
    assert dialog.ok_button().isEnabled()
    assert dialog.error_text("workers") == ""


def test_zero_retention_days_is_refused(dialog: SettingsDialog) -> None:
    dialog.spin("retention_days").setValue(0)
    assert not dialog.ok_button().isEnabled()
    assert dialog.error_text("retention_days") == "0 is out of range (allowed 1 to 3650)"


def test_accept_does_nothing_while_invalid(dialog: SettingsDialog) -> None:
    dialog.spin("retention_days").setValue(5000)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Rejected
    dialog.spin("retention_days").setValue(500)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_automatic_workers_show_the_number_and_say_it_applies_at_next_start(
    qtbot: QtBot,
) -> None:
    d = SettingsDialog(Settings())
    qtbot.addWidget(d)
    automatic = Settings().worker_count
    assert d.spin("workers").specialValueText() == f"Automatic ({automatic})"
    assert d.spin("workers").text() == f"Automatic ({automatic})"
    texts = [label.text() for label in d.findChildren(QLabel)]
    assert any("next start" in t for t in texts)


def test_what_the_dialog_has_no_field_for_is_kept(qtbot: QtBot) -> None:
    """The global actions (set in the file) survive an edit of the settings in the dialog."""
    actions = ({"on": "down", "run": ["notify-send", "down"], "timeout_s": 5.0},)
    settings = Settings.from_dict(
        {"actions": list(actions), "retention_days": 30, "metrics_listen": "9464"}
    )
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.spin("retention_days").setValue(60)
    result = dialog.result_settings()
    assert result.retention_days == 60
    assert [a.to_dict() for a in result.actions] == list(actions)
    assert result.metrics_listen == "9464"


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("retention_days", "", "Keep events for is not a whole number (allowed 1 to 3650)"),
        ("wake_grace_s", "", "is not a whole number (allowed 0 to 3600)"),
        ("workers", "", "Worker threads is not a whole number (allowed 0 to 64)"),
        # Refused key by key past the box's own limit: the box kept nothing, or "Automatic".
        ("workers", "5000", "5000 is out of range (allowed 0 to 64)"),
        ("retention_days", "99999999", "99999999 is out of range (allowed 1 to 3650)"),
    ],
)
def test_a_number_the_box_cannot_hold_is_said_and_never_saved_as_the_old_one(
    qtbot: QtBot, dialog: SettingsDialog, field: str, typed: str, message: str
) -> None:
    """An emptied "Keep events for" box showed " days" with OK on, and OK (or Enter) saved
    the last value, 30 days, unseen; 5000 worker threads typed saved "Automatic"."""
    dialog.show()
    box = dialog.spin(field)
    box.setFocus()
    type_into(box, typed)
    assert dialog.error_text(field).endswith(message)
    assert not dialog.ok_button().isEnabled()
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.error_text(field).endswith(message)


def test_days_typed_in_other_digits_are_those_days(qtbot: QtBot, dialog: SettingsDialog) -> None:
    """The profile dialog takes "٤٥" (pasted from an Arabic keyboard); this one refused it."""
    dialog.show()
    box = dialog.spin("retention_days")
    type_into(box, "٤٥")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.result_settings().retention_days == 45


def test_cancel_after_edits_gives_back_nothing_and_the_settings_are_unchanged(
    qtbot: QtBot,
) -> None:
    given = Settings(retention_days=30)
    d = SettingsDialog(given)
    qtbot.addWidget(d)
    d.show()
    type_into(d.spin("retention_days"), "7")
    qtbot.keyClick(d, Qt.Key.Key_Escape)
    assert d.result() == QDialog.DialogCode.Rejected
    assert given.retention_days == 30
