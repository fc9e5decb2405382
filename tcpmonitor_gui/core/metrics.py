"""Prometheus metrics of every monitored profile, served over HTTP for scrapes.

Fed the engine's events on the loop thread (``feed``, a few dict and list operations per
event, under a lock held for just that); rendered in the text exposition format on the HTTP
server's threads. The rendering is ours, one cached block of text per profile and family,
rewritten only when that profile changed: ``prometheus_client``'s own renderer took 16 µs a
sample (655 ms for 1,000 profiles' 40,000 samples, measured), far too slow for 10 scrapes a
second beside a busy loop. The library still serves what it does well: the process's own
metrics (``ProcessCollector``: CPU, memory, open files) and, in the tests, its parser checks
every byte we render.

Families (labels ``profile``, ``group``, ``target``, ``detector``):

- ``tcpmonitor_up``: 1 while up or degraded, else 0; ``tcpmonitor_state{state}``: one series per
  state, 1 for the current; ``tcpmonitor_maintenance``: 1 inside a maintenance window;
- ``tcpmonitor_latency_seconds``: the last good check's; ``tcpmonitor_check_latency_seconds``: a
  histogram of good checks; ``tcpmonitor_detection_delay_seconds``: a histogram of the delay
  with which drops were noticed; ``tcpmonitor_state_changes_total{cause}``;
  ``tcpmonitor_last_change_timestamp_seconds``;
- ``probe_success`` and ``probe_duration_seconds``, named as blackbox_exporter names them (the
  last check), so dashboards and alert rules written for it work.
"""

from __future__ import annotations

import bisect
import dataclasses
import http.server
import math
import socket
import threading
from collections.abc import Iterable, Sequence

from .events import Event, Kind, State
from .maintenance import in_maintenance
from .profile import Profile

#: Buckets of the latency histogram (seconds): loopback to a slow WAN.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
#: Buckets of the detection-delay histogram (seconds): a FIN at once to a keepalive budget.
DETECTION_BUCKETS = (0.001, 0.01, 0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
#: The states a profile can be in (``tcpmonitor_state`` has one series each).
PROFILE_STATES = (State.UNKNOWN, State.CONNECTING, State.UP, State.DEGRADED, State.DOWN,
                  State.PAUSED)  # fmt: skip
UP_STATES = (State.UP, State.DEGRADED)
#: A scrape that has not sent its request line within this long is dropped.
REQUEST_TIMEOUT_S = 10.0
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

_HELP = {
    "tcpmonitor_up": ("gauge", "1 while the connection is up or degraded, else 0."),
    "tcpmonitor_state": ("gauge", "1 for the connection's current state, 0 for the others."),
    "tcpmonitor_maintenance": (
        "gauge",
        "1 while one of the profile's maintenance windows is open.",
    ),
    "tcpmonitor_latency_seconds": ("gauge", "Latency of the last good check."),
    "tcpmonitor_check_latency_seconds": ("histogram", "Latency of good checks."),
    "tcpmonitor_detection_delay_seconds": (
        "histogram",
        "Time from the connection's last good sign to the drop being noticed.",
    ),
    "tcpmonitor_state_changes_total": ("counter", "State changes, by the cause of the change."),
    "tcpmonitor_last_change_timestamp_seconds": ("gauge", "When the state last changed."),
    "probe_success": ("gauge", "Whether the last check succeeded (blackbox_exporter's name)."),
    "probe_duration_seconds": ("gauge", "How long the last check took (blackbox_exporter's name)."),
}
FAMILIES = tuple(_HELP)


def escape_label(value: str) -> str:
    """A label value as the exposition format writes it: backslash, quote and newline
    escaped; anything else (any Unicode) as it is."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Histogram:
    __slots__ = ("bounds", "counts", "sum")

    def __init__(self, bounds: Sequence[float]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)  # the last: above every bound
        self.sum = 0.0

    def observe(self, value: float) -> None:
        self.counts[bisect.bisect_left(self.bounds, value)] += 1
        self.sum += value

    def lines(self, name: str, labels: str) -> str:
        out, total = [], 0
        for bound, count in zip((*self.bounds, math.inf), self.counts, strict=True):
            total += count
            out.append(f'{name}_bucket{{{labels},le="{number(bound)}"}} {total}\n')
        out.append(f"{name}_sum{{{labels}}} {number(self.sum)}\n")
        out.append(f"{name}_count{{{labels}}} {total}\n")
        return "".join(out)


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
    text: dict[str, str] = dataclasses.field(default_factory=dict)


def _labels(p: Profile) -> str:
    return ",".join(
        f'{key}="{escape_label(value)}"'
        for key, value in (
            ("profile", p.name),
            ("group", p.group),
            ("target", p.target),
            ("detector", p.detector.kind),
        )
    )


class Metrics:
    """The metrics of a set of profiles; ``feed`` it events, ``render`` it for a scrape."""

    def __init__(self, profiles: Iterable[Profile] = ()) -> None:
        self._lock = threading.Lock()  # feed and the snapshot of render
        self._render_lock = threading.Lock()  # one render at a time writes the caches
        self._series: dict[str, _Series] = {}
        self._order: list[str] = []
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
                series.dirty.update(("probe_success", "probe_duration_seconds"))
                if ok and latency is not None:
                    series.latency = latency
                    series.check.observe(latency)
                    series.dirty.update(("tcpmonitor_latency_seconds",
                                         "tcpmonitor_check_latency_seconds"))  # fmt: skip
                return
            if event.kind is not Kind.STATE:
                return
            series.state = event.state
            series.last_change = event.ts.timestamp()
            cause = "none" if event.cause is None else str(event.cause)
            series.changes[cause] = series.changes.get(cause, 0) + 1
            series.dirty.update(("tcpmonitor_up", "tcpmonitor_state", "tcpmonitor_maintenance",
                                 "tcpmonitor_state_changes_total",
                                 "tcpmonitor_last_change_timestamp_seconds"))  # fmt: skip
            if event.state is State.DOWN and event.detection_ms is not None:
                series.detection.observe(event.detection_ms / 1000.0)
                series.dirty.add("tcpmonitor_detection_delay_seconds")

    def render(self) -> str:
        """Every family, in the text exposition format (version 0.0.4)."""
        with self._render_lock:
            with self._lock:
                order = list(self._order)
                series = [self._series[pid] for pid in order]
                stale = [(s, s.dirty) for s in series if s.dirty]
                for s in series:
                    if s.windows:  # a window opens and closes by the clock, not by events
                        s.dirty = {"tcpmonitor_maintenance"}
                    else:
                        s.dirty = set()
                for s, families in stale:  # rendered under the lock: values are consistent
                    for family in families:
                        s.text[family] = _render(family, s)
            parts = []
            for family in FAMILIES:
                kind, text = _HELP[family]
                parts.append(f"# HELP {family} {text}\n# TYPE {family} {kind}\n")
                parts.extend(s.text.get(family, "") for s in series)
            return "".join(parts)


def _render(family: str, s: _Series) -> str:
    labels = s.labels
    if family == "tcpmonitor_up":
        return f"tcpmonitor_up{{{labels}}} {int(s.state in UP_STATES)}\n"
    if family == "tcpmonitor_state":
        return "".join(
            f'tcpmonitor_state{{{labels},state="{state}"}} {int(s.state is state)}\n'
            for state in PROFILE_STATES
        )
    if family == "tcpmonitor_maintenance":
        return f"tcpmonitor_maintenance{{{labels}}} {int(in_maintenance(s.windows))}\n"
    if family == "tcpmonitor_latency_seconds":
        if s.latency is None:
            return ""
        return f"tcpmonitor_latency_seconds{{{labels}}} {number(s.latency)}\n"
    if family == "tcpmonitor_check_latency_seconds":
        return s.check.lines(family, labels)
    if family == "tcpmonitor_detection_delay_seconds":
        return s.detection.lines(family, labels)
    if family == "tcpmonitor_state_changes_total":
        return "".join(
            f'tcpmonitor_state_changes_total{{{labels},cause="{cause}"}} {n}\n'
            for cause, n in sorted(s.changes.items())
        )
    if family == "tcpmonitor_last_change_timestamp_seconds":
        if s.last_change is None:
            return ""
        return f"{family}{{{labels}}} {number(s.last_change)}\n"
    if family == "probe_success":
        return "" if s.last_ok is None else f"probe_success{{{labels}}} {int(s.last_ok)}\n"
    if s.last_duration is None:  # probe_duration_seconds
        return ""
    return f"probe_duration_seconds{{{labels}}} {number(s.last_duration)}\n"


class _ProcessMetrics:
    """The process's own metrics, by ``prometheus_client`` (a dozen samples)."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry  # noqa: PLC0415 - only when serving
        from prometheus_client.process_collector import ProcessCollector  # noqa: PLC0415

        self._registry = CollectorRegistry()
        ProcessCollector(registry=self._registry)

    def render(self) -> str:
        from prometheus_client import generate_latest  # noqa: PLC0415

        return generate_latest(self._registry).decode()


class MetricsServer:
    """Serves ``/metrics`` on ``host:port`` from threads of its own (a scrape never runs on
    the monitoring loop); ``close`` stops it."""

    def __init__(self, metrics: Metrics, host: str, port: int) -> None:
        self.metrics = metrics
        process = _ProcessMetrics()

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = REQUEST_TIMEOUT_S  # a client that sends nothing is dropped

            def do_GET(self) -> None:
                if self.path.split("?", 1)[0] not in ("/metrics", "/"):
                    self.send_error(404, "only /metrics is here")
                    return
                body = (metrics.render() + process.render()).encode()
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
    daemon_threads = True
    allow_reuse_address = True


class _Server6(_Server):
    address_family = socket.AF_INET6
