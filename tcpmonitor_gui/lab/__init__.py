"""Real failures on loopback: a fault-injecting TCP proxy and small servers to put behind it.

Used by the tests (every failure cause is produced for real, never mocked), by the benchmarks
(``python -m tcpmonitor_gui.lab`` runs either in a separate process) and by the GUI's demo
mode. Qt-free: each object runs its own thread and asyncio loop.
"""

from tcpmonitor_gui.lab.proxy import MODES, FaultProxy
from tcpmonitor_gui.lab.targets import (
    BannerServer,
    FloodServer,
    HttpServer,
    IdleTimeoutServer,
    LineEchoServer,
    MemcachedServer,
    RedisPingServer,
    ServerThread,
    SilentServer,
    TrickleServer,
    UnresponsiveListener,
)

__all__ = [
    "MODES",
    "BannerServer",
    "FaultProxy",
    "FloodServer",
    "HttpServer",
    "IdleTimeoutServer",
    "LineEchoServer",
    "MemcachedServer",
    "RedisPingServer",
    "ServerThread",
    "SilentServer",
    "TrickleServer",
    "UnresponsiveListener",
]
