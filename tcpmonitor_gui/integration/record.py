"""What the desktop integration wrote: each file's path and a hash of its bytes.

Known by their content alone, the installed files were the wrong ones: a later version's
desktop entry or icons (other words, other sizes) were "not ours" to this one, never removed
or replaced, and a user's copy of the entry with only its ``Exec`` changed was taken for ours
and removed. So an install records what it wrote (``desktop-files.json`` in the data
folder, ``autostart-files.json`` in the config folder), and a file is its to replace or
remove when the record names it and it is unchanged since. A file the record does not name
is known by its content as before (an install made before there were records).

The record is the user's file like any other, so it is trusted only so far: one that cannot
be read (not JSON, too large, a link, a version this program does not know) is set aside
in thought, not in deed (files are known by their content, and it is said); a path it names
outside the folders an install writes, or not named for the application, is never touched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import APP_ID
from ..core.atomicfile import atomic_write
from ..core.jsonfile import JsonFileError, dumps, parse_bytes
from ..core.kept_copies import keep_corrupt_copy
from ..core.paths import ensure_dir

VERSION = 1
#: The most of a record, or of a recorded file, that is read (icons are a few KiB).
MOST = 1 << 22
NOT_OURS = "not what --install-desktop-entry writes (your own, or changed)"
CHANGED = "changed since it was installed"
NOT_A_FILE = "not the file installed (a link, or not a file)"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclasses.dataclass
class Record:
    """The record at ``path`` of files under ``roots``; ``notes`` say what of it was not
    used, and why."""

    path: Path
    roots: tuple[Path, ...]
    files: dict[Path, str] = dataclasses.field(default_factory=dict)
    notes: list[str] = dataclasses.field(default_factory=list)
    readable: bool = True

    @classmethod
    def load(cls, path: Path, roots: Sequence[Path]) -> Record:
        record = cls(path, tuple(roots))
        try:
            entries = _entries(path)
        except JsonFileError as exc:
            record.readable = False
            record.notes.append(f"{exc}; the files are known by their content")
            return record
        for name, sha in entries:
            where = Path(name)
            if record.within(where):
                record.files[where] = sha
            else:
                record.notes.append(f"{path}: names {name}, which no install writes; not touched")
        return record

    def within(self, target: Path) -> bool:
        """Whether ``target`` is a file an install may have written: named for the
        application, in one of the folders it writes (wherever a link to them leads)."""
        if not target.is_absolute() or ".." in target.parts or not target.name.startswith(APP_ID):
            return False
        parent = os.path.realpath(target.parent)
        for root in self.roots:
            real = os.path.realpath(root)
            if os.path.commonpath([parent, real]) == real:
                return True
        return False

    def verdict(self, target: Path, looks_ours: Callable[[], bool]) -> str | None:
        """None if ``target`` (which exists) is the integration's to replace or remove, else
        why it is left."""
        want = self.files.get(target)
        if want is None:
            return None if looks_ours() else NOT_OURS
        found = read_regular(target, MOST + 1)
        if found is None:
            return NOT_A_FILE
        return None if digest(found) == want else CHANGED

    def note(self, target: Path, data: bytes) -> None:
        self.files[target] = digest(data)

    def forget(self, target: Path) -> None:
        self.files.pop(target, None)

    def save(self) -> None:
        """Write the record (none: remove it), whole or not at all; a link there is left,
        and what could not be done is added to ``notes``."""
        files = sorted((str(path), sha) for path, sha in self.files.items())
        if not files and not self.readable:  # nothing to record: it is the user's to look at
            return
        if os.path.islink(self.path):
            self.notes.append(f"{self.path}: is a link; not written, what was done is not recorded")
            return
        try:
            if not files:
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
                return
            document = {"version": VERSION, "files": [{"path": p, "sha256": s} for p, s in files]}
            ensure_dir(self.path.parent)
            if not self.readable and os.path.lexists(self.path):
                kept = keep_corrupt_copy(self.path)
                self.notes.append(f"{self.path}: what it held is kept as {kept.name}")
            atomic_write(self.path, dumps(document).encode(), follow_links=False)
        except OSError as exc:
            self.notes.append(
                f"{self.path}: could not be written ({exc.strerror or exc}); what was done is"
                " not recorded"
            )


def read_regular(target: Path, limit: int) -> bytes | None:
    """Up to ``limit`` bytes of ``target`` if it is a regular file; read without following
    a link or waiting on a FIFO."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(target, flags)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, limit)
    except OSError:
        return None
    finally:
        os.close(fd)


def _entries(path: Path) -> list[tuple[str, str]]:
    """The (path, sha256) pairs recorded at ``path``; none when there is no record;
    ``JsonFileError`` when there is one that cannot be used."""
    if not os.path.lexists(path):
        return []
    raw = read_regular(path, MOST + 1)
    if raw is None:
        raise JsonFileError(path, f"{path}: is a link or not a file; not read")
    doc = parse_bytes(raw, path, str(path))
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        raise JsonFileError(path, f"{path}: not a record of version {VERSION}; not used")
    entries = doc.get("files")
    if not isinstance(entries, list) or not all(_entry(e) for e in entries):
        raise JsonFileError(path, f'{path}: its "files" are not paths with hashes; not used')
    return [(e["path"], e["sha256"]) for e in entries]


def _entry(entry: object) -> bool:
    if not isinstance(entry, dict) or set(entry) != {"path", "sha256"}:
        return False
    sha = entry["sha256"]
    hexdigits = isinstance(sha, str) and len(sha) == 64 and set(sha) <= set("0123456789abcdef")
    return isinstance(entry["path"], str) and hexdigits
