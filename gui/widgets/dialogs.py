"""Message boxes that show user-supplied text literally, and the shortcuts sheet.

``QMessageBox`` guesses rich text from the content, so a file called ``<b>x</b>.jpg`` in an error
would be rendered as HTML. Every text here is escaped and wrapped as rich text on purpose, so
it is always shown exactly as written. Tests monkeypatch the ``QMessageBox`` static methods.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QMessageBox, QWidget

from gui.widgets.plain_text import rich_text

SHORTCUTS = (
    ("Ctrl+N", "New project"), ("Ctrl+O", "Open a project, or a dataset folder to import"),
    ("Ctrl+I", "Import images"), ("Ctrl+Shift+I", "Import a folder"), ("Ctrl+E", "Export labelled dataset"),
    ("Ctrl+S", "Save now (changes are saved automatically)"), ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
    ("1 – 9", "Label the selected images with class 1 – 9"), ("0", "Unlabel the selected images"),
    ("Ctrl+A", "Select all images shown"), ("Enter / double-click", "Open the image viewer"),
    ("Ctrl+F", "Search file names"), ("Ctrl+Plus / Ctrl+Minus", "Bigger / smaller thumbnails"),
    ("F2", "Rename the selected class"), ("Delete", "Delete the selected class (images become unlabeled)"),
    ("Ctrl+1 … Ctrl+4", "Go to Data, Train, Evaluate, Predict"),
)


def show_error(parent: QWidget | None, title: str, text: str) -> None:
    """Show an error that names the file and says what to do (the text is shown literally)."""
    QMessageBox.warning(parent, title, rich_text(text))


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """Ask a yes/no question; True for yes."""
    answer = QMessageBox.question(parent, title, rich_text(text))
    return answer == QMessageBox.StandardButton.Yes


def show_shortcuts(parent: QWidget | None) -> None:
    """Show the keyboard shortcuts."""
    cell = "<tr><td style='padding-right:18px'><b>{}</b></td><td>{}</td></tr>"
    rows = "".join(cell.format(html.escape(k), html.escape(v)) for k, v in SHORTCUTS)
    QMessageBox.information(parent, "Keyboard Shortcuts", f"<table>{rows}</table>")


def show_about(parent: QWidget | None) -> None:
    """Show the about box."""
    QMessageBox.about(parent, "About Transfer Studio",
                      "<h3>Transfer Studio</h3><p>Turn a folder of your own images into an image classifier "
                      "by transfer learning, offline.</p>")
