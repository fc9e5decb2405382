"""Files replaced whole or not at all: the config dir's JSON files (``jsonfile.py``), what
the user asks to be written (``outputs.py``), the desktop entry, icons and start at login
(``integration/``). One writer for all of them, so a fix to one is a fix to each."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFDIR: "a directory",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
_TMP_MARK = ".tmp-"
#: A new file of our own, never an existing one (nor a link someone put at its name).
CREATE_FLAGS = (
    os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
)


def not_a_file(mode: int) -> str | None:
    """What a file of ``mode`` is ("a named pipe (FIFO)"...), or None for a regular file."""
    return None if stat.S_ISREG(mode) else KINDS.get(stat.S_IFMT(mode), "not a regular file")


def special_kind(path: Path) -> str | None:
    """What ``path`` is when it exists and is not a regular file ("a named pipe (FIFO)"...),
    else None: opening a FIFO to read it waits for a writer for ever."""
    try:
        return not_a_file(os.stat(path).st_mode)
    except OSError:
        return None


def atomic_write_text(path: Path, text: str, *, mode: int = 0o600) -> None:
    """``atomic_write`` of ``text`` in UTF-8, through a link at ``path``."""
    atomic_write(path, text.encode("utf-8"), mode=mode)


def atomic_write(path: Path, data: bytes, *, mode: int = 0o600, follow_links: bool = True) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file only.

    The temporary file is created beside the target (``os.replace`` is atomic only within one
    file system) with a name no other writer can pick; the final file has exactly ``mode``
    whatever the umask or the old file's mode were. Temporary files left by writers that were
    killed are removed first, so crashes do not pile them up.

    ``follow_links``: a link at ``path`` is written through, into the file it leads to (a
    dotfiles checkout links profiles.json). Without it the link itself is replaced: the
    desktop integration writes only its own files, never one a link of the user's leads to.
    """
    path = writable_target(path, follow_links=follow_links)
    _remove_stale_temps(path)
    tmp = path.with_name(f".{path.name}{_TMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    fd = os.open(tmp, CREATE_FLAGS, mode)
    try:
        with open(fd, "wb") as f:
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), mode)
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def writable_target(path: Path, *, follow_links: bool = True) -> Path:
    """Where writing ``path`` really goes: a symlink's target (a dotfiles checkout links
    profiles.json; replacing the link with a file would cut it loose) unless not
    ``follow_links``, and nothing but a regular file or no file at all (a FIFO, a device or
    a folder is refused: ``OSError``)."""
    try:  # what the path leads to, through any link; or the link itself
        mode = os.stat(path).st_mode if follow_links else os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISLNK(mode) and (kind := not_a_file(mode)) is not None:
        raise OSError(errno.EINVAL, f"is {kind}, not a file; nothing written", str(path))
    return Path(os.path.realpath(path)) if follow_links and path.is_symlink() else path


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (POSIX); Windows cannot open a directory for this."""
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        # Some file systems (and some FUSE mounts) refuse fsync on a directory; the file
        # itself is already safe and in place.
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _remove_stale_temps(path: Path) -> None:
    prefix = f".{path.name}{_TMP_MARK}"
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(prefix):
            continue
        pid = name[len(prefix) :].split("-", 1)[0]
        if pid.isdigit() and not process_alive(int(pid)):
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)


def process_alive(pid: int) -> bool:
    """False only when ``pid`` surely no longer exists (a reused pid merely keeps a leftover)."""
    if pid <= 0 or pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
