"""What profiles.json holds that this version cannot read, told in the banner as the file
changes while the window runs (``engine.registry.ProfileRegistry.leftOut``).

At a start the session says it (``ProblemKind.PROFILES_NOT_ALL_READ``); a newer version that
then removed its connection left the banner saying that changes are not saved over the file,
while they were, and one that added a connection later had it monitored by no one here,
without a word.
"""

from __future__ import annotations

from ...core.session import Problem, ProblemKind
from ..common.problems import PROFILES_LEFT_OUT, problem_text, problem_title
from .banner import Banner


def tell_left_out(banner: Banner, left_out: str) -> None:
    """``left_out``: the line of the last read (``JsonStore.unread_error``); "" withdraws it."""
    if not left_out:
        banner.withdraw(PROFILES_LEFT_OUT)
        return
    problem = Problem(ProblemKind.PROFILES_NOT_ALL_READ, left_out, newer=True)
    banner.problem(problem_title(problem), problem_text(problem), PROFILES_LEFT_OUT)
