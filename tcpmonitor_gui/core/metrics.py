"""Prometheus metrics of every monitored profile, served over HTTP by ``metrics_server.py``.

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
  with which drops were noticed; ``tcpmonitor_state_changes_total{cause}`` (of the target's
  state: see ``TARGET_STATES``); ``tcpmonitor_last_change_timestamp_seconds``: when the
  target's state last changed, as far as the event log knows (``know``: not the window's
  "for", which counts from the start, saying "(and before the restart)");
  ``tcpmonitor_down_local_network``: 1 while down for this computer's own network (by the last
  check's cause: the state's own changes while down, to or from ``local_network``, are told
  by no event);
- ``probe_success`` and ``probe_duration_seconds``, named as blackbox_exporter names them (the
  last check; none while paused or stopped, as of a target no longer probed), so dashboards
  and alert rules written for it work. The duration is the check's
  latency as the table shows it (the answer's round trip, or the kernel's RTT of a connect),
  not blackbox_exporter's whole probe time with DNS; a failed check has none.

And of this computer (no labels: one each, for the program that serves them), so that rules
can tell a target down from the computer that watches it offline (``set_computer`` at the
start, then its ``network`` and ``power`` events): ``tcpmonitor_network_online`` (no sample
while it cannot be known) and ``tcpmonitor_asleep``.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import itertools
import math
import threading
from collections.abc import Iterable, Mapping, Sequence

from .events import Cause, Event, Kind, State
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
#: What the checks say of the target. ``tcpmonitor_state_changes_total`` counts changes
#: between these only: connecting, paused and unknown are the monitoring's own (starting,
#: paused, stopped), and its restart at a reload or a resume is not a change of the target.
TARGET_STATES = (State.UP, State.DEGRADED, State.DOWN)
#: States in which nothing is checked (paused, or stopped): there is no last check.
UNCHECKED = (State.PAUSED, State.UNKNOWN)
#: Events held while what the event log knew is awaited (``Metrics(waits=True)``), at most.
MAX_HELD = 100_000

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
    "tcpmonitor_state_changes_total": (
        "counter",
        "Changes of the target's state (up, degraded, down), by the cause of the change.",
    ),
    "tcpmonitor_last_change_timestamp_seconds": (
        "gauge",
        "When the target's state (up, degraded, down) last changed, as far as the event log"
        " knows (not when monitoring started, paused or resumed).",
    ),
    "tcpmonitor_down_local_network": (
        "gauge",
        "1 while down for this computer's own network (the last check failed with cause"
        " local_network: offline, or no route to the target), else 0.",
    ),
    "probe_success": (
        "gauge",
        "Whether the last check succeeded (blackbox_exporter's name); none while paused.",
    ),
    "probe_duration_seconds": (
        "gauge",
        "The last check's latency (blackbox_exporter's name); none after a failed check.",
    ),
}
#: This computer's: one sample each, no labels, rendered at every scrape (two lines).
_COMPUTER_HELP = {
    "tcpmonitor_network_online": (
        "gauge",
        "1 while this computer's own network is up, 0 while it is down (no route leaves it:"
        " its drops are then not the targets', cause local_network); no sample where it"
        " cannot be known.",
    ),
    "tcpmonitor_asleep": (
        "gauge",
        "1 from when this computer is told it is going to sleep until it wakes, else 0.",
    ),
}
#: Per profile, each rendered once per change of a profile's values.
PROFILE_FAMILIES = tuple(_HELP)
FAMILIES = (*PROFILE_FAMILIES, *_COMPUTER_HELP)
_SAMPLE_FAMILIES = ("probe_success", "probe_duration_seconds", "tcpmonitor_down_local_network")
_GOOD_SAMPLE_FAMILIES = (*_SAMPLE_FAMILIES, "tcpmonitor_latency_seconds",
                         "tcpmonitor_check_latency_seconds")  # fmt: skip
_STATE_FAMILIES = (
    "tcpmonitor_up",
    "tcpmonitor_state",
    "tcpmonitor_maintenance",
    "tcpmonitor_state_changes_total",
    "tcpmonitor_last_change_timestamp_seconds",
    "tcpmonitor_down_local_network",
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
    #: The last check failed for this computer's network (cause ``local_network``).
    local: bool = False
    #: The target's last state (``TARGET_STATES``): a change is counted when it is another.
    seen: State | None = None
    changes: dict[str, int] = dataclasses.field(default_factory=dict)
    check: _Histogram = dataclasses.field(default_factory=lambda: _Histogram(LATENCY_BUCKETS))
    detection: _Histogram = dataclasses.field(default_factory=lambda: _Histogram(DETECTION_BUCKETS))
    #: Families whose text is out of date.
    dirty: set[str] = dataclasses.field(default_factory=lambda: set(PROFILE_FAMILIES))
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
    local: bool
    changes: tuple[tuple[str, int], ...]
    check: tuple[tuple[int, ...], float]
    detection: tuple[tuple[int, ...], float]

    @classmethod
    def of(cls, s: _Series) -> _Values:
        return cls(s.labels, s.windows, s.state, s.latency, s.last_ok, s.last_duration,
                   s.last_change, s.local, tuple(sorted(s.changes.items())), s.check.snapshot(),
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

    def __init__(self, profiles: Iterable[Profile] = (), *, waits: bool = False) -> None:
        """``waits``: events are held until ``know`` says what the event log knew."""
        self._lock = threading.Lock()  # feed and the snapshot of render
        self._held: list[Event] | None = [] if waits else None
        self._render_lock = threading.Lock()  # one render at a time writes the caches
        self._series: dict[str, _Series] = {}
        self._order: list[str] = []
        #: Families whose joined bytes must be made again, and those bytes.
        self._stale: set[str] = set(PROFILE_FAMILIES)
        self._joined: dict[str, bytes] = {}
        #: This computer's network (None: not known) and sleep.
        self._online: bool | None = None
        self._asleep = False
        self.set_profiles(profiles)

    def set_computer(self, *, online: bool | None, asleep: bool) -> None:
        """This computer's network and sleep as read at the start (their later changes come
        as events): an online start is no change, so no event ever tells it."""
        with self._lock:
            self._online, self._asleep = online, asleep

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
                    series.dirty.update(PROFILE_FAMILIES)
                self._series[p.id] = series
            self._order = list(self._series)
            self._stale.update(PROFILE_FAMILIES)

    def __contains__(self, profile_id: object) -> bool:
        """Whether the profile is exported."""
        return profile_id in self._series

    def know(self, before: Mapping[str, tuple[State, dt.datetime]]) -> None:
        """What the event log last knew of profiles (``last_seen.known_states``): the state
        each was in and since when. A state found again the same is no change (a restart,
        a resume): neither counted nor moving the last change's time. Then the events held
        meanwhile (``waits``) are taken."""
        with self._lock:
            for pid, (state, since) in before.items():
                series = self._series.get(pid)
                if series is not None and series.seen is None and state in TARGET_STATES:
                    series.seen, series.last_change = state, since.timestamp()
                    series.dirty.add("tcpmonitor_last_change_timestamp_seconds")
                    self._stale.add("tcpmonitor_last_change_timestamp_seconds")
            held, self._held = self._held or [], None
            for event in held:
                self._feed(event)

    def feed(self, event: Event) -> None:
        """One event (any thread; the engine's loop in practice)."""
        with self._lock:
            if event.kind in (Kind.NETWORK, Kind.POWER):  # nothing to learn from the log
                self._computer(event)
                return
            if self._held is not None:
                if len(self._held) < MAX_HELD:
                    self._held.append(event)
                    return
                held, self._held = self._held, None  # waited long enough: taken in order
                for each in held:
                    self._feed(each)
            self._feed(event)

    def _computer(self, event: Event) -> None:
        """This computer's network or power changed (under the lock)."""
        if event.state in (State.OFFLINE, State.ONLINE):
            self._online = event.state is State.ONLINE
        elif event.state in (State.SLEEP, State.WAKE):
            self._asleep = event.state is State.SLEEP

    def _feed(self, event: Event) -> None:
        """Apply one event (under the lock)."""
        series = self._series.get(event.profile_id)
        if series is None:
            return
        if event.kind is Kind.SAMPLE:
            ok = event.cause is None
            latency = None if event.latency_ms is None else event.latency_ms / 1000.0
            series.last_ok, series.last_duration = ok, latency
            series.local = event.cause is Cause.LOCAL_NETWORK
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
        if event.state in TARGET_STATES and event.state is not series.seen:
            series.seen, series.last_change = event.state, event.ts.timestamp()
            cause = "none" if event.cause is None else str(event.cause)
            series.changes[cause] = series.changes.get(cause, 0) + 1
        changed = _STATE_FAMILIES
        if event.state in UNCHECKED:  # no last check: probe_success == 0 alerts stop
            series.last_ok = series.last_duration = None
            series.local = False
            changed = (*changed, *_SAMPLE_FAMILIES)
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
                online, asleep = self._online, self._asleep
            for s, families, values in work:
                for family in families:
                    s.text[family] = _render(family, s, values).encode()
            for family in stale:
                kind, text = _HELP[family]
                head = f"# HELP {family} {text}\n# TYPE {family} {kind}\n".encode()
                self._joined[family] = head + b"".join([s.text.get(family, b"") for s in series])
            per_profile = b"".join([self._joined[family] for family in PROFILE_FAMILIES])
            return per_profile + _render_computer(online, asleep)


def _render_computer(online: bool | None, asleep: bool) -> bytes:
    lines = []
    for (family, (kind, text)), value in zip(_COMPUTER_HELP.items(), (online, asleep), strict=True):
        lines.append(f"# HELP {family} {text}\n# TYPE {family} {kind}\n")
        if value is not None:
            lines.append(f"{family} {int(value)}\n")
    return "".join(lines).encode()


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
    if family == "tcpmonitor_down_local_network":
        return f"{family}{{{labels}}} {int(v.state is State.DOWN and v.local)}\n"
    if family == "probe_success":
        return "" if v.last_ok is None else f"probe_success{{{labels}}} {int(v.last_ok)}\n"
    if v.last_duration is None:  # probe_duration_seconds
        return ""
    return f"probe_duration_seconds{{{labels}}} {number(v.last_duration)}\n"
