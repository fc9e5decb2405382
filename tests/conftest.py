"""Fixtures shared by every test: real servers on loopback and an event collector.

Nothing here fakes the network: servers are the lab's real ones, failures are produced by
the lab's fault proxy. Tests wait on events with deadlines, never for a fixed time.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer

from .helpers import Collector


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No test may touch the real user directories."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("TCPMONITOR_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("TCPMONITOR_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "xdg-data"))


@pytest.fixture
def echo_server() -> Iterator[LineEchoServer]:
    with LineEchoServer() as server:
        yield server


@pytest.fixture
def proxy(echo_server: LineEchoServer) -> Iterator[FaultProxy]:
    with FaultProxy(echo_server.address) as p:
        yield p


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
async def monitors(collector: Collector) -> AsyncIterator[MonitorSet]:
    ms = MonitorSet(collector)
    try:
        yield ms
    finally:
        await ms.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A file system of its own, 512 KiB (a tmpfs; mounting needs root), unmounted after:
    for a disk that fills for real (``helpers.fill``)."""
    from .netns import unavailable

    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        unavailable("mounting a file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode != 0:
        unavailable(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)


@pytest.fixture
def xdg_env(tmp_path: Path) -> dict[str, str]:
    """This environment with the XDG data and config dirs (and the home) under ``tmp_path``:
    ``data``, ``config`` and ``home``."""
    return {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
