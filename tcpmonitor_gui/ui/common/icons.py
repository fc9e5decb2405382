"""State colours and icons, drawn from one SVG template recoloured per state.

One template (Nagstamon's good idea) keeps the tray, the table and the log consistent, and a
state is never told by colour alone: the table shows the word beside the icon.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from ... import assets
from ...core.events import SEVERITY, State

#: Colours chosen to stay apart for the common colour-vision deficiencies and on light and
#: dark themes.
STATE_COLORS: dict[State, str] = {
    State.UP: "#2e9d4f",
    State.DEGRADED: "#e0a100",
    State.DOWN: "#d63a2f",
    State.CONNECTING: "#3b82c4",
    State.PAUSED: "#8a8f98",
    State.UNKNOWN: "#b8bcc4",
    State.OFFLINE: "#d63a2f",
    State.ONLINE: "#2e9d4f",
    State.SLEEP: "#8a8f98",
    State.WAKE: "#3b82c4",
    State.CHANGED: "#3b82c4",
}

#: A round badge with a plug-like mark (``resources/icons/state-template.svg``), recoloured.
TEMPLATE = assets.read_text(assets.STATE_TEMPLATE_SVG)


def state_color(state: State) -> QColor:
    return QColor(STATE_COLORS[state])


def worst(states: Iterable[State]) -> State:
    """The most severe of ``states``; ``unknown`` if there are none."""
    return max(states, key=SEVERITY.__getitem__, default=State.UNKNOWN)


def render_svg(svg: str, size: int) -> QPixmap:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


@functools.cache
def state_icon(state: State) -> QIcon:
    """The state's icon at the sizes tables, menus and trays ask for."""
    svg = TEMPLATE.replace(assets.STATE_TEMPLATE_FILL, STATE_COLORS[state])
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(render_svg(svg, size))
    return icon


#: The white mark an action's line shows on its badge: a tick (done), a cross (failed), a bar
#: (not run, by the rules); the badge in the colour of up, down and paused.
_ACTION_MARKS = {
    "done": ("M19 33l9 9 17-19", State.UP),
    "failed": ("M22 22l20 20M42 22l-20 20", State.DOWN),
    "not_run": ("M20 32h24", State.PAUSED),
}


@functools.cache
def action_icon(result: str) -> QIcon:
    """The icon of an action's line in the log by how it went (``core.action_result``): not
    the state's of the change it ran on, which a failed action of a recovery would share."""
    mark, state = _ACTION_MARKS[result]
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<circle cx="32" cy="32" r="29" fill="{STATE_COLORS[state]}" stroke="#1b1f24"'
        ' stroke-opacity="0.35" stroke-width="2"/>'
        f'<path d="{mark}" fill="none" stroke="#ffffff" stroke-width="7"'
        ' stroke-linecap="round" stroke-linejoin="round"/></svg>'
    )
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(render_svg(svg, size))
    return icon


@functools.lru_cache(maxsize=32)
def badged_icon(state: State, count: int) -> QIcon:
    """The state's icon with ``count`` (drops not acknowledged) in a badge at its top right;
    the plain icon for 0, "99+" past 99."""
    if count <= 0:
        return state_icon(state)
    text = str(count) if count < 100 else "99+"
    plain = state_icon(state)
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        pixmap = plain.pixmap(size)  # drawn once per state; painting on it makes a copy
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = size * (0.62 if len(text) == 1 else 0.75)
        badge = QRectF(size - side, 0, side, size * 0.62)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor("#1f2937"))
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(max(6, round(badge.height() * (0.8 if len(text) == 1 else 0.6))))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def readable_state_color(state: State, on: QPalette.ColorRole = QPalette.ColorRole.Base) -> QColor:
    """Text colour for ``state`` on the application's current base colour (a table's, an
    edit's), or ``on`` another of its colours (a label's: the window's)."""
    base = QGuiApplication.palette().color(on)
    return QColor(_readable(state, base.rgb()))


def text_style(state: State) -> str:
    """A label's style sheet for a message in ``state``'s colour, readable on the window (the
    red itself read at 3.0:1 on a dark theme, 4.1:1 on a light one)."""
    return f"color: {readable_state_color(state, QPalette.ColorRole.Window).name()};"


def _luminance(color: QColor) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in (color.redF(), color.greenF(), color.blueF()))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@functools.cache
def _readable(state: State, base_rgb: int) -> QColor:
    """The state's colour, made lighter or darker until it reads on ``base`` (WCAG 4.5:1).

    Amber on white or red on a dark theme is too faint as text; the hue stays the state's.
    """
    color, base = state_color(state), QColor.fromRgb(base_rgb)
    lb = _luminance(base)
    h, s, lightness, a = color.hslHueF(), color.hslSaturationF(), color.lightnessF(), 1.0
    step = 0.03 if base.lightnessF() < 0.5 else -0.03
    while 0.0 < lightness < 1.0:
        lc = _luminance(color)
        if (max(lc, lb) + 0.05) / (min(lc, lb) + 0.05) >= 4.5:
            break
        lightness = min(1.0, max(0.0, lightness + step))
        color = QColor.fromHslF(h, s, lightness, a)
    return color
