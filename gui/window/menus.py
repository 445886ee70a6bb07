"""The main window's actions, menus and toolbar, grouped in NamedTuples, and their texts.

Every action has a standard shortcut where one exists and shows it in its menu, so the
shortcuts are discoverable. Labelling actions 1-9 and 0 are window-wide but give way to text
fields (Qt lets a focused line edit take plain keys first). The actions are built once;
:func:`retranslate_menus` sets every text, tooltip and status tip in the interface language (the
main window calls it on each language change). View ▸ Language names each language in itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence, QUndoStack
from PySide6.QtWidgets import QMenu, QSizePolicy, QToolBar, QWidget

from gui.i18n import LANGUAGES, translate
from gui.resources import icon
from gui.theme import THEMES, theme_name
from gui.widgets.plain_text import set_status_tip, set_tooltip
from gui.window.stage_bar import STAGE_KEYS, StageBar, stage_name, stage_shortcut, stage_tooltip
from gui.window.weights_import import WeightsImportFlow

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

Key = QKeySequence.StandardKey
_MNEMONIC = re.compile(r"\s*\(&[^&)]\)|&(?=[^&])")  # "(&F)" after a Chinese name, or "&F"

# MainActions field → (menu text, tooltip with its shortcut, status tip or None: the text); translated on use
ACTION_TEXTS: dict[str, tuple[str, str, str | None]] = {
    "new_project": (QT_TRANSLATE_NOOP("MainWindow", "&New Project…"),
                    QT_TRANSLATE_NOOP("MainWindow", "New Project ({shortcut})"),
                    QT_TRANSLATE_NOOP("MainWindow", "Create a project in a folder you choose")),
    "open_project": (QT_TRANSLATE_NOOP("MainWindow", "&Open Project or Dataset Folder…"),
                     QT_TRANSLATE_NOOP("MainWindow", "Open Project or Dataset Folder ({shortcut})"),
                     QT_TRANSLATE_NOOP("MainWindow",
                                       "Open a project, or import a folder of images as a new project")),
    "import_files": (QT_TRANSLATE_NOOP("MainWindow", "&Import Images…"),
                     QT_TRANSLATE_NOOP("MainWindow", "Import Images ({shortcut})"), None),
    "import_folder": (QT_TRANSLATE_NOOP("MainWindow", "Import &Folder…"),
                      QT_TRANSLATE_NOOP("MainWindow", "Import Folder ({shortcut})"), None),
    "export": (QT_TRANSLATE_NOOP("MainWindow", "&Export Labelled Dataset as Folders…"),
               QT_TRANSLATE_NOOP("MainWindow", "Export Labelled Dataset as Folders ({shortcut})"),
               QT_TRANSLATE_NOOP("MainWindow", "Copy the labelled images into one folder per class")),
    "import_weights": (QT_TRANSLATE_NOOP("MainWindow", "Import &Backbone Weights…"),
                       QT_TRANSLATE_NOOP("MainWindow", "Import Backbone Weights ({shortcut})"),
                       QT_TRANSLATE_NOOP("MainWindow", "Use a .pth or .safetensors file you have as a "
                                                       "backbone's pretrained weights")),
    "save": (QT_TRANSLATE_NOOP("MainWindow", "&Save Now"),
             QT_TRANSLATE_NOOP("MainWindow", "Save Now ({shortcut})"),
             QT_TRANSLATE_NOOP("MainWindow", "Changes are saved automatically; this saves now")),
    "close_project": (QT_TRANSLATE_NOOP("MainWindow", "&Close Project"),
                      QT_TRANSLATE_NOOP("MainWindow", "Close Project ({shortcut})"), None),
    "quit": (QT_TRANSLATE_NOOP("MainWindow", "&Quit"),
             QT_TRANSLATE_NOOP("MainWindow", "Quit ({shortcut})"), None),
    "select_all": (QT_TRANSLATE_NOOP("MainWindow", "Select &All Images"),
                   QT_TRANSLATE_NOOP("MainWindow", "Select All Images ({shortcut})"), None),
    "find": (QT_TRANSLATE_NOOP("MainWindow", "&Find by File Name"),
             QT_TRANSLATE_NOOP("MainWindow", "Find by File Name ({shortcut})"), None),
    "zoom_in": (QT_TRANSLATE_NOOP("MainWindow", "&Bigger Thumbnails"),
                QT_TRANSLATE_NOOP("MainWindow", "Bigger Thumbnails ({shortcut})"), None),
    "zoom_out": (QT_TRANSLATE_NOOP("MainWindow", "&Smaller Thumbnails"),
                 QT_TRANSLATE_NOOP("MainWindow", "Smaller Thumbnails ({shortcut})"), None),
    "shortcuts": (QT_TRANSLATE_NOOP("MainWindow", "&Keyboard Shortcuts"),
                  QT_TRANSLATE_NOOP("MainWindow", "Keyboard Shortcuts ({shortcut})"), None),
    "about": (QT_TRANSLATE_NOOP("MainWindow", "&About Transfer Studio"),
              QT_TRANSLATE_NOOP("MainWindow", "About Transfer Studio ({shortcut})"), None),
}
# MainMenus field → title
MENU_TITLES: dict[str, str] = {
    "file": QT_TRANSLATE_NOOP("MainWindow", "&File"),
    "edit": QT_TRANSLATE_NOOP("MainWindow", "&Edit"),
    "label": QT_TRANSLATE_NOOP("MainWindow", "&Label"),
    "view": QT_TRANSLATE_NOOP("MainWindow", "&View"),
    "theme": QT_TRANSLATE_NOOP("MainWindow", "&Theme"),
    "language": QT_TRANSLATE_NOOP("MainWindow", "&Language"),
    "help": QT_TRANSLATE_NOOP("MainWindow", "&Help"),
}


def without_mnemonic(text: str) -> str:
    """``text`` as plain words: no ``&`` mnemonic (``&Open``, ``打开(&O)``); ``&&`` becomes ``&``."""
    return _MNEMONIC.sub("", text).replace("&&", "&")


def set_action_texts(action: QAction, text: str, tooltip: str, status_tip: str | None = None) -> None:
    """Set an action's menu text, toolbar text, tooltip (``{shortcut}`` filled in) and status tip.

    The texts are final (translated, values in): names a user chose are never parsed as a template.
    """
    plain = without_mnemonic(text)
    shortcut = action.shortcut().toString()
    action.setText(text)
    action.setIconText(plain.rstrip("…"))
    set_tooltip(action, tooltip.replace("{shortcut}", shortcut) if shortcut else plain.rstrip("…"))
    set_status_tip(action, status_tip or plain.rstrip("…."))


class UndoRedoActions(QObject):
    """Edit ▸ Undo and Redo: they name the command they would undo or redo, in the interface language.

    ``QUndoStack.createUndoAction`` fixes its prefix when created, so a language switch could not
    reach it; these follow the stack's signals and :meth:`retranslate` instead.
    """

    def __init__(self, stack: QUndoStack, parent: QWidget) -> None:
        super().__init__(parent)
        self._stack = stack
        self.undo = QAction(icon("undo"), "", parent)
        self.undo.setShortcuts(QKeySequence.keyBindings(Key.Undo))
        self.redo = QAction(icon("redo"), "", parent)
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo.triggered.connect(stack.undo)
        self.redo.triggered.connect(stack.redo)
        stack.canUndoChanged.connect(self.undo.setEnabled)
        stack.canRedoChanged.connect(self.redo.setEnabled)
        stack.undoTextChanged.connect(self.retranslate)
        stack.redoTextChanged.connect(self.retranslate)
        self.undo.setEnabled(stack.canUndo())
        self.redo.setEnabled(stack.canRedo())
        self.retranslate()

    @Slot()
    def retranslate(self) -> None:
        """Name the commands on the stack now, in the interface language."""
        undo, redo = self._stack.undoText(), self._stack.redoText()
        if undo:
            text = translate("MainWindow", "&Undo {action}").replace("{action}", undo)
            tooltip = translate("MainWindow", "Undo {action} ({shortcut})").replace("{action}", _plain(undo))
        else:
            text, tooltip = translate("MainWindow", "&Undo"), translate("MainWindow", "Undo ({shortcut})")
        set_action_texts(self.undo, text, tooltip)
        if redo:
            text = translate("MainWindow", "&Redo {action}").replace("{action}", redo)
            tooltip = translate("MainWindow", "Redo {action} ({shortcut})").replace("{action}", _plain(redo))
        else:
            text, tooltip = translate("MainWindow", "&Redo"), translate("MainWindow", "Redo ({shortcut})")
        set_action_texts(self.redo, text, tooltip)


def _plain(command_text: str) -> str:
    """A command's menu text (``&&`` for each ``&`` of a name) as the words a tooltip shows."""
    return command_text.replace("&&", "&")


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
    labels: QActionGroup  # data: 0-9; texts set by the main window (they name the classes)
    stages: QActionGroup  # data: stage key
    themes: QActionGroup  # data: theme mode
    languages: QActionGroup  # data: language code; each named in its own language
    shortcuts: QAction
    about: QAction
    recent_menu: QMenu
    undo_redo: UndoRedoActions


class MainMenus(NamedTuple):
    """Handles on the menus, for their titles."""

    file: QMenu
    edit: QMenu
    label: QMenu
    view: QMenu
    theme: QMenu
    language: QMenu
    help: QMenu


def _action(parent: QWidget, icon_name: str | None = None, shortcut: object = None) -> QAction:
    action = QAction(parent)
    if icon_name:
        action.setIcon(icon(icon_name))
    if shortcut is not None:
        action.setShortcuts(QKeySequence.keyBindings(shortcut) if isinstance(shortcut, Key) else [shortcut])
    return action


def _group(parent: QWidget, items: list[tuple[object, str | None]], checkable: bool) -> QActionGroup:
    group = QActionGroup(parent)
    group.setExclusive(checkable)
    for data, shortcut in items:
        action = QAction(parent)
        action.setData(data)
        action.setCheckable(checkable)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        group.addAction(action)
        parent.addAction(action)  # shortcuts work while the menu is closed
    return group


def create_actions(window: MainWindow) -> MainActions:
    """Create the actions (texts come from :func:`retranslate_menus`) and connect them to the window."""
    flows, state = window.flows, window.state
    undo_redo = UndoRedoActions(state.undo_stack, window)
    languages = _group(window, [(code, None) for code in LANGUAGES], checkable=True)
    for action in languages.actions():
        action.setText(LANGUAGES[str(action.data())])  # never translated: find your language in any interface
    actions = MainActions(
        new_project=_action(window, "new", Key.New),
        open_project=_action(window, "open", Key.Open),
        import_files=_action(window, "import", "Ctrl+I"),
        import_folder=_action(window, "import-folder", "Ctrl+Shift+I"),
        export=_action(window, "export", "Ctrl+E"),
        import_weights=_action(window),
        save=_action(window, "save", Key.Save),
        close_project=_action(window, "close-project", Key.Close),
        quit=_action(window, None, Key.Quit),
        undo=undo_redo.undo,
        redo=undo_redo.redo,
        select_all=_action(window, None, Key.SelectAll),
        find=_action(window, "search", Key.Find),
        zoom_in=_action(window, "zoom-in", Key.ZoomIn),
        zoom_out=_action(window, "zoom-out", Key.ZoomOut),
        labels=_group(window, [(n, str(n)) for n in range(10)], checkable=False),
        stages=_group(window, [(k, stage_shortcut(k)) for k in STAGE_KEYS], checkable=True),
        themes=_group(window, [(m, None) for m in THEMES], checkable=True),
        languages=languages,
        shortcuts=_action(window, "keyboard", "F1"),
        about=_action(window, "info"),
        recent_menu=QMenu(window),
        undo_redo=undo_redo,
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


def build_menus(window: MainWindow, a: MainActions) -> MainMenus:
    """Fill the menu bar (titles come from :func:`retranslate_menus`)."""
    bar = window.menuBar()
    file_menu = bar.addMenu("")
    items = (a.new_project, a.open_project, a.recent_menu, None, a.import_files, a.import_folder, a.export,
             None, a.import_weights, None, a.save, a.close_project, None, a.quit)
    for item in items:
        _add(file_menu, item)
    edit = bar.addMenu("")
    for item in (a.undo, a.redo, None, a.select_all, a.find):
        _add(edit, item)
    label_menu = bar.addMenu("")
    for action in a.labels.actions()[1:]:
        label_menu.addAction(action)
    label_menu.addSeparator()
    label_menu.addAction(a.labels.actions()[0])
    view = bar.addMenu("")
    for action in a.stages.actions():
        view.addAction(action)
    view.addSeparator()
    view.addAction(a.zoom_in)
    view.addAction(a.zoom_out)
    view.addSeparator()
    theme_menu = view.addMenu("")
    for action in a.themes.actions():
        theme_menu.addAction(action)
    language_menu = view.addMenu("")
    for action in a.languages.actions():
        language_menu.addAction(action)
    help_menu = bar.addMenu("")
    help_menu.addAction(a.shortcuts)
    help_menu.addAction(a.about)
    return MainMenus(file_menu, edit, label_menu, view, theme_menu, language_menu, help_menu)


def retranslate_menus(a: MainActions, menus: MainMenus, toolbar: QToolBar) -> None:
    """Every action text, tooltip and status tip and every menu title, in the interface language.

    The label actions name the project's classes: the main window sets them.
    """
    for name, (text, tooltip, status_tip) in ACTION_TEXTS.items():
        set_action_texts(getattr(a, name), translate("MainWindow", text), translate("MainWindow", tooltip),
                         translate("MainWindow", status_tip) if status_tip else None)
    a.undo_redo.retranslate()
    for name, title in MENU_TITLES.items():
        getattr(menus, name).setTitle(translate("MainWindow", title))
    a.recent_menu.setTitle(translate("MainWindow", "Open &Recent"))
    for action in a.stages.actions():
        set_action_texts(action, stage_name(str(action.data())), stage_tooltip(str(action.data())))
    for action in a.themes.actions():
        action.setText(theme_name(str(action.data())))
    toolbar.setWindowTitle(translate("MainWindow", "Main toolbar"))


def _add(menu: QMenu, item: QAction | QMenu | None) -> None:
    if item is None:
        menu.addSeparator()
    elif isinstance(item, QMenu):
        menu.addMenu(item)
    else:
        menu.addAction(item)


def build_toolbar(window: MainWindow, a: MainActions, stage_bar: StageBar) -> QToolBar:
    """Project actions on the left, the stage sequence in the middle."""
    toolbar = QToolBar(window)
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
