"""Room for many held connections: raise the soft open-file limit where the OS allows."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def raise_open_file_limit(wanted: int) -> int:
    """Raise the soft limit toward ``wanted`` (at most the hard limit); returns the new one."""
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
        log.warning("open-file limit is %d; %d connections want more", target, wanted)
    return target
