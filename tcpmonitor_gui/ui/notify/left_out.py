"""What profiles.json holds that this version cannot read, told in the banner as the file
changes while the window runs (``engine.registry.ProfileRegistry.leftOut``).

At a start the session says it (``ProblemKind.PROFILES_NOT_ALL_READ``); a newer version that
then removed its connection left the banner saying that changes are not saved over the file,
while they were, and one that added a connection later had it monitored by no one here,
without a word. A file of a newer ``version``, which it cannot read at all, moved away as
the banner advised, left it saying that nothing is saved over it.
"""

from __future__ import annotations

from ...core.session import Problem, ProblemKind
from ..common.problems import PROFILES_LEFT_OUT, problem_text, problem_title
from .banner import Banner


def tell_left_out(banner: Banner, left_out: str | None) -> None:
    """``left_out``: the line of the last read (``JsonStore.unread_error``); "": nothing is,
    and what was said of the file at a start, a newer ``version``'s too, is withdrawn; None:
    the file cannot be read at all (said by the save that failed)."""
    if left_out is None:
        return
    if not left_out:
        banner.withdraw(PROFILES_LEFT_OUT)
        return
    problem = Problem(ProblemKind.PROFILES_NOT_ALL_READ, left_out, newer=True)
    banner.problem(problem_title(problem), problem_text(problem), PROFILES_LEFT_OUT)
