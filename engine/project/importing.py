"""Bringing images into a project: dropped files and folders, decode-checked off the GUI thread.

A dropped folder laid out as ``DATA/<class>/`` or ``DATA/train|val/<class>/`` brings its labels
(and given splits), by the same folder-name rules as the CLI (:mod:`engine.data.layout`); what a
person should know (folders named like splits, a class without validation images) is in
``ImportPlan.warnings``. A file name that is not valid UTF-8 is kept (see :mod:`engine.filenames`).
Every file gets a real reduced decode; an unreadable one is kept with the loader's reason, so the
user sees it and can fix it (:func:`recheck_files`). Images are only referenced, never moved or
copied.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from engine.control import RunControl
from engine.data.layout import (
    TRAIN,
    VAL,
    class_count_warnings,
    class_folder_warnings,
    clean_class_name,
    find_split_folders,
    split_layout_warnings,
)
from engine.data.scan import CHECKING_IMAGES, class_dirs, iter_image_files
from engine.errors import ImageError
from engine.filenames import one_line
from engine.imaging import is_image_candidate, probe_image
from engine.progress import Progress
from engine.project.schema import ImageEntry
from engine.project.store import Project

FoundFile = tuple[Path, str | None, str | None]  # (file, label, split)
LISTING_FILES = "Listing files"


@dataclass
class ImportPlan:
    """What :func:`scan_import` found: entries to add and what was left out."""

    entries: list[ImageEntry] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    duplicates: int = 0
    warnings: list[str] = field(default_factory=list)

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
    control: RunControl | None = None,
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
        progress: Reports listing (``total`` 0) and then the decode check.
        control: Cancels between files.

    Raises:
        RunCancelled: If ``control`` was cancelled; nothing is returned.
    """
    plan = ImportPlan()
    control = control or RunControl()
    found = _list_new_files(paths, label, set(known), plan, progress, control)
    reasons = _probe_all([f for f, _, _ in found], progress, control) if verify else [None] * len(found)
    for (file, cls, split), reason in zip(found, reasons, strict=True):
        if cls is not None and cls not in plan.classes:
            plan.classes.append(cls)
        plan.entries.append(ImageEntry(str(file), cls, split if not reason else None, reason))
    if label is None:
        plan.classes.sort()
    plan.warnings += _split_count_warnings(plan.entries)
    return plan


def _split_count_warnings(entries: Sequence[ImageEntry]) -> list[str]:
    """Per-class warnings (a single image, no validation image) for a folder that gave its splits."""
    counts: dict[str, dict[str, int]] = {}
    for e in entries:
        if e.label is not None and not e.broken and e.split in (TRAIN, VAL):
            by_split = counts.setdefault(e.label, {TRAIN: 0, VAL: 0})
            by_split[e.split] += 1
    return class_count_warnings(counts)


def recheck_files(paths: Sequence[str], progress: Progress | None = None,
                  control: RunControl | None = None) -> dict[str, str | None]:
    """Decode-check ``paths`` again (after a fix on disk); return ``{path: reason or None}``.

    Raises:
        RunCancelled: If ``control`` was cancelled.
    """
    result: dict[str, str | None] = {}
    for done, path in enumerate(paths, start=1):
        if control is not None:
            control.raise_if_cancelled()
        result[path] = _probe_reason(Path(path))
        if progress:
            progress(done, len(paths), CHECKING_IMAGES)
    return result


def import_dataset_folder(
    root: str | Path,
    project_folder: str | Path | None = None,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> Project:
    """Create and save a labelled project from ``DATA/<class>/`` or ``DATA/train|val/<class>/``.

    The project file goes into ``project_folder`` (default: ``root`` itself; no image is touched).

    Raises:
        RunCancelled: If ``control`` was cancelled; no project file is written.
    """
    plan = scan_import([root], progress=progress, control=control)
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
    control: RunControl,
) -> list[FoundFile]:
    """List the image files under ``paths`` not in ``known``; count the others in ``plan``."""
    found: list[FoundFile] = []
    for raw in paths:
        root = Path(os.path.abspath(Path(raw).expanduser()))
        items = _folder_items(root, label, plan.warnings) if root.is_dir() else [(root, label, None)]
        for file, cls, split in items:
            control.raise_if_cancelled()
            text = str(file)
            if not is_image_candidate(file) or not file.is_file():
                continue
            if text in known:
                plan.duplicates += 1
            else:
                known.add(text)
                found.append((file, cls, split))
                if progress and len(found) % 500 == 0:
                    progress(len(found), 0, LISTING_FILES)
    return found


def _probe_all(
    files: Sequence[Path], progress: Progress | None, control: RunControl
) -> list[str | None]:
    """Decode-check ``files`` on a few threads; return each one's reason (RunCancelled when cancelled)."""
    reasons: list[str | None] = [None] * len(files)
    if not files:
        return reasons
    workers = min(4, os.cpu_count() or 2)
    step = 4 * workers  # small chunks: progress and cancel stay responsive on slow disks
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(files), step):
            control.raise_if_cancelled()
            chunk = files[start:start + step]
            reasons[start:start + len(chunk)] = pool.map(_probe_reason, chunk)
            if progress:
                progress(start + len(chunk), len(files), CHECKING_IMAGES)
    return reasons


def _class_dirs(folder: Path) -> list[Path]:
    """:func:`class_dirs`, or none when the folder cannot be listed (a drop is never fatal)."""
    try:
        return class_dirs(folder)
    except OSError:
        return []


def _folder_items(root: Path, label: str | None, warnings: list[str]) -> Iterable[FoundFile]:
    """Yield (file, label, split): from sub-folders when ``root`` is a dataset, else ``label``.

    Split and class folder names follow :mod:`engine.data.layout`, as in ``scan_dataset``.
    """
    subdirs = _class_dirs(root)
    loose = any(is_image_candidate(p) and p.is_file() for p in root.iterdir())
    if label is not None or not subdirs or loose:
        return ((p, label, None) for p in iter_image_files(root))
    roles = find_split_folders(subdirs)
    if roles and not _class_dirs(roles[TRAIN]):
        warnings.append(
            f"{one_line(str(root))}: {roles[TRAIN].name}/ and {roles[VAL].name}/ look like split folders "
            "but hold no class folders; the images were imported unlabeled."
        )
        return ((p, None, None) for p in iter_image_files(root))
    if roles:
        warnings += split_layout_warnings(root, roles)
        named = [(s, d, _class_name(d, warnings)) for s in (TRAIN, VAL) for d in _class_dirs(roles[s])]
        return ((p, name, s) for s, d, name in named if name is not None for p in iter_image_files(d))
    named_dirs = [(d, _class_name(d, warnings)) for d in subdirs]
    warnings += class_folder_warnings(name for _, name in named_dirs if name is not None)
    return ((p, name, None) for d, name in named_dirs if name is not None for p in iter_image_files(d))


def _class_name(folder: Path, warnings: list[str]) -> str | None:
    """The class name of ``folder`` (:func:`clean_class_name`), or None with a warning."""
    try:
        return clean_class_name(folder.name)
    except ValueError as exc:
        warnings.append(f"{one_line(str(folder))} left out: {exc}")
        return None


def _probe_reason(path: Path) -> str | None:
    try:
        probe_image(path)
    except ImageError as exc:
        return exc.reason
    return None
