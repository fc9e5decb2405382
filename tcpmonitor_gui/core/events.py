"""The one record type that views, storage and the command line consume.

A monitor produces two kinds of event: ``state`` when a profile's state changes (stored as a
row, kept until retention removes it) and ``sample`` for every check (feeds live views and the
per-minute aggregates; never stored one row each).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import enum
import json
import math
import time
from collections.abc import Sequence
from typing import Any, TextIO


class State(enum.StrEnum):
    UNKNOWN = "unknown"
    CONNECTING = "connecting"
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"
    PAUSED = "paused"
    #: This computer's own conditions (``Kind.NETWORK``, ``Kind.POWER``), no profile's.
    OFFLINE = "offline"
    ONLINE = "online"
    SLEEP = "sleep"
    WAKE = "wake"
    #: While online, the routes out changed (a new default route, a VPN up or down).
    CHANGED = "changed"


#: In a ``dns_error``'s detail: the name service answered, that the name has no address (a
#: name not found proves nothing against the resolver, ``ui.notify.dns``).
NO_SUCH_NAME = "no such name"
#: What a ``local_error`` state change's detail begins with: the check could not be made,
#: followed by why (``StateMachine._unchecked``).
COULD_NOT_CHECK = "could not check"
#: The detail of the ``unknown`` a program stores for a profile it stops watching.
STOPPED = "monitoring stopped"
#: The detail of the ``unknown`` stored when a profile is given another target (host, port
#: or address family): what its old target was ends there, the new one's first state is its
#: own (a drop of the old one went on as the new one's, "back up after" the old one's time).
TARGET_CHANGED = "target changed"


class Cause(enum.StrEnum):
    """Why a check failed. Every failure carries exactly one."""

    REFUSED = "refused"
    RESET = "reset"
    CLOSED_BY_PEER = "closed_by_peer"
    CONNECT_TIMEOUT = "connect_timeout"
    HEARTBEAT_TIMEOUT = "heartbeat_timeout"
    KEEPALIVE_TIMEOUT = "keepalive_timeout"
    UNEXPECTED_REPLY = "unexpected_reply"
    DNS_ERROR = "dns_error"
    UNREACHABLE = "unreachable"
    TLS_ERROR = "tls_error"
    #: The check could not be made here (this program out of open files, this computer out
    #: of ports or memory, a CA file unreadable, a bug): no evidence about the target, whose
    #: state is then unknown (``StateMachine.feed``), never down.
    LOCAL_ERROR = "local_error"
    #: This computer's network is down (no link, no route): evidence from the kernel, never
    #: inferred from how many targets fail.
    LOCAL_NETWORK = "local_network"

    @property
    def label(self) -> str:
        """For people: ``closed by peer`` rather than ``closed_by_peer``."""
        return self.value.replace("_", " ")

    @classmethod
    def stored(cls, name: str) -> Cause:
        """The cause a row of the event log names: one of ours, or one a newer version
        recorded in the same log (its service beside this program, a log kept across a
        downgrade), as a cause of that name outside the list (not in ``list(Cause)``). Refused,
        its drop was left out of the history and its outage out of ``outages``. Only what
        the log holds is taken so: a cause typed or sent is one of ours (``Cause(name)``)."""
        try:
            return cls(name)
        except ValueError:
            if not (isinstance(name, str) and 0 < len(name) <= 64 and name.isprintable()):
                raise
        other = str.__new__(cls, name)
        other._name_, other._value_ = name.upper(), name
        return other


class Kind(enum.StrEnum):
    STATE = "state"
    SAMPLE = "sample"
    #: This computer's network went down, came back or changed (``OFFLINE``/``ONLINE``/
    #: ``CHANGED``).
    NETWORK = "network"
    #: This computer went to sleep or woke up (``State.SLEEP``/``WAKE``).
    POWER = "power"
    #: An action the user set ran for a state change (``core.actions``): the change's state,
    #: and in ``detail`` what ran and how it went.
    ACTION = "action"


#: The kind of a program-level event, by its state.
CONDITION_KINDS = {
    State.OFFLINE: Kind.NETWORK,
    State.ONLINE: Kind.NETWORK,
    State.CHANGED: Kind.NETWORK,
    State.SLEEP: Kind.POWER,
    State.WAKE: Kind.POWER,
}


#: Severity order used to pick the "worst" state (tray colour, summaries).
SEVERITY = {
    State.PAUSED: 0,
    State.UNKNOWN: 1,
    State.UP: 2,
    State.CONNECTING: 3,
    State.DEGRADED: 4,
    State.DOWN: 5,
    State.ONLINE: 1,
    State.WAKE: 1,
    State.SLEEP: 1,
    State.CHANGED: 1,
    State.OFFLINE: 5,
}


#: Built once: ``json.dumps`` with options builds a new encoder on every call, and ``run
#: --json`` prints thousands of events a second.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
#: The encoder's own escaping of a string (the C one where there is one).
_STRING = json.encoder.encode_basestring
#: ``to_json``'s line, the keys and their order those of ``to_dict``.
_LINE = (
    '{"ts":"%s","profile_id":%s,"profile_name":%s,"kind":"%s","state":"%s","previous":%s,'
    '"cause":%s,"detector":%s,"latency_ms":%s,"detail":%s,"detection_ms":%s,"address":%s,'
    '"maintenance":%s}'
)


def _name(value: enum.StrEnum | None) -> str:
    return "null" if value is None else f'"{value}"'  # a name: nothing in it to escape


def _number(value: float | None, digits: int) -> str:
    """``value`` rounded as ``to_dict`` rounds it, written as the encoder writes it."""
    if value is None:
        return "null"
    value = round(value, digits)
    return repr(value) if math.isfinite(value) else _ENCODER.encode(value)


_FORMULA = frozenset("=+-@\t\r")
#: How every CSV the program writes ends its lines, the window's exports and the command's
#: tables alike (the window's ended in CRLF, the command's in LF): LF, what shell tools read
#: and what spreadsheets and csv readers take as they take CRLF.
CSV_LINE_END = "\n"


def csv_writer(out: TextIO, fields: Sequence[str]) -> csv.DictWriter[str]:
    """The writer of a CSV table with these columns (its rows through ``csv_cells``)."""
    return csv.DictWriter(out, fieldnames=fields, lineterminator=CSV_LINE_END)


def csv_cells(row: dict[str, Any]) -> dict[str, Any]:
    """A row for a spreadsheet: a text cell that a spreadsheet would run as a formula (``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return first) gets a ``'`` in front, so a hostile
    profile name cannot run anything on the reader's machine; a yes or no is ``true`` or
    ``false``, as the JSON says it (the csv module wrote Python's ``True``, which a script
    comparing with the JSON's, or with ``true``, read as neither)."""
    return {key: _cell(value) for key, value in row.items()}


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "'" + value if isinstance(value, str) and value[:1] in _FORMULA else value


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


_BOOTTIME = getattr(time, "CLOCK_BOOTTIME", None)


def boottime() -> float | None:
    """Seconds on a clock that nobody sets and that counts sleep (Linux's CLOCK_BOOTTIME);
    None where there is none."""
    return None if _BOOTTIME is None else time.clock_gettime(_BOOTTIME)


def steady() -> float:
    """Seconds for the time between two moments of this process, whatever is done to the wall
    clock: ``boottime()`` where there is one (as ``Event.elapsed``), else monotonic."""
    stamp = boottime()
    return time.monotonic() if stamp is None else stamp


def iso_ms(ts: dt.datetime) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``, the command line's contract."""
    if ts.tzinfo is not dt.UTC:
        ts = ts.astimezone(dt.UTC)
    return ts.isoformat(timespec="milliseconds")[:-6] + "Z"


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """A state change or a sample of one profile.

    ``detection_ms`` is set on ``down`` events where it is known: the time from the last good
    sign of the connection to the event. ``address`` is the resolved address that answered or
    failed, when there was one. ``maintenance``: the change came inside one of the profile's
    maintenance windows (``core.maintenance``).
    """

    ts: dt.datetime
    profile_id: str
    profile_name: str
    kind: Kind
    state: State
    previous: State | None
    cause: Cause | None
    detector: str
    latency_ms: float | None
    detail: str = ""
    detection_ms: float | None = None
    address: str | None = None
    #: A state change inside one of the profile's maintenance windows: told to nobody.
    maintenance: bool = False
    #: ``boottime()`` when the state changed, if known: the time since it, in this process,
    #: whatever the wall clock did since (``ts`` may be off it by a step). Neither stored nor
    #: written out.
    elapsed: float | None = dataclasses.field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ts": iso_ms(self.ts),
            "profile_id": self.profile_id,
            "profile_name": self.profile_name,
            "kind": str(self.kind),
            "state": str(self.state),
            "previous": None if self.previous is None else str(self.previous),
            "cause": None if self.cause is None else str(self.cause),
            "detector": self.detector,
            "latency_ms": None if self.latency_ms is None else round(self.latency_ms, 3),
            "detail": self.detail,
            "detection_ms": None if self.detection_ms is None else round(self.detection_ms, 1),
            "address": self.address,
            "maintenance": self.maintenance,
        }

    def to_json(self) -> str:
        """``to_dict`` as one line of JSON, character for character what the encoder makes
        of it (tested), written out directly: ``run --json`` prints one for every check, and
        the dict and the encoder's walk of it took twice as long."""
        return _LINE % (
            iso_ms(self.ts),
            _STRING(self.profile_id),
            _STRING(self.profile_name),
            self.kind,
            self.state,
            _name(self.previous),
            _name(self.cause),
            _STRING(self.detector),
            _number(self.latency_ms, 3),
            _STRING(self.detail),
            _number(self.detection_ms, 1),
            "null" if self.address is None else _STRING(self.address),
            "true" if self.maintenance else "false",
        )

    def to_csv_row(self) -> dict[str, Any]:
        """``to_dict`` for a spreadsheet (``csv_cells``)."""
        return csv_cells(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        ts = dt.datetime.fromisoformat(str(data["ts"]).replace("Z", "+00:00"))
        previous = data.get("previous")
        cause = data.get("cause")
        return cls(
            ts=ts,
            profile_id=str(data["profile_id"]),
            profile_name=str(data["profile_name"]),
            kind=Kind(data["kind"]),
            state=State(data["state"]),
            previous=None if previous is None else State(previous),
            cause=None if cause is None else Cause(cause),
            detector=str(data["detector"]),
            latency_ms=data.get("latency_ms"),
            detail=str(data.get("detail", "")),
            detection_ms=data.get("detection_ms"),
            address=data.get("address"),
            maintenance=data.get("maintenance") is True,
        )


FIELDS = tuple(f.name for f in dataclasses.fields(Event) if f.name != "elapsed")


def condition(state: State, detail: str = "", cause: Cause | None = None) -> Event:
    """A program-level event: this computer's network or power, not any profile's."""
    return Event(
        ts=utc_now(),
        profile_id="",
        profile_name="",
        kind=CONDITION_KINDS[state],
        state=state,
        previous=None,
        cause=cause,
        detector="",
        latency_ms=None,
        detail=detail,
    )
