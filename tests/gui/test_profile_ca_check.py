"""The profile dialog checks its CA file on a thread: a file slow to answer (a hung network
mount) never holds the window, and a late answer never speaks for a path typed since."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core import profile as profiles
from tcpmonitor_gui.ui.profiles.dialog import ProfileDialog

PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


class SlowDisk:
    """``ca_file_problem`` as on a hung mount for the paths in ``hung``: each call waits
    until ``release`` (at most 3 s), then checks for real. A real hung mount needs FUSE or NFS
    and root, which tests do not have."""

    def __init__(self, *hung: Path) -> None:
        self.hung = {str(path) for path in hung}
        self.entered = threading.Event()
        self.release = threading.Event()
        self._real = profiles.ca_file_problem

    def __call__(self, path: str) -> str | None:
        if path in self.hung:
            self.entered.set()
            self.release.wait(3.0)
        return self._real(path)


@pytest.fixture
def slow_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SlowDisk]:
    slow = SlowDisk(tmp_path / "hung" / "ca.pem", tmp_path / "hung" / "gone.pem")
    monkeypatch.setattr(profiles, "ca_file_problem", slow)
    yield slow
    slow.release.set()


def tls_dialog(qtbot: QtBot) -> ProfileDialog:
    dialog = ProfileDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.form.name_edit.setText("Secure")
    dialog.form.host_edit.setText("127.0.0.1")
    dialog.form.port_spin.setValue(443)
    dialog.form.tls_check.setChecked(True)
    return dialog


def ca_message(dialog: ProfileDialog) -> str:
    return dialog.form.error_text("detector.tls_ca_file")


def test_typing_a_ca_file_on_a_hung_mount_never_holds_the_window(
    qtbot: QtBot, slow_disk: SlowDisk, tmp_path: Path
) -> None:
    """The window answers while the check hangs: it says the file is being checked (a check
    on the GUI thread would say nothing until the file answered)."""
    dialog = tls_dialog(qtbot)
    path = str(tmp_path / "hung" / "ca.pem")
    qtbot.keyClicks(dialog.form.ca_edit, path)  # typed, one key at a time
    qtbot.waitUntil(slow_disk.entered.is_set, timeout=3000)
    assert not dialog.ok_button.isEnabled()  # not until the file has answered
    qtbot.waitUntil(lambda: "being checked" in ca_message(dialog), timeout=3000)
    slow_disk.release.set()
    qtbot.waitUntil(lambda: "No such file" in ca_message(dialog), timeout=3000)
    assert not dialog.ok_button.isEnabled()


def test_a_late_answer_for_a_path_typed_before_never_shows(
    qtbot: QtBot, slow_disk: SlowDisk, tmp_path: Path
) -> None:
    good = tmp_path / "ca.pem"
    good.write_text(PEM)
    dialog = tls_dialog(qtbot)
    dialog.form.ca_edit.setText(str(tmp_path / "hung" / "gone.pem"))
    qtbot.waitUntil(slow_disk.entered.is_set, timeout=3000)
    dialog.form.ca_edit.setText(str(good))
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=3000)
    slow_disk.release.set()
    qtbot.waitUntil(lambda: not dialog._ca_check._running, timeout=3000)
    assert ca_message(dialog) == ""
    assert dialog.ok_button.isEnabled()


def test_a_ca_file_that_is_not_certificates_is_said_beside_its_field(
    qtbot: QtBot, tmp_path: Path
) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    dialog = tls_dialog(qtbot)
    dialog.form.ca_edit.setText(str(text))
    qtbot.waitUntil(lambda: "holds no PEM certificate" in ca_message(dialog), timeout=3000)
    assert not dialog.ok_button.isEnabled()
    text.write_text(PEM)  # fixed in another window: an edit checks it again
    dialog.form.ca_edit.setText(f" {text}")
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=3000)
    assert ca_message(dialog) == ""


def test_a_profiles_own_ca_file_is_taken_as_fine_until_its_check_says_otherwise(
    qtbot: QtBot, tmp_path: Path
) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text(PEM)
    data = {"name": "Secure", "host": "127.0.0.1", "port": 443,
            "detector": {"tls": True, "tls_ca_file": str(ca)}}  # fmt: skip
    profile = profiles.Profile.from_dict(data)
    ca.write_text("gone bad since")
    dialog = ProfileDialog(None, profile=profile)
    qtbot.addWidget(dialog)
    assert dialog.ok_button.isEnabled()  # an edit can be saved at once
    dialog.form.name_edit.setText("Renamed")
    qtbot.waitUntil(lambda: "holds no PEM certificate" in ca_message(dialog), timeout=3000)
    assert not dialog.ok_button.isEnabled()


def test_a_path_typed_again_while_its_check_runs_takes_that_checks_answer(
    qtbot: QtBot, slow_disk: SlowDisk, tmp_path: Path
) -> None:
    """A hung path, then a good one (answered at once), then the hung one again while its
    check still runs (no second check beside it): its answer, once it comes, was refused as
    older than the good path's, and the field said it was being checked, OK off, for good."""
    good = tmp_path / "ca.pem"
    good.write_text(PEM)
    hung = str(tmp_path / "hung" / "gone.pem")
    dialog = tls_dialog(qtbot)
    dialog.form.ca_edit.setText(hung)
    qtbot.waitUntil(slow_disk.entered.is_set, timeout=3000)
    dialog.form.ca_edit.setText(str(good))
    qtbot.waitUntil(dialog.ok_button.isEnabled, timeout=3000)
    dialog.form.ca_edit.setText(hung)
    qtbot.waitUntil(lambda: not dialog._ca_check._delay.isActive(), timeout=3000)
    slow_disk.release.set()
    qtbot.waitUntil(lambda: "No such file" in ca_message(dialog), timeout=3000)
    assert not dialog.ok_button.isEnabled()
