"""The Data stage: the class sidebar beside the thumbnail grid (or the start screen)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Slot
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from gui.data.class_sidebar import ClassSidebarPanel
from gui.data.dataset_browser import DEFAULT_THUMB, DatasetBrowserPanel
from gui.data.image_viewer import ImageViewerDialog
from gui.state.app_state import AppState
from gui.window.welcome import WelcomeWidget


class DataPage(QStackedWidget):
    """Composes the start screen, the sidebar and the browser, and routes labelling requests."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = state
        self.welcome = WelcomeWidget(state, self)
        self.sidebar = ClassSidebarPanel(state, self)
        self.browser = DatasetBrowserPanel(state, self)
        self.splitter = QSplitter(self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(1)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.browser)
        self.splitter.setStretchFactor(1, 1)
        self.sidebar.setMinimumWidth(230)
        self.splitter.setSizes([270, 1000])
        self.addWidget(self.welcome)
        self.addWidget(self.splitter)
        self.sidebar.filter_changed.connect(self.browser.set_filter)
        self.browser.view.label_key.connect(self.label_with_key)
        self.browser.open_image.connect(self.open_viewer)
        self.browser.files_dropped.connect(state.import_paths)
        state.project_changed.connect(self._on_project_changed)
        self._on_project_changed(state.project)

    @Slot(int)
    def label_with_key(self, number: int) -> None:
        """Label the selection with class ``number`` (1-based, as shown in the sidebar); 0 unlabels."""
        classes = self._state.project.classes if self._state.project is not None else []
        if number == 0:
            self.label_selection(None)
        elif number <= len(classes):
            self.label_selection(classes[number - 1])
        else:
            self._state.message.emit(f"There is no class {number}; create it in the sidebar first.")

    def label_selection(self, label: str | None) -> None:
        """Label the selected images (None: unlabel), then keep a selection for the next key press."""
        indices = self.browser.selected_image_indices()
        if not indices:
            self._state.message.emit("Select images first (click, Shift+click, Ctrl+A), then press 1-9.")
            return
        anchor = self.browser.first_selected_row()
        self._state.label_images(indices, label)
        self.browser.keep_selection_flowing(anchor)

    @Slot(int)
    def open_viewer(self, row: int) -> ImageViewerDialog:
        """Open the image viewer on ``row`` of the grid."""
        viewer = ImageViewerDialog(self._state, self.browser.model, row, self.window())
        viewer.show()
        return viewer

    def save_settings(self) -> None:
        """Remember the splitter, tile size and sort order."""
        self._state.set_setting("data/splitter", self.splitter.saveState())
        self._state.set_setting("data/thumbSize", self.browser.thumb_size())
        self._state.set_setting("data/sort", self.browser.model.sort_key)

    def restore_settings(self) -> None:
        """Restore what :meth:`save_settings` kept."""
        splitter = self._state.setting("data/splitter")
        if isinstance(splitter, QByteArray):
            self.splitter.restoreState(splitter)
        try:
            self.browser.set_thumb_size(int(self._state.setting("data/thumbSize", DEFAULT_THUMB)))
        except (TypeError, ValueError):
            self.browser.set_thumb_size(DEFAULT_THUMB)
        self.browser.set_sort_key(str(self._state.setting("data/sort", "added")))

    @Slot(object)
    def _on_project_changed(self, project: object) -> None:
        self.setCurrentWidget(self.splitter if project is not None else self.welcome)
        if project is not None:
            self.sidebar.select_filter("all")
