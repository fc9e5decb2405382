"""The demo a new user can start from the empty window: real servers and a flaky link.

Everything runs on loopback in this process: an echo server watched by ``heartbeat``, a
Redis-like server, an HTTP server watched by ``probe``, and a ``watch`` through the fault
proxy, which cycles through a peer reset, a silent stall and a refused reconnect so that the
program is seen to notice, name the cause, notify and recover. Qt-free like the rest of lab/.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from typing import Any

from ..core.profile import Profile
from .proxy import FaultProxy
from .targets import HttpServer, LineEchoServer, RedisPingServer

log = logging.getLogger(__name__)

#: (mode, seconds in it): one cycle of the flaky link.
CYCLE: tuple[tuple[str, float], ...] = (
    ("pass", 20.0),
    ("reset", 0.5),
    ("refuse", 8.0),
    ("pass", 20.0),
    ("blackhole", 12.0),
    ("pass", 20.0),
)
DEMO_GROUP = "demo"


def _profile(name: str, host: str, port: int, detector: dict[str, Any]) -> Profile:
    return Profile.from_dict(
        {
            "id": f"demo-{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:12]}",
            "name": name,
            "host": host,
            "port": port,
            "group": DEMO_GROUP,
            "detector": detector,
            "notes": "Part of the demo: not saved, gone when the program quits.",
        }
    )


class Demo:
    """Starts the demo servers; ``profiles`` watch them. ``stop()`` ends it all."""

    def __init__(self, cycle: Sequence[tuple[str, float]] = CYCLE) -> None:
        self._cycle = tuple(cycle)
        self._echo = LineEchoServer()
        self._redis = RedisPingServer()
        self._http = HttpServer()
        self._proxy: FaultProxy | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.profiles: list[Profile] = []

    def start(self) -> Demo:
        self._echo.start()
        self._redis.start()
        self._http.start()
        self._proxy = FaultProxy(self._echo.address).start()
        echo, redis, http, flaky = (
            self._echo.address,
            self._redis.address,
            self._http.address,
            self._proxy.address,
        )
        self.profiles = [
            _profile("Demo echo", *echo, {"kind": "heartbeat", "interval_s": 2, "timeout_s": 1}),
            _profile(
                "Demo Redis",
                *redis,
                {"kind": "heartbeat", "preset": "redis", "interval_s": 2, "timeout_s": 1},
            ),
            _profile("Demo web", *http, {"kind": "probe", "preset": "http", "interval_s": 2}),
            _profile(
                "Demo flaky link",
                *flaky,
                {"kind": "heartbeat", "interval_s": 1, "timeout_s": 1, "max_backoff_s": 4},
            ),
        ]
        self._thread = threading.Thread(target=self._run, name="tcpmonitor-demo", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        """Cycle the flaky link until stopped (waiting on the stop event, not sleeping)."""
        while not self._stop.is_set():
            for mode, seconds in self._cycle:
                if self._stop.is_set() or self._proxy is None:
                    return
                try:
                    self._proxy.set_mode(mode)
                except Exception:  # the proxy stopped under us: the demo is ending
                    log.debug("demo proxy gone", exc_info=True)
                    return
                if self._stop.wait(seconds):
                    return

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        if self._proxy is not None:
            self._proxy.stop()
        for server in (self._echo, self._redis, self._http):
            server.stop()
