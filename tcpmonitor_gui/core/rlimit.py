"""Room for many held connections: raise the soft open-file limit where the OS allows."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

#: Files the program holds beside its connections (the event log, pipes, the metrics'
#: scrapes, probes' sockets while they connect).
HEADROOM = 256
#: How a failure for want of a file names the limit it met.
LIMIT_SAID = " (this program's limit, ulimit -n: %d)"


def raise_open_file_limit(connections: int) -> int:
    """Raise the soft limit toward room for ``connections`` held connections and the
    program's own files (at most the hard limit); returns the new one."""
    wanted = connections + HEADROOM
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:
        return wanted
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return wanted
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError) as exc:
        log.warning("could not raise the open-file limit to %d: %s", target, exc)
        return soft
    if target < wanted:
        log.warning(
            "open-file limit is %d (ulimit -n, and its hard limit); %d connections and this"
            " program's own files want %d: connections past it fail, 'Too many open files'",
            target,
            connections,
            wanted,
        )
    return target


def open_file_limit() -> int | None:
    """This process's soft open-file limit (``ulimit -n``), where the OS has one."""
    try:
        import resource  # noqa: PLC0415 - POSIX only

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    except (ImportError, OSError, ValueError):
        return None
    return None if soft == resource.RLIM_INFINITY else soft
