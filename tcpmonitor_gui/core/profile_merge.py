"""Three-way merge of profile lists: what this program has, what the file has now, and what
they both had last (the base).

``profiles.json`` has more than one writer: the window, and ``tcpmonitor profiles add`` in a
terminal or a script. A writer that wrote its own list over the file would erase every change
the others made since it read it. So each write merges, by profile id:

- a profile changed on one side only takes that side's version; changed on both, each field
  changed on one side only takes that side's value, and a field changed on both takes ours
  (the change just made here): the window acknowledging a drop while a script added a
  maintenance window to the same profile keeps both;
- a profile added on either side is kept; removed on one side and untouched on the other, it
  goes; removed on one side and edited on the other, the edit is kept (nothing the user typed
  is thrown away);
- the file's order is kept, with our additions at the end; a name taken on both sides by
  different profiles gets " (2)" on ours, so the file stays loadable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from .profile import Profile
from .validate import name_key


def merge(
    base: Sequence[Profile], ours: Sequence[Profile], theirs: Sequence[Profile]
) -> list[Profile]:
    b = {p.id: p for p in base}
    o = {p.id: p for p in ours}
    t = {p.id: p for p in theirs}
    merged: list[Profile] = []
    for pid, their in t.items():
        if pid in o:
            merged.append(merge_fields(b.get(pid), o[pid], their))
        elif pid not in b or their != b[pid]:  # added by them, or edited while we removed it
            merged.append(their)
    for pid, our in o.items():
        if pid not in t and (pid not in b or our != b[pid]):  # added by us, or edited by us
            merged.append(our)
    return _unique_names(merged, set(t))


def merge_fields(base: Profile | None, ours: Profile, theirs: Profile) -> Profile:
    """One profile as both sides left it: field by field, the side that changed it (both:
    ours). Also how the window applies what its dialog changed to the profile as it is now."""
    if base is None or theirs == base:
        return ours
    if ours == base:
        return theirs
    kept = {
        f.name: getattr(theirs, f.name)
        for f in dataclasses.fields(Profile)
        if getattr(ours, f.name) == getattr(base, f.name)
    }
    return dataclasses.replace(ours, **kept)


def _unique_names(profiles: list[Profile], theirs: set[str]) -> list[Profile]:
    """Theirs keep their names; one of ours that clashes gets a number."""
    taken = {name_key(p.name) for p in profiles if p.id in theirs}
    result = []
    for profile in profiles:
        if profile.id not in theirs:
            name, n = profile.name, 2
            while name_key(name) in taken:
                name, n = f"{profile.name} ({n})", n + 1
            taken.add(name_key(name))
            if name != profile.name:
                result.append(dataclasses.replace(profile, name=name))
                continue
        result.append(profile)
    return result
