"""A field's problem (``core.validate.FieldError``) in the user's language.

The core is Qt-free and words its problems in English ("is out of range (allowed 1 to
65535)"); the dialogs show them beside a field, where the Chinese window said them in English.
Each problem a dialog's fields can have is listed here once, as the core words it with its
values as ``{placeholders}``: the same text is the pattern that recognises the problem and
the source of its translation (the system's words for why through ``system_words``). One not
listed is shown as the core worded it.
"""

from __future__ import annotations

import functools
import re

from .i18n import QT_TRANSLATE_NOOP, translate
from .system_words import system_text

CONTEXT = "FieldProblem"

PROBLEMS = (
    QT_TRANSLATE_NOOP("FieldProblem", "is empty (it is required)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is missing (it is required)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is out of range (allowed {lo} to {hi})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a number (allowed {lo} to {hi})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a whole number (allowed {lo} to {hi})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not text"),
    QT_TRANSLATE_NOOP("FieldProblem", "is too long ({n} characters, allowed at most {most})"),
    QT_TRANSLATE_NOOP("FieldProblem", "contains a control character ({code})"),
    QT_TRANSLATE_NOOP("FieldProblem", "contains a lone surrogate ({code}), which is not text"),
    QT_TRANSLATE_NOOP(
        "FieldProblem",
        "contains a bidirectional control character ({code}), which makes the text around it "
        'read in another order (in a notice, "up" could read as something else)',
    ),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a host name or IP address"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a valid host name or IP address"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a valid IP address"),
    QT_TRANSLATE_NOOP(
        "FieldProblem", "has a scope that is not a network interface's name or number"
    ),
    QT_TRANSLATE_NOOP("FieldProblem", "does not fit the IPv6 address {host}"),
    QT_TRANSLATE_NOOP("FieldProblem", "does not fit the IPv4 address {host}"),
    # RE2's words and ours (``core.patterns``): before the next, whose pattern fits it too.
    QT_TRANSLATE_NOOP(
        "FieldProblem",
        "is not a valid regular expression ({why}; lookaround and backreferences are not "
        "supported)",
    ),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a valid regular expression ({why})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not hex bytes (pairs of 0-9a-f, spaces allowed)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is empty: a heartbeat needs something to send"),
    QT_TRANSLATE_NOOP(
        "FieldProblem", "sends nothing, so a heartbeat cannot use it; use probe or watch"
    ),
    QT_TRANSLATE_NOOP("FieldProblem", "does not apply to watch (it sends nothing)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a file"),
    QT_TRANSLATE_NOOP("FieldProblem", "cannot be read ({why})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is too large to be certificates ({n} bytes)"),
    QT_TRANSLATE_NOOP("FieldProblem", "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a maintenance window ({examples})"),
    QT_TRANSLATE_NOOP("FieldProblem", "has a date that does not exist"),
    QT_TRANSLATE_NOOP("FieldProblem", "is no time at all (it begins when it ends)"),
    QT_TRANSLATE_NOOP("FieldProblem", "ends before it begins"),
    QT_TRANSLATE_NOOP("FieldProblem", "is longer than {days} days"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a list of maintenance windows ({examples})"),
    QT_TRANSLATE_NOOP(
        "FieldProblem", "names {name}, which is not a time zone (e.g. Europe/Berlin, UTC)"
    ),
    QT_TRANSLATE_NOOP("FieldProblem", "has {time}, which is not a time of day (00:00 to 23:59)"),
    QT_TRANSLATE_NOOP("FieldProblem", "has {part}, which is not a day (Mon..Sun, Mon-Fri, daily)"),
    QT_TRANSLATE_NOOP("FieldProblem", "are more than {most}"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not one of {options}"),
    QT_TRANSLATE_NOOP(
        "FieldProblem", 'is not a list of actions ({"on": "down", "run": ["command"]})'
    ),
    QT_TRANSLATE_NOOP("FieldProblem", 'needs "run" (a command) or "notify" (a notification URL)'),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a number (0.1 to 3600)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a command: a list of 1 to {most} words"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a word (text, up to {most})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a program"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a notification URL (e.g. ntfy://ntfy.sh/topic)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a notification URL Apprise knows (see its wiki)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not true or false"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not an object"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a list"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a known field (known: {known})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a field this version knows; did you mean {close}?"),
)
#: What the core puts in a problem's ``{placeholder}`` in words: said in the user's language
#: too (the other values are numbers, names and the user's own text).
PHRASES = (
    QT_TRANSLATE_NOOP(
        "FieldProblem",
        "e.g. 'Sun 02:00-04:00 Europe/Berlin' or '2026-12-24 18:00 - 2026-12-27 08:00'",
    ),
)
#: A value a message does not show (``validate.HIDDEN``), in place of the value it names.
HIDDEN = QT_TRANSLATE_NOOP("FieldProblem", "(not shown: it may hold a password)")


def pattern(source: str, lead: str = "") -> re.Pattern[str]:
    """What recognises ``source`` as the core words it, its ``{placeholders}`` any text;
    ``lead``: a pattern that comes before it."""
    parts = re.split(r"\{(\w+)\}", source)  # text, name, text, name, ..., text
    body = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(f"{lead}{body}$", re.DOTALL)


def filled(context: str, source: str, values: dict[str, str], phrases: tuple[str, ...]) -> str:
    """``source`` translated, its placeholders filled with ``values`` (those that are one of
    ``phrases`` translated too). Not ``str.format``: a source may hold braces of its own."""

    def value(found: re.Match[str]) -> str:
        text = values.get(found[1])
        if text is None:
            return found[0]
        return translate(context, text) if text in phrases else text

    return re.sub(r"\{(\w+)\}", value, translate(context, source))


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((pattern(source), source) for source in PROBLEMS)


@functools.cache
def _tails() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((pattern(source, r"(?P<_head>.*?: .*? )"), source) for source in PROBLEMS)


def caption_text(caption: str) -> str:
    """A field's caption as a message names it: "&Name:" is "Name", "名称(&N)：" is "名称"."""
    return re.sub(r"\(&\w\)", "", caption).replace("&", "").rstrip(":：").strip()


def problem_text(problem: str) -> str:
    """``problem`` (a ``FieldError``'s words, after its value) in the user's language."""
    for known, source in _patterns():
        if (found := known.match(problem)) is not None:
            values = {key: system_text(text) for key, text in found.groupdict().items()}
            return filled(CONTEXT, source, values, PHRASES)
    return problem


def field_error_text(message: str) -> str:
    """A ``FieldError``'s whole line (``profiles[2].port: 99999 is out of range ...``, after
    a file's name or not) with its problem in the user's language."""
    for known, source in _tails():
        if (found := known.match(message)) is not None:
            values = {key: system_text(text) for key, text in found.groupdict().items()}
            head = values.pop("_head").replace(HIDDEN, translate(CONTEXT, HIDDEN))
            return head + filled(CONTEXT, source, values, PHRASES)
    return message
