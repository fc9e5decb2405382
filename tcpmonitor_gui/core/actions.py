"""Actions on state changes: a command the user chose, run with the event, never in a shell.

A profile's ``actions`` (and the global ones in the settings) are a list of::

    {"on": "down" | "up" | "change", "run": ["/usr/local/bin/restart-tunnel", "db"],
     "timeout_s": 30}

``down``: the connection went down; ``up``: it came back after being down; ``change``: any
change among up, degraded and down (not watching starting, pausing or stopping). A state found
by checks begun afresh (a start, a resume) is a change from what the event log knew before
(``found_again``, ``as_known``). The command gets the event in environment variables
(``TCPMONITOR_PROFILE``, ``_PROFILE_ID``, ``_STATE``, ``_PREVIOUS``, ``_CAUSE``, ``_DETAIL``,
``_TARGET``, ``_DETECTION_MS``, ``_TS``) and as one JSON object on its stdin. Commands run on
a thread and loop of their own, at most ``MAX_RUNNING`` at once and ``MAX_RUNNING_PER_PROFILE``
for one profile (more wait, up to ``MAX_WAITING`` for one profile and ``MAX_WAITING_ALL`` in
all; beyond that one is skipped and said so): a command that hangs is killed with its process
group at its timeout, and none can delay detection. Each run is recorded as an ``action``
event: what ran, its exit code or why it did not finish, how long it took, and the start of
its output. Changes inside a maintenance window run nothing (like notices, they are expected).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
import os
import re
import shlex
import urllib.parse
from collections.abc import Iterator, Sequence
from typing import Any

from . import apprise_log
from . import validate as v
from .events import Event, Kind, State, utc_now

log = logging.getLogger(__name__)

ON = ("down", "up", "change")
TARGET_STATES = (State.UP, State.DEGRADED, State.DOWN)
MAX_ACTIONS = 10
#: The shortest and longest time a command may run before it is killed.
TIMEOUT_RANGE_S = (0.1, 3600.0)
MAX_ARGS = 64
MAX_ARG_LEN = 4096
#: Commands running at once, in all and for one profile (so that one profile whose commands
#: hang cannot hold up another's).
MAX_RUNNING = 8
MAX_RUNNING_PER_PROFILE = 2
#: Actions waiting for their turn, for one profile and in all: past these, one is skipped
#: and said. One profile's commands that hang, its connection flapping, fill its own share;
#: a hundred in all skipped 135 of 250 connections' down actions when a switch dropped them.
MAX_WAITING = 20
MAX_WAITING_ALL = 20_000
#: Output kept for the record (the rest is read and dropped, so the command never blocks).
OUTPUT_KEPT = 1000
#: The same change of a profile is told to a service at most once in this long.
REPEAT_S = 30.0
#: What an action says for a drop found again that was down before too (``ActionRunner``).
NOT_AGAIN = "not run: down when last watched too (before the restart or a pause), not a new drop"
#: What a ``change`` action says for an up or degraded found again as it was when last watched.
NO_CHANGE = "not run: {state} when last watched too (before the restart or a pause), not a change"
#: The states whence checks begun afresh (a start, a resume) find the target's.
AFRESH = (State.CONNECTING, State.UNKNOWN)
#: Changes told to one service are gathered into one notice until this long passes without
#: another, or this long after the first at most (as the desktop's notices are).
GATHER_QUIET_S = 0.5
GATHER_MAX_S = 2.0
#: After SIGTERM at the timeout, this long before SIGKILL.
KILL_GRACE_S = 2.0
#: After a command exits, this long at most for what it wrote to be read: the end of its
#: output is not waited for (a process it started and left running may hold it open).
OUTPUT_AFTER_EXIT_S = 0.2


@dataclasses.dataclass(frozen=True)
class Action:
    """A command to run (``run``) or a notification service to tell (``notify``, an Apprise
    URL): one of the two."""

    on: str
    run: tuple[str, ...] = ()
    timeout_s: float = 30.0
    notify: str = ""

    def to_dict(self) -> dict[str, Any]:
        what: dict[str, Any] = {"notify": self.notify} if self.notify else {"run": list(self.run)}
        return {"on": self.on, **what, "timeout_s": self.timeout_s}

    def shown(self) -> str:
        """What it does, safe to print: a notification URL is cut to its service and host
        (tokens, passwords and headers stay out of logs and terminals)."""
        if self.notify:
            return f"notify {redact(self.notify)}"
        shown = " ".join(self.run)
        return shown if len(shown) <= 120 else shown[:119] + "…"

    def wants(self, event: Event) -> bool:
        if event.kind is not Kind.STATE or event.maintenance:
            return False
        if self.on == "change":  # the target's own states, not watching starting or stopping
            return event.state in TARGET_STATES and event.previous is not event.state
        if self.on == "down":
            return event.state is State.DOWN and event.previous is not State.DOWN
        return event.state in (State.UP, State.DEGRADED) and event.previous is State.DOWN

    def may_want(self, event: Event) -> bool:
        """Whether it runs on ``event``, or may: a state found again (``found_again``) is a
        change, or a recovery (an up action's only way in), by what the event log knew of
        the target before it (``ActionRunner`` asks the log)."""
        if self.wants(event):
            return True
        recovered = self.on == "up" and event.state in (State.UP, State.DEGRADED)
        return recovered and found_again(event) and not event.maintenance


def found_again(event: Event) -> bool:
    """``event`` is the target's state found by checks begun afresh (a start, a resume: after
    connecting): no change seen, but maybe one from what was known before (``as_known``)."""
    return event.kind is Kind.STATE and event.state in TARGET_STATES and event.previous in AFRESH


def as_known(event: Event, before: State | None) -> Event:
    """``event`` (a state found again) as a change from ``before``, the state the event log
    last knew the target in: a drop found again after a recovery while nothing watched,
    a recovery found after a drop, and nothing new after the same state. None: nothing
    known, it stays a first sight."""
    return event if before is None else dataclasses.replace(event, previous=before)


def parse(field: str, value: object, *, left_out: list[str] | None = None) -> tuple[Action, ...]:
    """A stored ``actions`` list, checked; raises ``validate.FieldError`` naming the item.
    ``left_out``: an action a newer version may have written (a trigger or a field this
    version does not know, a value it does not take) is said there and left out, not raised."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        v.fail(field, value, 'is not a list of actions ({"on": "down", "run": ["command"]})')
    if len(value) > MAX_ACTIONS:
        v.fail(field, f"{len(value)} actions", f"are more than {MAX_ACTIONS}")
    actions = []
    for i, item in enumerate(value):
        try:
            actions.append(_parse_one(f"{field}[{i}]", item))
        except v.FieldError as exc:
            if left_out is None:
                raise
            left_out.append(str(exc))
    return tuple(actions)


def _parse_one(where: str, item: object) -> Action:
    """One stored action, checked (``parse``)."""
    data = v.mapping(where, item)
    v.no_unknown_keys(where, data, ("on", "run", "notify", "timeout_s"))
    on = v.choice(f"{where}.on", data.get("on"), ON)
    if ("run" in data) == ("notify" in data):
        v.fail(where, data, 'needs "run" (a command) or "notify" (a notification URL)')
    run: Any = ()
    notify = ""
    if "notify" in data:
        notify = _notify_url(f"{where}.notify", data["notify"])
    else:
        run = _command(f"{where}.run", data["run"])
    timeout = v.number(f"{where}.timeout_s", data.get("timeout_s", 30.0), *TIMEOUT_RANGE_S)
    return Action(on, tuple(run), float(timeout), notify)


def as_line(action: Action) -> str:
    """One action as the profile dialog writes it: ``down: restart-tunnel db``,
    ``up 5s: notify ntfy://ntfy.sh/ops`` (the timeout only when not the default)."""
    timeout = "" if action.timeout_s == 30.0 else f" {action.timeout_s:g}s"
    what = f"notify {action.notify}" if action.notify else shlex.join(action.run)
    return f"{action.on}{timeout}: {what}"


def from_lines(text: str) -> list[dict[str, Any]]:
    """The dialog's lines as the file's ``actions`` (checked afterwards by ``parse``); a line
    that is not ``ON[ TIMEOUTs]: COMMAND|notify URL`` is kept as is, for ``parse`` to name."""
    found: list[dict[str, Any]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        head, sep, rest = line.partition(":")
        words = head.split()
        if not sep or not 1 <= len(words) <= 2 or not rest.strip():
            found.append({"on": line.strip(), "run": []})  # "... is not one of ..." follows
            continue
        item: dict[str, Any] = {"on": words[0]}
        if len(words) == 2:
            seconds = words[1].removesuffix("s")
            try:
                item["timeout_s"] = float(seconds)
            except ValueError:
                item["timeout_s"] = words[1]
        rest = rest.strip()
        if rest.startswith("notify "):
            item["notify"] = rest.removeprefix("notify ").strip()
        else:
            try:
                item["run"] = shlex.split(rest)
            except ValueError:  # an unclosed quote
                item["run"] = [rest, "\0"]  # "... is not a word" follows
        found.append(item)
    return found


def _command(field: str, run: object) -> tuple[str, ...]:
    if not isinstance(run, list | tuple) or not run or len(run) > MAX_ARGS:
        v.fail(field, run, f"is not a command: a list of 1 to {MAX_ARGS} words")
    for arg in run:
        if not isinstance(arg, str) or len(arg) > MAX_ARG_LEN or "\0" in arg:
            v.fail(field, arg, f"is not a word (text, up to {MAX_ARG_LEN})")
    if not run[0].strip():
        v.fail(field, run[0], "is not a program")
    return tuple(run)


def _notify_url(field: str, url: object) -> str:
    """An Apprise URL that Apprise takes (``ntfy://…``, ``mailto://…``, ``json://…``, …)."""
    if not isinstance(url, str) or not url:
        v.fail(field, url, "is not a notification URL (e.g. ntfy://ntfy.sh/topic)")
    # The URL may hold a secret: the messages show its service and host only.
    if len(url) > MAX_ARG_LEN:
        too_long = f"is too long ({len(url)} characters, allowed at most {MAX_ARG_LEN})"
        v.fail(field, redact(url), too_long)
    if (bad := next((c for c in url if not c.isprintable()), None)) is not None:
        v.fail(field, redact(url), f"contains a control character (U+{ord(bad):04X})")
    try:
        import apprise  # noqa: PLC0415 - only where a profile notifies a service

        with apprise_log.quiet():  # it would log the URL it refuses, secret and all
            known = apprise.Apprise().add(url)
    except Exception as exc:  # Apprise missing or broken here: the profile still loads
        log.warning("notification URLs cannot be checked: %s", exc)  # sending will say why
        return url
    if not known:
        v.fail(field, redact(url), "is not a notification URL Apprise knows (see its wiki)")
    return url


@functools.lru_cache(maxsize=256)  # Apprise is asked once a URL (see ``_private``)
def redact(url: str) -> str:
    """``ntfy://ntfy.sh/…``: the service and the host of a notification URL, nothing else.
    Where a URL's host place holds no host name but a secret (Telegram's bot token,
    Pushbullet's access token, Pushover's app token: Apprise masks them) or a topic (ntfy's),
    the service alone: ``tgram://…``."""
    scheme, _, rest = url.partition("://")
    host = _host_of(rest)
    if not _HOST.fullmatch(host) or _name_of(host) != _name_of(_host_of(_private(url))):
        return f"{scheme}://…"
    return f"{scheme}://{host}/…"


#: A host name with a dot (or ``localhost``) or an address, and maybe a port.
_HOST = re.compile(
    r"(?:localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)(?::[0-9]{1,5})?"
)


def _host_of(rest: str) -> str:
    """The host (and port) of a URL, or of what follows its ``scheme://``."""
    place = rest.partition("://")[2] if "://" in rest else rest
    return re.split("[/?#]", place, maxsplit=1)[0].rsplit("@", 1)[-1]


def _name_of(host: str) -> str:
    return re.sub(r":[0-9]{1,5}$", "", host)


def _private(url: str) -> str:
    """The URL as Apprise prints it with its secrets masked ("" when it cannot tell)."""
    try:
        import apprise  # noqa: PLC0415 - only where a profile notifies a service

        with apprise_log.quiet():  # it would log the URL it refuses, secret and all
            service = apprise.Apprise.instantiate(url)
            return str(service.url(privacy=True)) if service else ""  # type: ignore[no-untyped-call]
    except Exception:  # Apprise missing or broken here: nothing is known to be no secret
        return ""


@functools.lru_cache(maxsize=256)
def _secret_words(url: str) -> re.Pattern[str] | None:
    """What of a notification URL ``redact`` leaves out, as a pattern: its user and password,
    path, query values and fragment (where services keep tokens, keys and ntfy's topic), and
    its host where that is no host; as written and as decoded. A long word is found anywhere,
    a short one only standing alone (``ops`` is no part of "stops")."""
    scheme, _, rest = url.partition("://")
    rest, _, fragment = rest.partition("#")
    place, _, query = rest.partition("?")
    shown = _host_of(rest) if redact(url) != f"{scheme}://…" else ""
    words = set(re.split(r"[/@:]+", place)) - {shown, _name_of(shown), shown.rpartition(":")[2]}
    words |= {v for _, v in urllib.parse.parse_qsl(query, keep_blank_values=True)} | {fragment}
    words |= {urllib.parse.unquote(w) for w in words}
    found = [w for w in sorted(words, key=len, reverse=True) if len(w) >= 3]
    if not found:
        return None
    return re.compile(
        "|".join(re.escape(w) if len(w) >= 8 else rf"(?<!\w){re.escape(w)}(?!\w)" for w in found)
    )


def scrub(url: str, text: str) -> str:
    """``text`` (what Apprise said of a send to ``url``) with the URL's secrets cut out:
    "Failed to send ntfy notification to topic '…'"."""
    words = _secret_words(url)
    return text if words is None else words.sub("…", text)


class _Scrub(logging.Filter):
    def __init__(self, url: str) -> None:
        super().__init__()
        self._url = url

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # arguments that do not fit: logging says so, with nothing of ours
            return True
        if (said := scrub(self._url, text)) != text:
            record.msg, record.args = said, ()
        return True


@contextlib.contextmanager
def scrubbed(url: str) -> Iterator[None]:
    """While sending to ``url``: what Apprise logs (to stderr, and the reason a send failed)
    has the URL's secrets cut out (``scrub``)."""
    apprise_log = logging.getLogger("apprise")
    scrubber = _Scrub(url)
    apprise_log.addFilter(scrubber)
    try:
        yield
    finally:
        apprise_log.removeFilter(scrubber)


def environment(event: Event, target: str) -> dict[str, str]:
    e = event.to_dict()
    extra = {
        "TCPMONITOR_PROFILE": event.profile_name,
        "TCPMONITOR_PROFILE_ID": event.profile_id,
        "TCPMONITOR_STATE": str(event.state),
        "TCPMONITOR_PREVIOUS": "" if event.previous is None else str(event.previous),
        "TCPMONITOR_CAUSE": "" if event.cause is None else str(event.cause),
        "TCPMONITOR_DETAIL": event.detail,
        "TCPMONITOR_TARGET": target,
        "TCPMONITOR_DETECTION_MS": "" if e["detection_ms"] is None else str(e["detection_ms"]),
        "TCPMONITOR_TS": e["ts"],
    }
    return {**os.environ, **extra}


def notice_words(event: Event, target: str) -> tuple[str, str]:
    """The title and body a notification service is sent, as the desktop's notices say it."""
    name = event.profile_name
    if event.state is State.DOWN:
        title = f"Connection down: {name}"
    elif event.previous is State.DOWN:
        title = f"Connection back up: {name}"
    else:
        title = f"{name}: {event.state}"
    cause = "" if event.cause is None else f": {event.cause.label}"
    body = f"{name} ({target}) is {event.state}{cause}"
    if event.detail:
        body += f" — {event.detail}"
    if event.detection_ms is not None and event.state is State.DOWN:
        body += f" (noticed {event.detection_ms:.1f} ms after the last good sign)"
    return title, body


def batch_words(items: Sequence[tuple[Event, str]]) -> tuple[str, str]:
    """One notice for several changes gathered together: ``3 connections down: A, B, C``
    and one line each."""
    names = list(dict.fromkeys(e.profile_name for e, _ in items))  # each once, in order
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    states = {e.state for e, _ in items}
    if len(names) == 1:  # one connection, changing again (a blip, a flap)
        title = f"{names[0]}: {len(items)} changes"
    elif states == {State.DOWN}:
        title = f"{len(items)} connections down: {shown}"
    elif all(e.previous is State.DOWN for e, _ in items) and State.DOWN not in states:
        title = f"{len(items)} connections back up: {shown}"
    else:
        title = f"{len(items)} connections changed: {shown}"
    return title, "\n".join(notice_words(e, target)[1] for e, target in items)


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one run went: ``ok`` when the command exited 0."""

    action: Action
    ok: bool
    summary: str  # "exit 0 in 0.2 s", "timed out after 30 s (killed)", "cannot run: ..."
    output: str

    def detail(self) -> str:
        text = f"{self.action.on} action {self.action.shown()!r}: {self.summary}"
        return f"{text}: {self.output}" if self.output else text


def test_event(profile_id: str, name: str, detector: str, on: str = "down") -> Event:
    """The change that ``tcpmonitor actions test`` runs a profile's actions ``on`` for: a
    recovery (``up`` from ``down``) for an up action, a ``down`` for the others."""
    up = on == "up"
    return Event(
        ts=utc_now(),
        profile_id=profile_id,
        profile_name=name,
        kind=Kind.STATE,
        state=State.UP if up else State.DOWN,
        previous=State.DOWN if up else State.UP,
        cause=None,
        detector=detector,
        latency_ms=None,
        detail="a test from 'tcpmonitor actions test'",
    )


def record(event: Event, outcome: Outcome) -> Event:
    """The ``action`` event that says how a run for ``event`` went."""
    return Event(
        ts=utc_now(),
        profile_id=event.profile_id,
        profile_name=event.profile_name,
        kind=Kind.ACTION,
        state=event.state,
        previous=event.previous,
        cause=event.cause,
        detector=event.detector,
        latency_ms=None,
        detail=outcome.detail(),
    )
