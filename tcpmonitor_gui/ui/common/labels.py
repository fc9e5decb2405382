"""The state words, failure causes and preset titles in the user's language.

The core is Qt-free and speaks English (``State`` values, ``Cause.label``, ``Preset.title``);
the window, the tray and the notifications show these instead. Each word is listed here once,
in the core's own English, so ``pyside6-lupdate`` finds it; a test (``tests/gui/test_labels``)
checks that every state, cause and preset is listed and that the English matches the core's.
"""

from __future__ import annotations

from ...core.events import Cause, State
from ...core.presets import PRESETS
from .i18n import QT_TRANSLATE_NOOP, translate

STATE_WORDS: dict[State, str] = {
    State.UNKNOWN: QT_TRANSLATE_NOOP("State", "unknown"),
    State.CONNECTING: QT_TRANSLATE_NOOP("State", "connecting"),
    State.UP: QT_TRANSLATE_NOOP("State", "up"),
    State.DEGRADED: QT_TRANSLATE_NOOP("State", "degraded"),
    State.DOWN: QT_TRANSLATE_NOOP("State", "down"),
    State.PAUSED: QT_TRANSLATE_NOOP("State", "paused"),
    State.OFFLINE: QT_TRANSLATE_NOOP("State", "offline"),
    State.ONLINE: QT_TRANSLATE_NOOP("State", "online"),
    State.SLEEP: QT_TRANSLATE_NOOP("State", "sleep"),
    State.WAKE: QT_TRANSLATE_NOOP("State", "wake"),
    State.CHANGED: QT_TRANSLATE_NOOP("State", "changed"),
}

CAUSE_LABELS: dict[Cause, str] = {
    Cause.REFUSED: QT_TRANSLATE_NOOP("Cause", "refused"),
    Cause.RESET: QT_TRANSLATE_NOOP("Cause", "reset"),
    Cause.CLOSED_BY_PEER: QT_TRANSLATE_NOOP("Cause", "closed by peer"),
    Cause.CONNECT_TIMEOUT: QT_TRANSLATE_NOOP("Cause", "connect timeout"),
    Cause.HEARTBEAT_TIMEOUT: QT_TRANSLATE_NOOP("Cause", "heartbeat timeout"),
    Cause.KEEPALIVE_TIMEOUT: QT_TRANSLATE_NOOP("Cause", "keepalive timeout"),
    Cause.UNEXPECTED_REPLY: QT_TRANSLATE_NOOP("Cause", "unexpected reply"),
    Cause.DNS_ERROR: QT_TRANSLATE_NOOP("Cause", "dns error"),
    Cause.UNREACHABLE: QT_TRANSLATE_NOOP("Cause", "unreachable"),
    Cause.TLS_ERROR: QT_TRANSLATE_NOOP("Cause", "tls error"),
    Cause.LOCAL_ERROR: QT_TRANSLATE_NOOP("Cause", "local error"),
    Cause.LOCAL_NETWORK: QT_TRANSLATE_NOOP("Cause", "local network"),
}

#: By preset name; protocol names and commands stay as they are in every language.
PRESET_TITLES: dict[str, str] = {
    "echo": QT_TRANSLATE_NOOP("Preset", "Line echo"),
    "redis": QT_TRANSLATE_NOOP("Preset", "Redis PING"),
    "http": QT_TRANSLATE_NOOP("Preset", "HTTP HEAD (kept alive)"),
    "memcached": QT_TRANSLATE_NOOP("Preset", "memcached version"),
    "smtp": QT_TRANSLATE_NOOP("Preset", "SMTP NOOP"),
    "ftp": QT_TRANSLATE_NOOP("Preset", "FTP NOOP"),
    "ssh": QT_TRANSLATE_NOOP("Preset", "SSH banner (sends nothing)"),
    "hex": QT_TRANSLATE_NOOP("Preset", "Raw bytes (hex)"),
    "custom": QT_TRANSLATE_NOOP("Preset", "Custom text"),
}


#: By detector kind (the profile format's words: ``probe``, ``heartbeat``, ``watch``).
DETECTOR_WORDS: dict[str, str] = {
    "probe": QT_TRANSLATE_NOOP("Detector", "probe"),
    "heartbeat": QT_TRANSLATE_NOOP("Detector", "heartbeat"),
    "watch": QT_TRANSLATE_NOOP("Detector", "watch"),
}


def detector_word(kind: str) -> str:
    """A detector kind in the user's language (one not known as it is)."""
    word = DETECTOR_WORDS.get(kind)
    return kind if word is None else translate("Detector", word)


def state_text(state: State) -> str:
    """``state`` as a word in the user's language."""
    return translate("State", STATE_WORDS[state])


def cause_text(cause: Cause | None) -> str:
    """``cause``'s label in the user's language; "" for none. A cause a newer version
    recorded in the log (``Cause.stored``) is named as it was, and said to be one."""
    if cause is None:
        return ""
    if (label := CAUSE_LABELS.get(cause)) is None:
        unknown = QT_TRANSLATE_NOOP("Cause", "{cause} (a cause this version does not know)")
        return translate("Cause", unknown).format(cause=cause.label)
    return translate("Cause", label)


def preset_text(name: str) -> str:
    """The title of the preset called ``name`` in the user's language."""
    title = PRESET_TITLES.get(name)
    return PRESETS[name].title if title is None else translate("Preset", title)
