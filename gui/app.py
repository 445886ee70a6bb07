"""Application entry point: QApplication, settings names, logging, crash reporting, theme, window.

``main.py`` calls ``raise SystemExit(main(argv))``; ``argv[0]`` may be a project folder, a
project file or a folder of images to import.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.paths import cache_dir
from gui.i18n import translate
from gui.resources import app_icon

ORGANIZATION = "TransferStudio"
APPLICATION = "Transfer Studio"
log = logging.getLogger("transfer_studio")


def configure_settings(organization: str = ORGANIZATION, application: str = APPLICATION) -> None:
    """Set the names QSettings stores preferences under (tests use their own)."""
    QCoreApplication.setOrganizationName(organization)
    QCoreApplication.setApplicationName(application)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)


def configure_logging() -> str:
    """Log to a rotating file in the cache folder (and to stderr); return the file's path."""
    folder = cache_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "transfer-studio.log"
    root = logging.getLogger()
    if any(getattr(h, "transfer_studio", False) for h in root.handlers):
        return str(path)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.transfer_studio = True  # type: ignore[attr-defined]
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    return str(path)


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    """Log an unexpected error and tell the user instead of dying silently."""
    log.error("unexpected error", exc_info=(kind, value, tb))
    if QApplication.instance() is not None and not issubclass(kind, KeyboardInterrupt):
        text = "".join(traceback.format_exception_only(kind, value)).strip()
        message = translate("CrashDialog", "Something went wrong, but your project is saved.\n\n{error}\n\n"
                            "Details are in the log file in {folder}.")
        box = QMessageBox(QMessageBox.Icon.Critical, translate("CrashDialog", "Unexpected error"),
                          message.format(error=text, folder=cache_dir() / "logs"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.exec()


def create_app(argv: list[str]) -> QApplication:
    """Create (or return) the QApplication with names, icon and high-DPI policy set."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication([sys.argv[0] if sys.argv else "transfer-studio", *argv])
    configure_settings()
    app.setWindowIcon(app_icon())
    return app


def main(argv: list[str] | None = None) -> int:
    """Open the main window (with ``argv[0]`` opened or imported) and run until it closes."""
    args = list(sys.argv[1:] if argv is None else argv)
    app = create_app(args)
    configure_logging()
    sys.excepthook = _excepthook
    from gui.i18n import install_language, saved_language
    from gui.theme import ThemeManager
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    install_language(saved_language(), remember=False)  # before any widget: the system's language at first
    theme = ThemeManager(app, str(QSettings().value("theme", "system")))
    window = MainWindow(theme=theme)
    install_stage_pages(window)
    window.show()
    paths = [a for a in args if not a.startswith("-")]
    if paths:
        window.open_path(paths[0])
    return app.exec()
