"""``tcpmonitor profiles list|add|remove|import|export|snooze|unsnooze|maintenance|actions|ack``."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import io
import shlex
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..core import maintenance, paths, snooze
from ..core.actions import Action, redact
from ..core.actions import parse as parse_actions
from ..core.jsonfile import JsonFileError, dumps, file_text
from ..core.outputs import write_output
from ..core.profile import Profile
from ..core.profile_set import ProfileConflict, ProfileSet
from ..core.profile_store import ProfileFileError, dump_document
from ..core.session import Session
from ..core.validate import FieldError, show
from ..core.wall_time import offset_if_twice
from .columns import print_rows, widths
from .errors import EXIT_OK, UsageError, counted
from .options import (
    STDIN,
    load_profiles_file,
    load_profiles_stdin,
    open_session,
    profile_from_args,
    refuse_own_output,
    say_unread,
)
from .run import printable


def cmd_profiles(args: argparse.Namespace) -> int:
    # Listed: what this version can read, the rest said. Exported: all or nothing.
    session = open_session(args, partial=args.action == "list")
    try:
        action = {
            "list": _list,
            "add": _add,
            "remove": _remove,
            "import": _import,
            "export": _export,
            "snooze": _snooze,
            "unsnooze": _snooze,
            "maintenance": _maintenance,
            "actions": _actions,
            "ack": _ack,
        }[args.action]
        said = io.StringIO()
        if args.action == "import":  # read first: standard input may be slow to come
            args.incoming = _incoming(args.file)
        # A change is read, made and written under the file's lock, as one step (other
        # writers wait): the window and other commands merge with it (``profile_merge``).
        reading = args.action in ("list", "export")
        with contextlib.nullcontext() if reading else _exclusive(session):
            before = None if reading else list(session.profiles)
            with contextlib.redirect_stdout(said):  # "added ...": said once it is true, below
                action(args, session.profiles)
            say_unread(session.profile_store.unread_error, "listed")
            try:
                session.profiles.flush().result()  # written before we say it is done
            except Exception as exc:
                raise UsageError(str(exc)) from None
        _say(said.getvalue(), changed=before is not None and list(session.profiles) != before)
    finally:
        session.close()
    return EXIT_OK


def _say(text: str, *, changed: bool) -> None:
    """What was done; where it cannot be written, a change made is said to be made all the
    same (exit 2 said "cannot write the output", and a script ran the add again: "already
    a stored profile"). A reader that has gone (``| head``) ends it quietly, as ever."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as exc:
        if not changed or isinstance(exc, BrokenPipeError):
            raise
        why = exc.strerror or str(exc)
        raise UsageError(
            f"cannot write the output: {why} (the change is saved all the same)"
        ) from None


@contextlib.contextmanager
def _exclusive(session: Session) -> Iterator[None]:
    try:
        with session.profile_store.exclusive():
            yield
    except ProfileFileError as exc:  # the folder, or the lock held by another too long
        raise UsageError(str(exc)) from None


def _document(profiles: Sequence[Profile]) -> str:
    return dumps(dump_document(profiles))


def _list(args: argparse.Namespace, profiles: ProfileSet) -> None:
    if args.json:  # to look at: a notification URL's secrets stay out (export keeps them)
        shown = [
            dataclasses.replace(p, actions=tuple(
                dataclasses.replace(a, notify=redact(a.notify)) if a.notify else a
                for a in p.actions
            ))
            for p in profiles
        ]  # fmt: skip
        sys.stdout.write(_document(shown))
        return
    if not profiles:
        print("no profiles (add one with: tcpmonitor profiles add NAME HOST:PORT)", file=sys.stderr)
        return
    rows = [
        (
            "NAME",
            "TARGET",
            "DETECTOR",
            "INTERVAL",
            "GROUP",
            "ENABLED",
            "SNOOZED",
            "MAINTENANCE",
            "ID",
        )
    ]
    rows += [
        (
            p.name,
            p.target,
            p.detector.kind + (f"/{p.detector.preset}" if p.detector.preset else ""),
            f"{p.detector.interval_s:g}s",
            p.group or "-",
            "yes" if p.enabled else "no",
            snooze.describe(p.snooze_until) or "-",
            _maintenance_cell(p),
            p.id,
        )
        for p in profiles
    ]
    print_rows(rows, widths(rows))


def _add(args: argparse.Namespace, profiles: ProfileSet) -> None:
    profile = profile_from_args(args, name=args.name, kind=args.detector)
    if profiles.find(profile.name) is not None:
        raise UsageError(f"NAME: {profile.name!r} is already a stored profile")
    profiles.add([profile])
    print(f"added {profile.name!r} ({profile.target}, {profile.detector.kind}, id {profile.id})")


def _remove(args: argparse.Namespace, profiles: ProfileSet) -> None:
    gone = profiles.find(args.name)
    if gone is None:
        raise UsageError(f"NAME|ID: {show(args.name)} is not a stored profile")
    profiles.remove([gone.id])
    print(f"removed {gone.name!r} ({gone.target}, id {gone.id})")


def _snooze(args: argparse.Namespace, profiles: ProfileSet) -> None:
    """Hold back one connection's notices for DURATION (``snooze``), or no longer."""
    found = profiles.find(args.name)
    if found is None:
        raise UsageError(f"NAME|ID: {show(args.name)} is not a stored profile")
    if args.action == "unsnooze":
        until = ""
    else:
        try:
            until = snooze.until_for(args.duration)
        except FieldError as exc:
            raise UsageError(str(exc)) from None
    profiles.update([dataclasses.replace(found, snooze_until=until)])
    if not until:
        print(f"{found.name!r}: notices are on again")
    else:
        print(f"{found.name!r}: notices snoozed {snooze.describe(until)} ({until})")


def _maintenance_cell(p: Profile, now: dt.datetime | None = None) -> str:
    if not p.maintenance:
        return "-"
    end = maintenance.open_until(p.maintenance, now)
    windows = f"{len(p.maintenance)} window" + ("s" if len(p.maintenance) > 1 else "")
    return windows if end is None else f"now, until {offset_if_twice(end, '%a %H:%M')}"


def _find(profiles: ProfileSet, name: str) -> Profile:
    found = profiles.find(name)
    if found is None:
        raise UsageError(f"NAME|ID: {show(name)} is not a stored profile")
    return found


def _maintenance(args: argparse.Namespace, profiles: ProfileSet) -> None:
    """List, add or remove a profile's maintenance windows (``core.maintenance``)."""
    found = _find(profiles, args.name)
    windows = [] if args.clear else list(found.maintenance)
    for text in args.remove or ():
        same = [w for w in windows if _same_window(w, text)]
        if not same:
            raise UsageError(f"--remove: {found.name!r} has no window {show(text)}")
        windows.remove(same[0])
    try:
        for text in args.add or ():
            window = maintenance.parse(text, "--add").text
            if not any(_same_window(w, window) for w in windows):
                windows.append(window)
        windows_t = maintenance.parse_all("maintenance", windows)
    except FieldError as exc:
        raise UsageError(str(exc)) from None
    if windows_t != found.maintenance:
        profiles.update([dataclasses.replace(found, maintenance=windows_t)])
    if not windows_t:
        print(f"{found.name!r}: no maintenance windows")
        return
    end = maintenance.open_until(windows_t)
    state = "in maintenance now" if end else "not in maintenance now"
    print(f"{found.name!r}: {state}; windows:")
    for text in windows_t:
        print(f"  {text}")


def _actions(args: argparse.Namespace, profiles: ProfileSet) -> None:
    """List, add or remove a profile's actions (``core.actions``)."""
    found = _find(profiles, args.name)
    kept = [] if args.clear else [a.to_dict() for a in found.actions]
    for n in sorted(set(args.remove or ()), reverse=True):
        if not kept:
            raise UsageError(f"--remove: {found.name!r} has no actions")
        if not 1 <= n <= len(kept):
            has = "1 action" if len(kept) == 1 else f"{len(kept)} actions (1 to {len(kept)})"
            raise UsageError(f"--remove: {found.name!r} has {has}, not {n}")
        del kept[n - 1]
    notify = args.notify is not None  # "" too: an empty URL is named, not taken as none
    if (args.argv or notify) and args.on is None:
        raise UsageError("--on: say when it runs (down, up or change)")
    if args.argv and notify:
        raise UsageError("--notify: one action is a command or a notice, not both")
    if args.on is not None:
        if notify:
            new = {"on": args.on, "notify": args.notify, "timeout_s": args.timeout}
        elif not args.argv:
            raise UsageError("--run: give the command, e.g. --run /usr/bin/logger down")
        else:
            new = {"on": args.on, "run": args.argv, "timeout_s": args.timeout}
        try:  # named as typed: "--run: '' is not a program", not "actions[2].run: ..."
            parse_actions("actions", [new])
        except FieldError as exc:
            option = "--notify" if notify else "--run"
            raise UsageError(f"{option}: {show(exc.value)} {exc.problem}") from None
        kept.append(new)
    try:
        actions = parse_actions("actions", kept)
    except FieldError as exc:
        raise UsageError(str(exc)) from None
    if actions != found.actions:
        profiles.update([dataclasses.replace(found, actions=actions)])
    if not actions:
        print(f"{found.name!r}: no actions")
        return
    print(f"{found.name!r}: actions:")
    for n, action in enumerate(actions, 1):
        print(f"  {n}. on {action.on}: {_what(action)} (timeout {action.timeout_s:g} s)")


def _what(action: Action) -> str:
    """What an action does, to print: the command as typed, a notice's service and host."""
    return printable(action.shown() if action.notify else shlex.join(action.run))


def _same_window(stored: str, typed: str) -> bool:
    """Whether ``typed`` is the window ``stored`` is, as written or as meant."""
    if " ".join(typed.split()) == stored:
        return True
    try:
        return maintenance.parse(typed).meaning() == maintenance.parse(stored).meaning()
    except FieldError:
        return False


def _ack(args: argparse.Namespace, profiles: ProfileSet) -> None:
    """Acknowledge drops: the window stops marking them (``Profile.acknowledged``). The
    window clears the mark when the connection is up again; ``--undo`` clears it now."""
    if args.all and args.name is not None:
        raise UsageError("NAME|ID: give one profile, or --all (not both)")
    if not args.all and args.name is None:
        raise UsageError("NAME|ID: give the profile to acknowledge, or --all")
    chosen = list(profiles) if args.all else [_find(profiles, args.name)]
    if not chosen:
        print("no profiles (add one with: tcpmonitor profiles add NAME HOST:PORT)", file=sys.stderr)
        return
    stamp = "" if args.undo else snooze.iso(dt.datetime.now(dt.UTC))
    changed = [
        dataclasses.replace(p, acknowledged=stamp) for p in chosen if p.acknowledged != stamp
    ]
    if changed:
        profiles.update(changed)
    what = "no longer acknowledged" if args.undo else "acknowledged"
    names = (
        ", ".join(repr(p.name) for p in chosen) if len(chosen) <= 3 else f"{len(chosen)} profiles"
    )
    print(f"{names}: {what}")


def _import(args: argparse.Namespace, profiles: ProfileSet) -> None:
    """Add the file's profiles; one with the id or name of a stored one is an error unless
    ``--replace`` (then it takes the stored one's place). All in one change, or none."""
    source, incoming = args.incoming
    incoming, left_out = _taken_actions(source, incoming, args.actions)
    updated: list[Profile] = []
    added: list[Profile] = []
    removed: set[str] = set()
    for p in incoming:
        same_id = profiles.get(p.id)
        named = profiles.find(p.name)
        same_name = named if named is not None and named.id != p.id else None
        clash = same_id or same_name
        if clash is not None and not args.replace:
            what = "id" if clash is same_id else "name"
            raise UsageError(
                f"{source}: profile {p.name!r} has the {what} of stored profile "
                f"{clash.name!r} (use --replace to replace it)"
            )
        if same_name is not None:
            removed.add(same_name.id)
        (updated if same_id is not None else added).append(p)
    try:
        profiles.apply(add=added, update=updated, remove=removed)
    except ProfileConflict as exc:  # two stored profiles clash with one imported
        raise UsageError(f"{source}: {exc}") from None
    replaced = len({p.id for p in updated} | removed)
    left = f"; {left_out} actions left out" if left_out else ""
    print(f"imported {counted(len(incoming), 'profile')} ({replaced} replaced) from {source}{left}")


def _taken_actions(
    source: str, incoming: list[Profile], choice: str | None
) -> tuple[list[Profile], int]:
    """The file's profiles, with their actions only when the user said to take them (and
    how many were left out): a file from someone else (a colleague's, a download) carried
    commands that then ran here at the first change, taken without a word."""
    carried = [(p, a) for p in incoming for a in p.actions]
    if not carried or choice == "with":
        return incoming, 0
    if choice == "without":
        return [dataclasses.replace(p, actions=()) for p in incoming], len(carried)
    shown = "; ".join(f"{p.name!r} on {a.on}: {_what(a)}" for p, a in carried[:3])
    more = f" and {len(carried) - 3} more" if len(carried) > 3 else ""
    raise UsageError(
        f"{source}: its profiles have actions that would run on this computer ({shown}{more});"
        " take them with --with-actions, or leave them out with --without-actions"
    )


def _incoming(file: str) -> tuple[str, list[Profile]]:
    """What ``profiles import FILE`` adds, and the file's name (``-``: standard input, as
    ``export -`` writes them), read before the lock: a writer waiting for its input held it,
    and every other writer (the window too) waited, then failed."""
    if file == "-":
        return STDIN, load_profiles_stdin()
    return file, load_profiles_file(Path(file))


def _export(args: argparse.Namespace, profiles: ProfileSet) -> None:
    own = (paths.config_dir(args.config_dir), paths.data_dir(args.data_dir))
    refuse_own_output(args.file, own)
    try:  # compact when indented it would be more than an import reads
        named = args.file if args.file not in (None, "-") else "the export"
        text = file_text(dump_document(profiles.saved()), named)
    except JsonFileError as exc:
        raise UsageError(f"{exc}; nothing written") from None
    if args.file in (None, "-"):
        sys.stdout.write(text)
        return
    try:
        write_output(Path(args.file), text, own, mode=0o600)
    except OSError as exc:
        raise UsageError(f"{args.file}: cannot write ({exc.strerror or exc})") from None
    print(f"exported {counted(len(profiles.saved()), 'profile')} to {args.file}", file=sys.stderr)
