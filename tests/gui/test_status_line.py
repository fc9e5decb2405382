"""What the status bar's counts say, beside the table and the tray."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core.events import State
from tcpmonitor_gui.lab import LineEchoServer
from tests.gui.windows import open_window, state_of
from tests.helpers import make_profile


def test_a_connection_that_cannot_be_checked_is_counted_not_taken_for_none(
    qtbot: QtBot, tmp_path: Path, echo_server: LineEchoServer
) -> None:
    """A TLS check whose CA file holds a certificate that cannot be loaded (this computer's
    fault: the state is unknown): the table showed its row, the tray "1 unknown", and the
    status bar "No connections"."""
    ca = tmp_path / "ca.pem"
    ca.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    o = open_window(qtbot, tmp_path / "config", tmp_path / "data")
    window = o.window
    try:
        db = make_profile(*echo_server.address, name="db", tls=True, tls_ca_file=str(ca))
        window.profiles.apply(db, new=True)
        qtbot.waitUntil(lambda: state_of(window, db.id) is State.UNKNOWN, timeout=5000)
        qtbot.waitUntil(lambda: "1 unknown" in window.tray.tooltip(), timeout=5000)
        assert window.counts_label.text() == "1 unknown"
    finally:
        o.close()
