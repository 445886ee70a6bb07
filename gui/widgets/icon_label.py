"""A QLabel showing one of the app's icons, redrawn when the palette (light/dark) changes."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QWidget

from gui.resources import icon


class IconLabel(QLabel):
    """Shows icon ``name`` at ``size`` px in the palette's text colour (or a fixed ``color``)."""

    def __init__(
        self, name: str, size: int = 16, parent: QWidget | None = None, color: str | None = None
    ) -> None:
        super().__init__(parent)
        self._name, self._size, self._color = name, size, color
        self._render()

    def set_icon(self, name: str | None, color: str | None = None) -> None:
        """Show another icon (None clears)."""
        self._name, self._color = name or "", color
        self._render()

    def changeEvent(self, event: QEvent) -> None:
        """Follow the theme."""
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        super().changeEvent(event)

    def _render(self) -> None:
        if not self._name:
            self.clear()
            return
        self.setPixmap(icon(self._name, self._color).pixmap(self._size, self._size))
