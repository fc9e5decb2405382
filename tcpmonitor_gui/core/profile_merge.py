"""Three-way merge of profile lists: what this program has, what the file has now, and what
they both had last (the base).

``profiles.json`` has more than one writer: the window, and ``tcpmonitor profiles add`` in a
terminal or a script. A writer that wrote its own list over the file would erase every change
the others made since it read it. So each write merges, by profile id:

- a profile changed on one side only takes that side's version; changed on both, each field
  changed on one side only takes that side's value (the window acknowledging a drop while a
  script added a maintenance window to the same profile keeps both), a list changed on both
  (maintenance windows, actions) keeps what each side added and loses what each removed, and
  any other field changed on both takes ours (the change just made here);
- a profile added on either side is kept; removed on one side and untouched on the other, it
  goes; removed on one side and edited on the other, the edit is kept (nothing the user typed
  is thrown away);
- the file's order is kept, with our additions at the end; a name taken on both sides by
  different profiles (added, or renamed) gets " (2)" on ours, so the file stays loadable.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from .profile import FIELDS, Profile, Text
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
    return _unique_names(merged, t)


def merge_fields(base: Profile | None, ours: Profile, theirs: Profile) -> Profile:
    """One profile as both sides left it: field by field, the side that changed it (both:
    ours, but lists merged). Also how the window applies what its dialog changed to the
    profile as it is now."""
    if base is None:
        return ours
    merged: Profile = merge_value(base, ours, theirs)
    try:  # lists merged may pass a limit (ten actions): then ours, field by field
        Profile.from_dict(merged.to_dict(), files=False)  # both sides' files were checked
        return merged
    except ValueError:
        fallback: Profile = merge_value(base, ours, theirs, lists=False)
        return fallback


def merge_value(base: Any, ours: Any, theirs: Any, *, lists: bool = True) -> Any:
    """A value as both sides left it: the side that changed it; changed on both, a
    dataclass field by field, a tuple (``lists``) with what each side added and without
    what each removed, anything else ours. (The settings merge so too.)"""
    if ours == base:
        return theirs
    if theirs in (base, ours):
        return ours
    if dataclasses.is_dataclass(ours) and type(ours) is type(theirs) is type(base):
        return dataclasses.replace(
            ours,  # type: ignore[type-var]
            **{
                f.name: merge_value(
                    *(getattr(x, f.name) for x in (base, ours, theirs)), lists=lists
                )
                for f in dataclasses.fields(ours)
                if f.init
            },
        )
    if lists and all(isinstance(x, tuple) for x in (base, ours, theirs)):
        gone = [x for x in base if x not in theirs]
        added = tuple(x for x in theirs if x not in base and x not in ours)
        return tuple(x for x in ours if x not in gone) + added
    return ours


def name_with(words: str, name: str, n: int = 0) -> str:
    """``words`` ("{name} ({n})") made with ``name`` and ``n``, the name shortened ("Long
    na… (2)") where that would be longer than a name may be: the name was made, and then
    refused (every later save of the file failed on it)."""
    spec = FIELDS["name"]
    text = words.format(name=name, n=n)
    over = len(text) - spec.max_len if isinstance(spec, Text) else 0
    return text if over <= 0 else words.format(name=name[: -over - 1] + "…", n=n)


def _unique_names(profiles: list[Profile], theirs: dict[str, Profile]) -> list[Profile]:
    """Names as the file has them stay; one of ours (a profile we added, or renamed) that
    clashes gets a number. A rename clashed too, and every later write failed."""

    def named_by_them(p: Profile) -> bool:
        return p.id in theirs and theirs[p.id].name == p.name

    taken = {name_key(p.name) for p in profiles if named_by_them(p)}
    result = []
    for profile in profiles:
        if not named_by_them(profile):
            name, n = profile.name, 2
            while name_key(name) in taken:
                name, n = name_with("{name} ({n})", profile.name, n), n + 1
            taken.add(name_key(name))
            if name != profile.name:
                result.append(dataclasses.replace(profile, name=name))
                continue
        result.append(profile)
    return result
