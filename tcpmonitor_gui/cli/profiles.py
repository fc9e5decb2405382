"""``tcpmonitor profiles list|add|remove|import|export``."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ..core.jsonfile import atomic_write_text
from ..core.profile import Profile
from ..core.profile_store import ProfileFileError, ProfileStore, dump_document
from .errors import EXIT_OK, UsageError
from .options import config_dir, load_profiles_file, profile_from_args


def cmd_profiles(args: argparse.Namespace) -> int:
    store = ProfileStore(config_dir(args))
    try:
        profiles = store.load()
    except ProfileFileError as exc:
        raise UsageError(str(exc)) from None
    action = {
        "list": _list,
        "add": _add,
        "remove": _remove,
        "import": _import,
        "export": _export,
    }[args.action]
    changed = action(args, profiles)
    if changed is not None:
        try:
            store.save(changed)
        except ProfileFileError as exc:
            raise UsageError(str(exc)) from None
    return EXIT_OK


def _document(profiles: Sequence[Profile]) -> str:
    return json.dumps(dump_document(profiles), indent=2, ensure_ascii=False) + "\n"


def _find(profiles: Sequence[Profile], key: str) -> int | None:
    for i, p in enumerate(profiles):
        if p.id == key or p.name.casefold() == key.casefold():
            return i
    return None


def _list(args: argparse.Namespace, profiles: list[Profile]) -> None:
    if args.json:
        sys.stdout.write(_document(profiles))
        return
    if not profiles:
        print("no profiles (add one with: tcpmonitor profiles add NAME HOST:PORT)", file=sys.stderr)
        return
    rows = [("NAME", "TARGET", "DETECTOR", "INTERVAL", "GROUP", "ENABLED", "ID")]
    rows += [
        (
            p.name,
            p.target,
            p.detector.kind + (f"/{p.detector.preset}" if p.detector.preset else ""),
            f"{p.detector.interval_s:g}s",
            p.group or "-",
            "yes" if p.enabled else "no",
            p.id,
        )
        for p in profiles
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _add(args: argparse.Namespace, profiles: list[Profile]) -> list[Profile]:
    profile = profile_from_args(args, name=args.name, kind=args.detector)
    if _find(profiles, profile.name) is not None:
        raise UsageError(f"NAME: {profile.name!r} is already a stored profile")
    print(f"added {profile.name!r} ({profile.target}, {profile.detector.kind}, id {profile.id})")
    return [*profiles, profile]


def _remove(args: argparse.Namespace, profiles: list[Profile]) -> list[Profile]:
    index = _find(profiles, args.name)
    if index is None:
        raise UsageError(f"NAME|ID: {args.name!r} is not a stored profile")
    gone = profiles[index]
    print(f"removed {gone.name!r} ({gone.target}, id {gone.id})")
    return profiles[:index] + profiles[index + 1 :]


def _import(args: argparse.Namespace, profiles: list[Profile]) -> list[Profile]:
    incoming = load_profiles_file(Path(args.file))
    result = list(profiles)
    replaced = 0
    for p in incoming:
        clash = [
            i
            for i, q in enumerate(result)
            if q.id == p.id or q.name.casefold() == p.name.casefold()
        ]
        if clash and not args.replace:
            q = result[clash[0]]
            what = "id" if q.id == p.id else "name"
            raise UsageError(
                f"{args.file}: profile {p.name!r} has the {what} of stored profile {q.name!r} "
                "(use --replace to replace it)"
            )
        if clash:
            replaced += 1
            result[clash[0]] = p
            result = [q for i, q in enumerate(result) if i not in clash[1:]]
        else:
            result.append(p)
    print(f"imported {len(incoming)} profiles ({replaced} replaced) from {args.file}")
    return result


def _export(args: argparse.Namespace, profiles: list[Profile]) -> None:
    text = _document(profiles)
    if args.file is None:
        sys.stdout.write(text)
        return
    try:
        atomic_write_text(Path(args.file), text)
    except OSError as exc:
        raise UsageError(f"{args.file}: cannot write ({exc.strerror or exc})") from None
    print(f"exported {len(profiles)} profiles to {args.file}", file=sys.stderr)
