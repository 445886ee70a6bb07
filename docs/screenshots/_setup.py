"""What both screenshot scripts need: a QApplication whose settings and caches live in a fresh folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication


def isolated_app(prefix: str) -> tuple[QApplication, Path]:
    """Create the app with settings and caches in a new temporary folder (the user's stay untouched)."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    os.environ["TRANSFER_STUDIO_CACHE"] = str(work / "cache")
    from PySide6.QtCore import QCoreApplication, QSettings

    QCoreApplication.setOrganizationName("TransferStudioScreens")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(work / "settings"))
    return QApplication([]), work
