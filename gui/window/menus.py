"""The main window's actions, menus and toolbar, grouped in a NamedTuple.

Every action has a standard shortcut where one exists and shows it in its menu, so the
shortcuts are discoverable. Labelling actions 1-9 and 0 are window-wide but give way to text
fields (Qt lets a focused line edit take plain keys first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolBar, QWidget

from gui.i18n import LANGUAGES
from gui.resources import icon
from gui.theme import THEMES
from gui.window.stage_bar import STAGES, StageBar
from gui.window.weights_import import WeightsImportFlow

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

Key = QKeySequence.StandardKey


class MainActions(NamedTuple):
    """Handles on every action of the main window."""

    new_project: QAction
    open_project: QAction
    import_files: QAction
    import_folder: QAction
    export: QAction
    import_weights: QAction
    save: QAction
    close_project: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    select_all: QAction
    find: QAction
    zoom_in: QAction
    zoom_out: QAction
    labels: QActionGroup  # data: 0-9
    stages: QActionGroup  # data: stage key
    themes: QActionGroup  # data: theme mode
    languages: QActionGroup  # data: language code; each named in its own language
    shortcuts: QAction
    about: QAction
    recent_menu: QMenu


def _action(parent: QWidget, text: str, icon_name: str | None = None, shortcut: object = None,
            tip: str | None = None) -> QAction:
    action = QAction(text, parent)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, Key) else [shortcut])
    action.setStatusTip(tip or text.replace("&", "").rstrip("…."))
    action.setToolTip(f"{text.replace('&', '').rstrip('…')} ({action.shortcut().toString()})"
                      if shortcut is not None else text.replace("&", ""))
    return action


def _group(parent: QWidget, items: list[tuple[str, object, str | None]], checkable: bool) -> QActionGroup:
    group = QActionGroup(parent)
    group.setExclusive(checkable)
    for text, data, shortcut in items:
        action = QAction(text, parent)
        action.setData(data)
        action.setCheckable(checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        group.addAction(action)
        parent.addAction(action)  # shortcuts work while the menu is closed
    return group


def create_actions(window: MainWindow) -> MainActions:
    """Create the actions and connect them to the window's handlers."""
    flows, state = window.flows, window.state
    undo = state.undo_stack.createUndoAction(window, "&Undo")
    undo.setIcon(icon("undo"))
    undo.setShortcuts(QKeySequence.keyBindings(Key.Undo))
    redo = state.undo_stack.createRedoAction(window, "&Redo")
    redo.setIcon(icon("redo"))
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    labels = [("Unlabel Selection", 0, "0")] + [(f"Label as Class {n}", n, str(n)) for n in range(1, 10)]
    actions = MainActions(
        new_project=_action(window, "&New Project…", "new", Key.New,
                            "Create a project in a folder you choose"),
        open_project=_action(window, "&Open Project or Dataset Folder…", "open", Key.Open,
                             "Open a project, or import a folder of images as a new project"),
        import_files=_action(window, "&Import Images…", "import", "Ctrl+I"),
        import_folder=_action(window, "Import &Folder…", "import-folder", "Ctrl+Shift+I"),
        export=_action(window, "&Export Labelled Dataset as Folders…", "export", "Ctrl+E",
                       "Copy the labelled images into one folder per class"),
        import_weights=_action(window, "Import &Backbone Weights…", None, None,
                               "Use a .pth or .safetensors file you have as a backbone's pretrained weights"),
        save=_action(window, "&Save Now", "save", Key.Save,
                     "Changes are saved automatically; this saves now"),
        close_project=_action(window, "&Close Project", "close-project", Key.Close),
        quit=_action(window, "&Quit", None, Key.Quit),
        undo=undo,
        redo=redo,
        select_all=_action(window, "Select &All Images", None, Key.SelectAll),
        find=_action(window, "&Find by File Name", "search", Key.Find),
        zoom_in=_action(window, "&Bigger Thumbnails", "zoom-in", Key.ZoomIn),
        zoom_out=_action(window, "&Smaller Thumbnails", "zoom-out", Key.ZoomOut),
        labels=_group(window, labels, checkable=False),
        stages=_group(window, [(t, k, f"Ctrl+{i}") for i, (k, t) in enumerate(STAGES, 1)], checkable=True),
        themes=_group(window, [(m.title(), m, None) for m in THEMES], checkable=True),
        languages=_group(window, [(name, code, None) for code, name in LANGUAGES.items()], checkable=True),
        shortcuts=_action(window, "&Keyboard Shortcuts", "keyboard", "F1"),
        about=_action(window, "&About Transfer Studio", "info"),
        recent_menu=QMenu("Open &Recent", window),
    )
    for action, slot in (
        (actions.new_project, flows.new_project), (actions.open_project, flows.open_project),
        (actions.import_files, flows.import_files), (actions.import_folder, flows.import_folder),
        (actions.export, flows.export_dataset), (actions.save, state.save_now),
        (actions.close_project, window.close_project), (actions.quit, window.close),
        (actions.select_all, window.select_all), (actions.find, window.focus_search),
        (actions.zoom_in, window.bigger_thumbnails), (actions.zoom_out, window.smaller_thumbnails),
        (actions.shortcuts, window.show_shortcuts), (actions.about, window.show_about),
    ):
        action.triggered.connect(slot)
    window.weights_import = WeightsImportFlow(window)
    actions.import_weights.triggered.connect(window.weights_import.ask)
    actions.labels.triggered.connect(window.label_from_action)
    actions.stages.triggered.connect(window.stage_from_action)
    actions.themes.triggered.connect(window.theme_from_action)
    actions.languages.triggered.connect(window.language_from_action)
    actions.recent_menu.setIcon(icon("folder"))
    actions.recent_menu.aboutToShow.connect(window.fill_recent_menu)
    actions.recent_menu.triggered.connect(window.open_recent_action)
    return actions


def build_menus(window: MainWindow, a: MainActions) -> None:
    """Fill the menu bar."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    items = (a.new_project, a.open_project, a.recent_menu, None, a.import_files, a.import_folder, a.export,
             None, a.import_weights, None, a.save, a.close_project, None, a.quit)
    for item in items:
        _add(file_menu, item)
    edit = bar.addMenu("&Edit")
    for item in (a.undo, a.redo, None, a.select_all, a.find):
        _add(edit, item)
    label_menu = bar.addMenu("&Label")
    for action in a.labels.actions()[1:]:
        label_menu.addAction(action)
    label_menu.addSeparator()
    label_menu.addAction(a.labels.actions()[0])
    view = bar.addMenu("&View")
    for action in a.stages.actions():
        view.addAction(action)
    view.addSeparator()
    view.addAction(a.zoom_in)
    view.addAction(a.zoom_out)
    view.addSeparator()
    theme_menu = view.addMenu("&Theme")
    for action in a.themes.actions():
        theme_menu.addAction(action)
    language_menu = view.addMenu("&Language")
    for action in a.languages.actions():
        language_menu.addAction(action)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.shortcuts)
    help_menu.addAction(a.about)


def _add(menu: QMenu, item: QAction | QMenu | None) -> None:
    if item is None:
        menu.addSeparator()
    elif isinstance(item, QMenu):
        menu.addMenu(item)
    else:
        menu.addAction(item)


def build_toolbar(window: MainWindow, a: MainActions, stage_bar: StageBar) -> QToolBar:
    """Project actions on the left, the stage sequence in the middle."""
    toolbar = QToolBar("Main", window)
    toolbar.setObjectName("mainToolBar")
    toolbar.setMovable(False)
    toolbar.setFloatable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    for item in (a.new_project, a.open_project, None, a.import_files, a.import_folder, a.export, None, a.undo,
                 a.redo):
        if item is None:
            toolbar.addSeparator()
        else:
            toolbar.addAction(item)
    toolbar.addWidget(_spacer(toolbar))
    toolbar.addWidget(stage_bar)
    toolbar.addWidget(_spacer(toolbar))
    toolbar.addAction(a.shortcuts)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    return toolbar


def _spacer(parent: QWidget) -> QWidget:
    spacer = QWidget(parent)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return spacer
