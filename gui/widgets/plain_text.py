"""Showing user-provided text (class names, file paths, error messages) exactly as written.

Qt guesses the format of a label, tooltip or message-box text: one that looks like HTML
(``Qt::mightBeRichText``: a tag such as ``<b>`` or an entity such as ``&lt;`` near the start) is
rendered as rich text, so a class named ``<b>x</b><img src=x>`` would show bold, load an image, or
hide its text. Every text that can hold a user's string goes through one of these:

* :func:`plain_label` / :func:`set_plain_text` for a ``QLabel``: the label's format is plain text.
* :func:`tooltip_text` / :func:`set_tooltip` for tooltips and status tips, which have no format
  switch: text that Qt would take for HTML is escaped and marked as rich text on purpose, so it is
  shown literally; any other text is left as it is.
* :func:`rich_text` where a rich-text context is wanted anyway (message boxes): always escaped.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt  # QtGui's Qt namespace adds mightBeRichText
from PySide6.QtWidgets import QLabel, QWidget


def rich_text(text: str) -> str:
    """Return ``text`` escaped and marked as rich text, shown literally (spaces and line breaks kept)."""
    return "<p style='white-space:pre-wrap'>" + html.escape(str(text)) + "</p>"


def tooltip_text(text: str) -> str:
    """Return ``text`` in a form a tooltip shows literally.

    Text that Qt would render as HTML is escaped and wrapped as preformatted rich text (spaces and
    line breaks kept, as in a plain tooltip); anything else is returned unchanged.
    """
    text = str(text)
    if not text or not GuiQt.mightBeRichText(text):
        return text
    return "<p style='white-space:pre'>" + html.escape(text) + "</p>"


def set_tooltip(target: Any, text: str) -> None:
    """Set a literal tooltip on a widget, action or item (anything with ``setToolTip``)."""
    target.setToolTip(tooltip_text(text))


def set_status_tip(target: Any, text: str) -> None:
    """Set a literal status tip on a widget, action or item (anything with ``setStatusTip``)."""
    target.setStatusTip(tooltip_text(text))


def plain_label(text: str = "", parent: QWidget | None = None, wrap: bool = False) -> QLabel:
    """Return a label that shows its text literally, whatever it holds."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(str(text))
    return label


def set_plain_text(label: QLabel, text: str) -> None:
    """Show ``text`` literally in an existing label (its format becomes plain text)."""
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(str(text))
