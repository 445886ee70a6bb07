"""Undoable labelling actions (QUndoCommand); each one is exact, however many images it moves.

Commands change the project only through :class:`engine.project.store.Project` methods and then tell
the :class:`~gui.state.app_state.AppState`, which refreshes the views and autosaves. Each names itself
in the interface language (Edit ▸ Undo "…"); :func:`retranslate_commands` renames those on a stack
after a language switch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.project.schema import ImageEntry
from engine.project.store import LabelSplit
from gui.i18n import translate

if TYPE_CHECKING:
    from gui.state.app_state import AppState


def menu_text(text: str) -> str:
    """Escape ``&`` so a user's name is not turned into a keyboard mnemonic in menus."""
    return text.replace("&", "&&")


def retranslate_commands(stack: QUndoStack) -> None:
    """Name every command on ``stack`` in the interface language (macros keep the name they were given)."""
    for i in range(stack.count()):
        command = stack.command(i)
        if isinstance(command, NamedCommand):
            command.retranslate()


class NamedCommand(QUndoCommand):
    """A command whose name (:meth:`describe`) follows the interface language."""

    def describe(self) -> str:
        """What the command does, in the interface language, names shown as they are."""
        raise NotImplementedError

    def retranslate(self) -> None:
        """Name the command again (after a language switch)."""
        self.setText(menu_text(self.describe()))


def _count(n: int) -> str:
    return f"{n:,}"


class SetLabelsCommand(NamedCommand):
    """Give images a class, or take it away (``label`` None)."""

    def __init__(self, state: AppState, indices: Sequence[int], label: str | None) -> None:
        super().__init__()
        self._state, self._indices, self._label = state, list(indices), label
        self._previous: list[LabelSplit] = []
        self.retranslate()

    def describe(self) -> str:
        """Label N images as “class”, or Unlabel N images."""
        n = len(self._indices)
        if self._label:
            text = (translate("UndoCommands", "Label 1 image as “{label}”") if n == 1
                    else translate("UndoCommands", "Label {count} images as “{label}”"))
            return text.format(count=_count(n), label=self._label)
        return (translate("UndoCommands", "Unlabel 1 image") if n == 1
                else translate("UndoCommands", "Unlabel {count} images").format(count=_count(n)))

    def redo(self) -> None:
        """Apply the label."""
        self._previous = self._state.project.set_labels(self._indices, self._label)
        self._state.notify_labels(self._indices)

    def undo(self) -> None:
        """Restore each image's previous label and split."""
        self._state.project.restore_labels(self._indices, self._previous)
        self._state.notify_labels(self._indices)


class ImportImagesCommand(NamedCommand):
    """Add found images (and their classes) to the project; undo takes them out again."""

    def __init__(self, state: AppState, entries: Sequence[ImageEntry], classes: Sequence[str]) -> None:
        super().__init__()
        self._state, self._entries, self._classes = state, list(entries), list(classes)
        self._added = 0
        self._new_classes: list[str] = []
        self.retranslate()

    def describe(self) -> str:
        """Import N images."""
        n = len(self._entries)
        return (translate("UndoCommands", "Import 1 image") if n == 1
                else translate("UndoCommands", "Import {count} images").format(count=_count(n)))

    @property
    def added(self) -> int:
        """How many images the last redo added."""
        return self._added

    def redo(self) -> None:
        """Append the images."""
        project = self._state.project
        before = set(project.classes)
        self._added = project.add_images(self._entries, self._classes)
        self._new_classes = [c for c in project.classes if c not in before]
        self._state.notify_images()

    def undo(self) -> None:
        """Remove the images and the classes this import created (files are never touched)."""
        project = self._state.project
        project.remove_last_images(self._added)
        for name in reversed(self._new_classes):
            project.remove_class(name)
        self._state.notify_images()


class AddClassCommand(NamedCommand):
    """Create a class (the name was validated by the caller)."""

    def __init__(self, state: AppState, name: str) -> None:
        super().__init__()
        self._state, self._name = state, name
        self.retranslate()

    def describe(self) -> str:
        """New class “name”."""
        return translate("UndoCommands", "New class “{name}”").format(name=self._name)

    def redo(self) -> None:
        """Append the class."""
        self._state.project.add_class(self._name)
        self._state.notify_classes()

    def undo(self) -> None:
        """Remove it again (it has no images: later commands were undone first)."""
        self._state.project.remove_class(self._name)
        self._state.notify_classes()


class RenameClassCommand(NamedCommand):
    """Rename a class; its images follow."""

    def __init__(self, state: AppState, old: str, new: str) -> None:
        super().__init__()
        self._state, self._old, self._new = state, old, new
        self.retranslate()

    def describe(self) -> str:
        """Rename “old” to “new”."""
        return translate("UndoCommands", "Rename “{old}” to “{new}”").format(old=self._old, new=self._new)

    def redo(self) -> None:
        """Rename."""
        self._state.project.rename_class(self._old, self._new)
        self._state.notify_classes(relabeled=True)

    def undo(self) -> None:
        """Rename back."""
        self._state.project.rename_class(self._new, self._old)
        self._state.notify_classes(relabeled=True)


class DeleteClassCommand(NamedCommand):
    """Delete a class; its images become unlabeled (never deleted)."""

    def __init__(self, state: AppState, name: str) -> None:
        super().__init__()
        self._state, self._name = state, name
        self._position, self._indices = 0, []
        self.retranslate()

    def describe(self) -> str:
        """Delete class “name”."""
        return translate("UndoCommands", "Delete class “{name}”").format(name=self._name)

    def redo(self) -> None:
        """Delete the class."""
        self._position, self._indices = self._state.project.remove_class(self._name)
        self._state.notify_classes(relabeled=True)

    def undo(self) -> None:
        """Put the class back at its place with its images (their splits never changed)."""
        project = self._state.project
        project.add_class(self._name, self._position)
        project.set_labels(self._indices, self._name)
        self._state.notify_classes(relabeled=True)


class MergeClassesCommand(NamedCommand):
    """Move every image of one class into another and delete the emptied class."""

    def __init__(self, state: AppState, source: str, target: str) -> None:
        super().__init__()
        self._state, self._source, self._target = state, source, target
        self._position, self._indices = 0, []
        self.retranslate()

    def describe(self) -> str:
        """Merge “source” into “target”."""
        return translate("UndoCommands", "Merge “{source}” into “{target}”").format(source=self._source,
                                                                                  target=self._target)

    def redo(self) -> None:
        """Merge."""
        self._position, self._indices = self._state.project.merge_classes(self._source, self._target)
        self._state.notify_classes(relabeled=True)

    def undo(self) -> None:
        """Recreate the source class with its images."""
        project = self._state.project
        project.add_class(self._source, self._position)
        project.set_labels(self._indices, self._source)
        self._state.notify_classes(relabeled=True)


class SetExcludedCommand(NamedCommand):
    """Exclude images from training, or include them again (they never leave the project)."""

    def __init__(self, state: AppState, indices: Sequence[int], excluded: bool) -> None:
        super().__init__()
        self._state, self._indices, self._excluded = state, list(indices), excluded
        self._previous: list[bool] = []
        self.retranslate()

    def describe(self) -> str:
        """Exclude N images from training, or Include N images in training."""
        n = len(self._indices)
        if self._excluded:
            text = (translate("UndoCommands", "Exclude 1 image from training") if n == 1
                    else translate("UndoCommands", "Exclude {count} images from training"))
        else:
            text = (translate("UndoCommands", "Include 1 image in training") if n == 1
                    else translate("UndoCommands", "Include {count} images in training"))
        return text.format(count=_count(n))

    def redo(self) -> None:
        """Set the flag."""
        self._previous = self._state.project.set_excluded(self._indices, self._excluded)
        self._state.notify_labels(self._indices)

    def undo(self) -> None:
        """Restore each image's previous flag."""
        self._state.project.restore_excluded(self._indices, self._previous)
        self._state.notify_labels(self._indices)


class SetSplitCommand(NamedCommand):
    """Move images to the training or the validation split (the doctor's fix for leakage)."""

    def __init__(self, state: AppState, indices: Sequence[int], split: str) -> None:
        super().__init__()
        self._state, self._indices, self._split = state, list(indices), split
        self._previous: list[str | None] = []
        self.retranslate()

    def describe(self) -> str:
        """Move N images to validation (or training)."""
        n = len(self._indices)
        if self._split == "val":
            text = (translate("UndoCommands", "Move 1 image to validation") if n == 1
                    else translate("UndoCommands", "Move {count} images to validation"))
        else:
            text = (translate("UndoCommands", "Move 1 image to training") if n == 1
                    else translate("UndoCommands", "Move {count} images to training"))
        return text.format(count=_count(n))

    def redo(self) -> None:
        """Move them."""
        self._previous = self._state.project.set_splits(self._indices, [self._split] * len(self._indices))
        self._state.notify_labels(self._indices)

    def undo(self) -> None:
        """Put each image back in its previous split."""
        self._state.project.set_splits(self._indices, self._previous)
        self._state.notify_labels(self._indices)


class DismissFindingsCommand(NamedCommand):
    """Remember doctor findings as handled, so the next scan does not list them again."""

    def __init__(self, state: AppState, keys: Sequence[str], text: str | None = None) -> None:
        super().__init__()
        self._state, self._keys, self._text = state, list(keys), text
        self._changed: list[str] = []
        self.retranslate()

    def describe(self) -> str:
        """The caller's text (in the language it was given), else "Dismiss a finding"."""
        return self._text or translate("UndoCommands", "Dismiss a finding")

    def redo(self) -> None:
        """Remember the keys."""
        self._changed = self._state.project.set_dismissed(self._keys, True)
        self._notify()

    def undo(self) -> None:
        """Forget the keys this command added."""
        self._state.project.set_dismissed(self._changed, False)
        self._notify()

    def _notify(self) -> None:
        self._state.dismissed_changed.emit()
        self._state.saver.schedule()
