"""The words the Qt-free core hands the window in English: every one is listed for translation.

``ui/labels.py`` lists each state word, cause label and preset title in the core's English so
that ``pyside6-lupdate`` finds it; a state, cause or preset added to the core without a line
there would show in English in every language, so these tests name what is missing.
"""

from __future__ import annotations

from tcpmonitor_gui.core.events import Cause, State
from tcpmonitor_gui.core.presets import PRESETS
from tcpmonitor_gui.ui.common.labels import (
    CAUSE_LABELS,
    PRESET_TITLES,
    STATE_WORDS,
    cause_text,
    preset_text,
    state_text,
)


def test_every_state_has_a_translatable_word_in_the_cores_english() -> None:
    assert set(State) - set(STATE_WORDS) == set(), "states missing from ui/labels.py"
    assert {s: STATE_WORDS[s] for s in State} == {s: str(s) for s in State}


def test_every_cause_has_a_translatable_label_in_the_cores_english() -> None:
    assert set(Cause) - set(CAUSE_LABELS) == set(), "causes missing from ui/labels.py"
    assert {c: CAUSE_LABELS[c] for c in Cause} == {c: c.label for c in Cause}


def test_every_preset_has_a_translatable_title_in_the_cores_english() -> None:
    assert set(PRESETS) - set(PRESET_TITLES) == set(), "presets missing from ui/labels.py"
    assert set(PRESET_TITLES) == set(PRESETS), "ui/labels.py lists presets the core lacks"
    assert {n: PRESET_TITLES[n] for n in PRESETS} == {n: p.title for n, p in PRESETS.items()}


def test_without_a_translator_the_words_are_the_cores() -> None:
    assert [state_text(s) for s in State] == [str(s) for s in State]
    assert [cause_text(c) for c in Cause] == [c.label for c in Cause]
    assert [preset_text(n) for n in PRESETS] == [p.title for p in PRESETS.values()]
    assert cause_text(Cause.CLOSED_BY_PEER) == "closed by peer"
    assert cause_text(None) == ""
