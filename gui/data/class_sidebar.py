"""The class sidebar: filters, classes with counts and size bars, drop targets and warnings.

Drop images (dragged from the grid) on a class to label them, on "Unlabeled" to unlabel them;
drop files or folders from the desktop on a class to import them already labelled. Classes are
created in the field at the top, renamed in place (double-click or F2), merged and deleted from
the context menu; every one of these is undoable.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui.data.class_delegate import ClassDelegate
from gui.data.class_list_model import ClassListModel
from gui.data.image_list_model import MIME_TYPE, decode_image_indices
from gui.i18n import retranslate_on_change, translate
from gui.resources import icon
from gui.state.app_state import AppState
from gui.state.commands import menu_text
from gui.widgets.drops import local_paths
from gui.widgets.warnings_box import WarningsBox


class ClassListView(QListView):
    """The list of filters and classes; a drop target for images and for files."""

    images_dropped = Signal(object, object)  # list[int] image indices, class name or None (unlabel)
    files_dropped = Signal(object, object)  # list[str] paths, class name or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("classList")
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(False)
        self.setMouseTracking(True)
        triggers = QAbstractItemView.EditTrigger
        self.setEditTriggers(triggers.DoubleClicked | triggers.EditKeyPressed)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.delegate = ClassDelegate(self)
        self.setItemDelegate(self.delegate)

    def _target(self, event: QDragMoveEvent | QDropEvent) -> tuple[QModelIndex, bool]:
        """Return the row under the cursor and whether this drag may drop there."""
        index = self.indexAt(event.position().toPoint())
        kind = index.data(ClassListModel.KindRole) if index.isValid() else None
        if event.mimeData().hasFormat(MIME_TYPE):
            return index, kind in ("class", "unlabeled")
        if local_paths(event):
            return index, kind in ("class", "unlabeled", "all")
        return index, False

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        """Take image drags and file drags."""
        if event.mimeData().hasFormat(MIME_TYPE) or local_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        """Outline the class under the cursor when it can take the drop."""
        index, ok = self._target(event)
        self._set_drop_row(index.row() if ok else -1)
        if ok:
            event.setDropAction(Qt.DropAction.CopyAction if local_paths(event) else Qt.DropAction.MoveAction)
            event.accept()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        """Clear the outline."""
        self._set_drop_row(-1)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        """Label the dropped images, or import the dropped files into the class."""
        index, ok = self._target(event)
        self._set_drop_row(-1)
        if not ok:
            event.ignore()
            return
        label = index.data(ClassListModel.ClassNameRole)
        images = decode_image_indices(event.mimeData())
        if images:
            self.images_dropped.emit(images, label)
            event.setDropAction(Qt.DropAction.MoveAction)
        else:
            self.files_dropped.emit(local_paths(event), label)
            event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def _set_drop_row(self, row: int) -> None:
        if self.delegate.drop_row != row:
            self.delegate.drop_row = row
            self.viewport().update()


class ClassSidebarPanel(QFrame):
    """Filters, classes and warnings; tells the browser what to show."""

    filter_changed = Signal(str, object)  # kind, class name or None

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self._state = state
        self._current: tuple[str, str | None] = ("all", None)
        self._classes_before: list[str] = []
        self.model = ClassListModel(state, self)
        self.view = ClassListView(self)
        self.view.setModel(self.model)
        self.add_field = QLineEdit(self)
        self.add_field.setClearButtonEnabled(True)
        self.add_field.returnPressed.connect(self._add_class)
        self.add_button = add_button = QToolButton(self)
        add_button.setIcon(icon("tag-add"))
        add_button.clicked.connect(self._add_class)
        self.error_label = QLabel(self)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d64545;")
        self.error_label.hide()
        self.warnings = WarningsBox(state, self)
        self.title = title = QLabel(self)
        title.setObjectName("sectionTitle")
        row = QHBoxLayout()
        row.setSpacing(4)
        row.addWidget(self.add_field)
        row.addWidget(add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.setSpacing(6)
        for widget in (title, self.error_label):
            widget.setContentsMargins(12, 0, 12, 0)
        row.setContentsMargins(12, 0, 12, 0)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.warnings)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        self.view.images_dropped.connect(state.label_images)
        self.view.files_dropped.connect(state.import_paths)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelAboutToBeReset.connect(self._remember_classes)
        self.model.modelReset.connect(self._restore_current)
        self.model.rename_failed.connect(self._show_error)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Set every text in the interface language."""
        self.add_field.setPlaceholderText(translate("ClassSidebarPanel", "New class name, then Enter"))
        self.add_button.setToolTip(translate("ClassSidebarPanel", "Create the class"))
        self.title.setText(translate("ClassSidebarPanel", "DATASET"))

    @property
    def current_filter(self) -> tuple[str, str | None]:
        """The selected (kind, class name)."""
        return self._current

    def select_filter(self, kind: str, class_name: str | None = None) -> None:
        """Select a filter row (``all``, ``unlabeled``, ``broken``, ``excluded``) or a class row."""
        row = self.model.class_row(class_name) if kind == "class" and class_name else \
            {"all": 0, "unlabeled": 1, "broken": 2, "excluded": 3}.get(kind, 0)
        if 0 <= row < self.model.rowCount():
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )

    def selected_class(self) -> str | None:
        """Return the class row that is selected, if any."""
        return self._current[1] if self._current[0] == "class" else None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Delete removes the selected class (undoable)."""
        if event.key() == Qt.Key.Key_Delete and self.selected_class():
            self._state.delete_class(self.selected_class())
            return
        super().keyPressEvent(event)

    @Slot()
    def _add_class(self) -> None:
        text = self.add_field.text()
        if not text.strip():
            return
        error = self._state.add_class(text)
        if error:
            self._show_error(error)
        else:
            self.add_field.clear()
            self.error_label.hide()

    @Slot(str)
    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.show()

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        kind = current.data(ClassListModel.KindRole)
        name = current.data(ClassListModel.ClassNameRole) if kind == "class" else None
        if (kind, name) != self._current:
            self._current = (kind, name)
            self.filter_changed.emit(kind, name)

    @Slot()
    def _remember_classes(self) -> None:
        self._classes_before = self.model.classes

    @Slot()
    def _restore_current(self) -> None:
        kind, name = self._current
        classes = self.model.classes
        if kind == "class" and name not in classes:
            before = self._classes_before
            renamed = len(before) == len(classes) and name in before
            name = classes[before.index(name)] if renamed else None
            kind = "class" if renamed else "all"
            self._current = ("", None)  # force the signal so the browser follows
        self.select_filter(kind, name)

    @Slot(QPoint)
    def _context_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if index.data(ClassListModel.KindRole) == "broken":
            menu = QMenu(self)
            recheck = QAction(icon("broken"), translate("ClassSidebarPanel", "Check These Files Again"), menu)
            recheck.setEnabled(self.model.count("broken") > 0)
            recheck.triggered.connect(self._state.recheck_broken)
            menu.addAction(recheck)
            menu.exec(self.view.viewport().mapToGlobal(pos))
            return
        if index.data(ClassListModel.KindRole) != "class":
            return
        name = index.data(ClassListModel.ClassNameRole)
        menu = QMenu(self)
        rename = QAction(icon("rename"), translate("ClassSidebarPanel", "Rename"), menu)
        rename.setShortcut("F2")
        rename.triggered.connect(self._rename_current)
        menu.addAction(rename)
        merge = menu.addMenu(icon("merge"), translate("ClassSidebarPanel", "Merge Into"))
        for other in self.model.classes:
            if other != name:
                action = QAction(menu_text(other), merge)
                action.setData((name, other))
                merge.addAction(action)
        merge.setEnabled(len(self.model.classes) > 1)
        merge.triggered.connect(self._merge_from_menu)
        delete_text = translate("ClassSidebarPanel", "Delete Class (images become unlabeled)")
        delete = QAction(icon("trash"), delete_text, menu)
        delete.setData(name)
        delete.triggered.connect(self._delete_from_menu)
        menu.addAction(delete)
        self.view.setCurrentIndex(index)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    @Slot()
    def _rename_current(self) -> None:
        self.view.edit(self.view.currentIndex())

    @Slot(QAction)
    def _merge_from_menu(self, action: QAction) -> None:
        source, target = action.data()
        self._state.merge_classes(source, target)

    @Slot()
    def _delete_from_menu(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self._state.delete_class(action.data())
