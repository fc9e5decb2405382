"""The per-profile state machine: samples in, state changes out.

Hysteresis: ``fail_after`` consecutive failures turn a profile ``down``; ``recover_after``
consecutive successes bring it back. A failure below the threshold, or a latency over
``warn_latency_ms``, shows ``degraded`` (``connecting`` while it has not worked yet: degraded
counts as up). Degraded by latency is ``up`` again only below ``CALM_FRACTION`` of the
warning, so a latency that hovers at the line does not change the state on every check. Every
``down`` event carries the detection delay: the time from the last good sign of the connection
to the event.
"""

from __future__ import annotations

import datetime as dt
import time

from .events import COULD_NOT_CHECK, Cause, Event, Kind, State, boottime, utc_now
from .maintenance import in_maintenance
from .profile import Profile
from .sample import Sample

#: A drop down for this computer's network, still down with the network back: the target's.
TARGETS_NOW = "still down, no longer for this computer's network"

#: States in which the connection has not been seen working (since the start or a resume).
_NOT_YET = (State.UNKNOWN, State.CONNECTING)

#: A profile degraded by its latency is up again once a check's latency is under this share
#: of ``warn_latency_ms``. Without the band, a server answering in 480-520 ms against a 500 ms
#: warning went up, degraded, up, ... every check: a state event each (and an action each,
#: for an action on ``degraded``), every interval, for as long as it stayed so.
CALM_FRACTION = 0.8

#: The wall clock set (NTP stepping it, a VM restored from a snapshot, ``date -s``) by more
#: than this between two state changes of a profile: see ``StateMachine._stamp``.
STEP_S = 2.0


def _elapsed() -> float | None:
    """Seconds on a clock that nobody sets and that counts sleep (Linux's CLOCK_BOOTTIME);
    None where there is none (a monotonic clock that stops in sleep would shorten a drop
    that slept)."""
    return boottime()


class StateMachine:
    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.state = State.UNKNOWN
        self.cause: Cause | None = None
        self.ok_run = 0
        self.fail_run = 0
        #: Checks in a row that could not be made here (``_unchecked``).
        self.unchecked_run = 0
        #: ``time.monotonic()`` of the last successful check.
        self.last_ok: float | None = None
        #: The last good sign before the first failure of the run (``fail_run``).
        self.run_good: float | None = None
        #: Set when the state last changed (monotonic), for "time in current state".
        self.since = time.monotonic()
        #: The last state change's stamp and ``_elapsed()`` then.
        self.stamped: tuple[dt.datetime, float | None] | None = None

    def _event(
        self,
        kind: Kind,
        previous: State | None,
        *,
        cause: Cause | None,
        latency_ms: float | None = None,
        detail: str = "",
        detection_ms: float | None = None,
        address: str | None = None,
    ) -> Event:
        p, now = self.profile, utc_now()
        ts, elapsed = self._stamp(now, previous) if kind is Kind.STATE else (now, None)
        return Event(
            ts=ts,
            profile_id=p.id,
            profile_name=p.name,
            kind=kind,
            state=self.state,
            previous=previous,
            cause=cause,
            detector=p.detector.kind,
            latency_ms=latency_ms,
            detail=detail,
            detection_ms=detection_ms,
            address=address,
            maintenance=kind is Kind.STATE and in_maintenance(p.maintenance, now),
            elapsed=elapsed,
        )

    def _stamp(self, wall: dt.datetime, ending: State | None) -> tuple[dt.datetime, float | None]:
        """A state change's time: the wall clock's, unless it was set since the last change
        (it differs by more than ``STEP_S`` from that change's time plus the seconds really
        passed). Then a drop that ends (``ending`` down) lasted the seconds that passed, and
        any other span takes the step, never going back: set back an hour, the wall clock
        stamped the recovery before the drop, which then ended at the next change that was
        not a drop, and set forward a day, a 5 min drop lasted a day and 5 min. With the
        ``_elapsed()`` reading, for the time since it (``Event.elapsed``)."""
        elapsed = _elapsed()
        ts, last = wall, self.stamped
        if last is not None:
            before, then = last
            if elapsed is not None and then is not None:
                steady = before + dt.timedelta(seconds=elapsed - then)
                if ending is State.DOWN and abs((wall - steady).total_seconds()) > STEP_S:
                    ts = steady
            ts = max(ts, before)
        self.stamped = (ts, elapsed)
        return self.stamped

    def _move(
        self,
        state: State,
        cause: Cause | None,
        detail: str,
        *,
        latency_ms: float | None = None,
        detection_ms: float | None = None,
        address: str | None = None,
    ) -> Event | None:
        if state is self.state:
            self.cause = cause if state in (State.DOWN, State.DEGRADED, State.CONNECTING) else None
            return None
        previous = self.state
        self.state, self.cause, self.since = state, cause, time.monotonic()
        return self._event(
            Kind.STATE,
            previous,
            cause=cause,
            latency_ms=latency_ms,
            detail=detail,
            detection_ms=detection_ms,
            address=address,
        )

    def go_on_from(self, before: StateMachine) -> None:
        """Take over the state that ``before`` (the same target's, checked as its profile
        said before an edit) was in: it goes on, and only what the edited checks find
        changes it. Started afresh, the edited monitor said "connecting" and then "down"
        again for a drop, as if the target had just gone (the drop told, and its actions run,
        a second time, one outage stored as two), and "unknown -> connecting -> up" for a
        connection that was up. Paused (disabled) goes on likewise, whatever the target: the
        monitor enabled again then says "resumed", not "unknown" out of nowhere."""
        self.stamped = before.stamped  # its changes go on after those stored
        self.state, self.since = before.state, before.since
        if before.state is not State.PAUSED:
            self.cause, self.last_ok = before.cause, before.last_ok

    def still_down(self, detail: str) -> Event:
        """Down still, said again: the drop began in a maintenance window that has closed, so
        from now on it is the target's outage (an event with ``previous`` down, told)."""
        return self._event(Kind.STATE, State.DOWN, cause=self.cause, detail=detail)

    def set_state(self, state: State, detail: str = "") -> Event | None:
        """Outside changes: ``connecting`` at start, ``paused``, back to ``unknown``."""
        self.ok_run = self.fail_run = 0
        return self._move(state, None, detail)

    def feed(self, sample: Sample, now: float | None = None) -> list[Event]:
        """Apply one sample; returns the state event (if the state changed) then the sample."""
        now = time.monotonic() if now is None else now
        p = self.profile
        changed: Event | None
        if sample.cause is not Cause.LOCAL_ERROR:
            self.unchecked_run = 0
        if sample.ok:
            self.ok_run += 1
            self.fail_run = 0
            self.last_ok = now
            line = p.warn_latency_ms
            if self.state is State.DEGRADED and self.cause is None:  # slow: see CALM_FRACTION
                line *= CALM_FRACTION
            slow = line > 0 and sample.latency_ms is not None and sample.latency_ms > line
            if self.state is State.DOWN and self.ok_run < p.recover_after:
                changed = None
            elif slow:
                detail = f"latency {sample.latency_ms:.1f} ms over {p.warn_latency_ms:g} ms"
                changed = self._move(
                    State.DEGRADED,
                    None,
                    detail,
                    latency_ms=sample.latency_ms,
                    address=sample.address,
                )
            else:
                detail = sample.detail or ("recovered" if self.state is State.DOWN else "")
                changed = self._move(
                    State.UP, None, detail, latency_ms=sample.latency_ms, address=sample.address
                )
        elif (cause := sample.cause or Cause.LOCAL_ERROR) is Cause.LOCAL_ERROR:
            changed = self._unchecked(sample)
        else:
            was = self.cause
            self.fail_run += 1
            self.ok_run = 0
            if self.fail_run == 1:
                # The first failure says when it was last good: a held connection's later
                # ones are each a new connection's, whose own last sign is its connect (or
                # its RST: "0.1 ms", said of a drop a second old).
                self.run_good = sample.last_good if sample.last_good is not None else self.last_ok
            if self.fail_run >= p.fail_after:
                good = self.run_good
                delay = None if good is None else max(0.0, (now - good) * 1000.0)
                changed = self._move(
                    State.DOWN, cause, sample.detail, detection_ms=delay, address=sample.address
                )
            elif self.state is State.DOWN:
                changed = self._move(State.DOWN, cause, sample.detail)
            else:
                detail = f"{sample.detail} ({self.fail_run} of {p.fail_after} failures)"
                # Degraded means "works, with trouble", and counts as up: a connection not
                # yet seen working is still being tried, whatever its first checks say.
                tried = State.CONNECTING if self.state in _NOT_YET else State.DEGRADED
                changed = self._move(tried, cause, detail, address=sample.address)
            if changed is None and self.state is State.DOWN and _targets(was, cause):
                # Down for this computer's network (offline, no route), and now the target's
                # own failure with the network back: said again, or the outage stayed "this
                # computer's fault" in every history and was counted against nobody.
                detail = f"{TARGETS_NOW}: {sample.detail}"
                changed = self._event(
                    Kind.STATE, State.DOWN, cause=cause, detail=detail, address=sample.address
                )
        sample_event = self._event(
            Kind.SAMPLE,
            None,
            cause=sample.cause,
            latency_ms=sample.latency_ms,
            detail=sample.detail,
            address=sample.address,
        )
        return [changed, sample_event] if changed is not None else [sample_event]

    def _unchecked(self, sample: Sample) -> Event | None:
        """A check that could not be made here (``local_error``: this program out of open
        files, no local port free, ...) says nothing of the target: it counts neither way.
        After ``fail_after`` of them in a row the state is ``unknown``, saying why: it was
        ``down``, the target told as dead, its down actions run, an outage stored against it,
        and such drops counted towards "is this computer's network down?". A target that is
        down stays so (what is known of it has not changed, and its outage goes on)."""
        self.unchecked_run += 1
        if self.state is State.DOWN or self.unchecked_run < self.profile.fail_after:
            return None
        detail = f"{COULD_NOT_CHECK}: {sample.detail}"
        if self.state is not State.UNKNOWN:
            return self._move(State.UNKNOWN, Cause.LOCAL_ERROR, detail, address=sample.address)
        if self.cause is Cause.LOCAL_ERROR:
            return None  # said already
        self.cause = Cause.LOCAL_ERROR  # unknown from the start: now it says why
        return self._event(
            Kind.STATE, State.UNKNOWN, cause=self.cause, detail=detail, address=sample.address
        )


def _targets(was: Cause | None, cause: Cause) -> bool:
    """A drop's cause turned from this computer's network to the target's own."""
    return was is Cause.LOCAL_NETWORK and cause not in (Cause.LOCAL_NETWORK, Cause.LOCAL_ERROR)
