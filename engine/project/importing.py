"""Bringing images into a project: dropped files and folders, decode-checked off the GUI thread.

A dropped folder laid out as ``DATA/<class>/`` or ``DATA/train|val/<class>/`` brings its labels
(and given splits). Every file gets a real reduced decode; an unreadable one is kept with the
loader's reason, so the user sees it and can fix it (:func:`recheck_files`). Images are only
referenced, never moved or copied.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from engine.data.scan import TRAIN, VAL, Progress, class_dirs, iter_image_files
from engine.errors import ImageError
from engine.imaging import is_image_candidate, probe_image
from engine.project.store import ImageEntry, Project, is_storable

FoundFile = tuple[Path, str | None, str | None]  # (file, label, split)


@dataclass
class ImportPlan:
    """What :func:`scan_import` found: entries to add and what was left out."""

    entries: list[ImageEntry] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    duplicates: int = 0
    unstorable: list[str] = field(default_factory=list)
    cancelled: bool = False

    @property
    def broken(self) -> int:
        """Number of entries whose file failed the decode check."""
        return sum(1 for e in self.entries if e.broken)


def scan_import(
    paths: Sequence[str | Path],
    label: str | None = None,
    known: Iterable[str] = (),
    verify: bool = True,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ImportPlan:
    """Find the images to import from dropped files and folders; run it off the GUI thread.

    A dropped folder laid out as ``DATA/<class>/`` or ``DATA/train|val/<class>/`` brings its labels
    (and given splits) unless ``label`` is set, which labels everything. Each file gets a real
    reduced decode (``probe_image``); unreadable ones are kept with the loader's reason.

    Args:
        paths: Files and folders, as dropped.
        label: Class for every file found, or None.
        known: Absolute paths already in the project (counted as duplicates, not re-added).
        verify: Decode-check each file.
        progress: Called with ``(done, total)``; ``total`` is 0 while still listing files.
        cancel: Set it to stop early; the plan then has ``cancelled`` True.
    """
    plan = ImportPlan()
    found = _list_new_files(paths, label, set(known), plan, progress, cancel)
    if plan.cancelled:
        return plan
    reasons = _probe_all([f for f, _, _ in found], progress, cancel) if verify else [None] * len(found)
    if reasons is None:
        plan.cancelled = True
        return plan
    for (file, cls, split), reason in zip(found, reasons, strict=True):
        if cls is not None and cls not in plan.classes:
            plan.classes.append(cls)
        plan.entries.append(ImageEntry(str(file), cls, split if not reason else None, reason))
    if label is None:
        plan.classes.sort()
    return plan


def recheck_files(paths: Sequence[str], progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> dict[str, str | None]:
    """Decode-check ``paths`` again (after a fix on disk); return ``{path: reason or None}``."""
    result: dict[str, str | None] = {}
    for done, path in enumerate(paths, start=1):
        if cancel is not None and cancel.is_set():
            break
        result[path] = _probe_reason(Path(path))
        if progress:
            progress(done, len(paths))
    return result


def import_dataset_folder(
    root: str | Path,
    project_folder: str | Path | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> Project | None:
    """Create and save a labelled project from ``DATA/<class>/`` or ``DATA/train|val/<class>/``.

    The project file goes into ``project_folder`` (default: ``root`` itself; no image is touched).
    Returns None when cancelled.
    """
    plan = scan_import([root], progress=progress, cancel=cancel)
    if plan.cancelled:
        return None
    return project_from_plan(plan, project_folder or root)


def project_from_plan(plan: ImportPlan, project_folder: str | Path) -> Project:
    """Create and save a project in ``project_folder`` holding what ``plan`` found."""
    project = Project.create(project_folder)
    project.add_images(plan.entries, plan.classes)
    project.save()
    return project


def _list_new_files(
    paths: Sequence[str | Path],
    label: str | None,
    known: set[str],
    plan: ImportPlan,
    progress: Progress | None,
    cancel: threading.Event | None,
) -> list[FoundFile]:
    """List the image files under ``paths`` not in ``known``; count the others in ``plan``."""
    found: list[FoundFile] = []
    for raw in paths:
        root = Path(os.path.abspath(Path(raw).expanduser()))
        items = _folder_items(root, label) if root.is_dir() else [(root, label, None)]
        for file, cls, split in items:
            if cancel is not None and cancel.is_set():
                plan.cancelled = True
                return found
            text = str(file)
            if not is_image_candidate(file) or not file.is_file():
                continue
            if not is_storable(text):
                plan.unstorable.append(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
            elif text in known:
                plan.duplicates += 1
            else:
                known.add(text)
                found.append((file, cls, split))
                if progress and len(found) % 500 == 0:
                    progress(len(found), 0)
    return found


def _probe_all(
    files: Sequence[Path], progress: Progress | None, cancel: threading.Event | None
) -> list[str | None] | None:
    """Decode-check ``files`` on a few threads; return each one's reason, or None when cancelled."""
    reasons: list[str | None] = [None] * len(files)
    if not files:
        return reasons
    workers = min(4, os.cpu_count() or 2)
    step = 4 * workers  # small chunks: progress and cancel stay responsive on slow disks
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(files), step):
            if cancel is not None and cancel.is_set():
                return None
            chunk = files[start:start + step]
            reasons[start:start + len(chunk)] = pool.map(_probe_reason, chunk)
            if progress:
                progress(start + len(chunk), len(files))
    return reasons


def _class_dirs(folder: Path) -> list[Path]:
    """:func:`class_dirs`, or none when the folder cannot be listed (a drop is never fatal)."""
    try:
        return class_dirs(folder)
    except OSError:
        return []


def _folder_items(root: Path, label: str | None) -> Iterable[FoundFile]:
    """Yield (file, label, split): from sub-folders when ``root`` is a dataset, else ``label``."""
    subdirs = _class_dirs(root)
    loose = any(is_image_candidate(p) and p.is_file() for p in root.iterdir())
    if label is not None or not subdirs or loose:
        return ((p, label, None) for p in iter_image_files(root))
    splits = {p.name.lower(): p for p in subdirs}
    if {TRAIN, VAL} <= set(splits):
        return (
            (p, d.name, s) for s in (TRAIN, VAL) for d in _class_dirs(splits[s]) for p in iter_image_files(d)
        )
    return ((p, d.name, None) for d in subdirs for p in iter_image_files(d))


def _probe_reason(path: Path) -> str | None:
    try:
        probe_image(path)
    except ImageError as exc:
        return exc.reason
    return None
