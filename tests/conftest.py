"""Fixtures shared by every test: real servers on loopback and an event collector.

Nothing here fakes the network: servers are the lab's real ones, failures are produced by
the lab's fault proxy. Tests wait on events with deadlines, never for a fixed time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

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
