"""What the :class:`~gui.state.app_state.AppState` says about its jobs (import, export, re-check), translated.

Each function returns one finished sentence in the interface language; file names, folders and the
engine's own reasons are values put in after translating.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP

from engine.project.importing import ImportPlan
from gui.i18n import translate

MAX_LISTED = 10
_TITLES = {  # job kind → what the status bar says while it runs (translated on use)
    "dataset": QT_TRANSLATE_NOOP("JobMessages", "Importing dataset"),
    "import": QT_TRANSLATE_NOOP("JobMessages", "Importing images"),
    "export": QT_TRANSLATE_NOOP("JobMessages", "Exporting"),
    "recheck": QT_TRANSLATE_NOOP("JobMessages", "Checking files"),
}


def job_title(kind: str) -> str:
    """What the status bar shows while a job of ``kind`` runs."""
    return translate("JobMessages", _TITLES[kind])


def undo_hint(done: str) -> str:
    """``done`` (what an undoable step did) and how to undo it, for the status bar."""
    return translate("JobMessages", "{action}. Ctrl+Z undoes it.").format(action=done)


def import_summary(plan: ImportPlan, added: int) -> str:
    """What an import added: images, classes, unreadable files and duplicates left out."""
    count, classes = f"{added:,}", len(plan.classes)
    if not classes:
        done = translate("JobMessages", "Imported {count} images").format(count=count)
    elif classes == 1:
        done = translate("JobMessages", "Imported {count} images into 1 class").format(count=count)
    else:
        done = translate("JobMessages", "Imported {count} images into {classes} classes").format(
            count=count, classes=classes)
    if plan.broken and plan.duplicates:
        done = translate("JobMessages", "{done} ({broken} unreadable, {duplicates} already in the project)")\
            .format(done=done, broken=plan.broken, duplicates=plan.duplicates)
    elif plan.broken:
        done = translate("JobMessages", "{done} ({broken} unreadable)").format(done=done, broken=plan.broken)
    elif plan.duplicates:
        done = translate("JobMessages", "{done} ({duplicates} already in the project)").format(
            done=done, duplicates=plan.duplicates)
    return undo_hint(done)


def cancelled_text(kind: str, dest: str = "") -> str:
    """What a cancelled job of ``kind`` left behind."""
    if kind == "export":
        text = translate("JobMessages", "Export cancelled; the images copied so far stay in {folder}.")
        return text.format(folder=dest)
    if kind == "recheck":
        return translate("JobMessages", "Check cancelled; nothing was changed.")
    return translate("JobMessages", "Import cancelled; nothing was added.")


def recheck_summary(fixed: int, checked: int) -> str:
    """How many of the re-checked files can be read now."""
    text = translate("JobMessages", "{fixed} of {count} files can be read now.")
    return text.format(fixed=fixed, count=checked)


def export_summary(copied: int, dest: str) -> str:
    """How many images an export copied, and where."""
    text = translate("JobMessages", "Exported {count} images to {folder}")
    return text.format(count=f"{copied:,}", folder=dest)


def export_failures(failed: Sequence[tuple[str, str]], dest: str) -> str:
    """The images an export could not copy (the first few, each with its reason) and what to do."""
    files = "\n".join(f"{path}: {reason}" for path, reason in failed[:MAX_LISTED])
    text = translate("JobMessages", "{count} images could not be copied to {folder}:\n{files}\n"
                     "Check that the files still exist and retry.")
    return text.format(count=len(failed), folder=dest, files=files)


def import_warnings(warnings: Sequence[str]) -> str:
    """The scan's warnings about an imported folder (the first few)."""
    lines = "\n".join(warnings[:MAX_LISTED])
    if len(warnings) > MAX_LISTED:
        more = translate("JobMessages", "(and {count} more)").format(count=len(warnings) - MAX_LISTED)
        lines += "\n" + more
    return lines
