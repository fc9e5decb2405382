"""The window's Prometheus metrics (setting ``metrics_listen``) on a port that is taken when
it starts: said in the banner, and served once the port is free, the banner's word taken back
(it said "Metrics are not served" until the window was restarted)."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tcpmonitor_gui.core import metrics_server
from tcpmonitor_gui.core.settings import Settings, SettingsStore
from tests.gui.windows import open_window


def test_the_window_serves_its_metrics_once_the_port_is_free(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(metrics_server, "RETRY_S", 0.05)  # (10 s in use)
    config = tmp_path / "config"
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    where = f"127.0.0.1:{taken.getsockname()[1]}"
    SettingsStore(config).save(Settings(metrics_listen=where))
    opened = open_window(qtbot, config, tmp_path / "data")
    try:
        banner = opened.window.banner
        qtbot.waitUntil(lambda: "Metrics are not served" in banner.label_text(), timeout=5000)
        assert where in banner.label_text()
        taken.close()
        qtbot.waitUntil(lambda: "Metrics are not served" not in banner.label_text(), timeout=5000)
        assert f"Metrics are served at {where}" in banner.label_text()
        with urllib.request.urlopen(f"http://{where}/metrics", timeout=5) as answer:
            assert answer.status == 200
    finally:
        opened.close()
        taken.close()
