"""Locate bundled resources and turn the SVG icons into crisp, theme-coloured QIcons.

Works from source and frozen (PyInstaller puts data under ``sys._MEIPASS``). Icons are drawn
on demand at the exact device-pixel size asked for, in the palette's text colour, so they stay
sharp on high-DPI screens and follow the light and dark palettes without reloading.
"""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer


def resource_dir() -> Path:
    """Return the ``resources/`` folder, frozen or from source."""
    frozen = getattr(sys, "_MEIPASS", None)
    base = Path(frozen) if frozen else Path(__file__).resolve().parents[1]
    return base / "resources"


def icon_path(name: str) -> Path:
    """Return the SVG file of icon ``name``."""
    return resource_dir() / "icons" / f"{name}.svg"


@cache
def _svg_text(name: str) -> bytes:
    path = icon_path(name)
    return path.read_bytes() if path.is_file() else b""


def _color_for(mode: QIcon.Mode) -> QColor:
    palette = QGuiApplication.palette()
    if mode == QIcon.Mode.Disabled:
        return palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.WindowText)
    if mode == QIcon.Mode.Selected:
        return palette.color(QPalette.ColorRole.HighlightedText)
    return palette.color(QPalette.ColorRole.WindowText)


class _SvgIconEngine(QIconEngine):
    """Renders one monochrome SVG at any size, recoloured from ``currentColor``."""

    def __init__(self, name: str, color: QColor | None = None) -> None:
        super().__init__()
        self._name = name
        self._color = color
        self._renderers: dict[str, QSvgRenderer] = {}

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        color = self._color if self._color is not None and mode != QIcon.Mode.Disabled else _color_for(mode)
        key = color.name(QColor.NameFormat.HexArgb)
        renderer = self._renderers.get(key)
        if renderer is None:
            svg = _svg_text(self._name).replace(b"currentColor", color.name().encode())
            renderer = QSvgRenderer(QByteArray(svg))
            self._renderers[key] = renderer
        return renderer

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        """Draw the icon into ``rect``."""
        self._renderer(mode).render(painter, rect)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        """Return the icon rendered at ``size`` device pixels."""
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        """Return the icon for ``size`` logical pixels at device pixel ratio ``scale``."""
        pixmap = QPixmap(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._renderer(mode).render(painter, QRect(QPoint(0, 0), pixmap.size()))
        painter.end()
        pixmap.setDevicePixelRatio(scale)
        return pixmap

    def clone(self) -> QIconEngine:
        """Return a copy (Qt needs it when an icon is detached)."""
        return _SvgIconEngine(self._name, self._color)

    def key(self) -> str:
        """Identify this engine."""
        return "transfer-studio-svg"


def icon(name: str, color: QColor | str | None = None) -> QIcon:
    """Return icon ``name`` from ``resources/icons``, in the palette's text colour unless ``color``."""
    return QIcon(_SvgIconEngine(name, QColor(color) if color is not None else None))


def app_icon() -> QIcon:
    """Return the full-colour application icon."""
    return QIcon(str(resource_dir() / "app.svg"))
