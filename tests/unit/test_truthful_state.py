"""A state is a claim: a detector that asks a question is ``up`` only after a right answer.

A frozen server's kernel still accepts connections, so every reconnect of a heartbeat used to
read as a recovery ("back up after 4.7 s") while the server stayed frozen. Each peer here
accepts and then answers wrongly, slowly or not at all; the monitor must stay ``connecting``
(first connect) or ``down`` through many reconnects, and come back only on a right answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tcpmonitor_gui.core.events import Event, Kind, State
from tcpmonitor_gui.core.monitor import MonitorSet
from tcpmonitor_gui.lab import FloodServer, ServerThread, SilentServer, TrickleServer
from tests.helpers import Collector, make_profile
from tests.redis import RedisServer, running_redis

#: Fast schedule: a reconnect about every 0.2 to 0.5 s.
FAST = {"interval_s": 0.2, "timeout_s": 0.3, "max_backoff_s": 1}
#: Reconnects watched (each is a chance to lie) before concluding.
ATTEMPTS = 5


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    with running_redis(tmp_path) as server:
        yield server


def failures_after(collector: Collector, since: float) -> Callable[[Event], bool]:
    """True once ``ATTEMPTS`` failed samples have arrived after ``since`` (monotonic)."""

    def enough(_: Event) -> bool:
        seen = [e for t, e in collector.events if t >= since and e.kind is Kind.SAMPLE]
        return sum(e.cause is not None for e in seen) >= ATTEMPTS

    return enough


def ups_after(collector: Collector, since: float) -> list[Event]:
    return [
        e
        for t, e in collector.events
        if t >= since and e.kind is Kind.STATE and e.state in (State.UP, State.DEGRADED)
    ]


async def test_a_frozen_redis_stays_down_until_it_answers_again(
    redis: RedisServer, monitors: MonitorSet, collector: Collector
) -> None:
    profile = make_profile(*redis.address, "heartbeat", preset="redis", **FAST)
    monitors.add(profile, stagger=False)
    await collector.wait_state(State.UP, timeout=5)
    redis.freeze()
    frozen_at, down = await collector.wait_state(State.DOWN, timeout=5)
    assert down.cause is not None and down.cause.value == "heartbeat_timeout"
    await collector.wait_for(failures_after(collector, frozen_at), timeout=15)
    assert ups_after(collector, frozen_at) == [], "a reconnect to a frozen server read as up"
    redis.thaw()
    _, back = await collector.wait_state(State.UP, timeout=5, after=frozen_at)
    assert "reply" in back.detail  # the evidence: an answer, timed


@pytest.mark.parametrize(
    ("server", "preset"),
    [
        pytest.param(SilentServer, "echo", id="accepts-never-answers"),
        pytest.param(FloodServer, "redis", id="floods"),
        pytest.param(lambda: TrickleServer(every_s=1.0), "redis", id="a-byte-a-second"),
    ],
)
async def test_a_peer_that_accepts_but_never_answers_right_is_never_up(
    server: Callable[[], ServerThread], preset: str, monitors: MonitorSet, collector: Collector
) -> None:
    with server() as peer:
        started = 0.0
        profile = make_profile(*peer.address, "heartbeat", preset=preset, **FAST)
        monitors.add(profile, stagger=False)
        await collector.wait_for(failures_after(collector, started), timeout=20)
        assert ups_after(collector, started) == []
        assert not any(e.state is State.UP for e in collector.states())


async def test_a_probe_that_asks_is_up_only_on_the_answer(
    monitors: MonitorSet, collector: Collector
) -> None:
    with SilentServer() as peer:
        profile = make_profile(*peer.address, "probe", preset="echo", fail_after=1, **FAST)
        monitors.add(profile, stagger=False)
        await collector.wait_for(failures_after(collector, 0.0), timeout=20)
        assert ups_after(collector, 0.0) == []


def test_tcpmonitor_run_reports_no_recovery_while_redis_is_frozen(
    redis: RedisServer, tmp_path: Path
) -> None:
    import json

    from tests.unit._cli_process import Home, Running

    home = Home(tmp_path / "config", tmp_path / "data")
    profile = make_profile(*redis.address, "heartbeat", preset="redis", name="cache", **FAST)
    file = tmp_path / "profiles.json"
    file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict()]}))
    with Running(home, "run", "--json", "--profiles", str(file)) as run:

        def state(line: str) -> str | None:
            event = json.loads(line)
            return event["state"] if event["kind"] == "state" else None

        run.read_until(lambda line: state(line) == "up")
        redis.freeze()
        run.read_until(lambda line: state(line) == "down")
        failures = 0

        def counted(line: str) -> bool:
            nonlocal failures
            event = json.loads(line)
            assert not (event["kind"] == "state" and event["state"] == "up"), line
            failures += event["kind"] == "sample" and event["cause"] is not None
            return failures >= ATTEMPTS

        run.read_until(counted, timeout=20)
        redis.thaw()
        run.read_until(lambda line: state(line) == "up")
