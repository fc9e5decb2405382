"""A TCP proxy that produces every failure a monitor must name, for real, on loopback.

Tests, benchmarks and the GUI demo put a ``FaultProxy`` between a monitor and a real server and
switch its mode to make the kernel do what a broken network or peer would: refuse connections,
reset them, close them, swallow them (blackhole) or slow them down. Nothing is simulated in the
code under test; it sees genuine ECONNREFUSED, RST, FIN, silence and latency.

The proxy runs in its own thread and loop (see ``loop_thread``), so it is an independent peer;
its methods block for the few milliseconds the proxy thread needs, and ``set_mode`` returns the
``time.monotonic()`` at which the fault took effect, for measuring detection latency.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Self

from tcpmonitor_gui.lab.acceptor import Acceptor
from tcpmonitor_gui.lab.link import Link, Side
from tcpmonitor_gui.lab.loop_thread import ConnectionCounter, LoopThread, StartStop

MODES = ("pass", "refuse", "reset", "close", "blackhole", "delay")


class FaultProxy(StartStop):
    """Forwards TCP connections to ``upstream`` and injects faults on command.

    Modes:
      ``pass``       forward both ways (listens again after ``refuse``; ends a blackhole and
                     delivers what it held; delay back to 0).
      ``refuse``     close the listening socket: new connects get ECONNREFUSED; existing
                     connections carry on as they were.
      ``reset``      RST every client connection (SO_LINGER 0), close its upstream; reset new
                     connections as soon as they are accepted.
      ``close``      FIN every client connection and its upstream; close new ones at once.
      ``blackhole``  keep every socket open but stop reading both ways, so nothing is forwarded
                     or answered; new connections complete the handshake and then hear nothing.
      ``delay``      forward both ways, each chunk ``delay_ms`` late, in order; the delay
                     applies in each direction, so an echo round trip gains 2 x ``delay_ms``.

    A blackhole here is a hung peer, not a cut cable: the proxy's kernel still ACKs what the
    client sends and answers keepalive probes, so keepalive never fires, nor does
    TCP_USER_TIMEOUT unless the client fills the proxy's receive window (hundreds of KiB);
    only an application heartbeat notices. Dropping packets silently needs a network
    namespace and iptables.
    """

    def __init__(
        self,
        upstream: tuple[str, int],
        *,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        self._upstream = upstream
        self._host = listen_host
        self._thread = LoopThread(f"FaultProxy->{upstream[0]}:{upstream[1]}")
        self._counter = ConnectionCounter()
        self._mode = "pass"
        self._forwarding = True
        self._delay_s = 0.0
        self._acceptor = Acceptor(self._new_client_side, listen_host, listen_port)
        self._links: set[Link] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    # -- Public, thread-safe API -------------------------------------------------------------

    def start(self) -> Self:
        """Bind the listening socket and start forwarding in ``pass`` mode; returns self.

        After ``stop()`` it may be started again: it binds the same port.
        """
        self._thread.start(self._listen, self._teardown)
        return self

    def stop(self) -> None:
        """Close every socket and join the proxy thread (deadline 5 s)."""
        self._thread.stop()

    @property
    def address(self) -> tuple[str, int]:
        """Where clients connect; the port stays the same across ``refuse`` and back."""
        return (self._host, self._acceptor.port)

    @property
    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str, *, delay_ms: float = 0.0) -> float:
        """Apply ``mode``; return ``time.monotonic()`` taken the moment it took effect."""
        if mode not in MODES:
            raise ValueError(f"mode: {mode!r} is not one of {', '.join(MODES)}")
        if not math.isfinite(delay_ms) or delay_ms < 0:
            raise ValueError(f"delay_ms: {delay_ms!r} must be a finite number >= 0")
        delay_s = delay_ms / 1000.0 if mode == "delay" else 0.0
        return self._thread.call(lambda: self._apply(mode, delay_s))

    def cut(self) -> float:
        """RST every client connection open now, and go on forwarding new ones: what a NAT
        or a firewall losing its state (a network change) does to held connections. Returns
        ``time.monotonic()`` once the resets are sent.

        Only connections the proxy has accepted are cut: a client's connect completes in the
        kernel a moment before that, so wait for them first (``wait_for_connections``)."""

        async def cut() -> float:
            for link in list(self._links):
                link.kill(client="rst", upstream="fin")
            await asyncio.sleep(0)  # one loop turn sends them (see ``_apply``)
            return time.monotonic()

        return self._thread.call(cut)

    def connection_count(self) -> int:
        """Client-side connections currently open."""
        return self._counter.value

    def wait_for_connections(self, n: int, timeout: float) -> bool:
        """Block until at least ``n`` client connections are open; False on timeout."""
        return self._counter.wait_for(n, timeout)

    def wait_for_idle(self, timeout: float) -> bool:
        """Block until no client connection is open; False on timeout."""
        return self._counter.wait_for_idle(timeout)

    def held_bytes(self) -> int:
        """The most bytes held in user space for any one direction of any connection.

        Bounded by 1 MiB: reading pauses while the writing side is backed up.
        """

        async def largest() -> int:
            return max((max(ln.up.held, ln.down.held) for ln in self._links), default=0)

        return self._thread.call(largest)

    # -- Policy, read by links on the proxy thread -------------------------------------------

    @property
    def forwarding(self) -> bool:
        return self._forwarding

    @property
    def delay_s(self) -> float:
        return self._delay_s

    # -- Proxy thread ------------------------------------------------------------------------

    async def _listen(self) -> None:
        self._mode, self._forwarding, self._delay_s = "pass", True, 0.0
        self._acceptor.listen()

    async def _apply(self, mode: str, delay_s: float) -> float:
        if mode == "refuse":
            self._acceptor.close()
        else:
            self._acceptor.listen()
        if mode in ("pass", "delay", "blackhole"):
            self._forwarding = mode != "blackhole"
            self._delay_s = delay_s
        self._mode = mode
        for link in list(self._links):
            if mode == "reset":
                link.kill(client="rst", upstream="fin")
            elif mode == "close":
                link.kill(client="fin", upstream="fin")
            else:
                link.refresh()
                self._ensure_upstream(link)
        # abort() closes the socket (sending the RST or FIN) in a callback it has just queued;
        # one turn of the loop runs it, so the timestamp below is after the packets left.
        await asyncio.sleep(0)
        return time.monotonic()

    def _new_client_side(self) -> Side:
        return Link(self, self._client_made, self._client_lost).client

    def _client_made(self, link: Link) -> None:
        self._counter.add(1)
        self._links.add(link)
        if self._mode == "reset":
            link.kill(client="rst", upstream="fin")
        elif self._mode == "close":
            link.kill(client="fin", upstream="fin")
        else:
            self._ensure_upstream(link)

    def _client_lost(self, link: Link) -> None:
        self._links.discard(link)
        self._counter.add(-1)

    def _ensure_upstream(self, link: Link) -> None:
        """Connect the link's upstream side unless it has one, is connecting, or is held."""
        if link.closing or link.upstream is not None or link.connecting is not None:
            return
        if not self._forwarding:
            return  # a blackholed client gets its upstream when forwarding resumes
        task = asyncio.get_running_loop().create_task(self._connect_upstream(link))
        link.connecting = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _connect_upstream(self, link: Link) -> None:
        loop = asyncio.get_running_loop()
        host, port = self._upstream
        try:
            await loop.create_connection(link.new_upstream_side, host, port)
        except OSError:
            link.upstream = None
            link.connecting = None
            if self._forwarding:
                link.kill(client="rst", upstream="fin")  # the upstream refused: so do we
            return
        link.connecting = None

    async def _teardown(self) -> None:
        await self._acceptor.aclose()
        for link in list(self._links):
            link.kill(client="fin", upstream="fin")
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
