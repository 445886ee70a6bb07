"""Undoable labelling actions (QUndoCommand); each one is exact, however many images it moves.

Commands change the project only through :class:`engine.project.store.Project` methods and then tell
the :class:`~gui.state.app_state.AppState`, which refreshes the views and autosaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from engine.project.schema import ImageEntry
from engine.project.store import LabelSplit

if TYPE_CHECKING:
    from gui.state.app_state import AppState


def menu_text(text: str) -> str:
    """Escape ``&`` so a user's name is not turned into a keyboard mnemonic in menus."""
    return text.replace("&", "&&")


def _images(n: int) -> str:
    return f"{n:,} image{'s' if n != 1 else ''}"


class SetLabelsCommand(QUndoCommand):
    """Give images a class, or take it away (``label`` None)."""

    def __init__(self, state: AppState, indices: Sequence[int], label: str | None) -> None:
        text = f"Label {_images(len(indices))} as “{label}”" if label else f"Unlabel {_images(len(indices))}"
        super().__init__(menu_text(text))
        self._state, self._indices, self._label = state, list(indices), label
        self._previous: list[LabelSplit] = []

    def redo(self) -> None:
        """Apply the label."""
        self._previous = self._state.project.set_labels(self._indices, self._label)
        self._state.notify_labels(self._indices)

    def undo(self) -> None:
        """Restore each image's previous label and split."""
        self._state.project.restore_labels(self._indices, self._previous)
        self._state.notify_labels(self._indices)


class ImportImagesCommand(QUndoCommand):
    """Add found images (and their classes) to the project; undo takes them out again."""

    def __init__(self, state: AppState, entries: Sequence[ImageEntry], classes: Sequence[str]) -> None:
        super().__init__(menu_text(f"Import {_images(len(entries))}"))
        self._state, self._entries, self._classes = state, list(entries), list(classes)
        self._added = 0
        self._new_classes: list[str] = []

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


class AddClassCommand(QUndoCommand):
    """Create a class (the name was validated by the caller)."""

    def __init__(self, state: AppState, name: str) -> None:
        super().__init__(menu_text(f"New class “{name}”"))
        self._state, self._name = state, name

    def redo(self) -> None:
        """Append the class."""
        self._state.project.add_class(self._name)
        self._state.notify_classes()

    def undo(self) -> None:
        """Remove it again (it has no images: later commands were undone first)."""
        self._state.project.remove_class(self._name)
        self._state.notify_classes()


class RenameClassCommand(QUndoCommand):
    """Rename a class; its images follow."""

    def __init__(self, state: AppState, old: str, new: str) -> None:
        super().__init__(menu_text(f"Rename “{old}” to “{new}”"))
        self._state, self._old, self._new = state, old, new

    def redo(self) -> None:
        """Rename."""
        self._state.project.rename_class(self._old, self._new)
        self._state.notify_classes(relabeled=True)

    def undo(self) -> None:
        """Rename back."""
        self._state.project.rename_class(self._new, self._old)
        self._state.notify_classes(relabeled=True)


class DeleteClassCommand(QUndoCommand):
    """Delete a class; its images become unlabeled (never deleted)."""

    def __init__(self, state: AppState, name: str) -> None:
        super().__init__(menu_text(f"Delete class “{name}”"))
        self._state, self._name = state, name
        self._position, self._indices = 0, []

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


class MergeClassesCommand(QUndoCommand):
    """Move every image of one class into another and delete the emptied class."""

    def __init__(self, state: AppState, source: str, target: str) -> None:
        super().__init__(menu_text(f"Merge “{source}” into “{target}”"))
        self._state, self._source, self._target = state, source, target
        self._position, self._indices = 0, []

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


class SetExcludedCommand(QUndoCommand):
    """Exclude images from training, or include them again (they never leave the project)."""

    def __init__(self, state: AppState, indices: Sequence[int], excluded: bool) -> None:
        verb = "Exclude" if excluded else "Include"
        super().__init__(f"{verb} {_images(len(indices))} {'from' if excluded else 'in'} training")
        self._state, self._indices, self._excluded = state, list(indices), excluded
        self._previous: list[bool] = []

    def redo(self) -> None:
        """Set the flag."""
        self._previous = self._state.project.set_excluded(self._indices, self._excluded)
        self._state.notify_labels(self._indices)

    def undo(self) -> None:
        """Restore each image's previous flag."""
        self._state.project.restore_excluded(self._indices, self._previous)
        self._state.notify_labels(self._indices)


class SetSplitCommand(QUndoCommand):
    """Move images to the training or the validation split (the doctor's fix for leakage)."""

    def __init__(self, state: AppState, indices: Sequence[int], split: str) -> None:
        super().__init__(f"Move {_images(len(indices))} to {'validation' if split == 'val' else 'training'}")
        self._state, self._indices, self._split = state, list(indices), split
        self._previous: list[str | None] = []

    def redo(self) -> None:
        """Move them."""
        self._previous = self._state.project.set_splits(self._indices, [self._split] * len(self._indices))
        self._state.notify_labels(self._indices)

    def undo(self) -> None:
        """Put each image back in its previous split."""
        self._state.project.set_splits(self._indices, self._previous)
        self._state.notify_labels(self._indices)


class DismissFindingsCommand(QUndoCommand):
    """Remember doctor findings as handled, so the next scan does not list them again."""

    def __init__(self, state: AppState, keys: Sequence[str], text: str = "Dismiss a finding") -> None:
        super().__init__(menu_text(text))
        self._state, self._keys = state, list(keys)
        self._changed: list[str] = []

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
