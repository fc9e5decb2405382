"""The settings dialog: the options of ``settings.json``, checked as the file is checked.

Validation goes through ``Settings.from_dict`` so the dialog, the file and any future command
line refuse the same values with the same words; the spin boxes therefore allow more than the
settings do, and the message beside the field says what is allowed. OK stays disabled while
anything is invalid.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ...core import validate as v
from ...core.events import State
from ...core.settings import Settings
from ..common.field_problems import caption_text, field_error_text, problem_text
from ..common.fit import fit_on_screen, scrolling
from ..common.icons import text_style
from ..profiles.fields import Whole, on_edit, take_value

#: The spin boxes' own limits: wide, so that ``Settings.from_dict`` has the last word.
_SPIN_LIMITS = {"workers": (0, 999), "retention_days": (0, 99_999), "wake_grace_s": (0, 99_999)}


#: The language choices, in their own language (the way language menus show them).
LANGUAGE_NAMES = {"en": "English", "zh_CN": "简体中文"}


class SettingsDialog(QDialog):
    """``start_at_login``: whether the program starts at login now (the platform's own entry
    is the record; the caller applies ``start_at_login_checked()`` after OK)."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        start_at_login: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings — TCP Monitor"))
        #: What the dialog has no field for, kept as it is: the global actions, metrics.
        self._kept = {
            "actions": [a.to_dict() for a in settings.actions],
            "metrics_listen": settings.metrics_listen,
        }
        self._checks = {
            "start_minimized": QCheckBox(
                self.tr("Start minimized (to the tray when there is one)")
            ),
            "notify_on_down": QCheckBox(self.tr("Notify when a connection goes down")),
            "notify_on_up": QCheckBox(self.tr("Notify when a connection comes back up")),
            "sound": QCheckBox(self.tr("Play a sound with each notification")),
        }
        for name, box in self._checks.items():
            box.setChecked(bool(getattr(settings, name)))
            box.toggled.connect(self._validate)
        self._spins: dict[str, QSpinBox] = {}
        self._errors: dict[str, QLabel] = {}
        automatic = Settings(workers=0).worker_count
        workers = self._spin(
            "workers", settings.workers, self.tr("Automatic ({n})").format(n=automatic)
        )
        workers.setToolTip(
            self.tr(
                "Threads that host the monitors. Automatic uses one where Python has a global "
                "interpreter lock (more would only take turns), else min(4, CPU count): "
                "{n} on this computer."
            ).format(n=automatic)
        )
        retention = self._spin("retention_days", settings.retention_days)
        retention.valueChanged.connect(
            lambda n: retention.setSuffix(self.tr(" days", "", n))  # plural forms
        )
        retention.setSuffix(self.tr(" days", "", retention.value()))
        self.login_check = QCheckBox(self.tr("Start at login (minimized to the tray)"))
        self.login_check.setChecked(bool(start_at_login))
        self.login_check.setEnabled(start_at_login is not None)
        if start_at_login is None:
            self.login_check.setToolTip(self.tr("Not available on this system"))
        self.language_combo = QComboBox()
        self.language_combo.addItem(self.tr("System language"), "system")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(settings.language)))

        general = QGroupBox(self.tr("General"))
        general_form = QFormLayout(general)
        general_form.addRow(self._checks["start_minimized"])
        general_form.addRow(self.login_check)
        general_form.addRow(self.tr("Language:"), self.language_combo)
        language_note = QLabel(self.tr("The language applies at the next start."))
        language_note.setWordWrap(True)
        general_form.addRow("", language_note)
        self._labelled(general_form, self.tr("Keep events for:"), "retention_days")
        self._labelled(general_form, self.tr("Worker threads:"), "workers")
        note = QLabel(
            self.tr("0 means automatic ({n} here). Applies at the next start.").format(n=automatic)
        )
        note.setWordWrap(True)
        general_form.addRow("", note)
        notify = QGroupBox(self.tr("Notifications"))
        notify_form = QFormLayout(notify)
        for name in ("notify_on_down", "notify_on_up", "sound"):
            notify_form.addRow(self._checks[name])
        wake = self._spin("wake_grace_s", settings.wake_grace_s)
        wake.setSuffix(self.tr(" s"))
        wake.setToolTip(
            self.tr(
                "After this computer wakes from sleep, drops are told only if they last: "
                "a few seconds, and while the network is still down, up to this long."
            )
        )
        self._labelled(
            notify_form, self.tr("After waking, wait for the network up to:"), "wake_grace_s"
        )
        notify_form.addRow(
            QLabel(
                self.tr("Each connection can also turn its notifications off in its own settings.")
            )
        )

        self._buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self._buttons.accepted.connect(self.accept)
        self._buttons.rejected.connect(self.reject)
        body = QWidget()
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(general)
        inner.addWidget(notify)
        layout = QVBoxLayout(self)
        layout.addWidget(scrolling(body), 1)  # a small screen scrolls it; OK stays in view
        layout.addWidget(self._buttons)
        self._validate()
        fit_on_screen(self)

    def _spin(self, name: str, value: int, special: str = "") -> QSpinBox:
        spin = Whole()  # digits of any script; text it cannot hold is said, never kept
        spin.setRange(*_SPIN_LIMITS[name])
        spin.setValue(value)
        if special:
            spin.setSpecialValueText(special)
        on_edit(spin, self._validate)  # and its text: emptied, the box keeps its old value
        self._spins[name] = spin
        error = QLabel()
        error.setStyleSheet(text_style(State.DOWN))
        error.setWordWrap(True)
        error.hide()
        self._errors[name] = error
        return spin

    def _labelled(self, form: QFormLayout, label: str, name: str) -> None:
        """The spin box ``name`` with its error beside it, on a row of ``form``; named for a
        screen reader (the row's label is the buddy of the box around both, which Qt does
        not give the spin box)."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self._spins[name])
        row.addWidget(self._errors[name], 1)
        self._spins[name].setAccessibleName(label)
        form.addRow(label, box)

    def values(self) -> dict[str, Any]:
        """The fields as a settings document, before validation."""
        data: dict[str, Any] = dict(self._kept)
        data.update({name: box.isChecked() for name, box in self._checks.items()})
        data.update({name: take_value(spin) for name, spin in self._spins.items()})
        data["language"] = self.language_combo.currentData()
        return data

    def start_at_login_checked(self) -> bool:
        return self.login_check.isChecked()

    @Slot()
    def _validate(self) -> bool:
        for label in self._errors.values():
            label.clear()
            label.hide()
        try:
            Settings.from_dict(self.values())
        except v.FieldError as exc:
            beside = self._errors.get(exc.field)
            if beside is not None:
                empty = exc.value == "" and caption_text(self._spins[exc.field].accessibleName())
                beside.setText(f"{empty or v.show(exc.value)} {problem_text(exc.problem)}")
                beside.show()
            self.ok_button().setEnabled(False)
            self.ok_button().setToolTip(field_error_text(str(exc)))
            return False
        self.ok_button().setEnabled(True)
        self.ok_button().setToolTip("")
        return True

    def ok_button(self) -> QPushButton:
        return self._buttons.button(QDialogButtonBox.StandardButton.Ok)

    def error_text(self, field: str) -> str:
        """The message shown beside ``field``; empty when the field is valid."""
        return self._errors[field].text()

    def spin(self, field: str) -> QSpinBox:
        return self._spins[field]

    def check(self, field: str) -> QCheckBox:
        return self._checks[field]

    def result_settings(self) -> Settings:
        """The edited settings; raises ``FieldError`` while a field is invalid (OK is off)."""
        return Settings.from_dict(self.values())

    def accept(self) -> None:
        if self._validate():
            super().accept()
