"""Light and dark palettes that follow the system, plus the few colours the panels share.

The Fusion style is used everywhere so both palettes look the same on every OS. The
:class:`ThemeManager` follows ``QStyleHints.colorScheme`` unless the user picked a theme.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from gui.i18n import translate

THEMES = ("system", "light", "dark")
_THEME_NAMES = {
    "system": QT_TRANSLATE_NOOP("Theme", "System"),
    "light": QT_TRANSLATE_NOOP("Theme", "Light"),
    "dark": QT_TRANSLATE_NOOP("Theme", "Dark"),
}
ACCENT = "#3b6cf0"
ACCENT_DARK = "#5b8cff"
# Tableau 10: distinguishable, readable on light and dark backgrounds.
CLASS_COLORS = (
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#b07aa1",
    "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#bab0ac",
)
WARNING_COLOR = "#d9822b"
ERROR_COLOR = "#d64545"

_LIGHT = {
    "Window": "#f4f5f8", "WindowText": "#1d2130", "Base": "#ffffff", "AlternateBase": "#f0f2f6",
    "ToolTipBase": "#1d2130", "ToolTipText": "#f4f5f8", "PlaceholderText": "#8a90a2",
    "Text": "#1d2130", "Button": "#fbfbfd", "ButtonText": "#1d2130", "BrightText": "#ffffff",
    "Light": "#ffffff", "Midlight": "#e9ebf1", "Mid": "#c9cdd8", "Dark": "#a3a9b8", "Shadow": "#6b7180",
    "Highlight": ACCENT, "HighlightedText": "#ffffff", "Link": ACCENT, "LinkVisited": "#6a4cd8",
}
_DARK = {
    "Window": "#1e2027", "WindowText": "#e6e8ee", "Base": "#16181e", "AlternateBase": "#23262e",
    "ToolTipBase": "#e6e8ee", "ToolTipText": "#1e2027", "PlaceholderText": "#7d8394",
    "Text": "#e6e8ee", "Button": "#2a2d36", "ButtonText": "#e6e8ee", "BrightText": "#ffffff",
    "Light": "#3a3e4a", "Midlight": "#30333d", "Mid": "#444958", "Dark": "#121318", "Shadow": "#000000",
    "Highlight": ACCENT_DARK, "HighlightedText": "#ffffff", "Link": ACCENT_DARK, "LinkVisited": "#a58cff",
}


def theme_name(mode: str) -> str:
    """The name of theme ``mode`` in the interface language (View ▸ Theme)."""
    return translate("Theme", _THEME_NAMES[mode])


def make_palette(dark: bool) -> QPalette:
    """Return the app's light or dark palette."""
    colors = _DARK if dark else _LIGHT
    palette = QPalette()
    for role_name, value in colors.items():
        palette.setColor(QPalette.ColorRole[role_name], QColor(value))
    disabled = QColor("#5c6070" if dark else "#a6abb8")
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Highlight, QColor(colors["Mid"]))
    return palette


def class_color(index: int) -> QColor:
    """Return the colour of the class at ``index`` (it cycles after ten classes)."""
    return QColor(CLASS_COLORS[index % len(CLASS_COLORS)]) if index >= 0 else QColor("#8a90a2")


def is_dark_palette(palette: QPalette | None = None) -> bool:
    """Tell whether the (current) palette is a dark one."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def style_sheet(dark: bool) -> str:
    """Return the small style sheet that adds spacing and the stage bar's look to Fusion."""
    accent = ACCENT_DARK if dark else ACCENT
    line = "#30333d" if dark else "#e1e4eb"
    muted = "#9aa0b0" if dark else "#646b7d"
    pill = "#2b3550" if dark else "#e6edff"
    return f"""
QToolBar#mainToolBar {{ border: none; border-bottom: 1px solid {line}; padding: 4px 8px; spacing: 4px; }}
QToolBar#mainToolBar QToolButton {{ padding: 4px 6px; border-radius: 6px; }}
QToolButton#stageButton {{ padding: 5px 12px; border-radius: 14px; color: {muted}; font-weight: 600; }}
QToolButton#stageButton:hover {{ background: {line}; }}
QToolButton#stageButton:checked {{ background: {pill}; color: {accent}; }}
QLabel#stageChevron {{ color: {muted}; }}
QLabel#sectionTitle {{ color: {muted}; font-weight: 600; letter-spacing: 0.5px; }}
QLabel#mutedLabel, QLabel#pageHint {{ color: {muted}; }}
QLabel#pageTitle {{ font-size: 20pt; font-weight: 600; }}
QFrame#sidebar {{ border-right: 1px solid {line}; }}
QFrame#browserBar {{ border-bottom: 1px solid {line}; }}
QFrame#warningsBox {{ border-top: 1px solid {line}; }}
QStatusBar {{ border-top: 1px solid {line}; }}
QStatusBar QLabel {{ padding: 0 6px; }}
QListView#classList, QListView#thumbnailGrid, QListWidget#recentList {{ border: none; }}
QPushButton#primaryButton {{ background: {accent}; color: white; border: none; border-radius: 6px;
    padding: 8px 18px; font-weight: 600; }}
QPushButton#primaryButton:hover {{ background: {"#6f9aff" if dark else "#2f5bd8"}; }}
"""


class ThemeManager(QObject):
    """Applies the palette for ``system``, ``light`` or ``dark`` and follows the system's scheme."""

    theme_changed = Signal(bool)  # True when the palette is now dark

    def __init__(self, app: QApplication, mode: str = "system") -> None:
        super().__init__(app)
        self._app = app
        self._mode = mode if mode in THEMES else "system"
        app.setStyle("Fusion")
        app.styleHints().colorSchemeChanged.connect(self._on_scheme_changed)
        self.apply()

    @property
    def mode(self) -> str:
        """``system``, ``light`` or ``dark``."""
        return self._mode

    def set_mode(self, mode: str) -> None:
        """Switch theme; ``system`` follows the OS from now on."""
        self._mode = mode if mode in THEMES else "system"
        self.apply()

    def is_dark(self) -> bool:
        """Tell whether the dark palette applies now."""
        if self._mode != "system":
            return self._mode == "dark"
        return self._app.styleHints().colorScheme() == Qt.ColorScheme.Dark

    def apply(self) -> None:
        """Install the palette and style sheet that match the mode and the system."""
        dark = self.is_dark()
        self._app.setPalette(make_palette(dark))
        self._app.setStyleSheet(style_sheet(dark))
        self.theme_changed.emit(dark)

    @Slot(Qt.ColorScheme)
    def _on_scheme_changed(self, _scheme: Qt.ColorScheme) -> None:
        if self._mode == "system":
            self.apply()
