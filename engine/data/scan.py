"""Turn a folder of images into a labelled, split, verified :class:`DatasetIndex`.

Two layouts are understood: ``DATA/<class>/*`` (split here, stratified and seeded, and the
split is saved so that it stays stable across runs and when images are added) and
``DATA/train/<class>/*`` + ``DATA/val/<class>/*`` (split as given; the split and class folder
name rules are in :mod:`engine.data.layout`). What a person should know before training (a class
without validation images, folders named like splits) is collected in ``DatasetIndex.warnings``.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from engine.atomic import read_json, write_json
from engine.data.layout import (
    TRAIN,
    VAL,
    class_count_warnings,
    class_folder_warnings,
    clean_class_name,
    find_split_folders,
    split_layout_warnings,
)
from engine.errors import DatasetError, ImageError
from engine.filenames import one_line
from engine.imaging import is_image_candidate, probe_image
from engine.paths import cache_dir
from engine.progress import Progress

CHECKING_IMAGES = "Checking images"


@dataclass(frozen=True)
class Sample:
    """One image: absolute path, class index and split."""

    path: str
    label: int
    split: str


@dataclass(frozen=True)
class SkippedFile:
    """A file left out, with the reason a person can act on."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        """Return ``{"path", "reason"}``."""
        return {"path": self.path, "reason": self.reason}


@dataclass
class DatasetIndex:
    """Every usable sample of a dataset folder, the classes and what was skipped."""

    root: str
    classes: list[str]
    samples: list[Sample]
    skipped: list[SkippedFile] = field(default_factory=list)
    layout: str = "class_folders"
    warnings: list[str] = field(default_factory=list)

    def subset(self, split: str) -> list[Sample]:
        """Return the samples of one split, in a stable order."""
        return [s for s in self.samples if s.split == split]

    def class_counts(self, split: str | None = None) -> dict[str, int]:
        """Return images per class name, for one split or all."""
        counts = Counter(s.label for s in self.samples if split is None or s.split == split)
        return {name: counts.get(i, 0) for i, name in enumerate(self.classes)}


def iter_image_files(folder: Path, root: Path | None = None) -> Iterator[Path]:
    """Yield image files below ``folder`` recursively, in sorted order.

    Hidden folders are skipped; a symlinked folder that points back inside ``root`` (default
    ``folder``) is not entered, and every folder is entered at most once (tracked by device
    and inode), so links cannot loop or duplicate samples.
    """
    inside = (root or folder).resolve()
    seen: set[tuple[int, int]] = set()
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            st = current.stat()
        except OSError:
            continue
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue
            if _is_dir(entry):
                if not (entry.is_symlink() and path.resolve().is_relative_to(inside)):
                    subdirs.append(path)
            elif is_image_candidate(path):
                yield path
        stack.extend(reversed(subdirs))


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def class_dirs(folder: Path) -> list[Path]:
    """The visible sub-folders of ``folder``, sorted by name (the class or split folders)."""
    return sorted(
        (p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def detect_layout(root: Path) -> str:
    """``"split_folders"`` for ``train/`` + ``val/`` (or ``test/``) layouts, else ``"class_folders"``."""
    return "split_folders" if find_split_folders(class_dirs(root)) else "class_folders"


def _stable_rank(seed: int, rel_path: str) -> str:
    return hashlib.sha1(f"{seed}:{rel_path}".encode("utf-8", "surrogatepass")).hexdigest()


def _split_file(root: Path) -> Path:
    key = hashlib.sha1(str(root.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    return cache_dir() / "splits" / f"{key}.json"


def assign_splits(
    by_class: dict[str, list[str]],
    previous: dict[str, str],
    val_fraction: float,
    seed: int,
) -> dict[str, str]:
    """Split each class's relative paths into train/val, keeping earlier assignments.

    New files fill each class up to ``round(n * val_fraction)`` validation images (at least
    one when the class has two or more), picked in a seeded hash order, so adding images
    never moves an image that was already assigned.
    """
    result: dict[str, str] = {}
    for rel_paths in by_class.values():
        kept = {p: previous[p] for p in rel_paths if previous.get(p) in (TRAIN, VAL)}
        n = len(rel_paths)
        want_val = round(n * val_fraction)
        if n >= 2 and val_fraction > 0:
            want_val = min(max(want_val, 1), n - 1)
        n_val = sum(1 for v in kept.values() if v == VAL)
        new = sorted((p for p in rel_paths if p not in kept), key=lambda p: _stable_rank(seed, p))
        for rel in new:
            kept[rel] = VAL if n_val < want_val else TRAIN
            n_val += kept[rel] == VAL
        result.update(kept)
    return result


def _verify_all(paths: list[Path], progress: Progress | None) -> dict[Path, str]:
    """Probe every file in a small thread pool; return ``{path: reason}`` for the bad ones."""
    bad: dict[Path, str] = {}

    def check(path: Path) -> tuple[Path, str | None]:
        try:
            probe_image(path)
        except ImageError as exc:
            return path, exc.reason
        return path, None

    with ThreadPoolExecutor(max_workers=min(4, (os.cpu_count() or 2))) as pool:
        for done, (path, reason) in enumerate(pool.map(check, paths), start=1):
            if reason:
                bad[path] = reason
            if progress:
                progress(done, len(paths), CHECKING_IMAGES)
    return bad


def _collect(class_dirs: Iterable[Path], root: Path, warnings: list[str]) -> dict[str, list[Path]]:
    """Images per class name; a folder whose name cannot be a class is left out with a warning."""
    by_class: dict[str, list[Path]] = {}
    for folder in class_dirs:
        try:
            name = clean_class_name(folder.name)
        except ValueError as exc:
            warnings.append(f"{one_line(str(folder))} left out: {exc}")
            continue
        by_class.setdefault(name, []).extend(iter_image_files(folder, root))
    return by_class


def _split_pairs(root: Path, warnings: list[str]) -> tuple[list[str], list[tuple[Path, str, str]]]:
    """Classes and ``(file, class, split)`` of a ``train/`` + ``val/`` layout."""
    roles = find_split_folders(class_dirs(root)) or {}
    warnings += split_layout_warnings(root, roles)
    by_split = {split: _collect(class_dirs(roles[split]), root, warnings) for split in (TRAIN, VAL)}
    if not by_split[TRAIN]:
        raise DatasetError(
            f"{root}: {roles[TRAIN].name}/ and {roles[VAL].name}/ are split folders, but "
            f"{roles[TRAIN].name}/ has no class sub-folders. Put each class in its own folder "
            f"({roles[TRAIN].name}/cats, {roles[VAL].name}/cats, ...)."
        )
    classes = sorted(set(by_split[TRAIN]) | set(by_split[VAL]))
    return classes, [(p, c, s) for s in (TRAIN, VAL) for c, ps in by_split[s].items() for p in ps]


def _class_pairs(
    root: Path, val_fraction: float, seed: int, warnings: list[str]
) -> tuple[list[str], list[tuple[Path, str, str]]]:
    """Classes and ``(file, class, split)`` of a ``DATA/<class>/`` layout, split here and remembered."""
    by_class = _collect(class_dirs(root), root, warnings)
    warnings += class_folder_warnings(by_class)
    rel = {c: [str(p.relative_to(root)) for p in ps] for c, ps in by_class.items()}
    split_path = _split_file(root)
    previous = _read_split(split_path)
    splits = assign_splits(rel, previous, val_fraction, seed)
    if splits != previous:
        write_json(split_path, {"root": str(root.resolve()), "seed": seed, "splits": splits})
    pairs = [(p, c, splits[str(p.relative_to(root))]) for c, ps in by_class.items() for p in ps]
    return sorted(by_class), pairs


def scan_dataset(
    root: str | Path,
    val_fraction: float = 0.2,
    seed: int = 0,
    verify: bool = True,
    progress: Progress | None = None,
) -> DatasetIndex:
    """Index a dataset folder.

    Args:
        root: ``DATA/<class>/*`` or ``DATA/train|val/<class>/*``.
        val_fraction: Share of each class held out when the folder has no split.
        seed: Seeds the split order.
        verify: Decode-check every file; broken ones go to ``skipped`` with the reason.
        progress: Reports the decode check, file by file.

    Raises:
        DatasetError: If the folder is missing or has fewer than two classes with images.
    """
    root = Path(root).expanduser()
    if not root.is_dir():
        raise DatasetError(f"{root}: not a folder. Choose a folder with one sub-folder per class.")
    layout = detect_layout(root)
    warnings: list[str] = []
    if layout == "split_folders":
        classes, pairs = _split_pairs(root, warnings)
    else:
        classes, pairs = _class_pairs(root, val_fraction, seed, warnings)
    bad = _verify_all([p for p, _, _ in pairs], progress) if verify else {}
    index = {name: i for i, name in enumerate(classes)}
    samples = [Sample(str(p), index[c], s) for p, c, s in pairs if p not in bad]
    skipped = [SkippedFile(str(p), r) for p, r in sorted(bad.items())]
    _check_usable(root, classes, samples)
    result = DatasetIndex(str(root), classes, samples, skipped, layout, warnings)
    by_split = {s: result.class_counts(s) for s in (TRAIN, VAL)}
    warnings += class_count_warnings({c: {s: by_split[s][c] for s in (TRAIN, VAL)} for c in classes})
    return result


def _read_split(path: Path) -> dict[str, str]:
    try:
        data = read_json(path)
        return dict(data.get("splits", {}))
    except (OSError, ValueError, AttributeError):
        return {}


def _check_usable(root: Path, classes: list[str], samples: list[Sample]) -> None:
    counts = Counter(s.label for s in samples)
    populated = [c for i, c in enumerate(classes) if counts.get(i)]
    if len(populated) < 2:
        raise DatasetError(
            f"{root}: found {len(populated)} class folder(s) with readable images; at least two "
            "are needed. Put each class's images in its own sub-folder (DATA/cats, DATA/dogs)."
        )
    if not any(s.split == TRAIN for s in samples) or not any(s.split == VAL for s in samples):
        raise DatasetError(f"{root}: both a training and a validation split need images.")
