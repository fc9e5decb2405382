"""Prometheus metrics of every monitored profile, served over HTTP for scrapes.

Fed the engine's events on the loop thread (``feed``, a few dict and list operations per
event, under a lock held for just that); rendered in the text exposition format on the HTTP
server's threads. The rendering is ours, one cached block of text per profile and family,
rewritten only when that profile changed: ``prometheus_client``'s own renderer took 16 µs a
sample (655 ms for 1,000 profiles' 40,000 samples, measured), far too slow for 10 scrapes a
second beside a busy loop. The library still gives the process's own metrics
(``ProcessCollector``) and, in the tests, its parser checks every byte we render.

Families (labels ``profile``, ``group``, ``target``, ``detector``):

- ``tcpmonitor_up``: 1 while up or degraded, else 0; ``tcpmonitor_state{state}``: one series per
  state, 1 for the current; ``tcpmonitor_maintenance``: 1 inside a maintenance window;
- ``tcpmonitor_latency_seconds``: the last good check's that timed one (a ``watch`` times only
  its connect: it sends nothing while it holds); ``tcpmonitor_check_latency_seconds``: a
  histogram of those; ``tcpmonitor_detection_delay_seconds``: a histogram of the delay
  with which drops were noticed; ``tcpmonitor_state_changes_total{cause}``;
  ``tcpmonitor_last_change_timestamp_seconds``;
- ``probe_success`` and ``probe_duration_seconds``, named as blackbox_exporter names them (the
  last check), so dashboards and alert rules written for it work. The duration is the check's
  latency as the table shows it (the answer's round trip, or the kernel's RTT of a connect),
  not blackbox_exporter's whole probe time with DNS; a failed check has none.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import http.server
import itertools
import math
import socket
import sys
import threading
import time
from collections.abc import Iterable, Sequence
from typing import Any

from .events import Event, Kind, State
from .maintenance import in_maintenance
from .profile import Profile

#: Buckets of the latency histogram (seconds): loopback to a slow WAN. Few, as every bucket
#: is a series per profile: 1,000 profiles' scrape is megabytes.
LATENCY_BUCKETS = (0.001, 0.0025, 0.01, 0.025, 0.1, 0.25, 1.0, 2.5)
#: Buckets of the detection-delay histogram (seconds): a FIN at once to a keepalive budget.
DETECTION_BUCKETS = (0.01, 0.1, 1.0, 5.0, 30.0, 120.0)
#: The states a profile can be in (``tcpmonitor_state`` has one series each).
PROFILE_STATES = (State.UNKNOWN, State.CONNECTING, State.UP, State.DEGRADED, State.DOWN,
                  State.PAUSED)  # fmt: skip
UP_STATES = (State.UP, State.DEGRADED)
#: Scrapes served at once (a connection beyond takes an idle one's slot).
MAX_CLIENTS = 16
REQUEST_TIMEOUT_S = 10.0  # a scrape that sends or reads nothing for this long is dropped
#: A scrape is over within this long, however it trickles (a byte every few seconds would
#: otherwise hold its slot for ever, and sixteen such would turn every scrape away).
CONNECTION_DEADLINE_S = 30.0
EVICT_WAIT_S = 1.0  # how long a new connection waits for the slot of one cut for it
SERVED_S = 2.0  # a scrape served longer gives its slot up to a new one when all are taken
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_HELP = {
    "tcpmonitor_up": ("gauge", "1 while the connection is up or degraded, else 0."),
    "tcpmonitor_state": ("gauge", "1 for the connection's current state, 0 for the others."),
    "tcpmonitor_maintenance": (
        "gauge",
        "1 while one of the profile's maintenance windows is open.",
    ),
    "tcpmonitor_latency_seconds": (
        "gauge",
        "Latency of the last good check that timed one (a watch times only its connect).",
    ),
    "tcpmonitor_check_latency_seconds": ("histogram", "Latency of good checks."),
    "tcpmonitor_detection_delay_seconds": (
        "histogram",
        "Time from the connection's last good sign to the drop being noticed.",
    ),
    "tcpmonitor_state_changes_total": ("counter", "State changes, by the cause of the change."),
    "tcpmonitor_last_change_timestamp_seconds": ("gauge", "When the state last changed."),
    "probe_success": ("gauge", "Whether the last check succeeded (blackbox_exporter's name)."),
    "probe_duration_seconds": (
        "gauge",
        "The last check's latency (blackbox_exporter's name); none after a failed check.",
    ),
}
FAMILIES = tuple(_HELP)
_SAMPLE_FAMILIES = ("probe_success", "probe_duration_seconds")
_GOOD_SAMPLE_FAMILIES = (*_SAMPLE_FAMILIES, "tcpmonitor_latency_seconds",
                         "tcpmonitor_check_latency_seconds")  # fmt: skip
_STATE_FAMILIES = (
    "tcpmonitor_up",
    "tcpmonitor_state",
    "tcpmonitor_maintenance",
    "tcpmonitor_state_changes_total",
    "tcpmonitor_last_change_timestamp_seconds",
)


def escape_label(value: str) -> str:
    """A label value as the exposition format writes it: ``\\``, ``"`` and newline escaped."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Histogram:
    __slots__ = ("_heads", "bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last: above every bound
        self.sum = 0.0
        #: The text before each value, for the labels they were made for.
        self._heads: tuple[str, list[str]] = ("", [])

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1  # le: value <= bound
        self.sum += value

    def snapshot(self) -> tuple[tuple[int, ...], float]:
        return tuple(self.counts), self.sum

    def lines(self, name: str, labels: str, counts: Sequence[int], total: float) -> str:
        """The family's lines for ``counts`` and ``total`` (a ``snapshot``): the text
        before each value is made once for these labels."""
        made_for, heads = self._heads
        if made_for != f"{name}{{{labels}" or not heads:
            heads = [f'{name}_bucket{{{labels},le="{number(b)}"}} ' for b in self.bounds]
            heads += [f'{name}_bucket{{{labels},le="+Inf"}} ', f"{name}_sum{{{labels}}} ",
                      f"{name}_count{{{labels}}} "]  # fmt: skip
            self._heads = (f"{name}{{{labels}", heads)
        totals = list(itertools.accumulate(counts))
        values = [*map(str, totals), number(total), str(totals[-1])]
        return "\n".join(map(str.__add__, heads, values)) + "\n"


@dataclasses.dataclass(slots=True, eq=False)
class _Series:
    """One profile's values and its rendered text, per family."""

    labels: str
    windows: tuple[str, ...]
    state: State = State.UNKNOWN
    latency: float | None = None
    last_ok: bool | None = None
    last_duration: float | None = None
    last_change: float | None = None
    changes: dict[str, int] = dataclasses.field(default_factory=dict)
    check: _Histogram = dataclasses.field(default_factory=lambda: _Histogram(LATENCY_BUCKETS))
    detection: _Histogram = dataclasses.field(default_factory=lambda: _Histogram(DETECTION_BUCKETS))
    #: Families whose text is out of date.
    dirty: set[str] = dataclasses.field(default_factory=lambda: set(FAMILIES))
    text: dict[str, bytes] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True, slots=True)
class _Values:
    """What one profile's text is made from, copied under the lock so that the text is
    made outside it (a scrape never holds up ``feed``, so never the monitoring loop)."""

    labels: str
    windows: tuple[str, ...]
    state: State
    latency: float | None
    last_ok: bool | None
    last_duration: float | None
    last_change: float | None
    changes: tuple[tuple[str, int], ...]
    check: tuple[tuple[int, ...], float]
    detection: tuple[tuple[int, ...], float]

    @classmethod
    def of(cls, s: _Series) -> _Values:
        return cls(s.labels, s.windows, s.state, s.latency, s.last_ok, s.last_duration,
                   s.last_change, tuple(sorted(s.changes.items())), s.check.snapshot(),
                   s.detection.snapshot())  # fmt: skip


def _labels(p: Profile) -> str:
    """The profile's labels; an empty group is left out (to Prometheus, the same thing)."""
    return ",".join(
        f'{key}="{escape_label(value)}"'
        for key, value in (
            ("profile", p.name),
            ("group", p.group),
            ("target", p.target),
            ("detector", p.detector.kind),
        )
        if value
    )


class Metrics:
    """The metrics of a set of profiles; ``feed`` it events, ``render`` it for a scrape."""

    def __init__(self, profiles: Iterable[Profile] = ()) -> None:
        self._lock = threading.Lock()  # feed and the snapshot of render
        self._render_lock = threading.Lock()  # one render at a time writes the caches
        self._series: dict[str, _Series] = {}
        self._order: list[str] = []
        #: Families whose joined bytes must be made again, and those bytes.
        self._stale: set[str] = set(FAMILIES)
        self._joined: dict[str, bytes] = {}
        self.set_profiles(profiles)

    def set_profiles(self, profiles: Iterable[Profile]) -> None:
        """The profiles watched now: new ones start empty, gone ones leave, renamed ones
        keep their counts under the new labels."""
        with self._lock:
            old, self._series = self._series, {}
            for p in profiles:
                series = old.get(p.id)
                labels = _labels(p)
                if series is None:
                    series = _Series(labels, p.maintenance)
                elif series.labels != labels or series.windows != p.maintenance:
                    series.labels, series.windows = labels, p.maintenance
                    series.dirty.update(FAMILIES)
                self._series[p.id] = series
            self._order = list(self._series)
            self._stale.update(FAMILIES)

    def feed(self, event: Event) -> None:
        """One event (any thread; the engine's loop in practice)."""
        with self._lock:
            series = self._series.get(event.profile_id)
            if series is None:
                return
            if event.kind is Kind.SAMPLE:
                ok = event.cause is None
                latency = None if event.latency_ms is None else event.latency_ms / 1000.0
                series.last_ok, series.last_duration = ok, latency
                changed: tuple[str, ...] = _SAMPLE_FAMILIES
                if ok and latency is not None:
                    series.latency = latency
                    series.check.observe(latency)
                    changed = _GOOD_SAMPLE_FAMILIES
                series.dirty.update(changed)
                self._stale.update(changed)
                return
            if event.kind is not Kind.STATE:
                return
            series.state = event.state
            series.last_change = event.ts.timestamp()
            cause = "none" if event.cause is None else str(event.cause)
            series.changes[cause] = series.changes.get(cause, 0) + 1
            changed = _STATE_FAMILIES
            if event.state is State.DOWN and event.detection_ms is not None:
                series.detection.observe(event.detection_ms / 1000.0)
                changed = (*changed, "tcpmonitor_detection_delay_seconds")
            series.dirty.update(changed)
            self._stale.update(changed)

    def render(self) -> bytes:
        """Every family, in the text exposition format (version 0.0.4). Only what changed
        since the last render is rendered again: a profile's text per family, and a
        family's joined bytes when one of its profiles changed."""
        with self._render_lock:
            with self._lock:  # only copies: feed waits for no formatting
                series = [self._series[pid] for pid in self._order]
                stale, self._stale = self._stale, set()
                work = []
                for s in series:
                    if s.windows:  # a window opens and closes by the clock, not by events
                        s.dirty.add("tcpmonitor_maintenance")
                        stale.add("tcpmonitor_maintenance")
                    if s.dirty:
                        work.append((s, s.dirty, _Values.of(s)))
                        s.dirty = set()
            for s, families, values in work:
                for family in families:
                    s.text[family] = _render(family, s, values).encode()
            for family in stale:
                kind, text = _HELP[family]
                head = f"# HELP {family} {text}\n# TYPE {family} {kind}\n".encode()
                self._joined[family] = head + b"".join([s.text.get(family, b"") for s in series])
            return b"".join([self._joined[family] for family in FAMILIES])


def _render(family: str, s: _Series, v: _Values) -> str:
    labels = v.labels
    if family == "tcpmonitor_up":
        return f"tcpmonitor_up{{{labels}}} {int(v.state in UP_STATES)}\n"
    if family == "tcpmonitor_state":
        return "".join(
            f'tcpmonitor_state{{{labels},state="{state}"}} {int(v.state is state)}\n'
            for state in PROFILE_STATES
        )
    if family == "tcpmonitor_maintenance":
        return f"tcpmonitor_maintenance{{{labels}}} {int(in_maintenance(v.windows))}\n"
    if family == "tcpmonitor_latency_seconds":
        if v.latency is None:
            return ""
        return f"tcpmonitor_latency_seconds{{{labels}}} {number(v.latency)}\n"
    if family == "tcpmonitor_check_latency_seconds":
        return s.check.lines(family, labels, *v.check)
    if family == "tcpmonitor_detection_delay_seconds":
        return s.detection.lines(family, labels, *v.detection)
    if family == "tcpmonitor_state_changes_total":
        return "".join(
            f'tcpmonitor_state_changes_total{{{labels},cause="{cause}"}} {n}\n'
            for cause, n in v.changes
        )
    if family == "tcpmonitor_last_change_timestamp_seconds":
        if v.last_change is None:
            return ""
        return f"{family}{{{labels}}} {number(v.last_change)}\n"
    if family == "probe_success":
        return "" if v.last_ok is None else f"probe_success{{{labels}}} {int(v.last_ok)}\n"
    if v.last_duration is None:  # probe_duration_seconds
        return ""
    return f"probe_duration_seconds{{{labels}}} {number(v.last_duration)}\n"


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
                if self.path.split("?", 1)[0] not in ("/metrics", "/"):
                    self.send_error(404, "only /metrics is here")
                    return
                body = metrics.render() + process.render()
                self.send_response(200)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # a scrape every few seconds is not news

        server_class = _Server6 if ":" in host else _Server
        self._server = server_class((host, port), Handler)
        address = self._server.server_address
        #: Where it listens (the port chosen when 0 was asked for).
        self.address: tuple[str, int] = (str(address[0]), int(address[1]))

        self._thread = threading.Thread(
            target=self._server.serve_forever, name="metrics server", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(REQUEST_TIMEOUT_S)


class _Server(http.server.ThreadingHTTPServer):
    """One thread per scrape, at most ``MAX_CLIENTS`` at once (no threads without bound).
    When all are taken, a new connection takes the slot of the oldest that has asked nothing
    yet (sixteen idle ones turned every scrape away), else of the oldest served for over
    ``SERVED_S`` (sixteen that asked and never read a 12 MB answer did); it is closed only
    when every slot serves a scrape begun since. Each is cut at ``CONNECTION_DEADLINE_S``,
    by the serving thread's turn (``service_actions``, every half second)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients = threading.BoundedSemaphore(MAX_CLIENTS)
        self._deadlines: dict[socket.socket, float] = {}
        self._asked: dict[socket.socket, float] = {}  # serving a scrape, since
        self._lock = threading.Lock()

    def asked(self, request: socket.socket) -> None:
        with self._lock:
            self._asked[request] = time.monotonic()

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._clients.acquire(blocking=False):
            long_ago = time.monotonic() - SERVED_S
            with self._lock:  # both in order of arrival: the oldest first
                idle = next((s for s in self._deadlines if s not in self._asked), None)
                idle = idle or next((s for s, t in self._asked.items() if t < long_ago), None)
            if idle is not None:
                with contextlib.suppress(OSError):
                    idle.shutdown(socket.SHUT_RDWR)  # its thread ends, and frees its slot
            if idle is None or not self._clients.acquire(timeout=EVICT_WAIT_S):
                self.shutdown_request(request)  # every slot serves a scrape: turned away
                return
        with self._lock:
            self._deadlines[request] = time.monotonic() + CONNECTION_DEADLINE_S
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._done(request)
            raise

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


class _Server6(_Server):
    address_family = socket.AF_INET6
