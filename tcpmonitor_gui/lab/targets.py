"""Real servers on loopback for tests, benchmarks and the GUI demo.

Each speaks just enough of its protocol for the matching heartbeat preset to succeed, so a
monitor can be shown healthy before the fault proxy breaks it. Each runs in its own thread and
loop (``loop_thread``), like a separate process would, and reads with bounds: a client that
sends an endless line is dropped, not buffered.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from http import HTTPStatus
from typing import Any, Self

from tcpmonitor_gui.lab.acceptor import Acceptor
from tcpmonitor_gui.lab.link import set_rst_on_close
from tcpmonitor_gui.lab.loop_thread import DEADLINE_S, ConnectionCounter, LoopThread, StartStop
from tcpmonitor_gui.lab.unresponsive import UnresponsiveListener

__all__ = [
    "BannerServer",
    "HttpServer",
    "LineEchoServer",
    "MemcachedServer",
    "RedisPingServer",
    "ServerThread",
    "SilentServer",
    "UnresponsiveListener",
]

#: Longest line (or HTTP header block) a server buffers before it drops the client.
LINE_LIMIT = 64 * 1024


class ServerThread(StartStop):
    """A stream server on its own thread and loop; subclasses implement ``handle``."""

    def __init__(self, *, listen_host: str = "127.0.0.1", port: int = 0) -> None:
        self._host = listen_host
        self._thread = LoopThread(f"{type(self).__name__}:{port}")
        self._counter = ConnectionCounter()
        self._acceptor = Acceptor(self._new_protocol, listen_host, port)
        self._clients: dict[asyncio.Task[None], asyncio.StreamWriter] = {}

    def start(self) -> Self:
        """Listen and serve; after ``stop()`` this binds the same port again (a restart)."""
        self._thread.start(self._listen, self._teardown)
        return self

    def stop(self) -> None:
        """Close the listener and every connection, and join the thread (deadline 5 s)."""
        self._thread.stop()

    @property
    def address(self) -> tuple[str, int]:
        return (self._host, self._acceptor.port)

    def connection_count(self) -> int:
        return self._counter.value

    def wait_for_connections(self, n: int, timeout: float) -> bool:
        """Block until at least ``n`` clients are connected; False on timeout."""
        return self._counter.wait_for(n, timeout)

    def wait_for_idle(self, timeout: float) -> bool:
        """Block until no client is connected; False on timeout."""
        return self._counter.wait_for_idle(timeout)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Serve one client until it leaves; return (or raise) to close the connection."""
        raise NotImplementedError

    async def _listen(self) -> None:
        self._acceptor.listen()

    def _new_protocol(self) -> asyncio.StreamReaderProtocol:
        # What asyncio.start_server builds, with our own acceptor (see acceptor.py for why).
        return asyncio.StreamReaderProtocol(asyncio.StreamReader(limit=LINE_LIMIT), self._serve)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._clients[task] = writer
        self._counter.add(1)
        try:
            await self.handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: nothing to answer
        except (ValueError, asyncio.LimitOverrunError):
            pass  # over LINE_LIMIT (readline raises ValueError) or garbage: drop the client
        finally:
            self._counter.add(-1)
            del self._clients[task]
            writer.close()

    async def _teardown(self) -> None:
        await self._acceptor.aclose()
        await asyncio.sleep(0)  # handler tasks of the last connections register themselves
        # Abort rather than cancel: the handlers then end the way they do when a client
        # vanishes, and Python 3.11's start_server trips over a cancelled handler task.
        clients = dict(self._clients)
        for writer in clients.values():
            writer.transport.abort()
        if clients:
            await asyncio.wait(clients, timeout=DEADLINE_S)


class _LineIter:
    """Complete lines until EOF; a partial last line ends the stream."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader

    def __aiter__(self) -> _LineIter:
        return self

    async def __anext__(self) -> bytes:
        line = await self._reader.readline()
        if not line.endswith(b"\n"):
            raise StopAsyncIteration
        return line


class LineEchoServer(ServerThread):
    """Echoes every complete line: the simplest heartbeat peer."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async for line in _LineIter(reader):
            writer.write(line)
            await writer.drain()


class RedisPingServer(ServerThread):
    """Answers ``PING`` (inline, as the preset sends it) with ``+PONG``."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async for line in _LineIter(reader):
            ping = line.strip().upper() == b"PING"
            writer.write(b"+PONG\r\n" if ping else b"-ERR unknown command\r\n")
            await writer.drain()


class MemcachedServer(ServerThread):
    """Answers ``version`` like memcached 1.6.21; anything else gets memcached's ``ERROR``."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async for line in _LineIter(reader):
            version = line.strip() == b"version"
            writer.write(b"VERSION 1.6.21\r\n" if version else b"ERROR\r\n")
            await writer.drain()


class BannerServer(ServerThread):
    """Greets with ``banner`` (SSH, SMTP, FTP), then answers ``NOOP`` and ignores the rest.

    ``QUIT`` gets ``221`` and a close, as SMTP and FTP servers do.
    """

    def __init__(
        self,
        banner: bytes,
        *,
        noop_reply: bytes = b"250 OK\r\n",
        greet_after_s: float = 0.0,
        listen_host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """``greet_after_s``: how long after the accept the banner is sent (a busy mail
        server's deliberate pause)."""
        super().__init__(listen_host=listen_host, port=port)
        self.banner = banner
        self.noop_reply = noop_reply
        self.greet_after_s = greet_after_s

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.greet_after_s:
            await asyncio.sleep(self.greet_after_s)  # ok-sleep: the server's own pace
        writer.write(self.banner)
        await writer.drain()
        async for line in _LineIter(reader):
            command = line.strip().upper()
            if command == b"NOOP":
                writer.write(self.noop_reply)
            elif command == b"QUIT":
                writer.write(b"221 Bye\r\n")
                await writer.drain()
                return
            await writer.drain()


class SilentServer(ServerThread):
    """Accepts, reads and discards, never says a word: the peer of "no reply" tests."""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await reader.read(LINE_LIMIT):
            pass


class FloodServer(ServerThread):
    """Sends garbage as fast as the client takes it, never an answer: a hostile peer."""

    CHUNK = b"x" * 65536

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            writer.write(self.CHUNK)
            await writer.drain()


class IdleTimeoutServer(ServerThread):
    """Ends each connection on which the client has sent nothing for ``closes_after`` seconds
    (one value per connection, in turn), as a proxy or load balancer with an idle timeout
    does (HAProxy's ``timeout client``, an AWS load balancer's 60 s): with a FIN, or an RST
    with ``reset`` (Azure's load balancer with "TCP reset on idle"); ``greeting`` is said
    first, if any."""

    def __init__(
        self,
        closes_after: tuple[float, ...] = (1.0,),
        greeting: bytes = b"",
        reset: bool = False,
        **kw: Any,
    ) -> None:
        super().__init__(**kw)
        self._closes_after = itertools.cycle(closes_after)
        self.greeting = greeting
        self.reset = reset

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        idle_s = next(self._closes_after)
        if self.greeting:
            writer.write(self.greeting)
        while True:
            try:
                if not await asyncio.wait_for(reader.read(LINE_LIMIT), idle_s):
                    return
            except TimeoutError:  # idle for too long: a FIN, or an RST
                if self.reset:
                    set_rst_on_close(writer.transport)
                return


class TrickleServer(ServerThread):
    """Answers each line with ``reply``, one byte every ``every_s`` seconds: a peer that is
    alive but far too slow to count as answering."""

    def __init__(self, reply: bytes = b"+PONG\r\n", every_s: float = 1.0, **kw: Any) -> None:
        super().__init__(**kw)
        self.reply = reply
        self.every_s = every_s

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async for _ in _LineIter(reader):
            for i in range(len(self.reply)):
                writer.write(self.reply[i : i + 1])
                await writer.drain()
                await asyncio.sleep(self.every_s)


class HttpServer(ServerThread):
    """HTTP/1.1 with keep-alive; ``HEAD``/``GET /`` answer with ``status`` (settable).

    ``max_requests``: a connection's last request is answered with "Connection: close" and
    the connection ended, as nginx (``keepalive_requests``) and Apache
    (``MaxKeepAliveRequests``) do; ``connections`` counts those accepted."""

    def __init__(
        self,
        *,
        status: int = 200,
        max_requests: int | None = None,
        listen_host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(listen_host=listen_host, port=port)
        self._lock = threading.Lock()
        self._status = HTTPStatus(status)
        self.max_requests = max_requests
        self.connections = 0

    @property
    def status(self) -> int:
        with self._lock:
            return int(self._status)

    @status.setter
    def status(self, value: int) -> None:
        """Set from any thread; requests after this answer with it. ValueError if unknown."""
        status = HTTPStatus(value)
        with self._lock:
            self._status = status

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1  # on the server's own loop
        for served in itertools.count(1):
            head = await reader.readuntil(b"\r\n\r\n")  # bounded by LINE_LIMIT
            lines = head.decode("latin-1").split("\r\n")
            parts = lines[0].split()
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip().lower()
            if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
                await self._respond(writer, HTTPStatus.BAD_REQUEST, body=True, keep_alive=False)
                return
            method, target, version = parts
            length = int(headers.get("content-length", "0") or "0")
            if not 0 <= length <= LINE_LIMIT:
                return
            await reader.readexactly(length)
            connection = headers.get("connection", "")
            if version == "HTTP/1.0":
                keep_alive = connection == "keep-alive"
            else:
                keep_alive = connection != "close"
            keep_alive = keep_alive and served != self.max_requests
            if method not in ("GET", "HEAD"):
                status = HTTPStatus.METHOD_NOT_ALLOWED
            elif target.split("?")[0] != "/":
                status = HTTPStatus.NOT_FOUND
            else:
                with self._lock:
                    status = self._status
            await self._respond(writer, status, body=method != "HEAD", keep_alive=keep_alive)
            if not keep_alive:
                return

    @staticmethod
    async def _respond(
        writer: asyncio.StreamWriter, status: HTTPStatus, *, body: bool, keep_alive: bool
    ) -> None:
        content = f"{status.value} {status.phrase}\n".encode()
        head = (
            f"HTTP/1.1 {status.value} {status.phrase}\r\n"
            "Server: tcpmonitor-lab\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(content)}\r\n"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + (content if body else b""))
        await writer.drain()
