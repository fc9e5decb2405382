"""The one registry of connection profiles (STYLE.md, practice 13: one owner per fact).

Every part of the program that needs to know the profiles reads them here and hears of changes
from here: the engine, the status table, the event log's filter, the notification policy, the
command line. Nothing keeps a list of its own that could disagree.

The set holds the user's saved profiles and transient ones (the demo's), which are shown and
monitored like any other but never written to ``profiles.json``. A change is one call with any
number of profiles (toggling fifty rows is one call), which makes one notification to the
listeners and at most one write of the file.

Writes go through ``save`` on ``executor`` (the I/O thread), never on the caller's thread, and
are coalesced: changes that arrive while a write waits its turn join that write, which always
writes the newest list. A failed write is reported to ``watch_saves`` callbacks, on the I/O
thread; the next change, a read of the file's changes (``resync``: the window's registry also
asks for one every 30 s after a failure) or, in the window, the close tries again, merging
from what the file still holds.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import enum
import logging
import threading
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

from .profile import Profile
from .validate import name_key

log = logging.getLogger(__name__)


class ChangeKind(enum.StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    REMOVED = "removed"


@dataclasses.dataclass(frozen=True)
class Change:
    kind: ChangeKind
    #: The profile as it is now (for ``REMOVED``: as it was).
    profile: Profile
    #: For ``CHANGED``: the profile before the change.
    previous: Profile | None = None


Listener = Callable[[Sequence[Change]], None]
#: ``save(ours, base)``: write ``ours`` (the saved profiles) knowing that ``base`` is what the
#: file held when we last read or wrote it; returns what was written when another program's
#: changes were merged in (``ProfileStore.sync``), None when ``ours`` was written as it is.
Save = Callable[[list[Profile], list[Profile]], list[Profile] | None]
#: Called after each write of the file: None when it worked, the error when it did not.
SaveWatcher = Callable[[Exception | None], None]


class ProfileConflict(ValueError):
    """A profile whose id or name (ignoring case) another profile already has."""


class ProfileSet:
    """The profiles, in the order the user keeps them; see the module's docstring."""

    def __init__(
        self,
        profiles: Iterable[Profile] = (),
        *,
        save: Save | None = None,
        executor: concurrent.futures.Executor | None = None,
    ) -> None:
        """``save`` writes the saved profiles (None: nothing is written); it runs on
        ``executor``, or on the caller's thread when there is none. What it merged in from
        another program comes back as a change (``absorb``), on the thread ``deliver_with``
        names (by default the one that wrote)."""
        self._profiles: dict[str, Profile] = {}
        self._by_name: dict[str, str] = {}  # folded name -> id
        self._transient: set[str] = set()
        self._listeners: list[Listener] = []
        self._save_watchers: list[SaveWatcher] = []
        self._save = save
        self._executor = executor
        self._lock = threading.Lock()  # guards what the I/O thread reads: the pending write
        self._to_write: tuple[list[Profile], list[Profile]] | None = None  # (ours, base)
        self._deliver: Callable[[Callable[[], object]], object] = lambda call: call()
        self._absorbing = False
        self._closed = False
        self._unsaved = False  # the last write failed: the file lacks what the set holds
        self._queued: concurrent.futures.Future[None] | None = None
        self._last: concurrent.futures.Future[None] = _done()
        for profile in profiles:
            self._check_free(profile)
            self._put(profile)
        #: What the file holds once the writes asked for so far are done, as far as this
        #: thread knows (the base of the next write's three-way merge).
        self._base = self.saved()

    # -- reading ---------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Profile]:
        return iter(list(self._profiles.values()))

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, profile_id: object) -> bool:
        return profile_id in self._profiles

    def get(self, profile_id: str) -> Profile | None:
        return self._profiles.get(profile_id)

    @property
    def by_id(self) -> Mapping[str, Profile]:
        """A live, read-only view of the profiles by id (for lookups, not for keeping)."""
        return types.MappingProxyType(self._profiles)

    def find(self, key: str) -> Profile | None:
        """The profile whose id is ``key`` or whose name is ``key`` ignoring case."""
        if key in self._profiles:
            return self._profiles[key]
        pid = self._by_name.get(name_key(key))
        return None if pid is None else self._profiles[pid]

    def names(self) -> list[str]:
        return [p.name for p in self._profiles.values()]

    def groups(self) -> list[str]:
        """The non-empty groups in use, sorted as a person reads them."""
        return sorted({p.group for p in self._profiles.values()} - {""}, key=str.casefold)

    def is_transient(self, profile_id: str) -> bool:
        return profile_id in self._transient

    def saved(self) -> list[Profile]:
        """What ``profiles.json`` holds (or will, once the pending write is done)."""
        return [p for p in self._profiles.values() if p.id not in self._transient]

    # -- changing --------------------------------------------------------------------------

    def add(self, profiles: Iterable[Profile], *, transient: bool = False) -> list[Change]:
        """Add profiles at the end; all or none (``ProfileConflict`` names the first clash)."""
        return self.apply(add=profiles, transient=transient)

    def update(self, profiles: Iterable[Profile]) -> list[Change]:
        """Replace profiles by id, keeping their place; ``KeyError`` for an unknown id."""
        return self.apply(update=profiles)

    def remove(self, profile_ids: Iterable[str]) -> list[Change]:
        """Remove profiles by id; ids not present are ignored."""
        return self.apply(remove=profile_ids)

    def apply(
        self,
        *,
        add: Iterable[Profile] = (),
        update: Iterable[Profile] = (),
        remove: Iterable[str] = (),
        transient: bool = False,
    ) -> list[Change]:
        """One change of any shape: ``remove`` ids, then ``update`` profiles in place, then
        ``add`` new ones at the end (``transient``: never saved). All or none: the result is
        checked before anything changes (``KeyError`` for an update of an unknown id,
        ``ProfileConflict`` for an id or a name taken twice), and it makes one notification
        and at most one write."""
        added, updated = list(add), list(update)
        gone = {pid for pid in remove if pid in self._profiles}
        touched = _distinct([*updated, *added])
        for profile in updated:
            if profile.id not in self._profiles or profile.id in gone:
                raise KeyError(f"no profile with id {profile.id}")
        for profile in added:
            if profile.id in self._profiles and profile.id not in gone:
                raise ProfileConflict(_clash(profile, self._profiles[profile.id]))
        mine = {p.id for p in touched} | gone
        for profile in touched:
            owner = self._by_name.get(name_key(profile.name))
            if owner is not None and owner not in mine:
                raise ProfileConflict(_clash(profile, self._profiles[owner]))
        changes: list[Change] = []
        for pid in gone:
            old = self._profiles.pop(pid)
            del self._by_name[name_key(old.name)]
            changes.append(Change(ChangeKind.REMOVED, old))
        for profile in updated:  # names freed first, so that two profiles may swap names
            del self._by_name[name_key(self._profiles[profile.id].name)]
        for profile in updated:
            previous = self._profiles[profile.id]
            self._put(profile)
            if previous != profile:
                changes.append(Change(ChangeKind.CHANGED, profile, previous))
        for profile in added:
            self._put(profile)
            self._transient.discard(profile.id)
            if transient:
                self._transient.add(profile.id)
            changes.append(Change(ChangeKind.ADDED, profile))
        result = self._changed(changes)
        self._transient -= gone - {p.id for p in added}
        return result

    def subscribe(self, listener: Listener) -> None:
        """Call ``listener(changes)`` after every change, on the thread that made it."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def watch_saves(self, watcher: SaveWatcher) -> None:
        """Call ``watcher(error or None)`` after each write, on the thread that wrote."""
        self._save_watchers.append(watcher)

    def deliver_with(self, deliver: Callable[[Callable[[], object]], object]) -> None:
        """Run merged-in changes through ``deliver`` (the GUI hands them to its own thread:
        listeners and changes belong to one thread)."""
        self._deliver = deliver

    def resync(self) -> concurrent.futures.Future[None]:
        """Read the file again (another program may have changed it) and take in its changes,
        through the same merge as a save."""
        self._request_save()
        return self.flush()

    def flush(self) -> concurrent.futures.Future[None]:
        """A future that is done once every change made so far is written (or failed)."""
        with self._lock:
            return self._queued or self._last

    # -- internals -------------------------------------------------------------------------

    def _put(self, profile: Profile) -> None:
        self._profiles[profile.id] = profile
        self._by_name[name_key(profile.name)] = profile.id

    def _check_free(self, profile: Profile, ignore: str | None = None) -> None:
        """Raise ``ProfileConflict`` if another profile (not ``ignore``) has its id or name."""
        other = self._profiles.get(profile.id) if profile.id != ignore else None
        if other is None:
            named = self._by_name.get(name_key(profile.name))
            other = None if named in (None, ignore) else self._profiles[named]
        if other is not None:
            raise ProfileConflict(_clash(profile, other))

    def _changed(self, changes: list[Change]) -> list[Change]:
        if not changes:
            return changes
        if not self._absorbing and any(c.profile.id not in self._transient for c in changes):
            self._request_save()
        for listener in list(self._listeners):
            try:
                listener(changes)
            except Exception:  # one broken subscriber must not keep the news from the rest
                log.exception("a profile listener failed")
        return changes

    def close(self, *, retry: bool = False) -> None:
        """No more writes (the program is quitting; a write already queued still runs).
        ``retry``: if the last write failed, one more try (the disk may have room by now):
        for the window, which said so in a banner, not for a command that already answered
        that nothing was saved."""
        with self._lock:
            again = retry and self._unsaved and self._queued is None
        if again:
            self._request_save()
        self._closed = True

    def _request_save(self) -> None:
        if self._save is None or self._closed:
            return
        snapshot = self.saved()
        with self._lock:
            # The base is what the file holds when this list is written: after the write
            # already waiting, if any, else after the last one (which this thread has seen).
            base = self._to_write[1] if self._to_write is not None else self._base
            self._to_write = snapshot, base
            self._base = snapshot
            if self._queued is not None:
                return  # the write already waiting will take this list
            self._queued = self._last = concurrent.futures.Future()
        if self._executor is None:
            self._write()
        else:
            self._executor.submit(self._write)

    def _write(self) -> None:
        with self._lock:
            pending, self._to_write = self._to_write, None
            future, self._queued = self._queued, None
        assert pending is not None and future is not None and self._save is not None
        snapshot, base = pending
        error: Exception | None = None
        try:
            merged = self._save(snapshot, base)
            written = snapshot if merged is None else merged
            with self._lock:
                self._unsaved = False
            self._deliver(lambda: self.absorb(snapshot, written))
        except Exception as exc:
            error = exc
            self._not_written(base)
        for watcher in list(self._save_watchers):  # told before ``flush()`` returns
            try:
                watcher(error)
            except Exception:
                log.exception("a profile save watcher failed")
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)

    def _not_written(self, base: list[Profile]) -> None:
        """The file still holds ``base``: the next write (or read) merges from there. Merging
        from the list that failed would take what it added, and the file lacks, for the
        file's own removals, and remove it here too."""
        with self._lock:
            self._unsaved = True
            if self._to_write is not None:  # asked since, merging from the failed list
                self._to_write = self._to_write[0], base
            else:
                self._base = base

    def absorb(self, sent: list[Profile], written: list[Profile]) -> list[Change]:
        """Take in what a write merged from the file (``written`` less ``sent``) as one
        change that is not written again; whatever was changed here meanwhile stays."""
        before = {p.id: p for p in sent}
        after = {p.id: p for p in written}
        gone = [pid for pid in before if pid not in after]
        changed = [p for pid, p in after.items() if pid in before and p != before[pid]]
        new = [p for pid, p in after.items() if pid not in before]
        if not (gone or changed or new):
            return []
        self._absorbing = True
        try:
            changes = self.apply(
                add=[p for p in new if p.id not in self],
                update=[p for p in changed if p.id in self],
                remove=gone,
            )
        except (ProfileConflict, KeyError) as exc:
            # The base stays as it was, so the next write merges the file's changes again.
            log.warning("profiles changed in the file could not all be taken in: %s", exc)
            return []
        finally:
            self._absorbing = False
        with self._lock:  # the file has these changes too, whatever was changed here since
            patched = {p.id: p for p in self._base if p.id not in gone}
            patched.update((p.id, p) for p in (*changed, *new))
            self._base = list(patched.values())
        return changes


def _distinct(profiles: Iterable[Profile]) -> list[Profile]:
    """``profiles`` as a list, or ``ProfileConflict`` if two share an id or a name."""
    result: list[Profile] = []
    ids: dict[str, Profile] = {}
    names: dict[str, Profile] = {}
    for profile in profiles:
        earlier = ids.get(profile.id) or names.get(name_key(profile.name))
        if earlier is not None:
            raise ProfileConflict(_clash(profile, earlier))
        ids[profile.id] = names[name_key(profile.name)] = profile
        result.append(profile)
    return result


def _clash(profile: Profile, other: Profile) -> str:
    if profile.id == other.id:
        return f"id {profile.id!r} is already the id of {other.name!r}"
    return f"name {profile.name!r} is already taken by another profile ({other.name!r})"


def _done() -> concurrent.futures.Future[None]:
    future: concurrent.futures.Future[None] = concurrent.futures.Future()
    future.set_result(None)
    return future
