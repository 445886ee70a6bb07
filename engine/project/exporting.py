"""Copying a project's labelled images out to ``<dest>/<class>/`` folders (the originals stay put).

Folder names are made valid on Windows, macOS and Linux; existing files are never overwritten and
each copy is written to a temporary name first, so a kill never leaves a half-copied image.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from engine.control import RunControl
from engine.progress import Progress
from engine.project.store import Project

EXPORTING = "Copying images"
_FORBIDDEN = set('<>:"/\\|?*')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10))}


@dataclass
class FolderExportResult:
    """What :func:`export_labeled_folders` copied, and the files it could not copy."""

    copied: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)


def safe_folder_name(name: str) -> str:
    """Turn a class name into a folder name valid on Windows, macOS and Linux."""
    clean = "".join("_" if ch in _FORBIDDEN or ord(ch) < 32 else ch for ch in name).strip().rstrip(".")
    if not clean or clean in (".", ".."):
        clean = "class"
    return f"_{clean}" if clean.split(".")[0].upper() in _RESERVED else clean


def export_labeled_folders(
    project: Project,
    dest: str | Path,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> FolderExportResult:
    """Copy every labelled, readable image to ``dest/<class>/`` (originals untouched; excluded ones stay out).

    Existing files in ``dest`` are never overwritten: a clashing name gets `` (2)``, `` (3)``...
    Each copy goes to a temp name first, so a kill never leaves a half-copied image.

    Raises:
        RunCancelled: If ``control`` was cancelled; the images copied until then stay in ``dest``.
    """
    folders = _class_folders(project.classes, Path(dest))
    entries = [e for e in project.images if e.label is not None and not e.broken and not e.excluded]
    result, used = FolderExportResult(), set()
    for n, entry in enumerate(entries, start=1):
        if control is not None:
            control.raise_if_cancelled()
        target = _unique_target(folders[entry.label], Path(entry.path), used)
        try:
            _copy_file(Path(entry.path), target)
            result.copied += 1
        except OSError as exc:
            result.failed.append((entry.path, exc.strerror or str(exc)))
        if progress:
            progress(n, len(entries), EXPORTING)
    return result


def _class_folders(classes: list[str], dest: Path) -> dict[str, Path]:
    """One folder per class, names made safe and unique even on case-insensitive file systems."""
    folders: dict[str, Path] = {}
    for name in classes:
        folder = safe_folder_name(name)
        while folder.casefold() in {f.name.casefold() for f in folders.values()}:
            folder += "_"
        folders[name] = dest / folder
    return folders


def _copy_file(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` through a temporary name (raises OSError)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    shutil.copy2(source, tmp)
    os.replace(tmp, target)


def _unique_target(folder: Path, source: Path, used: set[str]) -> Path:
    stem, suffix, k = source.stem, source.suffix, 1
    target = folder / source.name
    while str(target).casefold() in used or target.exists():
        k += 1
        target = folder / f"{stem} ({k}){suffix}"
    used.add(str(target).casefold())
    return target
