"""Sleep and wake, told by a stand-in logind on a private system bus and by the clocks.

The clocks are a test's own (``slept``: what ``CLOCK_BOOTTIME - CLOCK_MONOTONIC`` would
read); the bus is a real ``dbus-daemon`` started for the test, on which the stand-in owns
logind's name and sends ``PrepareForSleep`` as logind does. Waits count the watcher's clock
reads, never time: "nothing was told" is checked after it has looked again.
"""

from __future__ import annotations

import asyncio
import json
import queue
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from dbus_fast import Message
from dbus_fast.aio import MessageBus

from tcpmonitor_gui.core.power import LOGIND, PowerWatch
from tcpmonitor_gui.lab import FaultProxy, LineEchoServer
from tests.helpers import make_profile
from tests.private_bus import private_bus
from tests.unit._cli_process import Home, Running

DEADLINE_S = 10.0
HOUR = 3600.0


class Clock:
    """What the watcher reads as time asleep; counts the reads so a test can wait for them."""

    def __init__(self) -> None:
        self.value = 100.0
        self.reads = 0
        self._cond = threading.Condition()

    def __call__(self) -> float:
        with self._cond:
            self.reads += 1
            self._cond.notify_all()
            return self.value

    def looked_again(self, times: int = 3) -> None:
        """Return once the watcher has read the clock ``times`` more times."""
        with self._cond:
            target = self.reads + times
            assert self._cond.wait_for(lambda: self.reads >= target, DEADLINE_S)


class Told:
    def __init__(self) -> None:
        self.changes: queue.Queue[tuple[bool, str]] = queue.Queue()
        #: When each change happened, as told (Unix time).
        self.at: list[float] = []

    def __call__(self, asleep: bool, detail: str, at: float) -> None:
        self.at.append(at)
        self.changes.put((asleep, detail))

    def next(self) -> tuple[bool, str]:
        return self.changes.get(timeout=DEADLINE_S)

    def none(self) -> bool:
        return self.changes.empty()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def told() -> Told:
    return Told()


def test_a_clock_jump_is_a_sleep_told_on_waking(clock: Clock, told: Told) -> None:
    watch = PowerWatch(told, slept=clock, poll_s=0.01, logind=False).start()
    try:
        clock.looked_again()
        clock.value += 1.0  # the clocks drift a little: not a sleep
        clock.looked_again()
        assert told.none()
        clock.value += 2 * HOUR + 180
        assert told.next() == (True, "this computer slept for 2 h 3 min (its clocks say so)")
        assert told.next() == (False, "this computer woke up after 2 h 3 min")
        slept, woke = told.at
        assert woke - slept == pytest.approx(2 * HOUR + 180)  # the sleep's event: its start
        assert abs(woke - time.time()) < 60
        clock.looked_again()
        assert told.none()  # told once
    finally:
        watch.close()


# -- logind, on a private bus --------------------------------------------------------------


@pytest.fixture
def system_bus(tmp_path: Path) -> Iterator[str]:
    """A private ``dbus-daemon``, configured as a system bus; its address."""
    with private_bus(tmp_path, "system") as address:
        yield address


@pytest.fixture
async def logind(system_bus: str) -> AsyncIterator[MessageBus]:
    """The stand-in: owns logind's name on the private bus."""
    bus = await MessageBus(bus_address=system_bus).connect()
    await bus.request_name(LOGIND)
    try:
        yield bus
    finally:
        bus.disconnect()


def prepare_for_sleep(going: bool) -> Message:
    return Message.new_signal(
        "/org/freedesktop/login1", f"{LOGIND}.Manager", "PrepareForSleep", "b", [going]
    )


async def next_told(told: Told) -> tuple[bool, str]:
    return await asyncio.to_thread(told.next)


async def test_logind_tells_sleep_and_wake_once_with_the_clocks_agreeing(
    system_bus: str, logind: MessageBus, clock: Clock, told: Told
) -> None:
    watch = await asyncio.to_thread(
        PowerWatch(told, slept=clock, poll_s=0.01, bus_address=system_bus).start
    )
    try:
        assert watch.logind
        await logind.send(prepare_for_sleep(True))
        assert await next_told(told) == (True, "this computer is going to sleep")
        clock.value += 45 * 60  # asleep; on resume the clocks see it before logind says so
        await asyncio.to_thread(clock.looked_again)
        await logind.send(prepare_for_sleep(False))
        assert await next_told(told) == (False, "this computer woke up after 45 min 0 s")
        await asyncio.to_thread(clock.looked_again)
        assert told.none()  # the clocks' jump was the same sleep: not told again
    finally:
        await asyncio.to_thread(watch.close)


async def test_only_logind_can_say_this_computer_sleeps(
    system_bus: str, logind: MessageBus, clock: Clock, told: Told
) -> None:
    """Any process may send a signal that looks like logind's; only logind's is believed,
    or anyone could silence the monitor by saying the computer sleeps."""
    watch = await asyncio.to_thread(
        PowerWatch(told, slept=clock, poll_s=0.01, bus_address=system_bus).start
    )
    rogue = await MessageBus(bus_address=system_bus).connect()
    try:
        await rogue.send(prepare_for_sleep(True))
        # The watcher answers a ping after every message sent to it before.
        ping = Message(
            destination=watch.bus_name,
            path="/",
            interface="org.freedesktop.DBus.Peer",
            member="Ping",
        )
        reply = await rogue.call(ping)
        assert reply is not None and reply.message_type.name == "METHOD_RETURN", reply
        assert told.none() and not watch.asleep
        await logind.send(prepare_for_sleep(True))
        assert await next_told(told) == (True, "this computer is going to sleep")
    finally:
        rogue.disconnect()
        await asyncio.to_thread(watch.close)


def test_without_a_bus_the_clocks_still_tell(tmp_path: Path, clock: Clock, told: Told) -> None:
    nowhere = f"unix:path={tmp_path / 'no-bus'}"
    watch = PowerWatch(told, slept=clock, poll_s=0.01, bus_address=nowhere).start()
    try:
        assert not watch.logind
        clock.value += 90
        assert told.next() == (True, "this computer slept for 1 min 30 s (its clocks say so)")
        assert told.next()[0] is False
    finally:
        watch.close()


def test_a_watch_closed_as_it_starts_ends(tmp_path: Path, clock: Clock, told: Told) -> None:
    """The window starts the watch without waiting (``wait=False``), so a quit can close it
    before its thread has made its loop: the thread must still end, not watch on alone."""
    nowhere = f"unix:path={tmp_path / 'no-bus'}"
    for _ in range(20):  # the close lands at different moments of the thread's start
        watch = PowerWatch(told, slept=clock, poll_s=0.01, bus_address=nowhere)
        watch.start(wait=False)
        watch.close()
        assert watch._thread is not None
        assert not watch._thread.is_alive()


async def test_tcpmonitor_run_tells_sleep_and_wake_and_checks_at_once_on_waking(
    system_bus: str,
    logind: MessageBus,
    echo_server: LineEchoServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """The command as a user runs it, its system bus the test's: sleep and wake are events,
    and on waking a probe that is up (so waiting out its minute) checks at once."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", system_bus)
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = make_profile(*echo_server.address, "probe", name="hourly", interval_s=60)
    file = tmp_path / "profiles.json"
    file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict()]}))

    def seen(**fields: str) -> Callable[[str], bool]:
        return lambda line: all(json.loads(line).get(k) == v for k, v in fields.items())

    with Running(home, "run", "--json", "--profiles", str(file)) as run:
        # Sleep is watched before the first check: once it is up, logind is listened to.
        await asyncio.to_thread(run.read_until, seen(kind="state", state="up"))
        await logind.send(prepare_for_sleep(True))
        line = await asyncio.to_thread(run.read_until, seen(kind="power"))
        assert json.loads(line)["state"] == "sleep"
        await logind.send(prepare_for_sleep(False))
        line = await asyncio.to_thread(run.read_until, seen(kind="power"))
        assert json.loads(line)["state"] == "wake"
        assert json.loads(line)["detail"].startswith("this computer woke up after")
        woke = time.monotonic()
        await asyncio.to_thread(run.read_until, seen(kind="sample"), 10)
        assert time.monotonic() - woke < 5, "the probe waited for its interval"


#: The child's monitors take a moment before they report a failure (``Running(prelude=)``):
#: its loop busy with other callbacks, as on waking with many connections, while the
#: watcher's thread reads the clocks first.
BUSY_LOOP = """import time
from tcpmonitor_gui.core import monitor
_report = monitor.Monitor.report
def report(self, sample):
    if not sample.ok:
        time.sleep(3)  # ok-sleep: the loop busy; the watcher reads the clocks once a second
    _report(self, sample)
monitor.Monitor.report = report
"""


@pytest.mark.parametrize("watcher_first", [False, True], ids=["monitor-first", "watcher-first"])
def test_tcpmonitor_run_prints_a_sleep_before_the_drop_it_caused(
    proxy: FaultProxy, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, watcher_first: bool
) -> None:
    """Without logind, the clocks tell a sleep. On waking, a held connection that its server
    dropped meanwhile is reset at its first packet; the monitor reads the clocks before it
    reports that, but the sleep and the wake were printed after the drop, as if the server
    had gone down on its own before this computer slept (a script reading ``--json`` that
    holds back a sleep's drops told it as the server's). Likewise when the watcher's thread
    read the clocks first (its once-a-second look fell between the drop's arrival and its
    report, the loop busy): the sleep it found was posted to the loop, and the monitor,
    finding no jump left, printed its drop at once, ahead of the sleep and the wake."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    clock = tmp_path / "slept"

    def slept(seconds: float) -> None:  # whole, never half-written, whenever it is read
        (tmp_path / "slept.new").write_text(str(seconds))
        (tmp_path / "slept.new").replace(clock)

    slept(100.0)
    home = Home(tmp_path / "config", tmp_path / "data")
    profile = make_profile(*proxy.address, "watch", name="held", interval_s=60)
    file = tmp_path / "profiles.json"
    file.write_text(json.dumps({"version": 1, "profiles": [profile.to_dict()]}))

    def news(line: str) -> tuple[str, str] | None:
        event = json.loads(line)
        return (event["kind"], event["state"]) if event["kind"] in ("state", "power") else None

    args = ("run", "--json", "--profiles", str(file))
    prelude = BUSY_LOOP if watcher_first else ""
    with Running(home, *args, slept=clock, prelude=prelude) as run:
        run.read_until(lambda line: news(line) == ("state", "up"))
        assert proxy.wait_for_connections(1, timeout=DEADLINE_S)
        if watcher_first:  # the drop first: its monitor is busy 3 s before it says so,
            proxy.cut()  # and meanwhile the watcher reads that this computer slept
            slept(100.0 + HOUR)
        else:
            slept(100.0 + HOUR)  # this computer slept an hour: its clocks say so when read
            proxy.cut()  # and its server dropped the connection meanwhile: reset on waking
        run.read_until(lambda line: news(line) == ("state", "down"), DEADLINE_S * 2)
        if ("power", "wake") not in map(news, run.lines):
            run.read_until(lambda line: news(line) == ("power", "wake"))
    told = [n for n in map(news, run.lines) if n is not None]
    assert told[2:5] == [("power", "sleep"), ("power", "wake"), ("state", "down")], told
