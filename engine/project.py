"""A Transfer Studio project: image references, labels, splits and runs, saved atomically.

A project is a folder the user chooses; its project file (:data:`PROJECT_FILE_NAME`, JSON with a
``format_version``) references images wherever they are. Images are never moved, renamed or
deleted: labels live in the project file, and :func:`export_labeled_folders` copies out.
Splits follow :func:`engine.data.scan.assign_splits`, so an image keeps its split for good.
Qt-free: the GUI saves snapshots on a worker thread; training calls :meth:`Project.to_dataset_index`.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from engine.atomic import write_bytes
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample, SkippedFile, assign_splits, iter_image_files
from engine.errors import ImageError, TransferStudioError
from engine.imaging import is_image_candidate, probe_image

FORMAT_NAME = "transfer-studio-project"
FORMAT_VERSION = 1
PROJECT_FILE_NAME = "transfer-studio-project.json"
TOO_FEW_IMAGES = 10  # a class below this gets a warning
IMBALANCE_RATIO = 3.0  # largest / smallest class at or above this gets a warning
RUN_KEYS = ("run_dir", "strategy", "backbones", "best_val_acc", "created")
Progress = Callable[[int, int], None]
LabelSplit = tuple[str | None, str | None]


class ProjectFileError(TransferStudioError):
    """A project file cannot be read or is not a valid project; ``field`` names the culprit."""

    def __init__(self, path: str | Path, field_name: str, problem: str) -> None:
        self.path = str(path)
        self.field = field_name
        self.problem = problem
        where = f"{field_name}: " if field_name else ""
        super().__init__(f"{self.path}: {where}{problem}")


@dataclass(frozen=True, slots=True)
class ImageEntry:
    """One referenced image: absolute path, class name or None, split or None, broken reason or None."""

    path: str
    label: str | None = None
    split: str | None = None
    broken: str | None = None


@dataclass(frozen=True)
class ProjectWarning:
    """Something about the data a person should fix before training; ``kind`` is machine-readable."""

    kind: str
    message: str


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


@dataclass
class ExportResult:
    """What :func:`export_labeled_folders` copied, and the files it could not copy."""

    copied: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    cancelled: bool = False


def validate_class_name(name: str, existing: Iterable[str] = ()) -> str:
    """Return ``name`` stripped, or raise ValueError with a message a person can act on."""
    clean = " ".join(str(name).split())
    if not clean:
        raise ValueError("A class name cannot be empty.")
    if len(clean) > 100:
        raise ValueError("A class name can have at most 100 characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in clean):
        raise ValueError("A class name cannot contain control characters.")
    if clean.casefold() in {e.casefold() for e in existing}:
        raise ValueError(f"There is already a class named {clean!r}.")
    return clean


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _storable(text: str) -> bool:
    """Tell whether ``text`` survives UTF-8 (a non-UTF-8 file name decodes to lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@dataclass(frozen=True)
class ProjectSnapshot:
    """An immutable copy of a project, cheap to take, safe to serialise on another thread."""

    folder: Path
    classes: tuple[str, ...]
    images: tuple[ImageEntry, ...]
    runs: tuple[dict[str, Any], ...]
    val_fraction: float
    seed: int

    def _image_items(self) -> list[dict[str, Any]]:
        prefix = str(self.folder) + os.sep
        items = []
        for e in self.images:
            item: dict[str, Any] = {"path": e.path}
            if e.path.startswith(prefix):
                item["rel"] = e.path[len(prefix):].replace(os.sep, "/")
            item.update(label=e.label, split=e.split, broken=e.broken)
            items.append(item)
        return items

    def _header(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "settings": {"val_fraction": self.val_fraction, "seed": self.seed},
            "classes": list(self.classes),
            "runs": [copy.deepcopy(r) for r in self.runs],
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document of the project file."""
        return {**self._header(), "images": self._image_items()}

    def to_json(self) -> str:
        """Serialise the whole document (one image per line: readable, diffable, fast).

        Raises:
            ValueError: If a value cannot be stored (NaN in a run, for example).
        """
        encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False)
        head = json.dumps(self._header(), indent=2, ensure_ascii=False, allow_nan=False)
        lines = ",\n    ".join(encoder.encode(item) for item in self._image_items())
        body = f"\n    {lines}\n  " if lines else ""
        return f'{head[:-2]},\n  "images": [{body}]\n}}\n'

    def write(self) -> Path:
        """Write the project file atomically: serialised and encoded first, then temp file + rename.

        A file name that is not valid UTF-8 fails here, before anything on disk changes.
        """
        path = self.folder / PROJECT_FILE_NAME
        write_bytes(path, self.to_json().encode("utf-8", errors="strict"))
        return path


class Project:
    """Images, labels, splits and runs of one project folder; every change goes through a method."""

    def __init__(self, folder: str | Path, val_fraction: float = 0.2, seed: int = 0) -> None:
        self.folder = Path(os.path.abspath(Path(folder).expanduser()))
        self.val_fraction = val_fraction
        self.seed = seed
        self.classes: list[str] = []
        self.images: list[ImageEntry] = []
        self.runs: list[dict[str, Any]] = []
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
        try:
            text = file_path.read_bytes().decode("utf-8")
        except FileNotFoundError as exc:
            raise ProjectFileError(file_path, "", "project file not found") from exc
        except OSError as exc:
            raise ProjectFileError(file_path, "", f"cannot read the file ({exc.strerror or exc})") from exc
        except UnicodeDecodeError as exc:
            raise ProjectFileError(file_path, "", "the file is not UTF-8 text; it is damaged") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProjectFileError(
                file_path, "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                "the file is damaged. Restore it from a backup or create a new project."
            ) from exc
        return _parse(data, file_path)

    def snapshot(self) -> ProjectSnapshot:
        """Return an immutable copy to save on another thread."""
        return ProjectSnapshot(
            self.folder, tuple(self.classes), tuple(self.images), tuple(copy.deepcopy(self.runs)),
            self.val_fraction, self.seed,
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
        """Return usable (labelled, readable) images per class, in class order."""
        counts = Counter(e.label for e in self.images if e.label is not None and not e.broken)
        return {name: counts.get(name, 0) for name in self.classes}

    def split_counts(self) -> dict[str, dict[str, int]]:
        """Return ``{class: {"train": n, "val": n}}`` over usable images."""
        result = {name: {TRAIN: 0, VAL: 0} for name in self.classes}
        for e in self.images:
            if e.label is not None and not e.broken and e.split in (TRAIN, VAL):
                result[e.label][e.split] += 1
        return result

    def count_unlabeled(self) -> int:
        """Return readable images without a class."""
        return sum(1 for e in self.images if e.label is None and not e.broken)

    def count_broken(self) -> int:
        """Return images the loader could not read."""
        return sum(1 for e in self.images if e.broken)

    def warnings(self) -> list[ProjectWarning]:
        """Return the problems to fix before training, each with the numbers."""
        counts = self.class_counts()
        populated = {c: n for c, n in counts.items() if n}
        out: list[ProjectWarning] = []
        if len(populated) < 2:
            out.append(ProjectWarning(
                "need_classes", f"Training needs at least two classes with images; this project has "
                f"{len(populated)}. Create classes and label some images.",
            ))
        for name, n in counts.items():
            if n < TOO_FEW_IMAGES:
                out.append(ProjectWarning(
                    "too_few", f"Class “{name}” has {_n(n, 'image')}; add at least "
                    f"{TOO_FEW_IMAGES} (20 or more works better).",
                ))
        if len(populated) >= 2:
            big, small = max(populated, key=populated.get), min(populated, key=populated.get)
            ratio = populated[big] / populated[small]
            if ratio >= IMBALANCE_RATIO:
                out.append(ProjectWarning(
                    "imbalance", f"Classes are imbalanced: “{big}” has {populated[big]} images, “{small}” "
                    f"has {populated[small]} ({ratio:.1f}x). Add images to the smaller classes.",
                ))
        unlabeled, broken = self.count_unlabeled(), self.count_broken()
        if unlabeled:
            out.append(ProjectWarning("unlabeled", f"{_n(unlabeled, 'image')} unlabeled; not used to train."))
        if broken:
            out.append(ProjectWarning("broken", f"{_n(broken, 'file')} cannot be read; skipped in training."))
        return out

    def to_dataset_index(self) -> DatasetIndex:
        """Return the labelled, readable images as a :class:`DatasetIndex` for training.

        Classes without any usable image are left out; the others keep the project's order.
        """
        counts = self.class_counts()
        classes = [c for c in self.classes if counts[c]]
        index = {name: i for i, name in enumerate(classes)}
        samples = [
            Sample(e.path, index[e.label], e.split or TRAIN)
            for e in self.images if e.label in index and not e.broken
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
            if entry.path in self._by_path or not _storable(entry.path):
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
            images[i] = ImageEntry(e.path, label, split, e.broken)

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
            images[i] = ImageEntry(e.path, label, e.split, e.broken)

    def add_run(self, info: dict[str, Any]) -> None:
        """Append a training run ``{"run_dir", "strategy", "backbones", "best_val_acc", "created"}``."""
        missing = [k for k in RUN_KEYS if k not in info]
        if missing:
            raise ValueError(f"run info is missing {', '.join(missing)}")
        json.dumps(info, allow_nan=False)  # fail here, not at the next save
        self.runs.append(copy.deepcopy(dict(info)))

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
                images[i] = ImageEntry(e.path, e.label, splits[key], e.broken)


# ------------------------------------------------------------------ parsing
def _fail(path: Path, field_name: str, problem: str) -> ProjectFileError:
    return ProjectFileError(path, field_name, problem)


def _expect(value: Any, kind: type | tuple[type, ...], path: Path, field_name: str, what: str) -> Any:
    if value is None:
        raise _fail(path, field_name, f"missing; expected {what}")
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _fail(path, field_name, f"expected {what}, found {type(value).__name__}")
    return value


def _parse(data: Any, path: Path) -> Project:
    _expect(data, dict, path, "(top level)", "a JSON object")
    if data.get("format") != FORMAT_NAME and "format_version" not in data:
        raise _fail(path, "format_version", "missing; this is not a Transfer Studio project file")
    version = _expect(data.get("format_version"), int, path, "format_version", "an integer")
    if version > FORMAT_VERSION:
        raise _fail(path, "format_version", f"version {version} is newer than this app reads "
                    f"({FORMAT_VERSION}); update Transfer Studio to open this project")
    if version < 1:
        raise _fail(path, "format_version", f"unknown version {version}")
    settings = _expect(data.get("settings", {}), dict, path, "settings", "an object")
    val_fraction = _expect(settings.get("val_fraction", 0.2), (int, float), path, "settings.val_fraction",
                           "a number")
    if not 0.0 <= val_fraction < 1.0:
        raise _fail(path, "settings.val_fraction", f"{val_fraction} is outside [0, 1)")
    seed = _expect(settings.get("seed", 0), int, path, "settings.seed", "an integer")
    project = Project(path.parent, float(val_fraction), seed)
    classes = _expect(data.get("classes"), list, path, "classes", "a list of class names")
    for i, name in enumerate(classes):
        _expect(name, str, path, f"classes[{i}]", "a string")
        if name in project.classes:
            raise _fail(path, f"classes[{i}]", f"duplicate class name {name!r}")
        project.classes.append(name)
    images = _expect(data.get("images"), list, path, "images", "a list of images")
    project.images = [_parse_image(item, i, project, path) for i, item in enumerate(images)]
    for i, entry in enumerate(project.images):
        if project._by_path.setdefault(entry.path, i) != i:
            raise _fail(path, f"images[{i}].path", f"the same image is listed twice ({entry.path})")
    runs = _expect(data.get("runs", []), list, path, "runs", "a list")
    for i, run in enumerate(runs):
        _expect(run, dict, path, f"runs[{i}]", "an object")
    project.runs = runs
    return project


def _parse_image(item: Any, i: int, project: Project, path: Path) -> ImageEntry:
    where = f"images[{i}]"
    _expect(item, dict, path, where, "an object")
    abs_path = _expect(item.get("path"), str, path, f"{where}.path", "a file path")
    rel = item.get("rel")
    if rel is not None:
        _expect(rel, str, path, f"{where}.rel", "a relative path")
        joined = os.path.normpath(os.path.join(project.folder, rel.replace("/", os.sep)))
        if joined.startswith(str(project.folder) + os.sep):
            abs_path = joined  # the project folder was moved with its images: follow it
    label = item.get("label")
    if label is not None and label not in project.classes:
        raise _fail(path, f"{where}.label", f"{label!r} is not one of the classes {project.classes}")
    split = item.get("split")
    if split not in (None, TRAIN, VAL):
        raise _fail(path, f"{where}.split", f"expected 'train', 'val' or null, found {split!r}")
    broken = item.get("broken")
    if broken is not None:
        _expect(broken, str, path, f"{where}.broken", "a reason or null")
    return ImageEntry(abs_path, label, split, broken)


# ------------------------------------------------------------------ import
def _class_dirs(folder: Path) -> list[Path]:
    try:
        return sorted((p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.name)
    except OSError:
        return []


def _folder_items(root: Path, label: str | None) -> Iterable[tuple[Path, str | None, str | None]]:
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
    known_set, plan, found = set(known), ImportPlan(), []
    for raw in paths:
        root = Path(os.path.abspath(Path(raw).expanduser()))
        items = _folder_items(root, label) if root.is_dir() else [(root, label, None)]
        for file, cls, split in items:
            if cancel is not None and cancel.is_set():
                plan.cancelled = True
                return plan
            text = str(file)
            if not is_image_candidate(file) or not file.is_file():
                continue
            if not _storable(text):
                plan.unstorable.append(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
            elif text in known_set:
                plan.duplicates += 1
            else:
                known_set.add(text)
                found.append((file, cls, split))
                if progress and len(found) % 500 == 0:
                    progress(len(found), 0)
    reasons: list[str | None] = [None] * len(found)
    if verify and found:
        workers = min(4, os.cpu_count() or 2)
        step = 4 * workers  # small chunks: progress and cancel stay responsive on slow disks
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for start in range(0, len(found), step):
                if cancel is not None and cancel.is_set():
                    plan.cancelled = True
                    return plan
                chunk = [f for f, _, _ in found[start:start + step]]
                reasons[start:start + len(chunk)] = pool.map(_probe_reason, chunk)
                if progress:
                    progress(start + len(chunk), len(found))
    for (file, cls, split), reason in zip(found, reasons, strict=True):
        if cls is not None and cls not in plan.classes:
            plan.classes.append(cls)
        plan.entries.append(ImageEntry(str(file), cls, split if not reason else None, reason))
    if label is None:
        plan.classes.sort()
    return plan


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


# ------------------------------------------------------------------ export
_FORBIDDEN = set('<>:"/\\|?*')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10))}


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
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Copy every labelled, readable image to ``dest/<class>/`` (originals untouched).

    Existing files in ``dest`` are never overwritten: a clashing name gets `` (2)``, `` (3)``...
    Each copy goes to a temp name first, so a kill never leaves a half-copied image.
    """
    dest = Path(dest)
    folders: dict[str, Path] = {}
    for name in project.classes:
        folder = safe_folder_name(name)
        while folder.casefold() in {f.name.casefold() for f in folders.values()}:
            folder += "_"
        folders[name] = dest / folder
    entries = [e for e in project.images if e.label is not None and not e.broken]
    result, used = ExportResult(), set()
    for n, entry in enumerate(entries, start=1):
        if cancel is not None and cancel.is_set():
            result.cancelled = True
            break
        target = _unique_target(folders[entry.label], Path(entry.path), used)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.part")
            shutil.copy2(entry.path, tmp)
            os.replace(tmp, target)
            result.copied += 1
        except OSError as exc:
            result.failed.append((entry.path, exc.strerror or str(exc)))
        if progress:
            progress(n, len(entries))
    return result


def _unique_target(folder: Path, source: Path, used: set[str]) -> Path:
    stem, suffix, k = source.stem, source.suffix, 1
    target = folder / source.name
    while str(target).casefold() in used or target.exists():
        k += 1
        target = folder / f"{stem} ({k}){suffix}"
    used.add(str(target).casefold())
    return target
