"""The image viewer: the full picture with zoom and pan, the file's details, and quick labelling.

Opens on double-click (or Enter) in the grid. The picture is decoded off the GUI thread by the
same loader as the thumbnails (EXIF orientation applied). Left/Right step through the images
of the grid's current filter; 1-9 label the image and move on, 0 unlabels it.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, Slot
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
from gui.resources import icon
from gui.state.app_state import AppState
from gui.state.commands import menu_text
from gui.theme import ERROR_COLOR
from gui.widgets.zoom_view import STEP, ZoomView

_FIELDS = ("File", "Folder", "Class", "Split", "Pixels", "File size", "Format", "Modified", "Status")


def _plain_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setWordWrap(True)
    return label


def _size_text(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
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
        self.view = ZoomView(self)
        self.message = _plain_label(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.message)
        self.fields = {name: _plain_label(self) for name in _FIELDS}
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
        self._build_label_buttons()
        self.show_row(row)

    def _build(self) -> None:
        bar = QHBoxLayout()
        for name, tip, slot in (("chevron-left", "Previous image (Left)", self.previous),
                                ("chevron-right", "Next image (Right)", self.next)):
            bar.addWidget(self._tool(name, tip, slot))
        bar.addStretch(1)
        zooms = (("zoom-out", "Zoom out (-)", self.zoom_out), ("zoom-in", "Zoom in (+)", self.zoom_in))
        for name, tip, slot in zooms:
            bar.addWidget(self._tool(name, tip, slot))
            if name == "zoom-out":
                bar.addWidget(self.zoom_label)
        bar.addWidget(self._tool("zoom-fit", "Fit in window (F)", self.view.fit))
        bar.addWidget(self._tool("zoom-actual", "Actual size", self.view.actual_size))
        details = QFrame(self)
        details.setMinimumWidth(260)
        details.setMaximumWidth(320)
        form = QFormLayout(details)
        form.setContentsMargins(16, 8, 8, 8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for name, label in self.fields.items():
            caption = QLabel(name, details)
            caption.setObjectName("mutedLabel")
            form.addRow(caption, label)
        title = QLabel("LABEL  ·  keys 1-9, 0 unlabels", details)
        title.setObjectName("sectionTitle")
        form.addRow(title)
        form.addRow(self._label_box)
        body = QHBoxLayout()
        body.addWidget(self.stack, 1)
        body.addWidget(details)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addLayout(body, 1)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, activated=self.zoom_in)
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, activated=self.zoom_out)

    def _tool(self, name: str, tip: str, slot: object) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(icon(name))
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------ navigation
    def show_row(self, row: int) -> None:
        """Show the image at ``row`` of the grid model."""
        if not 0 <= row < self._model.rowCount():
            return
        self._row, self._image = row, self._model.image_index(row)
        entry = self._state.project.images[self._image]
        self.setWindowTitle(os.path.basename(entry.path))
        self._fill_entry_fields()
        for name in ("Pixels", "File size", "Format", "Modified"):
            self.fields[name].setText("…")
        if entry.broken:
            self._show_message(f"This file cannot be read:\n{entry.broken}")
        else:
            self._show_message("Loading…")
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
            self._show_message(f"This file cannot be read:\n{details}")
            self.fields["Status"].setText(str(details))
            return
        assert isinstance(details, dict)
        self.fields["Pixels"].setText(f"{details['width']:,} × {details['height']:,}")
        self.fields["File size"].setText(_size_text(details["bytes"]))
        self.fields["Format"].setText(f"{details['format']} ({details['mode']})")
        self.fields["Modified"].setText(details["modified"])
        self.view.set_pixmap(QPixmap.fromImage(image))
        self.stack.setCurrentWidget(self.view)

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        self.stack.setCurrentWidget(self.message)

    def _fill_entry_fields(self) -> None:
        entry = self._state.project.images[self._image]
        self.fields["File"].setText(os.path.basename(entry.path))
        self.fields["Folder"].setText(os.path.dirname(entry.path))
        self.fields["Class"].setText(entry.label or "Unlabeled")
        self.fields["Split"].setText({"train": "Training", "val": "Validation"}.get(entry.split or "", "—"))
        self.fields["Status"].setText(f"Cannot be read: {entry.broken}" if entry.broken else "OK")
        color = ERROR_COLOR if entry.broken else ""
        self.fields["Status"].setStyleSheet(f"color: {color};" if color else "")

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
        for number, name in [*((i + 1, c) for i, c in enumerate(classes[:9])), (0, "Unlabeled")]:
            button = QPushButton(menu_text(f"{number}   {name}"), self._label_box)
            button.setProperty("number", number)
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
