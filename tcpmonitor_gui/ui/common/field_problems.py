"""A field's problem (``core.validate.FieldError``) in the user's language.

The core is Qt-free and words its problems in English ("is out of range (allowed 1 to
65535)"); the dialogs show them beside a field, where the Chinese window said them in English.
Each problem a dialog's fields can have is listed here once, as the core words it with its
values as ``{placeholders}``: the same text is the pattern that recognises the problem and
the source of its translation. One not listed is shown as the core worded it.
"""

from __future__ import annotations

import functools
import re

from .i18n import QT_TRANSLATE_NOOP, translate

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
    QT_TRANSLATE_NOOP("FieldProblem", "is not a valid regular expression ({why})"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not hex bytes (pairs of 0-9a-f, spaces allowed)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is empty: a heartbeat needs something to send"),
    QT_TRANSLATE_NOOP(
        "FieldProblem", "sends nothing, so a heartbeat cannot use it; use probe or watch"
    ),
    QT_TRANSLATE_NOOP("FieldProblem", "does not apply to watch (it sends nothing)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a file"),
    QT_TRANSLATE_NOOP("FieldProblem", "is too large to be certificates ({n} bytes)"),
    QT_TRANSLATE_NOOP("FieldProblem", "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"),
    QT_TRANSLATE_NOOP("FieldProblem", "is not a maintenance window ({examples})"),
    QT_TRANSLATE_NOOP("FieldProblem", "has a date that does not exist"),
    QT_TRANSLATE_NOOP("FieldProblem", "is no time at all (it begins when it ends)"),
    QT_TRANSLATE_NOOP("FieldProblem", "ends before it begins"),
)


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    def pattern(source: str) -> re.Pattern[str]:
        parts = re.split(r"\{(\w+)\}", source)  # text, name, text, name, ..., text
        body = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        return re.compile(f"{body}$", re.DOTALL)

    return tuple((pattern(source), source) for source in PROBLEMS)


def caption_text(caption: str) -> str:
    """A field's caption as a message names it: "&Name:" is "Name", "名称(&N)：" is "名称"."""
    return re.sub(r"\(&\w\)", "", caption).replace("&", "").rstrip(":：").strip()


def problem_text(problem: str) -> str:
    """``problem`` (a ``FieldError``'s words, after its value) in the user's language."""
    for pattern, source in _patterns():
        if (found := pattern.match(problem)) is not None:
            return translate(CONTEXT, source).format(**found.groupdict())
    return problem
