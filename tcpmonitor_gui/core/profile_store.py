"""``profiles.json``: the user's connection profiles on disk.

The document format (DESIGN.md, Files) is ``{"version": 1, "profiles": [...]}``.
``parse_document`` and ``dump_document`` are the only translation between that format and
``Profile`` objects, so the GUI's store and the command line's ``profiles import``/``export``
accept and produce exactly the same files, with the same messages.

An error names the file and, for a bad profile, its position and field
(``profiles.json: profiles[2].detector.interval_s: 0 is out of range (allowed 0.1 to 86400)``)
so that a user with a text editor can go straight to it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import validate as v
from .filelock import LockTimeout, locked
from .jsonfile import (
    JsonFileError,
    JsonStore,
    Unread,
    document_version,
    link_into_nowhere,
    upgrade,
)
from .paths import ensure_dir
from .profile import Profile
from .profile_merge import merge

FILE_NAME = "profiles.json"
CURRENT_VERSION = 1


class ProfileFileError(JsonFileError):
    """A profile file that cannot be used; ``str()`` is one line naming the file."""


def _v0_to_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 0 was a bare list of profile objects; it is wrapped as ``{"profiles": [...]}``."""
    return {"version": 1, "profiles": doc["profiles"]}


#: ``MIGRATIONS[n]`` turns a version ``n`` document into version ``n + 1``.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {0: _v0_to_v1}


def parse_document(data: Any, source: str, *, unread: list[Unread] | None = None) -> list[Profile]:
    """Validate a parsed profile document of any known version; ``source`` names it in errors.

    Raises ``ProfileFileError`` for the first problem found: a version this program does not
    understand, a bad field (with its position), or two profiles with the same id or name.
    ``unread``: a partial read, for the programs that monitor what they are given (``run``,
    the window): a profile a newer version may have written (a field this version does not
    know or whose value it does not take, ``JsonStore._parse_partly``; a name another one
    has) is left out and said there, not raised, so that one connection added by a newer
    version does not stop the monitoring of all the others.
    """
    if isinstance(data, list):
        doc: dict[str, Any] = {"version": 0, "profiles": data}
        version = 0
    elif isinstance(data, Mapping):
        doc = dict(data)
        version = document_version(doc, source, CURRENT_VERSION, ProfileFileError)
    else:
        raise ProfileFileError(
            source,
            f'{source}: is neither a profile document ({{"version": {CURRENT_VERSION}, '
            f'"profiles": [...]}}) nor a list of profiles (it is {v.show(data)})',
        )
    doc = upgrade(doc, version, CURRENT_VERSION, MIGRATIONS)
    try:
        _known_fields(doc, unread)
        if "profiles" not in doc:
            v.fail("profiles", None, "is missing (it is required)")
        items = doc["profiles"]
        if not isinstance(items, list):
            v.fail("profiles", items, "is not a list")
        profiles: list[tuple[int, Profile]] = []  # (where in the file, what it holds)
        for i, item in enumerate(items):
            try:
                profiles.append((i, _parse_one(i, item, source, unread)))
            except v.FieldError as exc:
                if unread is None:
                    raise
                unread.append(Unread(item=True, message=str(exc)))
    except v.FieldError as exc:
        newer = isinstance(exc, v.UnknownField)  # a field or a name; or a typo: not ours
        raise ProfileFileError(source, f"{source}: {exc}", newer=newer) from exc
    return _unique(profiles, source, unread)


def _known_fields(doc: Mapping[str, Any], unread: list[Unread] | None) -> None:
    try:
        v.no_unknown_keys("", doc, ("version", "profiles"))
    except v.UnknownField as exc:
        if unread is None:
            raise
        unread.append(Unread(item=False, message=str(exc)))


def unread_message(source: str, unread: Sequence[Unread]) -> str:
    """One line for what a partial read left out (``parse_document``), naming the file;
    "" for nothing."""
    if not unread:
        return ""
    profiles = [u.message for u in unread if u.item]
    fields = [u.message for u in unread if not u.item]  # the document's, or an action
    if not profiles:
        line = f"{source}: {fields.pop(0)}"
    elif len(profiles) == 1:
        line = f"{source}: 1 connection is left out: this version cannot read it ({profiles[0]})"
    else:
        line = (
            f"{source}: {len(profiles)} connections are left out: this version cannot read "
            f"them ({profiles[0]}; and {len(profiles) - 1} more)"
        )
    return f"{line} (and {len(fields)} more this version cannot read)" if fields else line


def _parse_one(index: int, item: Any, source: str, unread: list[Unread] | None) -> Profile:
    where = f"profiles[{index}]"
    v.mapping(where, item)
    left_out: list[str] | None = None if unread is None else []
    try:
        profile = Profile.from_dict(item, left_out=left_out)
    except v.FieldError as exc:
        raise exc.under(where) from None
    except (ValueError, TypeError, OverflowError) as exc:
        # Not expected from Profile.from_dict, but a hand-edited file must give a message,
        # never a traceback (a 400-digit port overflows float(), for one).
        raise ProfileFileError(source, f"{source}: {where}: cannot be read ({exc})") from None
    if unread is not None and left_out:  # monitored, without the actions it cannot read
        unread.extend(Unread(item=False, message=f"{where}.{m}") for m in left_out)
    return profile


def _unique(
    profiles: Sequence[tuple[int, Profile]], source: str, unread: list[Unread] | None
) -> list[Profile]:
    """The profiles (each with its index in the file), refused (``ProfileFileError``) for a
    name or an id two of them have; ``unread``: the later one left out and said there."""
    ids: dict[str, int] = {}
    names: dict[str, tuple[int, str]] = {}
    kept: list[Profile] = []
    for i, p in profiles:
        key = v.name_key(p.name)
        if key in names:
            at, first = names[key]
            problem = (
                f"profiles[{i}].name: {v.show(p.name)} is also the name of profiles[{at}] "
                f"({v.show(first)}; names must differ, ignoring case, how accents are typed "
                "and invisible characters)"
            )
        elif p.id in ids:
            problem = (
                f"profiles[{i}].id: {v.show(p.id)} is also the id of profiles[{ids[p.id]}] "
                "(ids must be unique)"
            )
        else:
            ids[p.id] = i
            names[key] = i, p.name
            kept.append(p)
            continue
        if unread is None:
            raise ProfileFileError(source, f"{source}: {problem}")
        unread.append(Unread(item=True, message=problem))
    return kept


def dump_document(profiles: Sequence[Profile]) -> dict[str, Any]:
    """The current-version document for ``profiles`` (what ``save`` and ``export`` write)."""
    return {"version": CURRENT_VERSION, "profiles": [p.to_dict() for p in profiles]}


class ProfileStore(JsonStore[list[Profile]]):
    """The profiles of one config dir.

    ``load`` raises ``ProfileFileError`` for a file that cannot be read, is invalid or comes
    from a newer program; from then on ``read_only`` is true and ``save`` refuses, so the
    user's file survives until they choose ``quarantine`` (which keeps a copy and tells where).
    """

    error = ProfileFileError
    current = CURRENT_VERSION

    def __init__(self, config_dir: Path) -> None:
        super().__init__(Path(config_dir) / FILE_NAME)
        self._held = False  # this process holds the lock (``exclusive``)

    def _parse(self, data: Any, source: str) -> list[Profile]:
        return parse_document(data, source)

    def _parse_partly(self, data: Any, source: str, unread: list[Unread]) -> list[Profile]:
        return parse_document(data, source, unread=unread)

    def _unread_message(self, unread: Sequence[Unread]) -> str:
        return unread_message(self.path.name, unread)

    def _default(self) -> list[Profile]:
        return []

    def load(self, *, partial: bool = False) -> list[Profile]:
        """The stored profiles; ``[]`` when there is no file yet. ``partial``: those this
        version can read, the others said in ``unread`` (``parse_document``); from then on
        the store reads so (a write's check of the file, a merge)."""
        return self._load(partial)

    def save(self, profiles: Sequence[Profile]) -> None:
        """Write atomically with mode 0600 (creating the config dir, 0700, if needed).

        Profiles that would not load back (duplicate names, say) are refused, not written.
        """
        self._write(dump_document(profiles))

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the file's lock from before it is read to after it is written: a short-lived
        writer (``tcpmonitor profiles ...``) reads, changes and writes as one step, so two of
        them changing the same profile at once each keep their change (the merge kept only
        the last one's: 10 maintenance windows added at once left 2), and the second of two
        adding the same name is refused as it would be one after the other (it was stored
        as "same (2)" while it said "added 'same'")."""
        made = False
        try:
            with self._lock_errors():
                made = not self.path.parent.exists()  # (raises for a folder not ours)
                ensure_dir(self.path.parent)  # the lock is the folder's
                with locked(self.path):
                    self._held = True
                    try:
                        yield
                    finally:
                        self._held = False
        except BaseException:
            if made:  # a command that failed leaves no trace: not even the folder it made
                with contextlib.suppress(OSError):
                    self.path.parent.rmdir()
            raise

    def sync(self, ours: list[Profile], base: list[Profile]) -> list[Profile]:
        """Write ``ours`` without losing what another program wrote since ``base`` (what we
        last read or wrote): under the file's lock, read it, merge three ways
        (``profile_merge``), write the result if it differs, and return it."""
        with self._lock_errors():
            ensure_dir(self.path.parent)
            with contextlib.nullcontext() if self._held else locked(self.path):
                # A file deleted under us (by hand, a sync tool) is not every profile
                # removed, which it says with an empty list: ours are written back.
                gone = bool(base) and not self.path.exists()
                theirs = list(base) if gone or self.set_aside_unchanged() else self._current()
                merged = merge(base, ours, theirs)
                if merged != theirs or not self.path.exists():
                    self.save(merged)
                return merged

    @contextlib.contextmanager
    def _lock_errors(self) -> Iterator[None]:
        try:
            yield
        except OSError as exc:  # the folder or the lock, not the file (save says its own)
            why = str(exc) if isinstance(exc, LockTimeout) else exc.strerror or str(exc)
            if exc.filename and not isinstance(exc, LockTimeout):  # a folder: where it is
                why = f"{why} ({exc.filename})"
            if isinstance(exc, FileExistsError | NotADirectoryError):  # was "File exists"
                why = f"{self.path.parent} is not a folder (a file, or a broken link, is there)"
            elif (target := link_into_nowhere(self.path)) is not None:  # the lock's folder
                why = f"is a link into a folder that does not exist ({target})"
            raise ProfileFileError(self.path, f"not saved: {self.path.name}: {why}") from exc
