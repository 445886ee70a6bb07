"""``dataset.json``: the images a run trained on, so that the run folder alone can rebuild its dataset.

``fit`` writes every image with its absolute path, class name, split, size, modification time and
content hash (SHA-1, :func:`engine.data.content.file_sha1`). Resume, fine-tune, evaluation and export
rebuild the :class:`DatasetIndex` from it, wherever the images live (inside a project folder or not),
and say which images changed or disappeared since: those are left out and reported as skipped with the
reason. An image whose size and modification time are unchanged is not hashed again.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.atomic import read_json, write_json
from engine.control import RunControl
from engine.data.content import file_sha1
from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample, SkippedFile
from engine.errors import DatasetError, RunError
from engine.progress import Progress
from engine.runs.files import DATASET

MANIFEST_FORMAT = 1
LOST = "since the run was trained"  # in the reason of every image left out by a rebuild
GONE = "gone " + LOST + " (listed in {file})"
CHANGED = "changed " + LOST + " (its content differs from {file})"


@dataclass(frozen=True)
class ManifestImage:
    """One image as the run saw it."""

    path: str
    label: str
    split: str
    size: int
    mtime_ns: int
    sha1: str


def _fingerprint(sample: Sample, classes: Sequence[str]) -> ManifestImage | SkippedFile:
    path = os.path.abspath(sample.path)
    try:
        st = os.stat(path)
        sha = file_sha1(path)
    except OSError as exc:
        return SkippedFile(path, f"unreadable when the run started ({exc.strerror or exc})")
    return ManifestImage(path, classes[sample.label], sample.split, st.st_size, st.st_mtime_ns, sha)


def write_manifest(
    run_dir: str | Path,
    index: DatasetIndex,
    progress: Progress | None = None,
    control: RunControl | None = None,
) -> list[SkippedFile]:
    """Record ``index`` in ``run_dir/dataset.json``; return the images that could not be read."""
    images: list[dict[str, Any]] = []
    unreadable: list[SkippedFile] = []
    samples = index.samples
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        for done, item in enumerate(pool.map(lambda s: _fingerprint(s, index.classes), samples), start=1):
            if isinstance(item, SkippedFile):
                unreadable.append(item)
            else:
                images.append(item.__dict__)
            if control is not None and done % 64 == 0:
                control.raise_if_cancelled()
            if progress is not None and (done % 64 == 0 or done == len(samples)):
                progress(done, len(samples), "Recording the dataset")
    data = {
        "format": MANIFEST_FORMAT,
        "root": index.root,
        "layout": index.layout,
        "classes": list(index.classes),
        "images": images,
        "skipped": [s.to_dict() for s in [*index.skipped, *unreadable]],
    }
    write_json(Path(run_dir) / DATASET, data)
    return unreadable


def has_manifest(run_dir: str | Path) -> bool:
    """Whether the run recorded its dataset (runs from before ``dataset.json`` did not)."""
    return (Path(run_dir) / DATASET).is_file()


def read_manifest(run_dir: str | Path) -> tuple[list[str], list[ManifestImage], str, str]:
    """The classes, images, root and layout recorded in ``dataset.json``.

    Raises:
        RunError: If the file is missing or damaged (naming it).
    """
    path = Path(run_dir) / DATASET
    try:
        data = read_json(path)
        classes = [str(c) for c in data["classes"]]
        fields = ManifestImage.__dataclass_fields__
        images = [ManifestImage(**{k: row[k] for k in fields}) for row in data["images"]]
        root, layout = str(data.get("root", "")), str(data.get("layout", "class_folders"))
    except FileNotFoundError as exc:
        raise RunError(f"{run_dir}: this run did not record its dataset ({DATASET} is missing)") from exc
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RunError(f"{path}: the run's dataset record is damaged ({type(exc).__name__}: {exc})") from exc
    return classes, images, root, layout


def image_problem(image: ManifestImage, where: str) -> str:
    """Why ``image`` can no longer stand for what the run trained on ("" when it is unchanged)."""
    try:
        st = os.stat(image.path)
    except OSError:
        return GONE.format(file=where)
    if st.st_size == image.size and st.st_mtime_ns == image.mtime_ns:
        return ""
    try:
        same = st.st_size == image.size and file_sha1(image.path) == image.sha1
    except OSError:
        return GONE.format(file=where)
    return "" if same else CHANGED.format(file=where)


def check_images(run_dir: str | Path, paths: Sequence[str]) -> dict[str, str]:
    """For the given image paths of a run, ``{path: reason}`` of those changed or gone since."""
    if not has_manifest(run_dir):
        return {p: GONE.format(file=p) for p in paths if not Path(p).is_file()}
    _classes, images, _root, _layout = read_manifest(run_dir)
    by_path = {image.path: image for image in images}
    where = str(Path(run_dir) / DATASET)
    problems = {}
    for path in paths:
        image = by_path.get(os.path.abspath(path))
        if image is not None:
            reason = image_problem(image, where)
        else:
            reason = "" if Path(path).is_file() else GONE.format(file=where)
        if reason:
            problems[path] = reason
    return problems


def unchanged_images(run_dir: str | Path, split: str = VAL) -> list[str]:
    """The images of one split recorded in ``dataset.json`` that are still there, unchanged."""
    _classes, images, _root, _layout = read_manifest(run_dir)
    where = str(Path(run_dir) / DATASET)
    return [image.path for image in images if image.split == split and not image_problem(image, where)]


def index_from_manifest(run_dir: str | Path) -> DatasetIndex:
    """Rebuild the run's dataset from ``dataset.json`` alone.

    Images that changed or disappeared since are left out and listed in ``skipped`` with the reason.

    Raises:
        RunError: If ``dataset.json`` is missing or damaged.
        DatasetError: If too few images are left to train and validate (naming the file).
    """
    classes, images, root, layout = read_manifest(run_dir)
    where = str(Path(run_dir) / DATASET)
    label_of = {name: i for i, name in enumerate(classes)}
    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        reasons = list(pool.map(lambda image: image_problem(image, where), images))
    samples, skipped = [], []
    for image, reason in zip(images, reasons, strict=True):
        if reason:
            skipped.append(SkippedFile(image.path, reason))
        elif image.label in label_of and image.split in (TRAIN, VAL):
            samples.append(Sample(image.path, label_of[image.label], image.split))
    _check_left(where, classes, samples, skipped)
    return DatasetIndex(root, classes, samples, skipped, layout)


def lost_images(index: DatasetIndex) -> list[SkippedFile]:
    """The images a rebuild left out because they changed or disappeared."""
    return [s for s in index.skipped if LOST in s.reason]


def _check_left(where: str, classes: list[str], samples: list[Sample], skipped: list[SkippedFile]) -> None:
    splits = {s.split for s in samples}
    populated = {s.label for s in samples if s.split == TRAIN}
    if len(populated) >= 2 and splits == {TRAIN, VAL}:
        return
    lost = f"{len(skipped)} of the images listed in {where} changed or are gone"
    example = f" (for example {skipped[0].path})" if skipped else ""
    raise DatasetError(
        f"{lost}{example}; too few are left to continue this run. Put the images back, "
        "or start a new run on the data as it is now."
    )
