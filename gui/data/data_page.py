"""The Data stage: the class sidebar beside the thumbnail grid or the Doctor view (or the start screen).

The page also owns the instant head (:mod:`gui.data.instant_head`): its suggested labels show on
unlabelled tiles (Enter accepts them) and its validation accuracy in the browser's header.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Slot
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from gui.data.class_sidebar import ClassSidebarPanel
from gui.data.dataset_browser import DEFAULT_THUMB, DatasetBrowserPanel
from gui.data.doctor_view import DoctorView
from gui.data.image_viewer import ImageViewerDialog
from gui.data.instant_head import InstantHead
from gui.i18n import retranslate_on_change, translate
from gui.state import commands
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
        self.doctor = DoctorView(state, self)
        self.head = InstantHead(state, self)
        self.main = QStackedWidget(self)  # the grid, or the doctor's review queue
        self.main.addWidget(self.browser)
        self.main.addWidget(self.doctor)
        self.splitter = QSplitter(self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(1)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.main)
        self.splitter.setStretchFactor(1, 1)
        self.sidebar.setMinimumWidth(230)
        self.splitter.setSizes([270, 1000])
        self.addWidget(self.welcome)
        self.addWidget(self.splitter)
        self.sidebar.filter_changed.connect(self.browser.set_filter)
        self.browser.view.label_key.connect(self.label_with_key)
        self.browser.view.accept_key.connect(self.accept_or_open)
        self.browser.view.exclude_key.connect(self.toggle_excluded)
        self.browser.doctor_button.clicked.connect(self.show_doctor)
        self.doctor.closed.connect(self.show_images)
        self.head.updated.connect(self._on_head_updated)
        self.browser.open_image.connect(self.open_viewer)
        self.browser.files_dropped.connect(state.import_paths)
        state.project_changed.connect(self._on_project_changed)
        self._on_project_changed(state.project)
        retranslate_on_change(self, self._show_head_status)  # the instant head's line is made at call time

    @Slot()
    def show_doctor(self) -> None:
        """Show the Doctor view (examining at once the first time)."""
        self.main.setCurrentWidget(self.doctor)
        self.doctor.view.setFocus()
        if self.doctor.model.scanned == 0 and not self.doctor.busy and self.doctor.examine_button.isEnabled():
            self.doctor.examine()

    @Slot()
    def show_images(self) -> None:
        """Back to the thumbnail grid."""
        self.main.setCurrentWidget(self.browser)
        self.browser.view.setFocus()

    @Slot(int)
    def label_with_key(self, number: int) -> None:
        """Label the selection with class ``number`` (1-based, as shown in the sidebar); 0 unlabels.

        In the Doctor view the number relabels the current finding's images instead.
        """
        if self.main.currentWidget() is self.doctor:
            if number:
                self.doctor.relabel_key(number)
            return
        classes = self._state.project.classes if self._state.project is not None else []
        if number == 0:
            self.label_selection(None)
        elif number <= len(classes):
            self.label_selection(classes[number - 1])
        else:
            text = translate("DataPage", "There is no class {number}; create it in the sidebar first.")
            self._state.message.emit(text.format(number=number))

    def label_selection(self, label: str | None) -> None:
        """Label the selected images (None: unlabel), then keep a selection for the next key press."""
        indices = self.browser.selected_image_indices()
        if not indices:
            self._state.message.emit(
                translate("DataPage", "Select images first (click, Shift+click, Ctrl+A), then press 1-9."))
            return
        anchor = self.browser.first_selected_row()
        self._state.label_images(indices, label)
        self.browser.keep_selection_flowing(anchor)

    @Slot()
    def accept_or_open(self) -> None:
        """Enter: give the selected unlabelled images their suggested labels, else open the viewer."""
        picks = self._suggested_labels(self.browser.selected_image_indices())
        if not picks:
            if self.browser.view.currentIndex().isValid():
                self.open_viewer(self.browser.view.currentIndex().row())
            return
        anchor = self.browser.first_selected_row()
        stack = self._state.undo_stack
        count = f"{len(picks):,}"
        stack.beginMacro(translate("DataPage", "Accept {count} suggested label").format(count=count)
                         if len(picks) == 1 else
                         translate("DataPage", "Accept {count} suggested labels").format(count=count))
        for label in dict.fromkeys(picks.values()):
            chosen = [i for i, c in picks.items() if c == label]
            stack.push(commands.SetLabelsCommand(self._state, chosen, label))
        stack.endMacro()
        text = translate("DataPage", "Accepted {count} suggested label(s). Ctrl+Z undoes it.")
        self._state.message.emit(text.format(count=count))
        self.browser.keep_selection_flowing(anchor)

    def _suggested_labels(self, indices: list[int]) -> dict[int, str]:
        """Image index -> suggested class, for the unlabelled, included images among ``indices``."""
        suggested, project = self.browser.model.suggestions, self._state.project
        if project is None:
            return {}
        entries = ((i, project.images[i]) for i in indices)
        return {i: suggested[e.path][0] for i, e in entries
                if e.label is None and not e.excluded and e.path in suggested}

    @Slot()
    def toggle_excluded(self) -> None:
        """X: exclude the selected images from training, or include them again if all are excluded."""
        project, indices = self._state.project, self.browser.selected_image_indices()
        if project is None or not indices:
            return
        exclude = not all(project.images[i].excluded for i in indices)
        command = commands.SetExcludedCommand(self._state, indices, exclude)
        self._state.undo_stack.push(command)
        text = translate("DataPage", "{action}. Ctrl+Z undoes it.")
        self._state.message.emit(text.format(action=command.text()))

    @Slot()
    def _on_head_updated(self) -> None:
        self.browser.model.set_suggestions(self.head.suggestions)
        self._show_head_status()

    def _show_head_status(self) -> None:
        self.browser.head_status.setText(self.head.status)

    @Slot(int)
    def open_viewer(self, row: int) -> ImageViewerDialog:
        """Open the image viewer on ``row`` of the grid."""
        viewer = ImageViewerDialog(self._state, self.browser.model, row, self.window())
        viewer.show()
        return viewer

    def shutdown(self) -> None:
        """Stop the instant head and the doctor and wait for their threads (the window is closing)."""
        self.head.shutdown()
        self.doctor.shutdown()

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
        self.main.setCurrentWidget(self.browser)
        if project is not None:
            self.sidebar.select_filter("all")
