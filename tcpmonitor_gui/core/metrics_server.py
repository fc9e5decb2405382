"""Serving the metrics (``metrics.py``) on ``/metrics`` over HTTP, from threads of its own,
never the monitoring loop's: at most ``MAX_CLIENTS`` scrapes at once, and no idle, trickling
or never-reading client can keep Prometheus out (see ``_Server``)."""

from __future__ import annotations

import contextlib
import errno
import http.server
import ipaddress
import os
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .metrics import Metrics
from .rlimit import LIMIT_SAID, open_file_limit

#: Scrapes served at once (a connection beyond takes an idle one's slot).
MAX_CLIENTS = 16
REQUEST_TIMEOUT_S = 10.0  # a scrape that sends or reads nothing for this long is dropped
#: A scrape is over within this long, however it trickles (a byte every few seconds would
#: otherwise hold its slot for ever, and sixteen such would turn every scrape away).
CONNECTION_DEADLINE_S = 30.0
EVICT_WAIT_S = 1.0  # how long a new connection waits for the slot of one cut for it
SERVED_S = 2.0  # a scrape served longer gives its slot up to a new one when all are taken
#: A connection that has asked nothing for this long is idle (a new one has not had the time).
IDLE_S = 1.0
#: With every slot serving a scrape, how long a new connection waits for one, in turn.
QUEUE_WAIT_S = 5.0
LOOK_AGAIN_S = 0.25  # while it waits, how often it looks for a slot to take again
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
#: With no file left for a scrape and none to say so with, how long accepting pauses.
NO_FILES_PAUSE_S = 0.25


class _ProcessMetrics:
    """The process's own metrics, by ``prometheus_client`` (a dozen samples)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry  # noqa: PLC0415 - only when serving
        from prometheus_client.process_collector import ProcessCollector  # noqa: PLC0415

        self._registry = CollectorRegistry()
        ProcessCollector(registry=self._registry)

    def render(self) -> bytes:
        from prometheus_client import generate_latest  # noqa: PLC0415

        return bytes(generate_latest(self._registry))


class MetricsServer:
    """Serves ``/metrics`` on ``host:port`` from threads of its own, never the loop's."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics = metrics
        process = _ProcessMetrics()

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = REQUEST_TIMEOUT_S  # a client that sends nothing is dropped

            def do_GET(self) -> None:
                assert isinstance(self.server, _Server)
                self.server.asked(self.request)  # a request: no longer the first to be cut
                if not host_served(bound, host := self.headers.get("Host")):
                    self.send_error(421, "Not a name of this port", REBOUND % host)
                    return
                if self.path.split("?", 1)[0] not in ("/metrics", "/"):
                    self.send_error(404, "only /metrics is here")  # HEAD: without its body
                    return
                body = metrics.render() + process.render()
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            #: Health checkers and ``curl -I`` ask with HEAD: GET's status and headers.
            do_HEAD = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass  # a scrape every few seconds is not news

        server_class = _Server6 if ":" in host else _Server
        self._server = server_class((host, port), Handler)
        address = self._server.server_address
        bound = str(address[0])
        #: Where it listens (the port chosen when 0 was asked for).
        self.address: tuple[str, int] = (str(address[0]), int(address[1]))

        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics server", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.closing.set()  # a connection waiting for a slot stops waiting
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(REQUEST_TIMEOUT_S)


def shown_address(host: str, port: int) -> str:
    """``host:port`` as a URL writes it (``[::1]:9464``)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


#: How often a port that could not be used is tried again (``ServedWhenFree``).
RETRY_S = 10.0


class ServedWhenFree:
    """``MetricsServer`` on ``host:port``, tried at once and, while the port cannot be used,
    again every ``every_s`` (``RETRY_S``) on a thread of its own: another program may hold it
    for a while, and a service started before the network has no address to bind yet.
    Monitoring never waits for it (metrics are a view of the monitoring, not its purpose: a
    service that exited for its metrics' port ran no checks and no alerts). ``failed`` is
    told where and why (the system's words) each time it fails for another reason, and
    ``served`` where, once it serves; from that thread after the first try."""

    def __init__(
        self,
        metrics: Metrics,
        host: str,
        port: int,
        *,
        failed: Callable[[str, str], object],
        served: Callable[[str], object],
        every_s: float | None = None,
    ) -> None:
        self._args, self._failed, self._served = (metrics, host, port), failed, served
        #: How often it tries again.
        self.every_s = RETRY_S if every_s is None else every_s
        self._why = ""  # the last failure told
        self._lock = threading.Lock()
        self._stop = threading.Event()
        #: The server, once the port could be used.
        self.server: MetricsServer | None = None
        self._thread: threading.Thread | None = None
        if not self._try():  # the first try on the caller's thread: told before monitoring
            self._thread = threading.Thread(target=self._retry, name="metrics port", daemon=True)
            self._thread.start()

    def _try(self) -> bool:
        metrics, host, port = self._args
        try:
            server = MetricsServer(metrics, host, port)
        except OSError as exc:
            why = exc.strerror or str(exc)
            if why != self._why:
                self._why = why
                self._failed(shown_address(host, port), why)
            return False
        with self._lock:
            if self._stop.is_set():  # closed meanwhile
                server.close()
                return True
            self.server = server
        self._served(shown_address(*server.address))
        return True

    def _retry(self) -> None:
        while not self._stop.wait(self.every_s) and not self._try():
            pass

    def close(self) -> None:
        """Stop trying, and stop serving."""
        with self._lock:
            self._stop.set()
            server, self.server = self.server, None
        if self._thread is not None:
            self._thread.join(REQUEST_TIMEOUT_S)
        if server is not None:
            server.close()


REBOUND = (
    "%r is not a name of this port: on a loopback address it answers to localhost and"
    " loopback addresses only (a web page whose name was made to lead here must not read it)"
)


def host_served(bound: str, host: str | None) -> bool:
    """Whether a request that names ``host`` (its Host header) is answered on ``bound``: on
    an address of the network, whatever the name; on loopback, only a loopback name or
    address (or none: HTTP/1.0). A web page can make its own name lead to 127.0.0.1 (DNS
    rebinding) and read the port as its own; the browser still sends that name."""
    if host is None or not ipaddress.ip_address(bound.partition("%")[0]).is_loopback:
        return True
    name = host.strip()
    if name.startswith("["):
        name = name[1:].partition("]")[0]
    elif name.count(":") == 1:
        name = name.partition(":")[0]
    name = name.rstrip(".").lower()
    if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always loopback
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Server(http.server.ThreadingHTTPServer):
    """One thread per scrape, at most ``MAX_CLIENTS`` at once (no threads without bound).
    When all are taken, a new connection takes the slot of the oldest that has asked nothing
    for ``IDLE_S`` (sixteen idle ones turned every scrape away), else of the oldest served
    for over ``SERVED_S`` (sixteen that asked and never read a 12 MB answer did), else waits
    its turn (``_slot``). Each is cut at ``CONNECTION_DEADLINE_S``,
    by the serving thread's turn (``service_actions``, every half second)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        #: Kept open to be closed when no file is left, to answer a scrape with.
        self._spare: int | None = None  # (a bind that fails closes the server)
        super().__init__(*args, **kwargs)
        self._clients = threading.BoundedSemaphore(MAX_CLIENTS)
        self._deadlines: dict[socket.socket, float] = {}
        self._asked: dict[socket.socket, float] = {}  # serving a scrape, since
        self._lock = threading.Lock()
        self._spare = _spare_file()
        self.closing = threading.Event()

    def get_request(self) -> tuple[socket.socket, Any]:
        try:
            return self.socket.accept()
        except OSError as exc:
            if exc.errno in (errno.EMFILE, errno.ENFILE):
                self._no_files_left()
            raise  # this connection is not served (``_handle_request_noblock``)

    def _no_files_left(self) -> None:
        """The process has no file left to accept a scrape with. The connection stays
        queued and the listening socket readable, and accepting again at once took a core
        for as long as it lasted, each scrape waiting for its timeout. The spare file kept
        for this accepts it instead, to answer 503 with the reason; with none, accepting
        pauses a moment."""
        if self._spare is None:
            time.sleep(NO_FILES_PAUSE_S)  # this thread accepts only: a scrape waits
            self._spare = _spare_file()
            return
        os.close(self._spare)
        self._spare = None
        with contextlib.suppress(OSError):
            conn, _ = self.socket.accept()
            with conn:
                conn.setblocking(False)
                with contextlib.suppress(OSError):
                    conn.recv(65536)  # the request, read so that closing sends no RST
                body = _no_files_text()
                conn.send(
                    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
                    b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
                )
                conn.shutdown(socket.SHUT_WR)
        self._spare = _spare_file()

    def server_close(self) -> None:
        super().server_close()
        if self._spare is not None:
            os.close(self._spare)
            self._spare = None

    def asked(self, request: socket.socket) -> None:
        with self._lock:
            self._asked[request] = time.monotonic()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slot():
            self.shutdown_request(request)  # every slot served scrapes all along: turned away
            return
        with self._lock:
            self._deadlines[request] = time.monotonic() + CONNECTION_DEADLINE_S
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done(request)
            raise

    def _slot(self) -> bool:
        """A slot for a new connection: a free one, else the slot of the oldest that has
        asked nothing for ``IDLE_S`` or been served for over ``SERVED_S``, else the first to
        come free within ``QUEUE_WAIT_S``, in turn: the connections behind wait in the listen
        queue. (Turned away at once, and a connection a moment old taken for an idle one,
        24 clients scraping as fast as they could kept Prometheus out: 4 of 25 scrapes.)"""
        deadline = time.monotonic() + QUEUE_WAIT_S
        while not self._clients.acquire(blocking=False):
            now = time.monotonic()
            if now >= deadline or self.closing.is_set():
                return False
            arrived_before = now - IDLE_S + CONNECTION_DEADLINE_S
            with self._lock:  # both in order of arrival: the oldest first
                cut = next(
                    (
                        s
                        for s, d in self._deadlines.items()
                        if s not in self._asked and d < arrived_before
                    ),
                    None,
                )
                cut = cut or next((s for s, t in self._asked.items() if t < now - SERVED_S), None)
            if cut is not None:
                with contextlib.suppress(OSError):
                    cut.shutdown(socket.SHUT_RDWR)  # its thread ends, and frees its slot
            wait = EVICT_WAIT_S if cut is not None else LOOK_AGAIN_S
            if self._clients.acquire(timeout=min(wait, deadline - now)):
                return True
        return True

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._done(request)

    def _done(self, request: socket.socket) -> None:
        with self._lock:
            self._deadlines.pop(request, None)
            self._asked.pop(request, None)
        self._clients.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], OSError):
            return  # the client went away, or was cut at its deadline: not our error
        super().handle_error(request, client_address)

    def service_actions(self) -> None:
        with self._lock:
            late = [s for s, deadline in self._deadlines.items() if deadline <= time.monotonic()]
        for sock in late:  # its thread's read or write then ends, and the thread with it
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _spare_file() -> int | None:
    try:
        return os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None


def _no_files_text() -> bytes:
    limit = open_file_limit()
    said = "" if limit is None else LIMIT_SAID % limit
    return f"tcpmonitor: no file left to serve this scrape with{said}\n".encode()


class _Server6(_Server):
    address_family = socket.AF_INET6
