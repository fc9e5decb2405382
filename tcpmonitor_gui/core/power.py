"""Is it me or them, part two: this computer going to sleep and waking up.

Failures across a sleep are not the targets' outages: a held connection finds its peer gone
after an hour's nap, a probe times out while Wi-Fi rejoins. The program must know that this
computer slept, so that it rechecks everything at once on waking and gives the targets (and
the network) a moment before it calls anything down. Two sources, one answer:

- **logind** (Linux with systemd): ``PrepareForSleep(true)`` on the system bus just before
  the suspend, ``PrepareForSleep(false)`` on resume. Only logind itself can send it: the match
  names its bus name as the sender, which the bus daemon vouches for, so no other process can
  make us believe we are asleep and keep quiet.
- **the clocks**, needing no bus: ``CLOCK_BOOTTIME`` counts time asleep and
  ``CLOCK_MONOTONIC`` does not, so their difference jumps by the length of a sleep. Polled
  every second, and read by a monitor before it reports a failure (``look_now``); a jump of
  more than ``JUMP_S`` is a sleep, told on waking (sleep, then wake) unless logind has told
  it already.

Either way ``on_change(asleep, detail, at)`` is called from the watcher's own thread (or a
monitor's, through ``look_now``); ``at``
is when it happened (Unix time): for a sleep found by the clocks, when it began.
Elsewhere than Linux, ``CLOCK_BOOTTIME`` does not exist and nothing is watched (README).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dbus_fast.aio import MessageBus

log = logging.getLogger(__name__)

Change = Callable[[bool, str, float], None]
#: Seconds of ``CLOCK_BOOTTIME`` that pass without ``CLOCK_MONOTONIC`` for a sleep to count
#: (the two also drift apart by a few ms a day; a suspend is never that short).
JUMP_S = 3.0
POLL_S = 1.0
#: After logind said "woke", a clock jump is the same sleep for this long.
SAME_SLEEP_S = 30.0
LOGIND = "org.freedesktop.login1"
MATCH = (
    f"type='signal',sender='{LOGIND}',path='/org/freedesktop/login1',"
    f"interface='{LOGIND}.Manager',member='PrepareForSleep'"
)


def slept_s() -> float:
    """Seconds this computer has spent asleep since boot (``BOOTTIME`` - ``MONOTONIC``)."""
    return time.clock_gettime(time.CLOCK_BOOTTIME) - time.clock_gettime(time.CLOCK_MONOTONIC)


def _span(seconds: float) -> str:
    minutes, s = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min {s} s" if minutes else f"{s} s"


class PowerWatch:
    """See the module's docstring. ``start()`` begins watching; ``close()`` ends it.

    ``slept``: the clock to read (``slept_s``; a test gives its own); ``bus_address``: the
    system bus to ask logind on (None: the system's, from ``DBUS_SYSTEM_BUS_ADDRESS`` or the
    standard socket); ``logind=False`` watches only the clocks."""

    def __init__(
        self,
        on_change: Change,
        *,
        slept: Callable[[], float] | None = None,
        poll_s: float = POLL_S,
        bus_address: str | None = None,
        logind: bool = True,
    ) -> None:
        self._on_change = on_change
        self._slept = slept
        self._poll_s = poll_s
        self._bus_address = bus_address
        self._use_logind = logind
        self._lock = threading.RLock()  # ``look_now`` tells under it: a teller may ask again
        self._closed = False
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        #: Whether logind's signal is subscribed to (so its word is awaited first).
        self.logind = False
        #: Our unique name on the system bus, once connected.
        self.bus_name: str | None = None
        self.asleep = False
        self._asleep_at = 0.0  # ``slept()`` when logind said "sleep"
        self._woke_at = -SAME_SLEEP_S  # ``monotonic()`` when logind said "woke"
        self._last: float | None = None  # ``slept()`` when the clocks were last read

    def start(self, *, wait: bool = True) -> PowerWatch:
        """Begin watching; returns once logind was asked (or at once, ``wait=False``)."""
        if self._slept is None:
            if not hasattr(time, "CLOCK_BOOTTIME"):
                return self  # not Linux: nothing to watch (README)
            self._slept = slept_s
        self._thread = threading.Thread(target=self._run, name="tcpmonitor-power", daemon=True)
        self._thread.start()
        if wait:
            self._ready.wait(5)
        return self

    def close(self) -> None:
        with self._lock:  # a watcher still starting sees this and ends as it starts
            self._closed = True
            loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed already
                loop.call_soon_threadsafe(stop.set)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5)

    # -- the watcher's thread ----------------------------------------------------------------

    def _run(self) -> None:
        try:
            with asyncio.Runner(loop_factory=asyncio.SelectorEventLoop) as runner:
                runner.run(self._main())
        except Exception:
            log.exception("sleep and wake are no longer watched")
        finally:
            self._ready.set()

    async def _main(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
        bus = await self._subscribe() if self._use_logind else None
        self._ready.set()
        try:
            await self._poll_clocks()
        finally:
            if bus is not None:
                bus.disconnect()

    async def _subscribe(self) -> MessageBus | None:
        """Listen for logind's ``PrepareForSleep``; None (the clocks only) if it cannot be."""
        try:
            from dbus_fast import BusType, Message, MessageType  # noqa: PLC0415
            from dbus_fast.aio import MessageBus  # noqa: PLC0415

            bus = MessageBus(bus_address=self._bus_address, bus_type=BusType.SYSTEM)
            await asyncio.wait_for(bus.connect(), 3)
            reply = await asyncio.wait_for(
                bus.call(
                    Message(
                        destination="org.freedesktop.DBus",
                        path="/org/freedesktop/DBus",
                        interface="org.freedesktop.DBus",
                        member="AddMatch",
                        signature="s",
                        body=[MATCH],
                    )
                ),
                3,
            )
            if reply is None or reply.message_type is MessageType.ERROR:
                raise RuntimeError(f"AddMatch refused: {reply and reply.body}")
        except Exception as exc:  # no system bus here (a container): the clocks will do
            log.info("logind cannot be asked about sleep (%s); watching the clocks", exc)
            return None

        def handler(message: Message) -> None:
            if (
                message.message_type is MessageType.SIGNAL
                and message.member == "PrepareForSleep"
                and message.signature == "b"
            ):
                self._logind_said(bool(message.body[0]))

        bus.add_message_handler(handler)
        self.logind, self.bus_name = True, bus.unique_name
        return bus

    def _logind_said(self, going: bool) -> None:
        assert self._slept is not None
        with self._lock:
            if going == self.asleep:
                return
            self.asleep = going
            if going:
                self._asleep_at = self._slept()
                detail = "this computer is going to sleep"
            else:
                self._woke_at = time.monotonic()
                detail = f"this computer woke up after {_span(self._slept() - self._asleep_at)}"
        self._tell(going, detail, time.time())

    async def _poll_clocks(self) -> None:
        assert self._slept is not None and self._stop is not None
        with self._lock:
            self._last = self._slept()
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self._poll_s)
            self._read_clocks()  # each second's reading: drift never adds up to a sleep

    def look_now(self) -> None:
        """Read the clocks now, from any thread, and tell a sleep they say ended (once,
        whoever reads first). A monitor asks before it reports a failure: on waking, a held
        connection its server dropped meanwhile is reset at its first packet, before the
        next poll, and that drop was told at once as the server's, ahead of the sleep."""
        last, slept = self._last, self._slept
        if last is None or slept is None or slept() - last < JUMP_S:
            return  # no sleep since the poll's last reading (most failures): no lock taken
        self._read_clocks()

    def _read_clocks(self) -> None:
        with self._lock:
            if self._last is None or self._closed or self._slept is None:
                return  # not watching (yet, or any more)
            now = self._slept()
            jump, self._last = now - self._last, now
            # logind's sleep: told by logind, or about to be
            if jump < JUMP_S or self.asleep or time.monotonic() - self._woke_at < SAME_SLEEP_S:
                return
            span, woke = _span(jump), time.time()
            # Told under the lock: a second reader waits, and what it tells comes after.
            self._tell(True, f"this computer slept for {span} (its clocks say so)", woke - jump)
            self._tell(False, f"this computer woke up after {span}", woke)

    def _tell(self, asleep: bool, detail: str, at: float) -> None:
        log.warning("%s", detail)
        try:
            self._on_change(asleep, detail, at)
        except Exception:
            log.exception("sleep or wake could not be told")
