"""A Transfer Studio project: image references, labels, splits and runs, saved atomically.

A project is a folder the user chooses; its project file (:data:`PROJECT_FILE_NAME`, JSON with a
``format_version``) references images wherever they are. Images are never moved, renamed or
deleted: labels live in the project file. Splits follow :func:`engine.data.scan.assign_splits`, so
an image keeps its split for good. Qt-free: the GUI saves snapshots on a worker thread; training
calls :meth:`Project.to_dataset_index`.

Around the model: :mod:`engine.project.file_format` reads and checks the project file,
:mod:`engine.project.importing` brings images in, :mod:`engine.project.exporting` copies them out.
"""

from __future__ import annotations

import copy
import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from engine.atomic import remove_stale_temps
from engine.data.layout import clean_class_name
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample, SkippedFile, assign_splits
from engine.data.thresholds import FEW_IMAGES_PER_CLASS, MIN_CLASSES, imbalance, is_too_few
from engine.project.file_format import read_project_file
from engine.project.schema import PROJECT_FILE_NAME, ImageEntry
from engine.project.snapshot import ProjectSnapshot

RUN_KEYS = ("run_dir", "strategy", "backbones", "best_val_acc", "created")
LabelSplit = tuple[str | None, str | None]
__all__ = ["LabelSplit", "Project", "ProjectSnapshot", "ProjectWarning", "validate_class_name"]


@dataclass(frozen=True)
class ProjectWarning:
    """Something about the data a person should fix before training; ``kind`` is machine-readable."""

    kind: str
    message: str


def validate_class_name(name: str, existing: Iterable[str] = ()) -> str:
    """Return ``name`` cleaned, or raise ValueError with a message a person can act on.

    The rule is :func:`engine.data.layout.clean_class_name`, the same one that names class folders.
    """
    clean = clean_class_name(name)
    if clean.casefold() in {e.casefold() for e in existing}:
        raise ValueError(f"There is already a class named {clean!r}.")
    return clean


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


class Project:
    """Images, labels, splits and runs of one project folder; every change goes through a method."""

    def __init__(self, folder: str | Path, val_fraction: float = 0.2, seed: int = 0) -> None:
        self.folder = Path(os.path.abspath(Path(folder).expanduser()))
        self.val_fraction = val_fraction
        self.seed = seed
        self.classes: list[str] = []
        self.images: list[ImageEntry] = []
        self.runs: list[dict[str, Any]] = []
        self.dismissed_findings: list[str] = []  # keys of doctor findings the user handled or dismissed
        self._by_path: dict[str, int] = {}

    # ----------------------------------------------------------------- files
    @property
    def file_path(self) -> Path:
        """The project file inside the project folder."""
        return self.folder / PROJECT_FILE_NAME

    @property
    def name(self) -> str:
        """The project folder's name, for titles."""
        return self.folder.name or str(self.folder)

    @staticmethod
    def exists(folder: str | Path) -> bool:
        """Tell whether ``folder`` already holds a project file."""
        return (Path(folder) / PROJECT_FILE_NAME).is_file()

    @classmethod
    def create(cls, folder: str | Path) -> Project:
        """Create an empty project in ``folder`` (made if needed) and save it.

        Raises:
            FileExistsError: If the folder already holds a project file.
        """
        project = cls(folder)
        if project.file_path.exists():
            raise FileExistsError(f"{project.file_path}: a project already exists here; open it instead.")
        project.folder.mkdir(parents=True, exist_ok=True)
        project.save()
        return project

    @classmethod
    def load(cls, path: str | Path) -> Project:
        """Read a project from its folder or its project file.

        Raises:
            ProjectFileError: If the file is missing, not JSON, of another version or malformed;
                the error names the field. A damaged file never opens as an empty project.
        """
        path = Path(path)
        file_path = path / PROJECT_FILE_NAME if path.is_dir() else path
        project = cls(file_path.parent)
        contents = read_project_file(file_path, project.folder)
        remove_stale_temps(project.folder)  # temp files of a save that was killed
        project.val_fraction, project.seed = contents.val_fraction, contents.seed
        project.classes, project.images, project.runs = contents.classes, contents.images, contents.runs
        project.dismissed_findings = contents.dismissed_findings
        project._by_path = {entry.path: i for i, entry in enumerate(project.images)}
        return project

    def snapshot(self) -> ProjectSnapshot:
        """Return an immutable copy to save on another thread."""
        return ProjectSnapshot(
            self.folder, tuple(self.classes), tuple(self.images), tuple(copy.deepcopy(self.runs)),
            self.val_fraction, self.seed, tuple(self.dismissed_findings),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of the project file."""
        return self.snapshot().to_dict()

    def save(self) -> Path:
        """Save atomically: a kill at any moment leaves the old file or the new one."""
        return self.snapshot().write()

    # --------------------------------------------------------------- queries
    def index_of(self, path: str) -> int | None:
        """Return the index of the image at absolute ``path``, or None."""
        return self._by_path.get(path)

    def class_counts(self) -> dict[str, int]:
        """Return usable (labelled, readable, not excluded) images per class, in class order."""
        usable = (e for e in self.images if not e.broken and not e.excluded)
        counts = Counter(e.label for e in usable if e.label is not None)
        return {name: counts.get(name, 0) for name in self.classes}

    def split_counts(self) -> dict[str, dict[str, int]]:
        """Return ``{class: {"train": n, "val": n}}`` over usable images."""
        result = {name: {TRAIN: 0, VAL: 0} for name in self.classes}
        for e in self.images:
            if e.label is not None and not e.broken and not e.excluded and e.split in (TRAIN, VAL):
                result[e.label][e.split] += 1
        return result

    def count_unlabeled(self) -> int:
        """Return readable images without a class (excluded ones are not counted)."""
        return sum(1 for e in self.images if e.label is None and not e.broken and not e.excluded)

    def count_broken(self) -> int:
        """Return images the loader could not read."""
        return sum(1 for e in self.images if e.broken)

    def warnings(self) -> list[ProjectWarning]:
        """Return the problems to fix before training, each with the numbers."""
        counts = self.class_counts()
        populated = {c: n for c, n in counts.items() if n}
        out: list[ProjectWarning] = []
        if len(populated) < MIN_CLASSES:
            out.append(ProjectWarning(
                "need_classes", f"Training needs at least two classes with images; this project has "
                f"{len(populated)}. Create classes and label some images.",
            ))
        for name, n in counts.items():
            if is_too_few(n):
                out.append(ProjectWarning(
                    "too_few", f"Class “{name}” has {_n(n, 'image')}; add at least {FEW_IMAGES_PER_CLASS}.",
                ))
        unbalanced = imbalance(counts)
        if unbalanced:
            big, small, ratio = unbalanced
            out.append(ProjectWarning(
                "imbalance", f"Classes are imbalanced: “{big}” has {counts[big]} images, “{small}” "
                f"has {counts[small]} ({ratio:.1f}x). Add images to the smaller classes.",
            ))
        unlabeled, broken = self.count_unlabeled(), self.count_broken()
        if unlabeled:
            out.append(ProjectWarning("unlabeled", f"{_n(unlabeled, 'image')} unlabeled; not used to train."))
        if broken:
            out.append(ProjectWarning("broken", f"{_n(broken, 'file')} cannot be read; skipped in training."))
        return out

    def to_dataset_index(self) -> DatasetIndex:
        """Return the labelled, readable images as a :class:`DatasetIndex` for training.

        Classes without any usable image are left out; the others keep the project's order. Excluded
        images stay in the project but never train.
        """
        counts = self.class_counts()
        classes = [c for c in self.classes if counts[c]]
        index = {name: i for i, name in enumerate(classes)}
        samples = [
            Sample(e.path, index[e.label], e.split or TRAIN)
            for e in self.images if e.label in index and not e.broken and not e.excluded
        ]
        skipped = [SkippedFile(e.path, e.broken) for e in self.images if e.broken]
        return DatasetIndex(str(self.folder), classes, samples, skipped, layout="project")

    # ------------------------------------------------------------- mutations
    def add_images(self, entries: Iterable[ImageEntry], classes: Iterable[str] = ()) -> int:
        """Append images not yet in the project and return how many.

        ``classes`` are appended first, in order, when missing; other unknown labels follow.
        """
        self.classes.extend(c for c in dict.fromkeys(classes) if c not in self.classes)
        added = 0
        for entry in entries:
            if entry.path in self._by_path:
                continue
            if entry.label is not None and entry.label not in self.classes:
                self.classes.append(entry.label)
            self._by_path[entry.path] = len(self.images)
            self.images.append(entry)
            added += 1
        self._assign_splits()
        return added

    def remove_last_images(self, count: int) -> None:
        """Drop the ``count`` most recently added images from the project (files are untouched)."""
        for entry in self.images[len(self.images) - count:]:
            self._by_path.pop(entry.path, None)
        del self.images[len(self.images) - count:]

    def set_labels(self, indices: Sequence[int], label: str | None) -> list[LabelSplit]:
        """Give ``indices`` the class ``label`` (None: unlabeled); return the old (label, split) pairs."""
        if label is not None and label not in self.classes:
            raise KeyError(f"no class named {label!r}")
        previous = [(self.images[i].label, self.images[i].split) for i in indices]
        self._relabel([i for i in indices if self.images[i].label != label], label)
        self._assign_splits()
        return previous

    def restore_labels(self, indices: Sequence[int], previous: Sequence[LabelSplit]) -> None:
        """Undo :meth:`set_labels` with the pairs it returned."""
        images = self.images
        for i, (label, split) in zip(indices, previous, strict=True):
            e = images[i]
            images[i] = ImageEntry(e.path, label, split, e.broken, e.excluded)

    def set_excluded(self, indices: Sequence[int], excluded: bool) -> list[bool]:
        """Exclude images from training (they stay in the project, label kept); return the old flags."""
        previous = [self.images[i].excluded for i in indices]
        self.restore_excluded(indices, [excluded] * len(indices))
        return previous

    def restore_excluded(self, indices: Sequence[int], flags: Sequence[bool]) -> None:
        """Give each of ``indices`` its ``flags`` value (undo of :meth:`set_excluded`)."""
        for i, flag in zip(indices, flags, strict=True):
            self.images[i] = replace(self.images[i], excluded=bool(flag))

    def set_splits(self, indices: Sequence[int], splits: Sequence[str | None]) -> list[str | None]:
        """Put each of ``indices`` into its split (``train``/``val``; kept for good); return the old ones."""
        if any(s not in (TRAIN, VAL, None) for s in splits):
            raise ValueError(f"a split is 'train' or 'val', not {sorted(set(splits) - {TRAIN, VAL})}")
        previous = [self.images[i].split for i in indices]
        for i, split in zip(indices, splits, strict=True):
            self.images[i] = replace(self.images[i], split=split)
        return previous

    def set_dismissed(self, keys: Iterable[str], dismissed: bool) -> list[str]:
        """Remember (or forget) doctor finding keys; return the keys whose state changed."""
        known = set(self.dismissed_findings)
        changed = [k for k in dict.fromkeys(keys) if (k in known) != dismissed]
        if dismissed:
            self.dismissed_findings.extend(changed)
        else:
            gone = set(changed)
            self.dismissed_findings = [k for k in self.dismissed_findings if k not in gone]
        return changed

    def set_broken(self, index: int, reason: str | None) -> None:
        """Record (or clear) the reason the loader gave for an unreadable file."""
        self.images[index] = replace(self.images[index], broken=reason)
        if reason is None:
            self._assign_splits()

    def add_class(self, name: str, position: int | None = None) -> str:
        """Add a class (validated) at ``position`` (default: last); return the clean name."""
        name = validate_class_name(name, self.classes)
        self.classes.insert(len(self.classes) if position is None else position, name)
        return name

    def rename_class(self, old: str, new: str) -> str:
        """Rename a class and relabel its images; return the clean new name."""
        new = validate_class_name(new, [c for c in self.classes if c != old])
        self.classes[self.classes.index(old)] = new
        self._relabel([i for i, e in enumerate(self.images) if e.label == old], new)
        return new

    def remove_class(self, name: str) -> tuple[int, list[int]]:
        """Delete a class; its images become unlabeled. Return (position, indices) for undo."""
        position = self.classes.index(name)
        indices = [i for i, e in enumerate(self.images) if e.label == name]
        self._relabel(indices, None)
        del self.classes[position]
        return position, indices

    def merge_classes(self, source: str, target: str) -> tuple[int, list[int]]:
        """Move every image of ``source`` into ``target`` and delete ``source``; return undo data."""
        if target not in self.classes or source == target:
            raise KeyError(f"cannot merge {source!r} into {target!r}")
        position = self.classes.index(source)
        indices = [i for i, e in enumerate(self.images) if e.label == source]
        self._relabel(indices, target)
        del self.classes[position]
        return position, indices

    def _relabel(self, indices: Iterable[int], label: str | None) -> None:
        images = self.images
        for i in indices:
            e = images[i]
            images[i] = ImageEntry(e.path, label, e.split, e.broken, e.excluded)

    def add_run(self, info: dict[str, Any]) -> None:
        """Record a training run ``{"run_dir", "strategy", "backbones", "best_val_acc", "created"}``.

        A run already listed (the same ``run_dir``, resumed) has its entry replaced in place.
        """
        missing = [k for k in RUN_KEYS if k not in info]
        if missing:
            raise ValueError(f"run info is missing {', '.join(missing)}")
        json.dumps(info, allow_nan=False)  # fail here, not at the next save
        entry = copy.deepcopy(dict(info))
        for i, run in enumerate(self.runs):
            if run.get("run_dir") == entry["run_dir"]:
                self.runs[i] = entry
                return
        self.runs.append(entry)

    def _assign_splits(self) -> None:
        """Give every labelled, readable image without a split one, never moving assigned ones."""
        images = self.images
        todo = {e.label for e in images if e.split is None and e.label is not None and e.broken is None}
        if not todo:
            return
        prefix = str(self.folder) + os.sep
        members = [
            (i, e.path[len(prefix):] if e.path.startswith(prefix) else e.path)
            for i, e in enumerate(images) if e.label in todo and e.broken is None
        ]
        by_class: dict[str, list[str]] = {c: [] for c in todo}
        previous: dict[str, str] = {}
        for i, key in members:
            by_class[images[i].label].append(key)
            if images[i].split:
                previous[key] = images[i].split
        splits = assign_splits(by_class, previous, self.val_fraction, self.seed)
        for i, key in members:
            e = images[i]
            if e.split is None:
                images[i] = ImageEntry(e.path, e.label, splits[key], e.broken, e.excluded)
