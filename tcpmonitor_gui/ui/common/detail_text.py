"""An event's detail (what the core says of a check, a drop, this computer) in the user's
language.

The core is Qt-free and words its details in English, built up in layers: a monitor's reason
around a detector's around the system's ("connection refused (2 of 3 failures)", "peer closed
the connection (FIN) 0.3 s after our request, unanswered"). The Chinese window showed them so
in its table, log, tooltips and notices. As in ``field_problems``: each wording is listed here
once, as the core words it, its values as ``{placeholders}``; a placeholder's name says what it
holds (``detail``: another detail, translated in turn; ``duration``: "0.3 s", "5 min 3 s";
``said``: a peer's own bytes, quoted, kept as they came; names, hosts and numbers as they are).
A detail not listed is shown as the core worded it.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from ...core.events import Cause, State
from .field_problems import filled
from .i18n import QT_TRANSLATE_NOOP, translate
from .labels import cause_text, state_text
from .system_words import WORDS, system_text
from .text import unit_text

if TYPE_CHECKING:
    from ...core.sample import Timings  # not loaded before the first frame (its cost)

CONTEXT = "Detail"

#: The outer layers first: the state machine's count around the monitor's reason around the
#: detector's around a connect's; each matched whole (``$``), the rest of its text inside.
WORDINGS = (
    QT_TRANSLATE_NOOP("Detail", "{detail} ({n} of {m} failures)"),
    QT_TRANSLATE_NOOP("Detail", "{detail}; right after {change}"),
    QT_TRANSLATE_NOOP(
        "Detail", "{detail}; {n} changes before it not stored (the event log could not be written)"
    ),
    QT_TRANSLATE_NOOP("Detail", "{detail}; a new connection: {more}"),
    QT_TRANSLATE_NOOP(
        "Detail",
        "{detail} after {duration} with nothing said, like the one before: likely an idle "
        "timeout, the server's own or on the way (a proxy, load balancer or firewall); a "
        "heartbeat keeps the connection busy",
    ),
    QT_TRANSLATE_NOOP("Detail", "{detail} after {duration}, ending with {said}"),
    QT_TRANSLATE_NOOP("Detail", "{detail} after {duration}, saying {said}"),
    QT_TRANSLATE_NOOP("Detail", "{detail} after {duration}"),
    QT_TRANSLATE_NOOP("Detail", "{detail} {duration} after our request, unanswered"),
    QT_TRANSLATE_NOOP("Detail", "{detail} as our request went out, unanswered"),
    QT_TRANSLATE_NOOP("Detail", "{detail} before our request"),
    # A test ("Test now") asked of an engine not started yet, or stopped (``Engine.test_now``).
    QT_TRANSLATE_NOOP("Detail", "the engine is not running"),
    # A check this computer could not make (``StateMachine._unchecked``, ``core.shortage``).
    QT_TRANSLATE_NOOP("Detail", "could not check: {detail}"),
    QT_TRANSLATE_NOOP("Detail", "{detail}, to look up {host}"),
    QT_TRANSLATE_NOOP("Detail", "{detail}, to read the CA file {file}"),
    QT_TRANSLATE_NOOP("Detail", "this program is out of open files (its limit, ulimit -n: {n})"),
    QT_TRANSLATE_NOOP("Detail", "this program is out of open files"),
    QT_TRANSLATE_NOOP(
        "Detail", "this computer is out of open files (the system's limit, fs.file-max)"
    ),
    QT_TRANSLATE_NOOP("Detail", "this computer is out of memory for connections ({why})"),
    QT_TRANSLATE_NOOP(
        "Detail", "no local port is free to connect from (ip_local_port_range: {ports})"
    ),
    QT_TRANSLATE_NOOP("Detail", "no local port is free to connect from"),
    QT_TRANSLATE_NOOP(
        "Detail", "{detail} (tried {tried}; {n} more not tried after {m} gave no answer)"
    ),
    QT_TRANSLATE_NOOP("Detail", "{detail} (tried {tried})"),
    QT_TRANSLATE_NOOP("Detail", "{detail} (this program's limit, ulimit -n: {n})"),
    QT_TRANSLATE_NOOP(
        "Detail", "this computer's network is up (it went down at least {n} times in {duration})"
    ),
    QT_TRANSLATE_NOOP("Detail", "{detail} (it went down at least {n} times in {duration})"),
    # A check's own words.
    QT_TRANSLATE_NOOP("Detail", "connected to {address} ({timings})"),
    QT_TRANSLATE_NOOP("Detail", "connection refused"),
    QT_TRANSLATE_NOOP("Detail", "connection reset by peer"),
    QT_TRANSLATE_NOOP("Detail", "connection closed by peer"),
    QT_TRANSLATE_NOOP("Detail", "connection closed locally"),
    QT_TRANSLATE_NOOP("Detail", "peer closed the connection (FIN)"),
    QT_TRANSLATE_NOOP("Detail", "peer stopped acknowledging (keepalive/user timeout)"),
    QT_TRANSLATE_NOOP("Detail", "no answer to connect"),
    QT_TRANSLATE_NOOP("Detail", "no answer to connect within {duration}"),
    QT_TRANSLATE_NOOP("Detail", "certificate not trusted: {why}"),
    QT_TRANSLATE_NOOP("Detail", "TLS handshake failed: {why}"),
    QT_TRANSLATE_NOOP("Detail", "no answer within {duration}"),  # (a TLS handshake's)
    QT_TRANSLATE_NOOP("Detail", "TLS: {why}"),
    # What ``core.failure.TLS_REASONS`` says of OpenSSL's codes (``{why}``).
    QT_TRANSLATE_NOOP("Detail", "the peer answered, but not in TLS (a plain-text port?)"),
    QT_TRANSLATE_NOOP("Detail", "the peer closed the connection during the handshake"),
    QT_TRANSLATE_NOOP("Detail", "the peer takes none of the TLS versions offered"),
    QT_TRANSLATE_NOOP("Detail", "the peer refused the handshake (nothing in common)"),
    QT_TRANSLATE_NOOP("Detail", "the peer does not know the server name sent"),
    QT_TRANSLATE_NOOP("Detail", "the peer asks for a client certificate"),
    QT_TRANSLATE_NOOP("Detail", "CA file {file}: {why}"),
    QT_TRANSLATE_NOOP("Detail", "internal error: {why}"),
    QT_TRANSLATE_NOOP("Detail", "{what}: got {said}"),
    QT_TRANSLATE_NOOP("Detail", "{what}: over 64 KiB with no match, starting {said}"),
    QT_TRANSLATE_NOOP("Detail", "{what}: connection ended after {said}"),
    QT_TRANSLATE_NOOP("Detail", "{what}: reply {said} did not match"),
    QT_TRANSLATE_NOOP("Detail", "{what}: incomplete within {duration}, got {said}"),
    QT_TRANSLATE_NOOP("Detail", "{what}: no reply within {duration}"),
    QT_TRANSLATE_NOOP("Detail", "latency {ms} ms over {most} ms"),
    QT_TRANSLATE_NOOP("Detail", "recovered"),
    QT_TRANSLATE_NOOP("Detail", "resumed"),
    QT_TRANSLATE_NOOP("Detail", "paused"),
    QT_TRANSLATE_NOOP("Detail", "connecting"),
    QT_TRANSLATE_NOOP("Detail", "monitoring stopped"),
    QT_TRANSLATE_NOOP("Detail", "target changed"),
    QT_TRANSLATE_NOOP("Detail", "still down after its maintenance window"),
    QT_TRANSLATE_NOOP("Detail", "still down, no longer for this computer's network: {detail}"),
    QT_TRANSLATE_NOOP("Detail", "recorded here from now on: the program that recorded it stopped"),
    QT_TRANSLATE_NOOP(
        "Detail", "{n} changes before it not stored (the event log could not be written)"
    ),
    # The resolver's.
    QT_TRANSLATE_NOOP("Detail", "lookup of {host} got no answer within {duration}"),
    QT_TRANSLATE_NOOP("Detail", "{name} is not an {family} address"),
    QT_TRANSLATE_NOOP("Detail", "{host}: resolver busy ({detail})"),
    QT_TRANSLATE_NOOP("Detail", "{n} lookups wait on names that did not answer before"),
    QT_TRANSLATE_NOOP("Detail", "all {n} lookups are waiting for answers"),
    QT_TRANSLATE_NOOP("Detail", "{host}: no such name ({system})"),
    QT_TRANSLATE_NOOP("Detail", "{host}: no {family} address, or no such name ({system})"),
    QT_TRANSLATE_NOOP("Detail", "{host}: {system}"),
    QT_TRANSLATE_NOOP("Detail", "no network interface {scope} on this computer"),
    # This computer's.
    QT_TRANSLATE_NOOP("Detail", "this computer has no route to {ip}"),
    QT_TRANSLATE_NOOP(
        "Detail", "this computer's route to {ip} goes through {link}, which has no carrier"
    ),
    QT_TRANSLATE_NOOP("Detail", "cut: this computer's address {ip} is gone, right after {change}"),
    QT_TRANSLATE_NOOP("Detail", "cut: this computer's address {ip} is gone"),
    QT_TRANSLATE_NOOP(
        "Detail",
        "cut: this computer's address {ip} is on {link}, which is down, right after {change}",
    ),
    QT_TRANSLATE_NOOP("Detail", "cut: this computer's address {ip} is on {link}, which is down"),
    QT_TRANSLATE_NOOP("Detail", "this computer's network is down (no link is up)"),
    QT_TRANSLATE_NOOP("Detail", "this computer's network is down (no route leaves it)"),
    QT_TRANSLATE_NOOP(
        "Detail",
        "this computer's network is down (only the tunnel {links} is up, with no link out "
        "under it)",
    ),
    QT_TRANSLATE_NOOP("Detail", "this computer's network changed: default route now {routes}"),
    QT_TRANSLATE_NOOP("Detail", "this computer's network changed: default route {routes} gone"),
    QT_TRANSLATE_NOOP("Detail", "this computer's network changed: no default route now"),
    QT_TRANSLATE_NOOP("Detail", "this computer's network changed: {changes}"),
    QT_TRANSLATE_NOOP("Detail", "this computer is going to sleep"),
    QT_TRANSLATE_NOOP("Detail", "this computer woke up after {duration}"),
    QT_TRANSLATE_NOOP("Detail", "this computer slept for {duration} (its clocks say so)"),
    # What the next writer says of a state or a sleep left open (``core.orphans``).
    QT_TRANSLATE_NOOP("Detail", "monitoring ended unexpectedly; this is when it last checked"),
    QT_TRANSLATE_NOOP(
        "Detail", "awake by this boot at the latest (no wake was heard after the last sleep)"
    ),
    QT_TRANSLATE_NOOP(
        "Detail",
        "awake by then at the latest: a program wrote this log (no wake was heard after the "
        "last sleep)",
    ),
    # An action's (``core.actions.Outcome.detail``): the change it ran on, what it is, how
    # it went.
    QT_TRANSLATE_NOOP("Detail", "{on} action {command}: {result}"),
    # Two details, the second said after the first (a local reason before a check's).
    QT_TRANSLATE_NOOP("Detail", "{detail}; {more}"),
)
#: How an action went (``{result}``), as ``core.action_runner`` says it.
RESULTS = (
    QT_TRANSLATE_NOOP("Detail", "{result} (one notice for {n} changes)"),
    # What a service missed, told to it again (``core.untold.AGAIN``).
    QT_TRANSLATE_NOOP("Detail", "{result}, told again (not delivered at first)"),
    QT_TRANSLATE_NOOP("Detail", "exit {n} in {duration}"),
    QT_TRANSLATE_NOOP("Detail", "killed by signal {n} after {duration}"),
    QT_TRANSLATE_NOOP("Detail", "timed out after {duration} (killed)"),
    QT_TRANSLATE_NOOP("Detail", "cannot run: {program}, named in its #! line: {system}"),
    QT_TRANSLATE_NOOP("Detail", "cannot run: {why}"),
    QT_TRANSLATE_NOOP("Detail", "sent in {duration}"),
    QT_TRANSLATE_NOOP("Detail", "sent after all in {duration}, past its timeout"),
    QT_TRANSLATE_NOOP("Detail", "not sent ({duration})"),
    QT_TRANSLATE_NOOP("Detail", "not sent within {duration}"),
    QT_TRANSLATE_NOOP("Detail", "not sent: Apprise cannot be used ({why})"),
    QT_TRANSLATE_NOOP("Detail", "not sent: Apprise failed ({why})"),
    QT_TRANSLATE_NOOP("Detail", "not sent: {n} notices are still being sent, unfinished"),
    QT_TRANSLATE_NOOP("Detail", "not sent: {state} was told {n} s ago (once in {duration})"),
    QT_TRANSLATE_NOOP("Detail", "skipped: {n} actions wait"),
    QT_TRANSLATE_NOOP("Detail", "skipped: {n} actions of this connection wait"),
    QT_TRANSLATE_NOOP(
        "Detail",
        "not run: down when last watched too (before the restart or a pause), not a new drop",
    ),
    QT_TRANSLATE_NOOP(
        "Detail",
        "not run: {state} when last watched too (before the restart or a pause), not a change",
    ),
    # What the command printed, after how it went: its own words.
    QT_TRANSLATE_NOOP("Detail", "{result}: {output}"),
)
#: The parts of "this computer's network changed: ..." (``{changes}``), joined by "; ".
CHANGES = (
    QT_TRANSLATE_NOOP("Detail", "address {addresses} gone (now {now})"),
    QT_TRANSLATE_NOOP("Detail", "address {addresses} gone"),
    QT_TRANSLATE_NOOP("Detail", "addresses {addresses} gone (now {now})"),
    QT_TRANSLATE_NOOP("Detail", "addresses {addresses} gone"),
    QT_TRANSLATE_NOOP("Detail", "new route {routes}"),
    QT_TRANSLATE_NOOP("Detail", "route gone {routes}"),
)
#: What ``{what}`` holds (which answer of the peer's it was) and ``{on}`` (the change an
#: action is for).
PHRASES = (
    QT_TRANSLATE_NOOP("Detail", "reply"),
    QT_TRANSLATE_NOOP("Detail", "greeting"),
    QT_TRANSLATE_NOOP("Detail", "down"),
    QT_TRANSLATE_NOOP("Detail", "up"),
    QT_TRANSLATE_NOOP("Detail", "change"),
)
#: The steps of a check that ``core.sample.Timings`` times, by the name it gives them.
TIMING_NAMES = {
    "dns": QT_TRANSLATE_NOOP("Detail", "DNS"),
    "connect": QT_TRANSLATE_NOOP("Detail", "connect"),
    "tls": QT_TRANSLATE_NOOP("Detail", "TLS"),
    "greeting": QT_TRANSLATE_NOOP("Detail", "greeting"),
    "reply": QT_TRANSLATE_NOOP("Detail", "reply"),
    "rtt": QT_TRANSLATE_NOOP("Detail", "kernel RTT"),
}
#: The tail of a connect's "tried" list past the addresses it names (``core.connect.tried``).
MORE_ADDRESSES = QT_TRANSLATE_NOOP("Detail", "{n} more addresses: {counted}")

_DURATION = r"\d+(?:\.\d+)? (?:ms|s|min|h|d)(?: \d+ (?:s|min|h))?"
#: What each kind of placeholder may hold (any other: any text, as short as fits).
_SHAPES = {
    "n": r"\d+",
    "m": r"\d+",
    "ms": r"[\d.,]+",
    "most": r"[\d.,e+]+",
    "duration": _DURATION,
    "said": r"'.*'",
    "timings": r"[^()]*",
    "what": "reply|greeting",
    "on": "down|up|change",
    "command": r"'.*?'|\".*?\"",
    "state": "|".join(State),
    "system": "|".join(re.escape(w) for w in sorted(WORDS, key=len, reverse=True)),
    "host": r"[^\s;]+",
    "ip": r"[^\s;,]+",
}
#: Placeholders that hold another detail, translated in turn: those of a layer around it
#: must hold one that is known; the others are shown as they are if not.
_LAYERED = {"detail": WORDINGS, "more": WORDINGS, "result": RESULTS}
_NESTED = ("change", "why")


def _pattern(source: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", source)  # text, name, text, name, ..., text
    body = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_SHAPES.get(part, '.+?')})"
        for i, part in enumerate(parts)
    )
    return re.compile(f"{body}$", re.DOTALL)


@functools.cache
def _patterns(sources: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """Each source's pattern, beside the longest text it must contain (a cheap test that
    rules out most sources before their pattern is tried: the log's filter asks this of
    every line)."""
    return tuple(
        (max(re.split(r"\{\w+\}", source), key=len), _pattern(source), source) for source in sources
    )


def _duration(text: str) -> str:
    """The core's "0.3 s", "5 min 3 s", "2 h 10 min", "3 d 4 h" in the user's language."""
    if found := re.fullmatch(r"(\d+) (d|h|min) (\d+) (h|min|s)", text):
        big, small = found[2], found[4]
        if (big, small) in (("h", "min"), ("min", "s")):
            names = ("h", "m") if big == "h" else ("m", "s")
            values = dict(zip(names, (found[1], found[3]), strict=True))
            return unit_text(f"{{{names[0]}}} {big} {{{names[1]}}} {small}", **values)
        return f"{unit_text('{n} ' + big, n=found[1])} {unit_text('{n} ' + small, n=found[3])}"
    if found := re.fullmatch(r"(\d+(?:\.\d+)?) (ms|s|min|h|d)", text):
        return unit_text("{n} " + found[2], n=found[1])
    return text


def _tried(text: str) -> str:
    """ "192.0.2.1:80 refused; 192.0.2.2:80 connect_timeout; 3 more addresses: 3 reset"."""
    causes = "|".join(c.value for c in Cause)
    named = re.sub(rf"(?<= )({causes})(?=;|$|,)", lambda m: cause_text(Cause(m[1])), text)
    if found := re.search(r"(\d+) more addresses: (.*)$", named):
        tail = translate(CONTEXT, MORE_ADDRESSES).format(n=found[1], counted=found[2])
        named = named[: found.start()] + tail
    return named


def timings_text(timings: Timings) -> str:
    """``dns 0.10 ms, connect 0.31 ms`` (``Timings.describe``) in the user's language."""
    return _timings(timings.describe())


def _timings(text: str) -> str:
    def step(found: re.Match[str]) -> str:
        return f"{translate(CONTEXT, TIMING_NAMES[found[1]])} {unit_text('{n} ms', n=found[2])}"

    names = "|".join(TIMING_NAMES)
    return re.sub(rf"\b({names}) ([\d.]+) ms\b", step, text)


def _changes(text: str) -> str:
    return "; ".join(_translated(part, CHANGES) or part for part in text.split("; "))


def _translated(text: str, sources: tuple[str, ...]) -> str | None:
    """``text`` in the user's language; None if it is none of ``sources``, or a layer around a
    detail that is not known (a leaf's words then are not taken for a layer's: "this computer
    woke up after 5 min" is not "{detail} after {duration}")."""
    for needed, known, source in _patterns(sources):
        if needed not in text or (found := known.match(text)) is None:
            continue
        values: dict[str, str] = {}
        for name, value in found.groupdict().items():
            said: str | None = value
            if name == "duration":
                said = _duration(value)
            elif name == "tried":
                said = _tried(value)
            elif name == "timings":
                said = _timings(value)
            elif name == "changes":
                said = _changes(value)
            elif name == "system":
                said = system_text(value)
            elif name == "state":
                said = state_text(State(value))
            elif name in _LAYERED:
                said = _translated(value, _LAYERED[name]) or _system(value)
            elif name in _NESTED:
                said = detail_text(value)
            if said is None:
                break
            values[name] = said
        else:
            return filled(CONTEXT, source, values, PHRASES)
    return None


def _system(text: str) -> str | None:
    return system_text(text) if text in WORDS else None


def detail_text(detail: str) -> str:
    """``detail`` (an event's, as the core words it) in the user's language."""
    language = translate(CONTEXT, "recovered")
    if not detail or language == "recovered":  # English: the core's words as they are
        return detail
    return _cached(detail, language)


#: Details repeat (every retry of a drop says the same); as many as the log holds lines.
@functools.lru_cache(maxsize=16_384)
def _cached(detail: str, language: str) -> str:
    """``language``: a word of the catalogue installed, so that another one (a test's, in
    the same process) is not answered from this one's cache."""
    del language
    return _translated(detail, WORDINGS) or system_text(detail)
