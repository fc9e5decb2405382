"""Which of the log's lines are news among the start-up noise (``proxy.start_or_stop``), for
what only the order of the changes tells: the pane's quiet view and the tray's Recent events."""

from __future__ import annotations

from ...core.events import Cause, Event, Kind, State


def checked_again(event: Event, unchecked: set[str]) -> bool:
    """Whether ``event`` is a connection found again after checks this computer could not
    make (unknown, ``local_error``), which ``start_or_stop`` takes for a start finding it:
    news, the unknown before it having been told. ``unchecked``: the profiles whose last
    change, of those seen in order, was that unknown; kept up to date here."""
    if event.kind is not Kind.STATE:
        return False
    after = event.profile_id in unchecked
    if event.state is State.UNKNOWN and event.cause is Cause.LOCAL_ERROR:
        unchecked.add(event.profile_id)
    else:
        unchecked.discard(event.profile_id)
    return after and event.previous is State.UNKNOWN and event.state is not State.UNKNOWN
