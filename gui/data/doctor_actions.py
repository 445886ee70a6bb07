"""Decisions on a doctor finding, each one undoable step that also remembers the finding as handled.

A decision is a macro on the project's undo stack: the change itself (relabel, exclude from
training, move to a split; nothing for "keep as is") followed by
:class:`~gui.state.commands.DismissFindingsCommand`, so the next scan does not list the finding
again, and one undo restores both the data and the finding. Images are never deleted.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from engine.doctor.findings import Finding
from gui.data.doctor_model import SPLIT_TITLES, split_title
from gui.i18n import translate
from gui.state.app_state import AppState
from gui.state.commands import (
    DismissFindingsCommand,
    SetExcludedCommand,
    SetLabelsCommand,
    SetSplitCommand,
    menu_text,
)


def _indices(state: AppState, finding: Finding) -> list[int]:
    """Project indices of the finding's images that are still in the project."""
    project = state.project
    found = (project.index_of(p) for p in finding.paths) if project is not None else ()
    return [i for i in found if i is not None]


def _decide(state: AppState, finding: Finding, text: str, steps: list[QUndoCommand]) -> str:
    """Push ``steps`` and the dismissal as one undoable macro named ``text``; return the message."""
    stack = state.undo_stack
    stack.beginMacro(menu_text(text))
    for step in steps:
        stack.push(step)
    stack.push(DismissFindingsCommand(state, [finding.key]))
    stack.endMacro()
    return translate("DoctorActions", "{action}. Z undoes it.").format(action=text)


def relabel(state: AppState, finding: Finding, label: str) -> str:
    """Give every image of the finding the class ``label``."""
    indices = _indices(state, finding)
    if state.project is None or label not in state.project.classes:
        text = translate("DoctorActions", "There is no class “{label}”; create it in the sidebar first.")
        return text.format(label=label)
    if not indices:
        return translate("DoctorActions",
                         "This finding has no image to relabel; press Enter to keep it or move on.")
    todo = [i for i in indices if state.project.images[i].label != label]
    steps: list[QUndoCommand] = [SetLabelsCommand(state, todo, label)] if todo else []
    text = translate("DoctorActions", "Relabel {count} image as “{label}”") if len(indices) == 1 else \
        translate("DoctorActions", "Relabel {count} images as “{label}”")
    return _decide(state, finding, text.format(count=f"{len(indices):,}", label=label), steps)


def exclude(state: AppState, finding: Finding, keep_first: bool = False) -> str:
    """Exclude the finding's images from training (all, or all but the first copy)."""
    indices = _indices(state, finding)[1 if keep_first else 0:]
    if not indices:
        return translate("DoctorActions",
                         "This finding has no image to exclude; press Enter to keep it or move on.")
    todo = [i for i in indices if not state.project.images[i].excluded]
    steps: list[QUndoCommand] = [SetExcludedCommand(state, todo, True)] if todo else []
    text = translate("DoctorActions", "Exclude {count} image from training") if len(indices) == 1 else \
        translate("DoctorActions", "Exclude {count} images from training")
    return _decide(state, finding, text.format(count=f"{len(indices):,}"), steps)


def move_to(state: AppState, finding: Finding, split: str) -> str:
    """Put every image of the finding in ``split`` (the fix for train/validation leakage)."""
    indices = _indices(state, finding)
    todo = [i for i in indices if state.project.images[i].split != split]
    steps: list[QUndoCommand] = [SetSplitCommand(state, todo, split)] if todo else []
    text = translate("DoctorActions", "Move {count} image to {split}") if len(indices) == 1 else \
        translate("DoctorActions", "Move {count} images to {split}")
    return _decide(state, finding, text.format(count=f"{len(indices):,}", split=split_title(split)), steps)


def keep(state: AppState, finding: Finding) -> str:
    """Keep the data as it is and remember the finding as seen."""
    return _decide(state, finding, translate("DoctorActions", "Keep as is"), [])


def accept(state: AppState, finding: Finding) -> str:
    """Apply the finding's suggested action."""
    kind, _, arg = finding.action.partition(":")
    if kind == "relabel":
        return relabel(state, finding, arg)
    if kind == "move_to" and arg in SPLIT_TITLES:
        return move_to(state, finding, arg)
    if kind == "exclude":
        return exclude(state, finding)
    if kind == "exclude_extra":
        return exclude(state, finding, keep_first=True)
    return keep(state, finding)

