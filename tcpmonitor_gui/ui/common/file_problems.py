"""What the core says of a file it cannot use (``core.jsonfile``, the event log's
``core.eventdb`` and ``core.eventwriter``), in the user's language.

The core words a file's problem in English, one line that starts with the file's name
("profiles.json: is a named pipe (FIFO), not a file; not read"), and the window showed it so
in its banner in Chinese too. As in ``field_problems``: each message is listed once as the
core words it, its values as ``{placeholders}``; one not listed, or a field's problem inside
a file (``profiles[2].port: ...``, see ``field_problems.field_error_text``), is said with
what is known of it translated and the rest as worded. The system's and SQLite's own words
for an error ("Permission denied", "database or disk is full") are said as ``system_words``
says them; Python's for bad JSON ("Expecting value") stay as they are.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from .field_problems import field_error_text, filled, pattern
from .i18n import QT_TRANSLATE_NOOP
from .system_words import system_text
from .text import error_text

CONTEXT = "FileProblem"

MESSAGES = (
    # The event log's (``core.eventdb``, ``core.eventwriter``), outer layer first.
    QT_TRANSLATE_NOOP("FileProblem", "{error}; events wait in memory"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: is {kind}, not a file; the event log was not opened"),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: is not a folder (a file is there); the event log was not opened",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: is a link into a folder that does not exist ({target}); the event log was not "
        "opened",
    ),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: cannot be opened ({why})"),
    QT_TRANSLATE_NOOP(
        "FileProblem", "{what}: cannot be used as the event log ({why}); it was left as it is"
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: schema version {version} is newer than this program understands (at most "
        "{current}); upgrade TCP Monitor (the log as it was before is kept as {copy})",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: schema version {version} is newer than this program understands (at most "
        "{current}); upgrade TCP Monitor",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: holds another program's tables, not an event log; it was left as it is",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: events not written yet (another program holds the writers' lock; they wait "
        "for it)",
    ),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: events not written ({why})"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: {why}; a new event log is started there"),
    QT_TRANSLATE_NOOP("FileProblem", "{why}; the disk is full"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: is {kind}, not a file; not read"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: does not exist"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: cannot be read ({why})"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: too large ({size} MiB, at most 16 MiB); not loaded"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: not UTF-8 text (byte {byte} at offset {offset})"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: holds a number of {digits} digits; not loaded"),
    QT_TRANSLATE_NOOP(
        "FileProblem", "{what}: not valid JSON (line {line}, column {column}: {why})"
    ),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: not usable JSON (nested too deeply)"),
    QT_TRANSLATE_NOOP(
        "FileProblem", '{what}: has no "version" field (this program writes {current})'
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem", "{what}: version {version} is not a whole number of at least 1"
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: version {version} is newer than this program understands (at most {current}); "
        "upgrade TCP Monitor",
    ),
    QT_TRANSLATE_NOOP("FileProblem", "{what} (and {more} more this version cannot read)"),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: 1 connection is left out: this version cannot read it ({why})",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: {count} connections are left out: this version cannot read them ({why}; "
        "and {more} more)",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: is neither a profile document ({example}) nor a list of profiles (it is {value})",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what}: {field}: {value} is also the name of {other} ({first}; names must differ, "
        "ignoring case, how accents are typed and invisible characters)",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem", "{what}: {field}: {value} is also the id of {other} (ids must be unique)"
    ),
    # The same, of a connection left out for it (read in part: ``{why}`` above).
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{field}: {value} is also the name of {other} ({first}; names must differ, ignoring "
        "case, how accents are typed and invisible characters)",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem", "{field}: {value} is also the id of {other} (ids must be unique)"
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "not saved: {name} could not be read and is left as it is ({why}); fix it or move it away",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "not saved: {name} is left as it is ({why}); use the version that wrote it, correct "
        "the file, or move it away",
    ),
    QT_TRANSLATE_NOOP("FileProblem", "not saved: {name} could not be written ({why})"),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: no copy could be kept ({why}); left as it is"),
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "{what} would be {size} MiB, more than the {most} MiB that can be read back",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem", "{folder} is not a folder (a file, or a broken link, is there)"
    ),
    QT_TRANSLATE_NOOP("FileProblem", "{what}: is not a JSON object ({value})"),
    QT_TRANSLATE_NOOP("FileProblem", "id {id} is already the id of {name}"),
    QT_TRANSLATE_NOOP("FileProblem", "name {name} is already taken by another profile ({other})"),
    QT_TRANSLATE_NOOP("FileProblem", "not saved: {name}: {why}"),
    # A query of a log that could not be opened (``core.session.usable_eventlog``).
    QT_TRANSLATE_NOOP("FileProblem", "the event log cannot be used: {why}"),
    # An export onto one of the program's own files (``core.outputs.refuse_own``).
    QT_TRANSLATE_NOOP(
        "FileProblem",
        "is TCP Monitor's own {name} ({file}); nothing written, choose another file",
    ),
    QT_TRANSLATE_NOOP(
        "FileProblem", "is TCP Monitor's own {name}; nothing written, choose another file"
    ),
    # An export onto what is not a file (``core.atomicfile.writable_target``).
    QT_TRANSLATE_NOOP("FileProblem", "is {kind}, not a file; nothing written"),
    # The login entry's (``integration.autostart``).
    QT_TRANSLATE_NOOP("FileProblem", "could not write {what}: {why}"),
    QT_TRANSLATE_NOOP("FileProblem", "could not remove {what}: {why}"),
)
#: The kinds of files that are not one (``core.atomicfile.KINDS``), said in a message.
PHRASES = (
    QT_TRANSLATE_NOOP("FileProblem", "a named pipe (FIFO)"),
    QT_TRANSLATE_NOOP("FileProblem", "a directory"),
    QT_TRANSLATE_NOOP("FileProblem", "a character device"),
    QT_TRANSLATE_NOOP("FileProblem", "a block device"),
    QT_TRANSLATE_NOOP("FileProblem", "a socket"),
    QT_TRANSLATE_NOOP("FileProblem", "not a regular file"),
    # Why the event log started anew (``{why}``).
    QT_TRANSLATE_NOOP("FileProblem", "was deleted while in use"),
    QT_TRANSLATE_NOOP("FileProblem", "was replaced by another file while in use"),
    QT_TRANSLATE_NOOP("FileProblem", "it is not open"),  # (the event log's, not known why)
)


@functools.cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((pattern(source), source) for source in MESSAGES)


def not_written_text(path: Path, exc: BaseException) -> str:
    """Why an export to ``path`` (a report, the log's CSV, the connections) failed, in the
    user's language: "{path}: is TCP Monitor's own profiles.json; ..." was English."""
    return f"{path}: {file_problem_text(error_text(exc))}"


def file_problem_text(message: str) -> str:
    """``message`` (a file's problem as the core words it) in the user's language."""
    for known, source in _patterns():
        if (found := known.match(message)) is not None:
            values = {key: file_problem_text(text) for key, text in found.groupdict().items()}
            return filled(CONTEXT, source, values, PHRASES)
    return system_text(field_error_text(message))
