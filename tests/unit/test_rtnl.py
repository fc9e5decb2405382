"""``rtnl.Notices``: the kernel's notices of links, addresses and routes, read a bounded
amount at a time."""

from __future__ import annotations

import socket
import sys
import types

import pytest

from tcpmonitor_gui.core import rtnl

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="rtnetlink is Linux's")


def test_notices_are_read_a_bounded_amount_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A kernel churning without end (links made and removed in a loop) kept the watcher
    reading, its list of notices growing, for as long as the churn went on: it reads at most
    ``READ_AT_MOST`` in one go, and the rest stays waiting for the next turn."""
    monkeypatch.setattr(rtnl, "READ_AT_MOST", 3000)
    notices = rtnl.Notices(1 << 16)
    ours, kernel = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    notices._sock.close()
    notices._sock = ours
    ours.setblocking(False)
    notices._marshal = types.SimpleNamespace(parse=lambda data: [data])
    for i in range(10):
        kernel.send(bytes([i]) * 1000)
    try:
        assert [m[0] for m in notices.read() or []] == [0, 1, 2]
        assert [m[0] for m in notices.read() or []] == [3, 4, 5]
        assert len(notices.read() or []) + len(notices.read() or []) == 4
        assert notices.read() == []
    finally:
        notices.close()
        kernel.close()
