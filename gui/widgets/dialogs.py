"""Message boxes that show user-supplied text literally, and the shortcuts sheet.

``QMessageBox`` guesses rich text from the content, so a file called ``<b>x</b>.jpg`` in an error
would be rendered as HTML. Every text here is escaped and wrapped as rich text on purpose, so
it is always shown exactly as written. Tests monkeypatch the ``QMessageBox`` static methods.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QMessageBox, QWidget

from gui.i18n import translate
from gui.widgets.plain_text import rich_text

# key(s) → what they do; both translated on use (key names too: some languages name Ctrl otherwise)
SHORTCUTS = (
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+N"), QT_TRANSLATE_NOOP("Dialogs", "New project")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+O"),
     QT_TRANSLATE_NOOP("Dialogs", "Open a project, or a dataset folder to import")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+I"), QT_TRANSLATE_NOOP("Dialogs", "Import images")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+Shift+I"), QT_TRANSLATE_NOOP("Dialogs", "Import a folder")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+E"), QT_TRANSLATE_NOOP("Dialogs", "Export labelled dataset")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+S"),
     QT_TRANSLATE_NOOP("Dialogs", "Save now (changes are saved automatically)")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+Z / Ctrl+Shift+Z"), QT_TRANSLATE_NOOP("Dialogs", "Undo / redo")),
    (QT_TRANSLATE_NOOP("Dialogs", "1 – 9"),
     QT_TRANSLATE_NOOP("Dialogs", "Label the selected images with class 1 – 9")),
    (QT_TRANSLATE_NOOP("Dialogs", "0"), QT_TRANSLATE_NOOP("Dialogs", "Unlabel the selected images")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+A"), QT_TRANSLATE_NOOP("Dialogs", "Select all images shown")),
    (QT_TRANSLATE_NOOP("Dialogs", "Enter / double-click"),
     QT_TRANSLATE_NOOP("Dialogs", "Open the image viewer")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+F"), QT_TRANSLATE_NOOP("Dialogs", "Search file names")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+Plus / Ctrl+Minus"),
     QT_TRANSLATE_NOOP("Dialogs", "Bigger / smaller thumbnails")),
    (QT_TRANSLATE_NOOP("Dialogs", "F2"), QT_TRANSLATE_NOOP("Dialogs", "Rename the selected class")),
    (QT_TRANSLATE_NOOP("Dialogs", "Delete"),
     QT_TRANSLATE_NOOP("Dialogs", "Delete the selected class (images become unlabeled)")),
    (QT_TRANSLATE_NOOP("Dialogs", "Ctrl+1 … Ctrl+4"),
     QT_TRANSLATE_NOOP("Dialogs", "Go to Data, Train, Evaluate, Predict")),
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
    rows = "".join(cell.format(html.escape(translate("Dialogs", k)), html.escape(translate("Dialogs", v)))
                   for k, v in SHORTCUTS)
    QMessageBox.information(parent, translate("Dialogs", "Keyboard Shortcuts"), f"<table>{rows}</table>")


def show_about(parent: QWidget | None) -> None:
    """Show the about box."""
    text = translate("Dialogs", "Turn a folder of your own images into an image classifier by transfer "
                     "learning, offline.")
    QMessageBox.about(parent, translate("Dialogs", "About Transfer Studio"),
                      f"<h3>Transfer Studio</h3><p>{html.escape(text)}</p>")
