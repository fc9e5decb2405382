"""This computer's own conditions, watched: its network (``localnet``) and its sleep
(``power``), their changes told as events (``kind`` network or power, no profile).

Both the window's engine and ``tcpmonitor run`` hold one: the monitors ask ``network``
whether a failure is local, and after ``RETRY_AFTER`` (the network back, the computer awake)
every monitor should check again at once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from .events import Event, State, condition
from .localnet import LocalNetwork
from .power import PowerWatch

#: The changes after which everything that failed meanwhile should be checked again now.
RETRY_AFTER = frozenset({State.ONLINE, State.WAKE, State.CHANGED})


class ThisComputer:
    """``on_event(event)`` is called from the watchers' own threads."""

    def __init__(self, on_event: Callable[[Event], None]) -> None:
        self._on_event = on_event
        self.network = LocalNetwork(self._network, self._routes)
        self.power = PowerWatch(self._power)

    def start(self, *, wait: bool = True) -> list[Event]:
        """Start watching; returns what is already worth saying (offline at start).

        ``wait=False`` returns at once, with nothing: an offline start is then told through
        ``on_event``, and ``network.when_known`` says when monitors may begin."""
        self.network.start(wait=wait)
        self.power.start(wait=wait)
        if wait and self.network.online is False:
            return [condition(State.OFFLINE, self.network.reason)]
        return []

    def close(self) -> None:
        self.network.close()
        self.power.close()

    def _network(self, online: bool, reason: str) -> None:
        self._on_event(condition(State.ONLINE if online else State.OFFLINE, reason))

    def _routes(self, detail: str) -> None:
        self._on_event(condition(State.CHANGED, detail))

    def _power(self, asleep: bool, detail: str, at: float) -> None:
        event = condition(State.SLEEP if asleep else State.WAKE, detail)
        # A sleep found on waking began earlier: its event says when (for fair uptime).
        ts = dt.datetime.fromtimestamp(at, dt.UTC)
        self._on_event(dataclasses.replace(event, ts=min(ts, event.ts)))
