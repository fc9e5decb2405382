"""What one check found, before the state machine decides what it means."""

from __future__ import annotations

import dataclasses

from .events import Cause


@dataclasses.dataclass(frozen=True, slots=True)
class Timings:
    """Where the time of one check went, in milliseconds (None: the step did not run)."""

    dns_ms: float | None = None
    connect_ms: float | None = None
    tls_ms: float | None = None
    #: The wait for the server's own first words (SSH's banner, SMTP's 220).
    greeting_ms: float | None = None
    reply_ms: float | None = None
    #: The kernel's RTT (TCP_INFO), free of GIL waits; None where unavailable.
    kernel_rtt_ms: float | None = None

    @property
    def total_ms(self) -> float | None:
        """How long the check took, step by step added up (what "connected in" means)."""
        steps = [
            t
            for t in (self.dns_ms, self.connect_ms, self.tls_ms, self.greeting_ms, self.reply_ms)
            if t
        ]
        return sum(steps) if steps or self.connect_ms is not None else None

    @property
    def connect_latency_ms(self) -> float | None:
        """A probe's latency: the kernel's handshake RTT, else the connect as Python timed it."""
        return self.kernel_rtt_ms if self.kernel_rtt_ms is not None else self.connect_ms

    def describe(self) -> str:
        parts = [
            f"{name} {value:.2f} ms"
            for name, value in (
                ("dns", self.dns_ms),
                ("connect", self.connect_ms),
                ("tls", self.tls_ms),
                ("greeting", self.greeting_ms),
                ("reply", self.reply_ms),
                ("rtt", self.kernel_rtt_ms),
            )
            if value is not None
        ]
        return ", ".join(parts)


@dataclasses.dataclass(frozen=True, slots=True)
class Sample:
    """One check's outcome.

    ``last_good`` (``time.monotonic()``) is, for a failure, the last moment the connection was
    known to be good, when the detector knows better than "the last successful check": the
    arrival of a FIN or RST on a held connection, the last heartbeat reply, the peer's last
    ACK. The state machine turns it into the detection delay of a ``down`` event.
    """

    ok: bool
    cause: Cause | None = None
    latency_ms: float | None = None
    detail: str = ""
    address: str | None = None
    timings: Timings | None = None
    last_good: float | None = None

    @staticmethod
    def failure(
        cause: Cause, detail: str, address: str | None = None, last_good: float | None = None
    ) -> Sample:
        return Sample(False, cause, None, detail, address, None, last_good)
