"""The main window: composes the stage pages, menus, toolbar and status bar; holds no logic.

Later stages plug in with ``window.set_stage_page("train", widget)``; the open project is
``window.current_project()`` (or ``window.state.project``), and :class:`gui.state.app_state.AppState`
signals say when it changes.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from engine.project.store import Project
from gui.data.data_page import DataPage
from gui.i18n import I18N_DIR, current_language, install_language, retranslate_on_change, translate
from gui.resources import app_icon
from gui.state.app_state import AppState
from gui.state.commands import menu_text
from gui.theme import ThemeManager
from gui.widgets import dialogs
from gui.widgets.drops import accept_file_drops
from gui.widgets.plain_text import set_status_tip, set_tooltip
from gui.window.menus import build_menus, build_toolbar, create_actions, retranslate_menus
from gui.window.placeholder_page import PlaceholderPage
from gui.window.project_flows import ProjectFlows
from gui.window.stage_bar import STAGE_KEYS, StageBar, StageStack
from gui.window.status_bar import MainStatusBar

APP_NAME = "Transfer Studio"


class MainWindow(QMainWindow):
    """Data › Train › Evaluate › Predict, one page each, over one shared :class:`AppState`."""

    stage_changed = Signal(str)  # key of the stage now shown

    def __init__(self, state: AppState | None = None, theme: ThemeManager | None = None) -> None:
        super().__init__()
        self.state = state or AppState(self)
        mode = str(self.state.setting("theme", "system"))
        self.theme = theme or ThemeManager(QApplication.instance(), mode)
        self.setWindowIcon(app_icon())
        self.flows = ProjectFlows(self, self.state)
        accept_file_drops(self, self.flows.handle_drop)  # files and folders dropped anywhere on the window
        self.stages = StageStack(self)
        self.stage_bar = StageBar(self)
        self.data_page = DataPage(self.state, self)
        self.stages.set_page("data", self.data_page)
        for key in STAGE_KEYS[1:]:
            self.stages.set_page(key, PlaceholderPage(key, self))
        self.setCentralWidget(self.stages)
        self.main_actions = create_actions(self)
        self.menus = build_menus(self, self.main_actions)
        self.toolbar = build_toolbar(self, self.main_actions, self.stage_bar)
        self.status = MainStatusBar(self.state, self)
        self.setStatusBar(self.status)
        self._connect()
        self._restore_settings()
        self._on_project_changed(self.state.project)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Menus, actions and toolbar in the interface language; the current language checked."""
        retranslate_menus(self.main_actions, self.menus, self.toolbar)
        self._update_label_actions()
        self._check_language()

    def _connect(self) -> None:
        state, welcome = self.state, self.data_page.welcome
        self.stage_bar.stage_selected.connect(self.show_stage)
        self.stages.stage_changed.connect(self._on_stage_changed)
        welcome.new_requested.connect(self.flows.new_project)
        welcome.open_requested.connect(self.flows.open_project)
        welcome.recent_requested.connect(self.open_path)
        self.data_page.browser.import_files_requested.connect(self.flows.import_files)
        self.data_page.browser.import_folder_requested.connect(self.flows.import_folder)
        state.project_changed.connect(self._on_project_changed)
        state.classes_changed.connect(self._update_label_actions)
        state.error.connect(self.show_error)
        self.theme.theme_changed.connect(self._on_theme_changed)

    # ------------------------------------------------------------ public API
    def set_stage_page(self, key: str, widget: QWidget) -> None:
        """Replace the page of stage ``key`` (``data``, ``train``, ``evaluate``, ``predict``)."""
        self.stages.set_page(key, widget)

    def stage_page(self, key: str) -> QWidget | None:
        """Return the page of stage ``key``."""
        return self.stages.page(key)

    @Slot(str)
    def show_stage(self, key: str) -> None:
        """Show stage ``key``."""
        self.stages.show_stage(key)
        self.stage_bar.set_current(key)

    def current_stage(self) -> str:
        """Return the key of the stage shown."""
        return self.stages.current_stage()

    def current_project(self) -> Project | None:
        """Return the open project, or None."""
        return self.state.project

    @Slot(str)
    def open_path(self, path: str) -> None:
        """Open a project, or import a folder of images as a new labelled project."""
        self.flows.open_path(path)

    # ------------------------------------------------------- action handlers
    @Slot()
    def close_project(self) -> None:
        """Close the project (it is saved first)."""
        self.state.close_project()

    @Slot()
    def select_all(self) -> None:
        """Select every image shown."""
        self.show_stage("data")
        self.data_page.browser.view.selectAll()
        self.data_page.browser.view.setFocus()

    @Slot()
    def focus_search(self) -> None:
        """Put the cursor in the search field."""
        self.show_stage("data")
        self.data_page.browser.search.setFocus()
        self.data_page.browser.search.selectAll()

    @Slot()
    def bigger_thumbnails(self) -> None:
        """Grow the tiles by one step."""
        self.data_page.browser.set_thumb_size(self.data_page.browser.thumb_size() + 24)

    @Slot()
    def smaller_thumbnails(self) -> None:
        """Shrink the tiles by one step."""
        self.data_page.browser.set_thumb_size(self.data_page.browser.thumb_size() - 24)

    @Slot(QAction)
    def label_from_action(self, action: QAction) -> None:
        """Number keys 1-9 label the selection with that class; 0 unlabels it."""
        if self.current_stage() == "data" and self.state.project is not None:
            self.data_page.label_with_key(int(action.data()))

    @Slot(QAction)
    def stage_from_action(self, action: QAction) -> None:
        """Ctrl+1..4 switch stages."""
        self.show_stage(str(action.data()))

    @Slot(QAction)
    def theme_from_action(self, action: QAction) -> None:
        """Switch between the system, light and dark themes (remembered)."""
        self.theme.set_mode(str(action.data()))
        self.state.set_setting("theme", self.theme.mode)

    def language_from_action(self, action: QAction) -> None:
        """Switch the interface language now, without a restart (remembered)."""
        code = str(action.data())
        if not install_language(code):
            text = translate("MainWindow", "The translation file for {language} is missing from {folder}. "
                             "Reinstall the app, or run `python tasks.py translations`.")
            text = text.format(language=action.text(), folder=I18N_DIR)
            self.show_error(translate("MainWindow", "Language"), text)
        self._check_language()

    @Slot()
    def _check_language(self) -> None:
        for action in self.main_actions.languages.actions():
            action.setChecked(action.data() == current_language())

    @Slot()
    def fill_recent_menu(self) -> None:
        """List the recent projects in File › Open Recent."""
        menu = self.main_actions.recent_menu
        menu.clear()
        for folder in self.state.recent_projects():
            action = menu.addAction(menu_text(folder))
            action.setData(folder)
        if menu.isEmpty():
            menu.addAction(translate("MainWindow", "No recent projects")).setEnabled(False)

    @Slot(QAction)
    def open_recent_action(self, action: QAction) -> None:
        """Open a project from File › Open Recent."""
        if action.data():
            self.open_path(str(action.data()))

    @Slot()
    def show_shortcuts(self) -> None:
        """Show the keyboard shortcuts."""
        dialogs.show_shortcuts(self)

    @Slot()
    def show_about(self) -> None:
        """Show the about box."""
        dialogs.show_about(self)

    @Slot(str, str)
    def show_error(self, title: str, text: str) -> None:
        """Show an error from the state (user-supplied names are shown literally)."""
        dialogs.show_error(self, title, text)

    # ------------------------------------------------------------- slots
    @Slot(object)
    def _on_project_changed(self, project: Project | None) -> None:
        self.setWindowTitle(f"{project.name} — {APP_NAME}" if project is not None else APP_NAME)
        self.setWindowFilePath(str(project.file_path) if project is not None else "")
        a = self.main_actions
        for action in (a.import_files, a.import_folder, a.export, a.save, a.close_project):
            action.setEnabled(project is not None)
        self.show_stage("data")
        self._update_label_actions()

    @Slot(str)
    def _on_stage_changed(self, key: str) -> None:
        self.stage_changed.emit(key)
        self.stage_bar.set_current(key)
        for action in self.main_actions.stages.actions():
            action.setChecked(action.data() == key)
        self._update_label_actions()

    @Slot()
    def _update_label_actions(self) -> None:
        classes = self.state.project.classes if self.state.project is not None else []
        on_data = self.current_stage() == "data"
        for action in self.main_actions.labels.actions():
            number = int(action.data())
            if number:
                name = classes[number - 1] if number <= len(classes) else None
                text = (translate("MainWindow", "Label as “{name}”").replace("{name}", name) if name
                        else translate("MainWindow", "Label as Class {number}").format(number=number))
                action.setText(menu_text(text))
                set_tooltip(action, text)
                set_status_tip(action, text)
                action.setEnabled(on_data and name is not None)
            else:
                action.setText(translate("MainWindow", "Unlabel Selection"))
                action.setEnabled(on_data and self.state.project is not None)

    @Slot(bool)
    def _on_theme_changed(self, _dark: bool) -> None:
        for action in self.main_actions.themes.actions():
            action.setChecked(action.data() == self.theme.mode)
        self.update()

    # -------------------------------------------------------------- events
    def closeEvent(self, event: QCloseEvent) -> None:
        """Save, stop background work, remember the window; never lose a change silently."""
        if not self.state.close_project() and not dialogs.ask(
            self, translate("MainWindow", "Quit without saving?"),
            translate("MainWindow", "The last changes could not be saved (see the previous message). "
                      "Quit anyway and lose them?"),
        ):
            event.ignore()
            return
        self._save_settings()
        self.data_page.shutdown()
        self.state.shutdown()
        event.accept()

    def _save_settings(self) -> None:
        self.state.set_setting("window/geometry", self.saveGeometry())
        self.state.set_setting("window/state", self.saveState())
        self.data_page.save_settings()

    def _restore_settings(self) -> None:
        geometry, window_state = self.state.setting("window/geometry"), self.state.setting("window/state")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 820)
        if isinstance(window_state, QByteArray):
            self.restoreState(window_state)
        self.data_page.restore_settings()
        self._on_theme_changed(self.theme.is_dark())
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
