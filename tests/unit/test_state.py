"""The per-profile state machine: hysteresis, degraded, and the detection delay."""

from __future__ import annotations

from pathlib import Path

from tcpmonitor_gui.core.eventlog import EventLog
from tcpmonitor_gui.core.events import Cause, Event, Kind, State
from tcpmonitor_gui.core.sample import Sample
from tcpmonitor_gui.core.state import CALM_FRACTION, TARGETS_NOW, StateMachine
from tests.helpers import make_profile

OK = Sample(True, latency_ms=10.0)
REFUSED = Sample.failure(Cause.REFUSED, "connection refused", "127.0.0.1:1")


def states(events: list[Event]) -> list[State]:
    return [e.state for e in events if e.kind is Kind.STATE]


def test_probe_goes_down_after_fail_after_consecutive_failures() -> None:
    m = StateMachine(make_profile("h", 1, fail_after=3))
    assert states(m.feed(OK, now=0)) == [State.UP]
    first = m.feed(REFUSED, now=1)
    assert states(first) == [State.DEGRADED]
    assert first[0].cause is Cause.REFUSED and "1 of 3 failures" in first[0].detail
    assert states(m.feed(REFUSED, now=2)) == []
    down = m.feed(REFUSED, now=3)
    assert states(down) == [State.DOWN]
    assert down[0].previous is State.DEGRADED
    # The last good sign was the successful check at t=0.
    assert down[0].detection_ms == 3000.0


def test_a_connection_never_seen_working_is_connecting_not_degraded() -> None:
    """Degraded counts as up (uptime, metrics): failures before any success are not it."""
    m = StateMachine(make_profile("h", 1, fail_after=2))
    first = m.feed(REFUSED, now=0)
    assert states(first) == [State.CONNECTING]
    assert first[0].cause is Cause.REFUSED and "1 of 2 failures" in first[0].detail
    down = m.feed(REFUSED, now=1)
    assert states(down) == [State.DOWN] and down[0].previous is State.CONNECTING
    assert down[0].detection_ms is None  # it never worked: no last good sign
    m.feed(OK, now=2)
    assert states(m.feed(REFUSED, now=3)) == [State.DEGRADED]  # it has worked now


def test_success_between_failures_resets_the_count() -> None:
    m = StateMachine(make_profile("h", 1, fail_after=2))
    m.feed(OK, now=0)
    m.feed(REFUSED, now=1)
    m.feed(OK, now=2)
    assert m.state is State.UP
    assert states(m.feed(REFUSED, now=3)) == [State.DEGRADED]


def test_recover_after_needs_consecutive_successes() -> None:
    m = StateMachine(make_profile("h", 1, fail_after=1, recover_after=3))
    m.feed(REFUSED, now=0)
    assert m.state is State.DOWN
    assert states(m.feed(OK, now=1)) == []
    m.feed(REFUSED, now=2)
    m.feed(OK, now=3)
    m.feed(OK, now=4)
    assert m.state is State.DOWN
    up = m.feed(OK, now=5)
    assert states(up) == [State.UP] and up[0].previous is State.DOWN


def test_latency_over_warn_is_degraded_without_a_cause() -> None:
    m = StateMachine(make_profile("h", 1, warn_latency_ms=50))
    slow = m.feed(Sample(True, latency_ms=80.0), now=0)
    assert states(slow) == [State.DEGRADED]
    assert slow[0].cause is None and "80.0 ms over 50 ms" in slow[0].detail
    assert states(m.feed(OK, now=1)) == [State.UP]


def test_a_latency_hovering_at_the_warning_does_not_flip_the_state_every_check() -> None:
    """480-520 ms against a 500 ms warning: degraded once, not up/degraded every check; up
    again once the latency is under ``CALM_FRACTION`` of the warning."""
    m = StateMachine(make_profile("h", 1, warn_latency_ms=500))
    assert states(m.feed(Sample(True, latency_ms=100.0), now=0)) == [State.UP]
    told = []
    for i, ms in enumerate([510.0, 490.0, 520.0, 480.0, 505.0, 495.0, 410.0], start=1):
        told += m.feed(Sample(True, latency_ms=ms), now=i)
    assert states(told) == [State.DEGRADED]
    assert m.state is State.DEGRADED
    calm = m.feed(Sample(True, latency_ms=500 * CALM_FRACTION - 1), now=10)
    assert states(calm) == [State.UP]


def test_the_band_is_only_for_latency() -> None:
    """Degraded by a failure is up again at the next success under the warning; down comes
    back up under the warning too."""
    m = StateMachine(make_profile("h", 1, fail_after=2, warn_latency_ms=500))
    m.feed(OK, now=0)
    assert states(m.feed(REFUSED, now=1)) == [State.DEGRADED]
    assert states(m.feed(Sample(True, latency_ms=450.0), now=2)) == [State.UP]
    m.feed(REFUSED, now=3)
    m.feed(REFUSED, now=4)
    assert m.state is State.DOWN
    assert states(m.feed(Sample(True, latency_ms=450.0), now=5)) == [State.UP]


def test_warn_latency_zero_turns_the_warning_off() -> None:
    m = StateMachine(make_profile("h", 1, warn_latency_ms=0))
    assert states(m.feed(Sample(True, latency_ms=9999.0), now=0)) == [State.UP]


def test_detector_knows_the_last_good_sign_better() -> None:
    m = StateMachine(make_profile("h", 1, "heartbeat"))
    m.feed(OK, now=0)
    reset = Sample.failure(Cause.RESET, "connection reset by peer", last_good=9.9995)
    down = m.feed(reset, now=10.0)
    assert down[0].state is State.DOWN
    assert abs((down[0].detection_ms or 0) - 0.5) < 1e-6


def test_down_with_no_good_sign_ever_has_no_detection_delay() -> None:
    m = StateMachine(make_profile("h", 1, fail_after=1))
    down = m.feed(REFUSED, now=1)
    assert down[0].state is State.DOWN and down[0].detection_ms is None


def test_every_sample_is_an_event_carrying_its_own_cause() -> None:
    m = StateMachine(make_profile("h", 1, fail_after=5))
    m.feed(OK, now=0)
    events = m.feed(REFUSED, now=1)
    sample = events[-1]
    assert sample.kind is Kind.SAMPLE and sample.cause is Cause.REFUSED
    ok_sample = m.feed(OK, now=2)[-1]
    assert (
        ok_sample.kind is Kind.SAMPLE and ok_sample.cause is None and ok_sample.latency_ms == 10.0
    )


def test_pause_and_connecting_are_outside_changes() -> None:
    m = StateMachine(make_profile("h", 1, "watch"))
    connecting = m.set_state(State.CONNECTING)
    assert connecting is not None and connecting.previous is State.UNKNOWN
    m.feed(OK, now=0)
    paused = m.set_state(State.PAUSED, "paused")
    assert paused is not None and paused.previous is State.UP and paused.cause is None
    assert m.set_state(State.PAUSED) is None


OUT_OF_FILES = Sample.failure(
    Cause.LOCAL_ERROR, "this program is out of open files (its limit, ulimit -n: 64)", "h:1"
)


def test_a_check_that_could_not_be_made_is_unknown_never_down() -> None:
    """A check this computer could not make (out of files, of ports) says nothing of the
    target: it went down, told as the server's, with its down actions and an outage. It is
    unknown now, after as many in a row as ``fail_after``, saying so and why; a check made
    again says what the target is; and a target down already stays down (its outage goes
    on, nothing new is known of it)."""
    m = StateMachine(make_profile("h", 1, fail_after=2))
    assert states(m.feed(OK, now=0)) == [State.UP]
    assert states(m.feed(OUT_OF_FILES, now=1)) == []
    unknown = m.feed(OUT_OF_FILES, now=2)
    assert states(unknown) == [State.UNKNOWN], unknown
    assert unknown[0].previous is State.UP and unknown[0].cause is Cause.LOCAL_ERROR
    assert unknown[0].detail == f"could not check: {OUT_OF_FILES.detail}"
    assert states(m.feed(OUT_OF_FILES, now=3)) == []  # said once
    assert states(m.feed(REFUSED, now=4)) == [State.CONNECTING]  # the target's own
    assert states(m.feed(OUT_OF_FILES, now=5) + m.feed(REFUSED, now=6)) == [State.DOWN]
    assert states(m.feed(OUT_OF_FILES, now=7) + m.feed(OUT_OF_FILES, now=8)) == []
    assert m.state is State.DOWN and m.cause is Cause.REFUSED


def test_a_probe_that_could_never_check_says_why_it_is_unknown() -> None:
    """Unknown from the start, with no change to tell it by: it says once why."""
    m = StateMachine(make_profile("h", 1, fail_after=1))
    first = m.feed(OUT_OF_FILES, now=0)
    assert [(e.previous, e.state, e.cause) for e in first if e.kind is Kind.STATE] == [
        (State.UNKNOWN, State.UNKNOWN, Cause.LOCAL_ERROR)
    ]
    assert states(m.feed(OUT_OF_FILES, now=1)) == []
    assert states(m.feed(OK, now=2)) == [State.UP]


OFFLINE = Sample.failure(Cause.LOCAL_NETWORK, "network is unreachable", "192.0.2.7:5432")


def test_a_drop_of_this_computers_network_that_is_the_targets_once_it_is_back_is_said_again(
    tmp_path: Path,
) -> None:
    """Down while this computer was offline (cause local_network: counted against nobody),
    and refused once its network was back: the target had died meanwhile, yet the cause
    changed without an event, so every history kept it "this computer's fault" and no
    outage or uptime counted it. It is said again, down still, the target's cause now,
    once; and the stored outage counts."""
    m = StateMachine(make_profile("h", 1, fail_after=2))
    m.feed(OK, now=0)
    m.feed(OFFLINE, now=1)
    down = [e for e in m.feed(OFFLINE, now=2) if e.kind is Kind.STATE]
    assert [(e.state, e.cause) for e in down] == [(State.DOWN, Cause.LOCAL_NETWORK)]
    assert states(m.feed(OFFLINE, now=3)) == []
    again = [e for e in m.feed(REFUSED, now=4) if e.kind is Kind.STATE]
    assert [(e.previous, e.state, e.cause) for e in again] == [
        (State.DOWN, State.DOWN, Cause.REFUSED)
    ]
    assert again[0].detail == f"{TARGETS_NOW}: connection refused"
    assert states(m.feed(REFUSED, now=5)) == []  # said once
    back = [e for e in m.feed(OK, now=6) if e.kind is Kind.STATE]

    log = EventLog(tmp_path / "events.sqlite3")
    log.start()
    try:
        log.submit([*down, *again, *back])
        assert log.flush()
        (outage,) = log.outages()
    finally:
        log.close()
    assert outage.counted and outage.end is not None
    assert outage.start == down[0].ts  # one outage, from the drop


def test_a_target_that_fails_then_loses_this_computers_network_is_not_said_again() -> None:
    """Only the way from this computer's network to the target's is news: down refused,
    then offline, is the same outage of the target's (already counted)."""
    m = StateMachine(make_profile("h", 1, fail_after=1))
    m.feed(OK, now=0)
    assert states(m.feed(REFUSED, now=1)) == [State.DOWN]
    assert states(m.feed(OFFLINE, now=2)) == []
