"""The profile dialog's fields: one widget per field of the profile format, in tabs.

Apart from the dialog so that the dialog reads as behaviour (validation, test now) and this
module as layout. The form knows no validation rule: it turns its widgets into the dict that
``Profile.from_dict`` judges, and shows a message beside the widget of any field path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QWidget,
)

from ...core import escapes
from ...core.actions import as_line, from_lines
from ...core.events import State
from ...core.presets import PRESETS
from ...core.profile import KIND_DEFAULTS, Profile
from ...core.state import CALM_FRACTION
from ..common.field_problems import caption_text
from ..common.file_dialogs import ask_open_file
from ..common.i18n import QT_TRANSLATE_NOOP, translate
from ..common.icons import readable_state_color, text_style
from ..common.labels import preset_text
from ..common.plain import plain
from ..common.text import unit_suffix
from .fields import (
    Lines,
    Number,
    counted_box,
    flatten,
    line_of,
    note,
    on_edit,
    put_value,
    spin_box,
    take_value,
)
from .host_edit import HostEdit

KINDS = {
    "probe": QT_TRANSLATE_NOOP("ProfileForm", "Probe: connect every interval"),
    "heartbeat": QT_TRANSLATE_NOOP("ProfileForm", "Heartbeat: hold a connection and ask"),
    "watch": QT_TRANSLATE_NOOP("ProfileForm", "Watch: hold a connection silently"),
}
FAMILIES = {
    "auto": QT_TRANSLATE_NOOP("ProfileForm", "Automatic"),
    "ipv4": QT_TRANSLATE_NOOP("ProfileForm", "IPv4 only"),
    "ipv6": QT_TRANSLATE_NOOP("ProfileForm", "IPv6 only"),
}
USER_TIMEOUT_MODES = {
    "auto": QT_TRANSLATE_NOOP("ProfileForm", "Auto"),
    "off": QT_TRANSLATE_NOOP("ProfileForm", "Off"),
    "seconds": QT_TRANSLATE_NOOP("ProfileForm", "Seconds"),
}
#: TLS stays offered for watch although the brief says otherwise: ``core.connect`` does the
#: handshake for every kind, so hiding it would leave a setting in force that nobody can see.
TLS_KINDS = ("probe", "heartbeat", "watch")


@dataclasses.dataclass
class _Field:
    widget: QWidget  # the one that takes focus and carries the tooltip
    body: QWidget  # the widget or the box that holds it with its buttons
    form: QFormLayout
    error: QLabel
    tab: int
    tip: str
    hint: QLabel | None


class ProfileForm(QTabWidget):
    """Tabs General / Detector / TLS / Keepalive / Alerting; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, groups: Sequence[str] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.touched: set[str] = set()  # field paths the user edited in this dialog
        self._fields: dict[str, _Field] = {}
        self._loading = False
        self._kind = "probe"
        self._build_general(groups)
        self._build_detector()
        self._build_tls()
        self._build_keepalive()
        self._build_alerting()

    # -- building -------------------------------------------------------------------------

    def _page(self, title: str) -> QFormLayout:
        page = QWidget()
        form = QFormLayout(page)
        self.addTab(page, title)
        return form

    def _row(
        self, form: QFormLayout, label: str, path: str, widget: QWidget, tip: str = "", **kw: Any
    ) -> None:
        """A field with its caption (the buddy, for the mnemonic), then a hidden error label
        and an optional hint, each on a row of its own: a word-wrapped label only gets the
        height it needs as a form row, not inside a cell with the field."""
        caption = QLabel(label)
        caption.setBuddy(widget)
        body: QWidget = kw.get("body", widget)
        if body is not widget:  # a screen reader's name: Qt looks for buddies beside it only
            widget.setAccessibleName(caption_text(label))
        form.addRow(caption, body)
        error = QLabel()
        error.setTextFormat(Qt.TextFormat.PlainText)  # it shows the value: see common.plain
        error.setWordWrap(True)
        error.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        error.setStyleSheet(text_style(State.DOWN))
        hint: QLabel | None = kw.get("hint")
        for extra in (error, hint) if hint is not None else (error,):
            form.setWidget(form.rowCount(), QFormLayout.ItemRole.FieldRole, extra)
        form.setRowVisible(error, False)
        widget.setToolTip(tip)
        self._fields[path] = _Field(widget, body, form, error, self.count() - 1, tip, hint)
        self._watch(path, widget)

    def _build_general(self, groups: Sequence[str]) -> None:
        form = self._page(self.tr("&General"))
        self.name_edit = QLineEdit()
        tip = self.tr("How this connection is listed")
        self._row(form, self.tr("&Name:"), "name", self.name_edit, tip)
        self.host_edit, self.host_note = HostEdit(), note()
        self.host_edit.setPlaceholderText(self.tr("db.example.com, 192.0.2.10 or 2001:db8::1"))
        tip = self.tr("A host name or an IP address")
        self._row(form, self.tr("&Host:"), "host", self.host_edit, tip, hint=self.host_note)
        self.port_spin, tip = spin_box("port", unset=True), self.tr("The TCP port, 1 to 65535")
        self._row(form, self.tr("&Port:"), "port", self.port_spin, tip)
        self.host_edit.splits_into(self.port_spin, self.host_note, form)
        self.group_combo = QComboBox()
        self.group_combo.setEditable(True)
        self.group_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.group_combo.addItems(["", *sorted(set(groups) - {""}, key=str.casefold)])
        tip = self.tr("Pick a group or type a new one")
        self._row(form, self.tr("G&roup:"), "group", self.group_combo, tip)
        self.family_combo = QComboBox()
        for key, title in FAMILIES.items():
            self.family_combo.addItem(translate("ProfileForm", title), key)
        self._row(form, self.tr("Address &family:"), "ip_family", self.family_combo)
        self.enabled_check = QCheckBox(self.tr("Monitor this connection"))
        self._row(form, self.tr("&Enabled:"), "enabled", self.enabled_check)
        self.notes_edit = Lines()
        self.notes_edit.setTabChangesFocus(True)
        self._row(form, self.tr("N&otes:"), "notes", self.notes_edit)

    def _build_detector(self) -> None:
        form = self._page(self.tr("Dete&ctor"))
        self.kind_combo = QComboBox()
        for key, title in KINDS.items():
            self.kind_combo.addItem(translate("ProfileForm", title), key)
        self._row(form, self.tr("&Detector:"), "detector.kind", self.kind_combo)
        seconds = unit_suffix("{n} s")
        self.interval_spin = Number("detector.interval_s", seconds)
        self._row(form, self.tr("&Interval:"), "detector.interval_s", self.interval_spin)
        self.timeout_spin = Number("detector.timeout_s", seconds)
        self._row(form, self.tr("Ti&meout:"), "detector.timeout_s", self.timeout_spin)
        self.preset_combo = QComboBox()
        self.preset_combo.addItem(self.tr("None"), None)
        for preset in PRESETS.values():
            self.preset_combo.addItem(preset_text(preset.name), preset.name)
        self._row(form, self.tr("&Preset:"), "detector.preset", self.preset_combo)
        self.send_edit, self.send_hint = QLineEdit(), note()
        self._row(form, self.tr("&Send:"), "detector.send", self.send_edit, hint=self.send_hint)
        self.expect_edit, self.expect_hint = QLineEdit(), note()
        self._row(
            form, self.tr("E&xpect:"), "detector.expect", self.expect_edit, hint=self.expect_hint
        )
        self.backoff_spin = Number("detector.max_backoff_s", seconds)
        tip = self.tr("Retries after an internal error (a bug) double up to this")
        self._row(form, self.tr("Max &backoff:"), "detector.max_backoff_s", self.backoff_spin, tip)

    def _build_tls(self) -> None:
        form = self._page(self.tr("T&LS"))
        self.tls_check = QCheckBox(self.tr("Handshake TLS after connecting"))
        self._row(form, self.tr("&Use TLS:"), "detector.tls", self.tls_check)
        self.server_name_edit = QLineEdit()
        self.server_name_edit.setPlaceholderText(self.tr("the host"))
        self._row(form, self.tr("Server &name:"), "detector.tls_server_name", self.server_name_edit)
        self.verify_check = QCheckBox(self.tr("Refuse an untrusted certificate"))
        self._row(form, self.tr("&Verify:"), "detector.tls_verify", self.verify_check)
        self.ca_edit = QLineEdit()
        self.ca_edit.setPlaceholderText(self.tr("the system's trusted certificates"))
        self.browse_button = QPushButton(self.tr("&Browse…"))
        self.browse_button.setAutoDefault(False)
        self.browse_button.clicked.connect(self._browse_ca)
        body = line_of(self.ca_edit, self.browse_button)
        self._row(form, self.tr("CA &file:"), "detector.tls_ca_file", self.ca_edit, body=body)

    def _build_keepalive(self) -> None:
        form = self._page(self.tr("&Keepalive"))
        seconds = unit_suffix("{n} s")
        self.idle_spin = spin_box("detector.keepalive.idle_s", seconds)
        tip = self.tr("Silence before the kernel's first keepalive probe")
        self._row(form, self.tr("&Idle:"), "detector.keepalive.idle_s", self.idle_spin, tip)
        self.ka_interval_spin = spin_box("detector.keepalive.interval_s", seconds)
        caption = self.tr("Probe i&nterval:")
        self._row(form, caption, "detector.keepalive.interval_s", self.ka_interval_spin)
        self.count_spin = spin_box("detector.keepalive.count")
        tip = self.tr("Unanswered probes before the connection counts as dropped")
        self._row(form, self.tr("Probe c&ount:"), "detector.keepalive.count", self.count_spin, tip)
        self.user_timeout_combo = QComboBox()
        for mode, title in USER_TIMEOUT_MODES.items():
            self.user_timeout_combo.addItem(translate("ProfileForm", title), mode)
        self.user_timeout_spin = Number("detector.user_timeout_s", seconds)
        body = line_of(self.user_timeout_combo, self.user_timeout_spin)
        tip = self.tr("TCP_USER_TIMEOUT: how long sent data may stay unacknowledged")
        caption = self.tr("&User timeout:")
        self._row(form, caption, "detector.user_timeout_s", self.user_timeout_combo, tip, body=body)
        self.user_timeout_spin.setAccessibleName(caption_text(caption))
        self._watch("detector.user_timeout_s", self.user_timeout_spin)

    def _build_alerting(self) -> None:
        form = self._page(self.tr("&Alerting"))
        self.fail_spin = counted_box(
            "fail_after", self.tr(" failed check"), lambda n: self.tr(" failed checks", "", n)
        )
        self._row(form, self.tr("&Down after:"), "fail_after", self.fail_spin)
        self.recover_spin = counted_box(
            "recover_after", self.tr(" good check"), lambda n: self.tr(" good checks", "", n)
        )
        self._row(form, self.tr("U&p after:"), "recover_after", self.recover_spin)
        self.warn_spin = Number("warn_latency_ms", unit_suffix("{n} ms"))
        self.warn_spin.setSpecialValueText(self.tr("off"))
        tip = self.tr(
            "Latency above this shows the connection as degraded, until a check is under"
            " {percent} % of it; 0 turns it off"
        ).format(percent=round(CALM_FRACTION * 100))
        self._row(form, self.tr("&Warn latency:"), "warn_latency_ms", self.warn_spin, tip)
        self.on_down_check = QCheckBox(self.tr("When it goes down"))
        self._row(form, self.tr("&Notify:"), "notify.on_down", self.on_down_check)
        self.on_up_check = QCheckBox(self.tr("When it comes &back"))
        self._row(form, "", "notify.on_up", self.on_up_check)
        self.maintenance_edit, hint = self._lines(
            "Sun 02:00-04:00 Europe/Berlin",
            self.tr(
                "One window per line: weekly (Sun 02:00-04:00, Mon-Fri 12:00-12:30, daily "
                "03:00-03:15) or once (2026-12-24 18:00 - 2026-12-27 08:00), then a time "
                "zone if not local (Europe/Berlin, UTC). Changes inside are recorded, not told."
            ),
        )
        self._row(form, self.tr("&Maintenance:"), "maintenance", self.maintenance_edit, hint=hint)
        self.actions_edit, hint = self._lines(
            "down: /usr/local/bin/restart-tunnel db",
            self.tr(
                "One per line: down, up or change, then a command (run without a shell) or "
                "notify and an Apprise URL; a timeout may follow the word (down 10s: ...)."
            ),
        )
        self._row(form, self.tr("A&ctions:"), "actions", self.actions_edit, hint=hint)

    def _lines(self, example: str, hint: str) -> tuple[Lines, QLabel]:
        """A field of a few lines, one item each, with its hint below."""
        edit = Lines()
        edit.setTabChangesFocus(True)
        edit.setPlaceholderText(example)
        edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4)
        label = QLabel(hint)
        label.setWordWrap(True)
        return edit, label

    def _watch(self, path: str, widget: QWidget) -> None:
        def edited(*_: object) -> None:
            if self._loading:
                return
            self.touched.add(path)
            if path == "detector.kind":
                self._kind_changed()
            self._sync()
            self.changed.emit()

        on_edit(widget, edited)

    def _browse_ca(self) -> None:
        ask_open_file(
            self,
            self.tr("CA certificates"),
            self.tr("Certificates (*.pem *.crt *.cer);;All files (*)"),
            lambda path: self.ca_edit.setText(str(path)),
            start=self.ca_edit.text(),
        )

    # -- the profile in and out -----------------------------------------------------------

    @property
    def kind(self) -> str:
        return self._kind

    def load(self, profile: Profile) -> None:
        """Show ``profile``; nothing counts as touched afterwards."""
        d = profile.detector
        values = flatten(profile.to_dict())
        values["detector.send"] = escapes.encode(d.send)
        values["maintenance"] = "\n".join(profile.maintenance)
        values["actions"] = "\n".join(as_line(a) for a in profile.actions)
        values["detector.user_timeout_s"] = (
            "auto" if d.user_timeout_s is None else "seconds" if d.user_timeout_s else "off"
        )
        self._loading = True
        try:
            for path, field in self._fields.items():
                put_value(field.widget, values[path])
            self.user_timeout_spin.setValue(d.user_timeout_s or d.effective_user_timeout_s)
        finally:
            self._loading = False
        self.touched.clear()
        self._kind = d.kind
        self._sync()
        self.changed.emit()

    def to_dict(self) -> dict[str, Any]:
        """The profile as the widgets say, in the file format (without ``id``).

        Watch sends nothing, so its preset, send and expect are left out while hidden (the
        widgets keep them, for a switch back).
        """
        values = {path: take_value(field.widget) for path, field in self._fields.items()}
        for path in ("name", "group", "host", "detector.tls_server_name", "detector.tls_ca_file"):
            values[path] = values[path].strip()
        values["detector.send"] = escapes.decode(values["detector.send"])
        values["maintenance"] = [w.strip() for w in values["maintenance"].splitlines() if w.strip()]
        values["actions"] = from_lines(values["actions"])
        mode = values["detector.user_timeout_s"]
        values["detector.user_timeout_s"] = {"auto": None, "off": 0.0}.get(
            mode, take_value(self.user_timeout_spin)
        )
        if self._kind == "watch":
            values.update({"detector.preset": None, "detector.send": "", "detector.expect": ""})
        nested: dict[str, Any] = {}
        for path, value in values.items():
            *parents, key = path.split(".")
            node = nested
            for parent in parents:
                node = node.setdefault(parent, {})
            node[key] = value
        return nested

    def _set_preset(self, name: str | None) -> None:
        self.preset_combo.setCurrentIndex(max(0, self.preset_combo.findData(name)))

    def _kind_changed(self) -> None:
        """Fields not edited here that still hold the old kind's default take the new one's."""
        old, new = KIND_DEFAULTS[self._kind], KIND_DEFAULTS[self.kind_combo.currentData()]
        self._kind = self.kind_combo.currentData()
        self._loading = True
        try:
            for key, path, spin in (
                ("interval_s", "detector.interval_s", self.interval_spin),
                ("timeout_s", "detector.timeout_s", self.timeout_spin),
                ("fail_after", "fail_after", self.fail_spin),
            ):
                if path not in self.touched and spin.value() == old[key]:
                    spin.setValue(new[key])
            preset = self.preset_combo.currentData()
            if "detector.preset" not in self.touched and preset == old.get("preset"):
                self._set_preset(new.get("preset"))
        finally:
            self._loading = False

    def _sync(self) -> None:
        """Show what applies to the chosen detector, enable what the checkboxes allow."""
        kind, talks = self._kind, self._kind != "watch"
        for path in ("detector.preset", "detector.send", "detector.expect"):
            self._set_row_visible(path, talks)
        self._set_row_visible("detector.max_backoff_s", kind != "probe")
        self.setTabVisible(2, kind in TLS_KINDS)
        self.setTabVisible(3, kind != "probe")
        tls = self.tls_check.isChecked()
        for widget in (self.server_name_edit, self.verify_check, self.ca_edit, self.browse_button):
            widget.setEnabled(tls)
        self.user_timeout_spin.setEnabled(self.user_timeout_combo.currentData() == "seconds")
        budget = self.idle_spin.value() + self.ka_interval_spin.value() * self.count_spin.value()
        self.user_timeout_combo.setItemText(
            0, self.tr("Auto ({seconds} s)").format(seconds=max(1, budget - 1))
        )
        preset = PRESETS.get(self.preset_combo.currentData() or "custom", PRESETS["custom"])
        first = self.tr("with nothing to send: what the server sends first")
        if preset.name == "hex":
            self.send_hint.setText(self.tr("hex bytes to send, pairs of 0-9a-f (spaces allowed)"))
            expect = self.tr("hex bytes the reply must start with ({first})")
        else:
            self.send_hint.setText(self.tr(r"Empty: the preset's. Escapes: \r \n \t \\ \0 \xNN"))
            expect = self.tr("A regular expression the reply must match ({first})")
        self.expect_hint.setText(expect.format(first=first))
        self.send_edit.setPlaceholderText(escapes.encode(preset.send or ""))
        self.expect_edit.setPlaceholderText(preset.expect or "")

    def _set_row_visible(self, path: str, visible: bool) -> None:
        field = self._fields[path]
        for row in (field.body, field.hint):
            if row is not None:
                field.form.setRowVisible(row, visible)

    # -- messages beside fields -----------------------------------------------------------

    def show_error(self, path: str | None, message: str) -> bool:
        """Show ``message`` beside the field ``path`` (and no other); False if none has it.
        An item of a list (``maintenance[1]``) is shown beside the list."""
        path = path.split("[", 1)[0] if path else path
        for name, field in self._fields.items():
            mine = name == path
            field.error.setText(message if mine else "")
            field.form.setRowVisible(field.error, mine)  # a hidden row keeps its spacing
            field.widget.setToolTip(plain(message) if mine else field.tip)
        tab = self._fields[path].tab if path in self._fields else -1
        red = readable_state_color(State.DOWN, QPalette.ColorRole.Window)
        for index in range(self.count()):
            self.tabBar().setTabTextColor(index, red if index == tab else QColor())
        return tab >= 0

    def error_text(self, path: str) -> str:
        """The message shown beside ``path``, "" when none is."""
        field = self._fields[path]
        return field.error.text() if not field.error.isHidden() else ""

    @property
    def paths(self) -> tuple[str, ...]:
        """Every field path the form has a widget for."""
        return tuple(self._fields)

    def tab_of(self, path: str) -> int:
        return self._fields[path].tab

    def field_widget(self, path: str) -> QWidget:
        return self._fields[path].widget

    def label_for(self, path: str) -> str:
        """The field's caption as shown ("&Name:"); ``field_problems.caption_text`` names it."""
        caption = self._fields[path].widget
        for label in self.findChildren(QLabel):
            if label.buddy() is caption and label.text():
                return label.text()
        return path.rsplit(".", 1)[-1]
