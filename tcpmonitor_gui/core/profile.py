"""Connection profiles: the model, its defaults and its validation.

A profile is plain data (frozen dataclasses); ``Profile.from_dict`` is the only way in from
a file, a dialog or the command line, and it names the field, the value and the allowed range
of anything it refuses.

Each field's range or length is declared once, on the field itself (``Annotated[int,
Range(1, 100)]``); ``FIELDS`` collects them by dotted path (``detector.interval_s``) for the
validator here, the dialog's number boxes and the command line's option checks, so the three
cannot drift apart.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import socket
import stat
import typing
from collections.abc import Mapping
from typing import Annotated, Any, Literal, cast

from . import maintenance
from . import validate as v
from .actions import Action
from .actions import parse as parse_actions
from .pasted import split_target
from .patterns import PatternError
from .presets import PRESETS, compile_exchange
from .snooze import parse_time, parse_until


@dataclasses.dataclass(frozen=True)
class Range:
    """The numbers a field allows (``integer``: whole numbers only)."""

    lo: float
    hi: float
    integer: bool = False

    def check(self, field: str, value: Any) -> Any:
        if self.integer:
            return v.integer(field, value, int(self.lo), int(self.hi))
        return float(v.number(field, value, self.lo, self.hi))


@dataclasses.dataclass(frozen=True)
class Text:
    """The text a field allows: at most ``max_len`` characters, not blank if ``required``,
    no control characters if ``one_line`` (see ``validate.text``)."""

    max_len: int
    required: bool = False
    one_line: bool = False

    def check(self, field: str, value: Any) -> str:
        return v.text(
            field,
            value,
            max_len=self.max_len,
            allow_empty=not self.required,
            one_line=self.one_line,
        )


Spec = Range | Text
Seconds = Annotated[float, Range(0.1, 86400)]
Count = Annotated[int, Range(1, 100, integer=True)]

DetectorKind = Literal["probe", "heartbeat", "watch"]
DETECTOR_KINDS: tuple[DetectorKind, ...] = ("probe", "heartbeat", "watch")
IP_FAMILIES = ("auto", "ipv4", "ipv6")

#: Defaults that suit each detector. A dropped held connection is news at once, so the
#: persistent detectors go down on the first failure; a probe waits for a second.
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "probe": {"interval_s": 5.0, "timeout_s": 3.0, "fail_after": 2},
    "heartbeat": {"interval_s": 5.0, "timeout_s": 2.0, "fail_after": 1, "preset": "echo"},
    "watch": {"interval_s": 5.0, "timeout_s": 3.0, "fail_after": 1},
}


@dataclasses.dataclass(frozen=True)
class Keepalive:
    idle_s: Annotated[int, Range(1, 32767, integer=True)] = 10
    interval_s: Annotated[int, Range(1, 32767, integer=True)] = 3
    count: Annotated[int, Range(1, 127, integer=True)] = 3

    @property
    def budget_s(self) -> int:
        """Seconds of silence after which keepalive alone gives up on a connection."""
        return self.idle_s + self.interval_s * self.count


@dataclasses.dataclass(frozen=True)
class Detector:
    kind: DetectorKind = "probe"
    interval_s: Seconds = 5.0
    timeout_s: Annotated[float, Range(0.05, 600)] = 3.0
    preset: str | None = None
    send: Annotated[str, Text(4096)] = ""
    expect: Annotated[str, Text(4096)] = ""
    tls: bool = False
    tls_server_name: Annotated[str, Text(253, one_line=True)] = ""
    tls_verify: bool = True
    tls_ca_file: Annotated[str, Text(4096, one_line=True)] = ""
    keepalive: Keepalive = dataclasses.field(default_factory=Keepalive)
    #: None: derived (a little below keepalive's budget); 0: off.
    user_timeout_s: Annotated[float | None, Range(0, 3600)] = None
    max_backoff_s: Annotated[float, Range(1, 3600)] = 60.0

    @property
    def persistent(self) -> bool:
        return self.kind != "probe"

    @property
    def effective_user_timeout_s(self) -> float:
        """TCP_USER_TIMEOUT to set, 0 for none.

        With keepalive on, the user timeout overrides keepalive's probe count, so by default
        it is set a little below idle + interval x count (DESIGN.md, Detectors).
        """
        if self.user_timeout_s is not None:
            return self.user_timeout_s
        return max(1.0, self.keepalive.budget_s - 1.0)


@dataclasses.dataclass(frozen=True)
class Notify:
    on_down: bool = True
    on_up: bool = True


# ``uuid`` is loaded when an id is made (it loads ``platform``): time before the first window
# that profiles read from their file do not need.
def _new_id() -> str:
    import uuid  # noqa: PLC0415

    return uuid.uuid4().hex


def _name_id(name: str) -> str:
    """A stable id for a hand-written profile without one."""
    import uuid  # noqa: PLC0415

    return uuid.uuid5(uuid.NAMESPACE_URL, f"tcpmonitor:{name.casefold()}").hex


@dataclasses.dataclass(frozen=True)
class Profile:
    name: Annotated[str, Text(100, required=True, one_line=True)]
    host: str
    port: Annotated[int, Range(1, 65535, integer=True)]
    id: str = dataclasses.field(default_factory=_new_id)
    group: Annotated[str, Text(100, one_line=True)] = ""
    enabled: bool = True
    notes: Annotated[str, Text(10_000)] = ""
    ip_family: str = "auto"
    detector: Detector = dataclasses.field(default_factory=Detector)
    fail_after: Count = 2
    recover_after: Count = 1
    warn_latency_ms: Annotated[float, Range(0, 600_000)] = 500.0
    notify: Notify = dataclasses.field(default_factory=Notify)
    #: Notices held back until then: "" (not snoozed), "forever", or a UTC time (``snooze``).
    snooze_until: str = ""
    #: When it is expected to be down: windows as written (``core.maintenance``).
    maintenance: tuple[str, ...] = ()
    #: A ``down`` the user has seen: "" or when it was acknowledged (UTC). The window clears
    #: it when the connection is up again (``ui.status.marks``).
    acknowledged: str = ""
    #: Commands run on its changes (``core.actions``).
    actions: tuple[Action, ...] = ()

    @property
    def target(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["maintenance"] = list(self.maintenance)  # as JSON has it
        data["actions"] = [a.to_dict() for a in self.actions]
        return data

    def watched_as(self, other: Profile) -> bool:
        """Whether ``other`` is checked exactly as this (it may differ in name, group, notes,
        notices or snooze): a monitor can take it on without reconnecting."""
        return all(getattr(self, f) == getattr(other, f) for f in _WATCHED_FIELDS)

    def same_target(self, other: Profile) -> bool:
        """Whether ``other`` checks the same target (its state goes on through an edit)."""
        return (self.host, self.port, self.ip_family) == (other.host, other.port, other.ip_family)

    @classmethod
    def from_dict(
        cls, data: Any, *, files: bool = True, left_out: list[str] | None = None
    ) -> Profile:
        """Validate and build; raises ``validate.FieldError`` for the first bad field.
        ``files=False`` leaves out what reads a file (the CA file): the window's GUI thread
        must not wait on a disk, and checks it on a thread of its own. ``left_out``: an
        action a newer version wrote is said there and left out (``actions.parse``)."""
        return _parse_profile(v.mapping("profile", data), files, left_out)

    def worst_case_silent_drop_s(self) -> float:
        """How long a silent drop (cable pulled, peer vanished) can go unnoticed.

        Shown beside the settings in the profile dialog so the user sees what they bought.
        """
        d = self.detector
        if d.kind == "probe":
            return d.interval_s * self.fail_after + d.timeout_s
        if d.kind == "heartbeat":
            per_failure = d.interval_s + d.timeout_s
            return per_failure + (self.fail_after - 1) * d.interval_s
        ka = d.keepalive
        budget = float(ka.budget_s)
        user = d.effective_user_timeout_s
        if user > 0 and hasattr(socket, "TCP_USER_TIMEOUT"):
            # Set, the user timeout alone decides (Linux's tcp_keepalive_timer ignores the
            # probe count then), and is looked at as each probe falls due, after the first.
            probes = max(1, math.ceil((user - ka.idle_s) / ka.interval_s))
            budget = ka.idle_s + probes * ka.interval_s
        return budget + (self.fail_after - 1) * d.interval_s


_PROFILE_KEYS = {f.name for f in dataclasses.fields(Profile)}
#: What decides how a profile is checked (``Profile.watched_as``).
_WATCHED_FIELDS = ("host", "port", "ip_family", "enabled", "detector", "fail_after",
                   "recover_after", "warn_latency_ms")  # fmt: skip
_DETECTOR_KEYS = {f.name for f in dataclasses.fields(Detector)}


def _specs(cls: type, prefix: str = "") -> dict[str, Spec]:
    found: dict[str, Spec] = {}
    for name, hint in typing.get_type_hints(cls, include_extras=True).items():
        path = f"{prefix}{name}"
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            found.update(_specs(hint, f"{path}."))
        for meta in getattr(hint, "__metadata__", ()):
            if isinstance(meta, Range | Text):
                found[path] = meta
    return found


#: Every ranged or length-limited field of a profile, by dotted path.
FIELDS: dict[str, Spec] = _specs(Profile)


def field_range(path: str) -> Range:
    spec = FIELDS[path]
    assert isinstance(spec, Range), f"{path} is not a number"
    return spec


def _check(path: str, value: Any) -> Any:
    return FIELDS[path].check(path, value)


def parse_target(value: str, field: str = "HOST:PORT") -> tuple[str, int]:
    """``host:port``, ``[v6]:port``: the target syntax of the command line; or what the
    profile dialog takes apart where it names a port (``pasted.split_target``: a URL,
    ``host:postgres``), so that both read what was pasted the same."""
    try:
        return _strict_target(value, field)
    except v.FieldError:
        found = split_target(value) if isinstance(value, str) else None
        if found is None:
            raise
        if found[1] is None:  # "[::1]", "mongodb+srv://cluster0.example.net/db"
            v.fail(field, value, "is not HOST:PORT (the port is missing)")
        return found[0], found[1]


def _strict_target(value: str, field: str) -> tuple[str, int]:
    if not isinstance(value, str) or not value:
        v.fail(field, value, "is not HOST:PORT")
    if value.startswith("["):
        end = value.find("]")
        if end < 0 or value[end + 1 : end + 2] != ":":
            v.fail(field, value, "is not [IPv6]:PORT")
        name, port_text = value[1:end], value[end + 2 :]
    else:
        name, sep, port_text = value.rpartition(":")
        if not sep:
            v.fail(field, value, "is not HOST:PORT (the port is missing)")
        if not name:
            v.fail(field, value, "is not HOST:PORT (the host is missing)")
        if ":" in name:
            v.too_many_colons(field, value, name)
    spec = field_range("port")
    allowed = f"(allowed {v.fmt(spec.lo)} to {v.fmt(spec.hi)})"
    if not (port_text.isascii() and port_text.isdigit()):
        v.fail("port", port_text, f"is not a whole number {allowed}")
    if len(port_text.lstrip("0")) > len(str(int(spec.hi))):  # never int() a 5,000-digit port
        v.fail("port", port_text, f"is out of range {allowed}")
    return v.host("host", name), _check("port", int(port_text))


def _parse_profile(data: Mapping[str, Any], files: bool, left_out: list[str] | None) -> Profile:
    v.no_unknown_keys("", data, _PROFILE_KEYS)
    for required in ("name", "host", "port"):
        if required not in data:
            v.fail(required, None, "is missing (it is required)")
    raw_detector = v.mapping("detector", data.get("detector", {}))
    kind = cast(
        DetectorKind, v.choice("detector.kind", raw_detector.get("kind", "probe"), DETECTOR_KINDS)
    )
    defaults = KIND_DEFAULTS[kind]
    detector = _parse_detector(raw_detector, kind, defaults, str(data.get("host", "")), files)
    name = _check("name", data["name"]).strip()
    pid = data.get("id")
    if pid is None:
        # Stable for a hand-written profile without an id, so its history stays together
        # across loads until the file is saved with the id.
        pid = _name_id(name)
    if not isinstance(pid, str) or not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", pid):
        v.fail("id", pid, "is not an id (1 to 64 letters, digits, '-', '_' or '.')")
    raw_notify = v.mapping("notify", data.get("notify", {}))
    v.no_unknown_keys("notify", raw_notify, ("on_down", "on_up"))
    profile = Profile(
        id=pid,
        name=name,
        host=v.host("host", data["host"]),
        port=_check("port", data["port"]),
        group=_check("group", data.get("group", "")).strip(),
        enabled=v.boolean("enabled", data.get("enabled", True)),
        notes=_check("notes", data.get("notes", "")),
        ip_family=v.choice("ip_family", data.get("ip_family", "auto"), IP_FAMILIES),
        detector=detector,
        fail_after=_check("fail_after", data.get("fail_after", defaults["fail_after"])),
        recover_after=_check("recover_after", data.get("recover_after", 1)),
        warn_latency_ms=_check("warn_latency_ms", data.get("warn_latency_ms", 500.0)),
        notify=Notify(
            on_down=v.boolean("notify.on_down", raw_notify.get("on_down", True)),
            on_up=v.boolean("notify.on_up", raw_notify.get("on_up", True)),
        ),
        snooze_until=parse_until("snooze_until", data.get("snooze_until", "")),
        maintenance=maintenance.parse_all("maintenance", data.get("maintenance", ())),
        acknowledged=parse_time("acknowledged", data.get("acknowledged", "")),
        actions=parse_actions("actions", data.get("actions", ()), left_out=left_out),
    )
    if profile.ip_family == "ipv4" and ":" in profile.host:
        v.fail("ip_family", "ipv4", f"does not fit the IPv6 address {profile.host}")
    if profile.ip_family == "ipv6" and re.fullmatch(r"[\d.]+", profile.host):
        v.fail("ip_family", "ipv6", f"does not fit the IPv4 address {profile.host}")
    return profile


def _parse_detector(
    data: Mapping[str, Any],
    kind: DetectorKind,
    defaults: Mapping[str, Any],
    host: str,
    files: bool,
) -> Detector:
    v.no_unknown_keys("detector", data, _DETECTOR_KEYS)
    preset = data.get("preset", defaults.get("preset"))
    if preset is not None:
        v.choice("detector.preset", preset, PRESETS)
    raw_ka = v.mapping("detector.keepalive", data.get("keepalive", {}))
    v.no_unknown_keys("detector.keepalive", raw_ka, ("idle_s", "interval_s", "count"))
    ka_defaults = Keepalive()
    keepalive = Keepalive(
        **{
            key: _check(f"detector.keepalive.{key}", raw_ka.get(key, getattr(ka_defaults, key)))
            for key in ("idle_s", "interval_s", "count")
        }
    )
    user_timeout = data.get("user_timeout_s")
    detector = Detector(
        kind=kind,
        interval_s=_check("detector.interval_s", data.get("interval_s", defaults["interval_s"])),
        timeout_s=_check("detector.timeout_s", data.get("timeout_s", defaults["timeout_s"])),
        preset=preset,
        send=_check("detector.send", data.get("send", "")),
        expect=_check("detector.expect", data.get("expect", "")),
        tls=v.boolean("detector.tls", data.get("tls", False)),
        tls_server_name=_check("detector.tls_server_name", data.get("tls_server_name", ""))
        and v.host("detector.tls_server_name", data["tls_server_name"]),
        tls_verify=v.boolean("detector.tls_verify", data.get("tls_verify", True)),
        tls_ca_file=_check("detector.tls_ca_file", data.get("tls_ca_file", "")),
        keepalive=keepalive,
        user_timeout_s=None
        if user_timeout is None
        else _check("detector.user_timeout_s", user_timeout),
        max_backoff_s=_check("detector.max_backoff_s", data.get("max_backoff_s", 60)),
    )
    _check_exchange(detector, host)
    if files and detector.tls and detector.tls_ca_file:
        problem = ca_file_problem(detector.tls_ca_file)
        if problem is not None:
            v.fail("detector.tls_ca_file", detector.tls_ca_file, problem)
    return detector


#: A CA file is read whole when a check uses it: more than this is not a CA file.
CA_FILE_MAX = 16 << 20


def ca_file_problem(path: str) -> str | None:
    """What is wrong with ``path`` as a file of CA certificates, or None: it must be a
    regular file (a FIFO would block whoever opens it) holding a PEM certificate. Opened
    without waiting, and an empty one never read: ``/proc/kmsg`` is a "regular file" of no
    size whose read waits for the kernel's next message (and takes it from the system log)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "is not a file"  # never opened: opening a device may do something
        with open(os.open(path, flags | getattr(os, "O_CLOEXEC", 0)), "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                return "is not a file"
            if info.st_size > CA_FILE_MAX:
                return f"is too large to be certificates ({info.st_size} bytes)"
            head = f.read(CA_FILE_MAX) if info.st_size else b""
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if b"-----BEGIN CERTIFICATE-----" not in head:
        return "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
    return None


def _check_exchange(d: Detector, host: str) -> None:
    if d.preset == "hex":
        for field, value in (("detector.send", d.send), ("detector.expect", d.expect)):
            try:
                bytes.fromhex(value)
            except ValueError:
                v.fail(field, value, "is not hex bytes (pairs of 0-9a-f, spaces allowed)")
    else:
        try:
            compile_exchange(d.preset, d.send, d.expect, host)
        except PatternError as exc:
            v.fail("detector.expect", d.expect, f"is not a valid regular expression ({exc})")
    if d.kind == "watch":
        for name in ("preset", "send", "expect"):
            if value := getattr(d, name):
                v.fail(f"detector.{name}", value, "does not apply to watch (it sends nothing)")
    if d.kind == "heartbeat":
        exchange = compile_exchange(d.preset, d.send, d.expect, host)
        if exchange.send is None:
            why = "sends nothing, so a heartbeat cannot use it; use probe or watch"
            if d.preset in (None, "custom", "hex"):
                v.fail("detector.send", d.send, "is empty: a heartbeat needs something to send")
            v.fail("detector.preset", d.preset, why)
