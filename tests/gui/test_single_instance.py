"""A second launch finds the first and asks it to show its window."""

from __future__ import annotations

import os
from pathlib import Path

from pytestqt.qtbot import QtBot

from tcpmonitor_gui import APP_ID
from tcpmonitor_gui.ui.single_instance import InstanceServer, ask_running_instance, server_name


def test_second_launch_reaches_the_first(qtbot: QtBot, tmp_path: Path) -> None:
    name = server_name(tmp_path)
    assert not ask_running_instance(name)  # nobody there yet
    server = InstanceServer(name)
    assert server.listen()
    try:
        with qtbot.waitSignal(server.showRequested, timeout=3000):
            assert ask_running_instance(name)
    finally:
        server.close()


def test_names_differ_by_config_dir(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")


def test_the_name_is_the_one_earlier_versions_listen_under(tmp_path: Path) -> None:
    """Named without hashlib (it loads OpenSSL before the first frame), by the same SHA-256:
    an instance of an earlier version that is running is still found."""
    import hashlib

    key = f"{os.getuid()}:{tmp_path.resolve()}".encode()
    assert server_name(tmp_path) == f"{APP_ID}-{hashlib.sha256(key).hexdigest()[:16]}"
    assert server_name(tmp_path / "other") != server_name(tmp_path)
