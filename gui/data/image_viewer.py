"""The image viewer: the full picture with zoom and pan, the file's details, and quick labelling.

Opens on double-click (or Enter) in the grid. The picture is decoded off the GUI thread by the
same loader as the thumbnails (EXIF orientation applied). Left/Right step through the images
of the grid's current filter; 1-9 label the image and move on, 0 unlabels it.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.data.image_list_model import ImageListModel
from gui.i18n import retranslate_on_change, translate
from gui.resources import icon
from gui.state.app_state import AppState
from gui.state.commands import menu_text
from gui.theme import ERROR_COLOR
from gui.widgets.zoom_view import STEP, ZoomView

_FIELDS = {  # key (stable, used by the code and the tests): caption, translated where shown
    "File": QT_TRANSLATE_NOOP("ImageViewerDialog", "File"),
    "Folder": QT_TRANSLATE_NOOP("ImageViewerDialog", "Folder"),
    "Class": QT_TRANSLATE_NOOP("ImageViewerDialog", "Class"),
    "Split": QT_TRANSLATE_NOOP("ImageViewerDialog", "Split"),
    "Pixels": QT_TRANSLATE_NOOP("ImageViewerDialog", "Pixels"),
    "File size": QT_TRANSLATE_NOOP("ImageViewerDialog", "File size"),
    "Format": QT_TRANSLATE_NOOP("ImageViewerDialog", "Format"),
    "Modified": QT_TRANSLATE_NOOP("ImageViewerDialog", "Modified"),
    "Status": QT_TRANSLATE_NOOP("ImageViewerDialog", "Status"),
}
_SPLITS = {"train": QT_TRANSLATE_NOOP("ImageViewerDialog", "Training"),
           "val": QT_TRANSLATE_NOOP("ImageViewerDialog", "Validation")}
_TOOLS = (  # icon, tooltip, slot name; a stretch before the zoom tools
    ("chevron-left", QT_TRANSLATE_NOOP("ImageViewerDialog", "Previous image (Left)"), "previous"),
    ("chevron-right", QT_TRANSLATE_NOOP("ImageViewerDialog", "Next image (Right)"), "next"),
    ("zoom-out", QT_TRANSLATE_NOOP("ImageViewerDialog", "Zoom out (-)"), "zoom_out"),
    ("zoom-in", QT_TRANSLATE_NOOP("ImageViewerDialog", "Zoom in (+)"), "zoom_in"),
    ("zoom-fit", QT_TRANSLATE_NOOP("ImageViewerDialog", "Fit in window (F)"), "fit"),
    ("zoom-actual", QT_TRANSLATE_NOOP("ImageViewerDialog", "Actual size"), "actual_size"),
)


def _plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _size_text(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            if unit == "bytes":
                return translate("ImageViewerDialog", "{count} bytes").format(count=f"{int(n):,}")
            return f"{n:.1f} {unit}"
        n /= 1024
    return ""


class ImageViewerDialog(QDialog):
    """A non-modal window showing one image of the grid at a time."""

    def __init__(
        self, state: AppState, model: ImageListModel, row: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1100, 760)
        self._state, self._model = state, model
        self._row, self._image = row, model.image_index(row)
        self._request = 0
        self._details: dict[str, Any] | None = None  # the decoded file's details (None while loading)
        self._failure: str | None = None  # why the file could not be decoded
        self.view = ZoomView(self)
        self.message = _plain_label(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.message)
        self.fields = {name: _plain_label(self) for name in _FIELDS}
        for name in ("File", "Folder", "Class", "Format"):  # the user's own names, the file's format
            self.fields[name].setProperty("untranslatedContent", True)
        self.captions: dict[str, QLabel] = {}
        self.tools: list[tuple[QToolButton, str]] = []  # button, its tooltip's source text
        self.zoom_label = QLabel("100 %", self)
        self.zoom_label.setMinimumWidth(52)
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._label_box = QWidget(self)
        self._build()
        state.thumbnails.display_loaded.connect(self._on_loaded)
        state.project_changed.connect(self._on_project_changed)
        state.classes_changed.connect(self._build_label_buttons)
        state.labels_changed.connect(self._on_labels_changed)
        state.images_changed.connect(self._on_images_changed)
        self.view.zoom_changed.connect(self._on_zoom)
        self.show_row(row)
        retranslate_on_change(self, self.retranslate_ui)

    def _build(self) -> None:
        bar = QHBoxLayout()
        for name, tip, slot in _TOOLS:
            if name == "zoom-out":
                bar.addStretch(1)
            target = self.view if slot in ("fit", "actual_size") else self
            button = self._tool(name, getattr(target, slot))
            self.tools.append((button, tip))
            bar.addWidget(button)
            if name == "zoom-out":
                bar.addWidget(self.zoom_label)
        details = QFrame(self)
        details.setMinimumWidth(260)
        details.setMaximumWidth(320)
        form = QFormLayout(details)
        form.setContentsMargins(16, 8, 8, 8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, label in self.fields.items():
            caption = QLabel(details)
            caption.setObjectName("mutedLabel")
            self.captions[name] = caption
            form.addRow(caption, label)
        self.label_title = QLabel(details)
        self.label_title.setObjectName("sectionTitle")
        form.addRow(self.label_title)
        form.addRow(self._label_box)
        body = QHBoxLayout()
        body.addWidget(self.stack, 1)
        body.addWidget(details)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, activated=self.zoom_in)
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, activated=self.zoom_out)

    def _tool(self, name: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(name))
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def retranslate_ui(self) -> None:
        """Set every text in the interface language."""
        for button, tip in self.tools:
            button.setToolTip(translate("ImageViewerDialog", tip))
        for name, caption in self.captions.items():
            caption.setText(translate("ImageViewerDialog", _FIELDS[name]))
        self.label_title.setText(translate("ImageViewerDialog", "LABEL  ·  keys 1-9, 0 unlabels"))
        self._build_label_buttons()
        project = self._state.project
        if project is not None and self._image < len(project.images):
            self._fill_entry_fields()
            self._fill_file_fields()

    # ------------------------------------------------------------ navigation
    def show_row(self, row: int) -> None:
        """Show the image at ``row`` of the grid model."""
        if not 0 <= row < self._model.rowCount():
            return
        self._row, self._image = row, self._model.image_index(row)
        self._details, self._failure = None, None
        entry = self._state.project.images[self._image]
        self.setWindowTitle(os.path.basename(entry.path))
        self._fill_entry_fields()
        self._fill_file_fields()
        self._request = self._state.thumbnails.load_display(entry.path)

    @Slot()
    def next(self) -> None:
        """Go to the next image of the grid."""
        row = self._model.row_of(self._image)
        self.show_row(self._row if row is None else row + 1)

    @Slot()
    def previous(self) -> None:
        """Go to the previous image of the grid."""
        row = self._model.row_of(self._image)
        self.show_row((self._row if row is None else row) - 1)

    @Slot()
    def zoom_in(self) -> None:
        """Zoom in one step."""
        self.view.zoom_by(STEP)

    @Slot()
    def zoom_out(self) -> None:
        """Zoom out one step."""
        self.view.zoom_by(1 / STEP)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Arrows navigate, digits label and advance, F fits."""
        key = event.key()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Space):
            self.next()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Up, Qt.Key.Key_Backspace):
            self.previous()
        elif key == Qt.Key.Key_F:
            self.view.fit()
        elif Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
            self.label_with_key(key - Qt.Key.Key_0)
        else:
            super().keyPressEvent(event)

    def label_with_key(self, number: int) -> None:
        """Label the image with class ``number`` (1-based; 0 unlabels) and move to the next one."""
        classes = self._state.project.classes if self._state.project is not None else []
        if number == 0 or number <= len(classes):
            row = self._model.row_of(self._image)
            self._state.label_images([self._image], classes[number - 1] if number else None)
            still_here = self._model.row_of(self._image) is not None
            self.show_row(row + 1 if still_here and row is not None else self._row)

    # ---------------------------------------------------------------- slots
    @Slot(int, object, object, object)
    def _on_loaded(self, request: int, _path: str, image: QImage | None, details: object) -> None:
        if request != self._request:
            return
        if image is None:
            self._failure = str(details)
            self._fill_entry_fields()
            self._fill_file_fields()
            return
        assert isinstance(details, dict)
        self._details = details
        self._fill_file_fields()
        self.view.set_pixmap(QPixmap.fromImage(image))
        self.stack.setCurrentWidget(self.view)

    def _fill_file_fields(self) -> None:
        """The decoded file's details, or "…" and a message while loading or when it cannot be read."""
        details, entry = self._details, self._state.project.images[self._image]
        if details is None:
            for name in ("Pixels", "File size", "Format", "Modified"):
                self.fields[name].setText("…")
        else:
            self.fields["Pixels"].setText(f"{details['width']:,} × {details['height']:,}")
            self.fields["File size"].setText(_size_text(details["bytes"]))
            self.fields["Format"].setText(f"{details['format']} ({details['mode']})")
            self.fields["Modified"].setText(details["modified"])
        reason = entry.broken or self._failure
        if reason:
            text = translate("ImageViewerDialog", "This file cannot be read:\n{reason}")
            self._show_message(text.format(reason=reason))
        elif details is None:
            self._show_message(translate("ImageViewerDialog", "Loading…"))

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _fill_entry_fields(self) -> None:
        entry = self._state.project.images[self._image]
        self.fields["File"].setText(os.path.basename(entry.path))
        self.fields["Folder"].setText(os.path.dirname(entry.path))
        self.fields["Class"].setText(entry.label or translate("ImageViewerDialog", "Unlabeled"))
        split = _SPLITS.get(entry.split or "")
        self.fields["Split"].setText(translate("ImageViewerDialog", split) if split else "—")
        reason = entry.broken or self._failure
        self.fields["Status"].setText(translate("ImageViewerDialog", "Cannot be read: {reason}").format(
            reason=reason) if reason else translate("ImageViewerDialog", "OK"))
        self.fields["Status"].setStyleSheet(f"color: {ERROR_COLOR};" if reason else "")

    @Slot()
    def _build_label_buttons(self) -> None:
        old = self._label_box.layout()
        if old is not None:
            while old.count():
                old.takeAt(0).widget().deleteLater()
            QWidget().setLayout(old)  # reparent the old layout so a new one can be set
        grid = QGridLayout(self._label_box)
        grid.setContentsMargins(0, 0, 0, 0)
        classes = self._state.project.classes if self._state.project is not None else []
        unlabeled = translate("ImageViewerDialog", "Unlabeled")
        for number, name in [*((i + 1, c) for i, c in enumerate(classes[:9])), (0, unlabeled)]:
            button = QPushButton(menu_text(f"{number}   {name}"), self._label_box)
            button.setProperty("number", number)
            button.setProperty("untranslatedContent", number != 0)  # a class name is the user's own
            button.clicked.connect(self._on_label_button)
            grid.addWidget(button, grid.count() // 2, grid.count() % 2)

    @Slot()
    def _on_label_button(self) -> None:
        button = self.sender()
        if isinstance(button, QPushButton):
            self.label_with_key(int(button.property("number")))

    @Slot(object)
    def _on_labels_changed(self, indices: list[int] | None) -> None:
        if self._state.project is not None and (indices is None or self._image in indices):
            self._fill_entry_fields()

    @Slot(object)
    def _on_project_changed(self, _project: object) -> None:
        self.close()

    @Slot()
    def _on_images_changed(self) -> None:
        if self._state.project is None or self._image >= len(self._state.project.images):
            self.close()

    @Slot(float)
    def _on_zoom(self, zoom: float) -> None:
        self.zoom_label.setText(f"{zoom * 100:.0f} %")
