"""The demo in the user's language: its connections' names, group and note, and what the status
line says when it starts.

``lab`` is Qt-free and names the demo's connections in English ("Demo flaky link", group
"demo", "Part of the demo: not saved..."); the Chinese window listed them so, the first thing
a new user tries. They are never saved, so they are named in the user's language as they join
the window (their ids, made from the English names, stay as they are).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..core.profile import Profile
from .common.i18n import QT_TRANSLATE_NOOP, translate

NAMES = (
    QT_TRANSLATE_NOOP("Demo", "Demo echo"),
    QT_TRANSLATE_NOOP("Demo", "Demo Redis"),
    QT_TRANSLATE_NOOP("Demo", "Demo web"),
    QT_TRANSLATE_NOOP("Demo", "Demo flaky link"),
    QT_TRANSLATE_NOOP("Demo", "demo"),  # the group
    QT_TRANSLATE_NOOP("Demo", "Part of the demo: not saved, gone when the program quits."),
)


def demo_profiles(profiles: Sequence[Profile]) -> list[Profile]:
    """``profiles`` (the demo's) with their words in the user's language."""

    def said(text: str) -> str:
        return translate("Demo", text) if text in NAMES else text

    return [
        dataclasses.replace(p, name=said(p.name), group=said(p.group), notes=said(p.notes))
        for p in profiles
    ]


def started_text() -> str:
    return translate(
        "Demo",
        "Demo started: its connections are not saved; the flaky link fails and recovers every "
        "minute or so.",
    )
