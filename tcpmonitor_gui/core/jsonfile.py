"""The small JSON files in the config dir, read and written without ever losing one.

``profiles.json`` and ``settings.json`` follow the same rules (DESIGN.md, Files):

- a write goes to a temporary file beside the target, is fsynced and renamed over it, so a
  crash or a power cut leaves the old file or the new one, never half of each;
- a file that cannot be read is never overwritten: the store turns read-only until the user
  agrees to have it set aside (copied to ``<name>.corrupt-<UTC time>``);
- every error is one line that names the file and says what is wrong with it, because it ends
  up in a dialog or on stderr, not in a traceback;
- each document carries a ``version``; older ones go through a chain of migrations, newer
  ones are refused rather than mangled by a program that does not understand them (and the
  desktop program, which sets a broken file aside to start without it, leaves a newer one
  where it is: ``JsonFileError.newer``).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from . import validate as v
from .atomicfile import atomic_write_text, not_a_file
from .kept_copies import keep_corrupt_copy, keep_older_copy
from .paths import ensure_dir

MAX_BYTES = 16 * 1024 * 1024
_log = logging.getLogger(__name__)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


T = TypeVar("T")
Migration = Callable[[dict[str, Any]], dict[str, Any]]


class JsonFileError(Exception):
    """A JSON file that cannot be used. ``str()`` is the whole message, one line that starts
    with the file's name; ``path`` is where the file is; ``newer``: it may be a newer
    version's (a higher ``version``, or a field this one does not know), not a broken one."""

    def __init__(self, path: str | os.PathLike[str], message: str, *, newer: bool = False) -> None:
        self.path = Path(path)
        self.newer = newer
        super().__init__(message)


class MissingFileError(JsonFileError):
    """The file does not exist: usually not a problem, the caller picks a default."""


def read_json(path: Path, what: str) -> Any:
    """Read and parse ``path``; ``what`` is how messages name the file (usually its name)."""
    try:
        # Non-blocking open: a FIFO in the file's place would otherwise wait for a writer
        # for ever (and with it the thread that reads every file).
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _CLOEXEC)
        with open(fd, "rb") as f:
            info = os.fstat(f.fileno())
            if (kind := not_a_file(info.st_mode)) is not None:
                raise JsonFileError(path, f"{what}: is {kind}, not a file; not read")
            size = info.st_size
            raw = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        if (target := link_into_nowhere(path)) is not None:  # not "no profiles": not read
            raise JsonFileError(
                path, f"{what}: is a link into a folder that does not exist ({target}); not read"
            ) from None
        raise MissingFileError(path, f"{what}: does not exist") from None
    except OSError as exc:
        raise JsonFileError(path, f"{what}: cannot be read ({exc.strerror or exc})") from None
    return parse_bytes(raw, path, what, size)


def link_into_nowhere(path: Path) -> str | None:
    """Where a link at ``path`` leads when its folder is missing (a drive not mounted, a
    dotfiles checkout moved), else None. Its file is somewhere, just not here: read as
    missing, it said "no profiles", and the command line refused to run them."""
    if not os.path.islink(path):
        return None
    target = os.path.realpath(path)
    return None if os.path.isdir(os.path.dirname(target)) else target


def parse_bytes(raw: bytes, path: Path, what: str, size: int = 0) -> Any:
    """``read_json`` of what was read already (``size``: the file's, if known), as from a
    pipe: at most ``MAX_BYTES + 1`` bytes of it."""
    if len(raw) > MAX_BYTES:
        # Only MAX_BYTES + 1 of a pipe are read: its size is unknown, not 16.0 MiB.
        mib = size / (1024 * 1024)
        shown = f"{mib:.1f} MiB" if mib >= 16.05 else f"{size:,} bytes" if size else "over 16 MiB"
        raise JsonFileError(path, f"{what}: too large ({shown}, at most 16 MiB); not loaded")
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM some Windows editors add
    except UnicodeDecodeError as exc:
        problem = f"byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        raise JsonFileError(path, f"{what}: not UTF-8 text ({problem})") from None
    try:
        return json.loads(text, parse_int=_int, object_pairs_hook=_unique_keys)
    except _HugeNumber as exc:
        raise JsonFileError(
            path, f"{what}: holds a number of {exc.digits} digits; not loaded"
        ) from None
    except _DuplicateKey as exc:
        raise JsonFileError(path, f"{what}: {exc}; not loaded") from None
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        raise JsonFileError(path, f"{what}: not valid JSON ({where})") from None
    except RecursionError:
        raise JsonFileError(path, f"{what}: not usable JSON (nested too deeply)") from None


class _HugeNumber(ValueError):
    def __init__(self, digits: int) -> None:
        super().__init__(digits)
        self.digits = digits


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key appears twice: JSON would keep the last one, so a
    second "port" typed in by hand would silently win over the first."""
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            name = obj.get("name")
            where = f" (the one with name {name!r})" if isinstance(name, str) else ""
            raise _DuplicateKey(f"the key {key!r} appears twice in one object{where}")
        seen.add(key)
    raise AssertionError("unreachable: dict() dropped a key that no pair repeats")


def _int(text: str) -> int:
    """JSON integers; beyond what Python converts (4,300 digits) a message names the problem,
    below it the field's own range check does, with its position."""
    digits = len(text.lstrip("-"))
    if digits > 4300:
        raise _HugeNumber(digits)
    return int(text)


def dumps(document: Mapping[str, Any]) -> str:
    """The text we write: readable in an editor, diffable, non-ASCII kept as typed."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def file_text(document: Mapping[str, Any], what: str) -> str:
    """The text of a file that ``read_json`` must read back: ``dumps``, or compact (one line)
    when indented it would pass ``MAX_BYTES`` (indenting tens of thousands of profiles makes
    the file ten times larger). Beyond the limit even compact, ``JsonFileError``: a file the
    next read refuses would lock the user out of it."""
    text = dumps(document)
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        text += "\n"
        size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        mib, most = size / (1024 * 1024), MAX_BYTES / (1024 * 1024)
        raise JsonFileError(
            what, f"{what} would be {mib:.1f} MiB, more than the {most:g} MiB that can be read back"
        )
    return text


def document_version(
    doc: Mapping[str, Any], source: str, current: int, error: type[JsonFileError]
) -> int:
    """The ``version`` of a document, refusing one this program cannot understand."""
    if "version" not in doc:
        raise error(source, f'{source}: has no "version" field (this program writes {current})')
    value = doc["version"]
    whole = isinstance(value, float) and value.is_integer()
    if not (whole or (isinstance(value, int) and not isinstance(value, bool))) or value < 1:
        raise error(
            source, f"{source}: version {v.show(value)} is not a whole number of at least 1"
        )
    if value > current:
        raise error(
            source,
            f"{source}: version {int(value)} is newer than this program understands "
            f"(at most {current}); upgrade TCP Monitor",
            newer=True,
        )
    return int(value)


def upgrade(
    doc: dict[str, Any], version: int, current: int, migrations: Mapping[int, Migration]
) -> dict[str, Any]:
    """Apply the migrations ``version -> version + 1 -> ... -> current`` in order."""
    for n in range(version, current):
        doc = migrations[n](doc)
        if doc.get("version") != n + 1:
            raise AssertionError(f"migration from version {n} did not produce version {n + 1}")
    return doc


class Unread(NamedTuple):
    """What a partial read left out (``JsonStore._parse_partly``): a field this version
    does not know or whose value it does not take, or (``item``) a whole item of a list,
    such as a profile. ``field``: the field's path, where one field was left out."""

    item: bool
    message: str  # the field and its problem: "profiles[1].detector.kind: 'quic' is not ..."
    field: str = ""


class JsonStore(Generic[T]):
    """One versioned JSON document, guarded so that what could not be read is never lost.

    Subclasses say how to parse (``_parse``, raising their ``error`` class) and what a missing
    file means (``_default``). After a failed load the store is read-only: ``_write`` refuses
    until ``quarantine`` has kept a copy of the bad file or a later read succeeds (each write
    reads it again first: the user may have fixed it, or moved it away). A store that was never
    loaded checks the file before its first write, for the same reason.
    """

    error: ClassVar[type[JsonFileError]] = JsonFileError
    #: The version this program writes.
    current: ClassVar[int] = 1

    def __init__(self, path: Path) -> None:
        self.path = path
        self._unreadable: JsonFileError | None = None
        self._checked = False
        self._set_aside: tuple[int, int, int] | None = None  # the bad file we kept a copy of
        #: The file last read, when it is of an older version: (its version, which file).
        self._older: tuple[int, tuple[int, int, int] | None] | None = None
        self._partial = False  # read what can be read (``_load``)
        #: What the last read left out (a partial read); while there is any the store is
        #: read-only, as after a failed load.
        self.unread: list[Unread] = []

    @property
    def read_only(self) -> bool:
        """True while the file on disk could not be read and has not been set aside."""
        return self._unreadable is not None

    def _parse(self, data: Any, source: str) -> T:
        raise NotImplementedError

    def _parse_partly(self, data: Any, source: str, unread: list[Unread]) -> T:
        """``_parse``, but what a newer version may have written is left out and said in
        ``unread`` instead of raised; the rest is read as ``_parse`` reads it.

        That is every field this version cannot take in a document of a version it knows
        (``validate.FieldError``: a field or a name it does not know, a value out of its
        range or of another type): at this same format version a newer program adds fields
        and widens what they take, and a typo cannot be told from that for sure, so neither
        is a broken file to set aside and write over. Only a file that is not such a document
        (not UTF-8 or JSON, a key twice, no ``version``) is certainly broken."""
        raise NotImplementedError

    def _unread_message(self, unread: Sequence[Unread]) -> str:
        """One line, naming the file, for what a partial read left out."""
        first = unread[0].message
        more = f" (and {len(unread) - 1} more this version cannot read)" if len(unread) > 1 else ""
        return f"{self.path.name}: {first}{more}"

    def _default(self) -> T:
        raise NotImplementedError

    def _read(self) -> T:
        """The file's value (``_default`` for none). Read partly (``_parse_partly``) once a
        ``load`` asked for it: what was left out is in ``unread``, and the store is read-only
        as after a failed read (a write would lose it), the file said a newer version's."""
        name = self.path.name
        self._older = None
        self.unread = []
        try:
            data = read_json(self.path, name)
            if self._partial:
                unread: list[Unread] = []
                value = self._parse_partly(data, name, unread)
                self.unread = unread
            else:
                value = self._parse(data, name)
        except MissingFileError:
            value = self._default()
        except JsonFileError as exc:
            self._unreadable = self.error(self.path, str(exc), newer=exc.newer)
            self._checked = True
            raise self._unreadable from exc
        else:
            if (version := _older_version(data, self.current)) is not None:
                self._older = version, _signature(self.path)
        self._unreadable = None
        if self.unread:
            self._unreadable = self.error(self.path, self.unread_error, newer=True)
        self._checked = True
        return value

    def _load(self, partial: bool) -> T:
        self._partial = partial
        return self._read()

    def _current(self) -> T:
        """The file as it is now, read as the last ``load`` read it, for a write that merges
        with it; a file that cannot be read refuses the write ("not saved: ...")."""
        try:
            return self._load(self._partial)
        except JsonFileError as exc:
            raise self.error(
                self.path,
                f"not saved: {self.path.name} could not be read and is left as it is "
                f"({exc}); fix it or move it away",
            ) from exc

    @property
    def unread_error(self) -> str:
        """What the last read left out (``unread``), in one line; "" for nothing."""
        return self._unread_message(self.unread) if self.unread else ""

    def _write(self, document: Mapping[str, Any]) -> None:
        name = self.path.name
        if not self._checked or self._unreadable is not None:
            # Read again: a file fixed or moved away since is no longer one to keep.
            with contextlib.suppress(JsonFileError):
                self._read()
        if self._unreadable is not None and self.unread:  # read, but not all of it
            raise self.error(
                self.path,
                f"not saved: {name} is left as it is ({self._unreadable}); use the version "
                "that wrote it, correct the file, or move it away",
            )
        if self._unreadable is not None:
            raise self.error(
                self.path,
                f"not saved: {name} could not be read and is left as it is "
                f"({self._unreadable}); fix it or move it away",
            )
        try:  # never write a file that the next start could not read back
            text = file_text(document, name)
            self._parse(json.loads(text), name)
        except (ValueError, TypeError) as exc:  # NaN, or something JSON cannot hold
            raise self.error(self.path, f"not saved: {name}: {exc}") from exc
        except JsonFileError as exc:
            raise self.error(self.path, f"not saved: {exc}") from exc
        kept = self._keep_older()
        try:
            ensure_dir(self.path.parent)
            atomic_write_text(self.path, text)
        except OSError as exc:
            raise self.error(
                self.path, f"not saved: {name} could not be written ({exc.strerror or exc})"
            ) from exc
        if kept is not None:  # said once: the file on disk is of this version from now on
            version, copy = kept
            _log.warning(
                "%s: brought up from version %d to %d (an older TCP Monitor can no longer "
                "read it); %s",
                name, version, self.current, copy,
            )  # fmt: skip

    def _keep_older(self) -> tuple[int, str] | None:
        """Before the first write over a file of an older version: a copy of it as it was
        (``keep_older_copy``), and what became of it, in words."""
        older, self._older = self._older, None
        if older is None or older[1] != _signature(self.path):  # (replaced since it was read)
            return None
        version, name = older[0], f"{self.path.name}.v{older[0]}.bak"
        try:
            copy = keep_older_copy(self.path, version)
        except OSError as exc:
            return version, f"no copy of it as it was could be kept ({exc.strerror or exc})"
        if copy is None:
            return version, f"{name} is there already and left as it is"
        return version, f"the file as it was is kept as {name}"

    def quarantine(self) -> Path:
        """Keep a copy of the file on disk as ``<name>.corrupt-<time>`` and allow saving again.

        Returns the copy's path so that the user can be told where it is. If no copy can be
        made the store stays read-only: the original is then the only copy there is.
        """
        try:
            copy = keep_corrupt_copy(self.path)
        except OSError as exc:
            raise self.error(
                self.path,
                f"{self.path.name}: no copy could be kept ({exc.strerror or exc}); left as it is",
            ) from exc
        self._unreadable = None
        self._checked = True
        self._set_aside = _signature(self.path)
        return copy

    def set_aside_unchanged(self) -> bool:
        """Whether the file on disk is still the unreadable one ``quarantine`` kept a copy
        of (ours to replace, not to read again)."""
        return self._set_aside is not None and self._set_aside == _signature(self.path)


def _older_version(data: Any, current: int) -> int | None:
    """The version of a document read, when older than ``current`` (a bare list: 0)."""
    if isinstance(data, list):
        return 0
    version = data.get("version") if isinstance(data, Mapping) else None
    if isinstance(version, int | float) and not isinstance(version, bool) and version < current:
        return int(version)
    return None


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from another without reading it."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns
