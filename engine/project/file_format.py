"""Reading a project file: decoded, parsed and checked field by field.

:meth:`engine.project.store.Project.load` reads through :func:`read_project_file`; writing is
:meth:`engine.project.store.ProjectSnapshot.write`. A missing, damaged, foreign or too new file raises
:class:`~engine.project.schema.ProjectFileError` naming the field: it never opens as an empty project.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.data.scan import TRAIN, VAL
from engine.project.schema import FORMAT_NAME, FORMAT_VERSION, ImageEntry, ProjectFileError


@dataclass
class ProjectFileContents:
    """What a valid project file holds, every field checked.

    Attributes:
        val_fraction: Share of each class that goes to validation, in [0, 1).
        seed: Seeds the split assignment.
        classes: Class names, in the user's order, without duplicates.
        images: Referenced images; ``rel`` paths inside the project folder already resolved.
        runs: Training runs, as recorded by :meth:`engine.project.store.Project.add_run`.
        dismissed_findings: Keys of the dataset doctor's findings the user handled or dismissed.
    """

    val_fraction: float
    seed: int
    classes: list[str]
    images: list[ImageEntry]
    runs: list[dict[str, Any]]
    dismissed_findings: list[str]


def read_project_file(file_path: Path, folder: Path) -> ProjectFileContents:
    """Read and check the project file at ``file_path`` of the project in ``folder``.

    Args:
        file_path: The project file.
        folder: The absolute project folder; an image's ``rel`` path inside it wins over its
            absolute ``path``, so a project folder moved with its images still finds them.

    Raises:
        ProjectFileError: If the file is missing, not JSON, of another version or malformed;
            the error names the field.
    """
    return parse_project_document(_read_json(file_path), file_path, folder)


def _read_json(file_path: Path) -> Any:
    """Return the decoded JSON document at ``file_path``, or raise ProjectFileError."""
    try:
        raw = file_path.read_bytes()
    except FileNotFoundError as exc:
        raise ProjectFileError(file_path, "", "project file not found") from exc
    except IsADirectoryError as exc:
        raise ProjectFileError(file_path, "", "this is a folder, not a project file") from exc
    except OSError as exc:
        raise ProjectFileError(file_path, "", f"cannot read the file ({exc.strerror or exc})") from exc
    text = _decode_text(raw, file_path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            file_path, "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file is damaged. Restore it from a backup or create a new project."
        ) from exc
    except RecursionError as exc:
        raise ProjectFileError(file_path, "", "the JSON is nested too deeply to be a project file; "
                               "the file is damaged. Restore it from a backup.") from exc
    except ValueError as exc:  # an integer of more than 4,300 digits
        raise ProjectFileError(file_path, "", f"holds a value no project file has ({exc}); "
                               "the file is damaged. Restore it from a backup.") from exc


def _decode_text(raw: bytes, file_path: Path) -> str:
    """Decode UTF-8 (a byte-order mark, as some editors write, is accepted) or raise ProjectFileError."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ProjectFileError(file_path, "", "the file is UTF-16 text, but project files are UTF-8; "
                               "save it as UTF-8 in your editor, or restore it from a backup")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProjectFileError(
            file_path, "", f"the file is not UTF-8 text (byte {exc.start} cannot be decoded); it is damaged "
            "or was saved in another encoding. Restore it from a backup."
        ) from exc


def parse_project_document(data: Any, path: Path, folder: Path) -> ProjectFileContents:
    """Check a decoded project document field by field (``path`` is named in errors).

    Raises:
        ProjectFileError: Naming the first field that is missing or invalid.
    """
    _expect(data, dict, path, "(top level)", "a JSON object")
    _check_version(data, path)
    val_fraction, seed = _parse_settings(data, path)
    classes = _parse_classes(data, path)
    images = _expect(data.get("images"), list, path, "images", "a list of images")
    entries = [_parse_image(item, i, classes, folder, path) for i, item in enumerate(images)]
    _check_unique_paths(entries, path)
    runs = _expect(data.get("runs", []), list, path, "runs", "a list")
    for i, run in enumerate(runs):
        _check_run(run, f"runs[{i}]", path)
    return ProjectFileContents(val_fraction, seed, classes, entries, runs, _parse_dismissed(data, path))


def _fail(path: Path, field_name: str, problem: str) -> ProjectFileError:
    return ProjectFileError(path, field_name, problem)


def _expect(value: Any, kind: type | tuple[type, ...], path: Path, field_name: str, what: str) -> Any:
    if value is None:
        raise _fail(path, field_name, f"missing; expected {what}")
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _fail(path, field_name, f"expected {what}, found {type(value).__name__}")
    return value


def _check_version(data: dict[str, Any], path: Path) -> None:
    if data.get("format") != FORMAT_NAME and "format_version" not in data:
        raise _fail(path, "format_version", "missing; this is not a Transfer Studio project file")
    version = _expect(data.get("format_version"), int, path, "format_version", "an integer")
    if version > FORMAT_VERSION:
        raise _fail(path, "format_version", f"version {version} is newer than this app reads "
                    f"({FORMAT_VERSION}); update Transfer Studio to open this project")
    if version < 1:
        raise _fail(path, "format_version", f"unknown version {version}")


def _parse_settings(data: dict[str, Any], path: Path) -> tuple[float, int]:
    settings = _expect(data.get("settings", {}), dict, path, "settings", "an object")
    val_fraction = _expect(settings.get("val_fraction", 0.2), (int, float), path, "settings.val_fraction",
                           "a number")
    if not 0.0 <= val_fraction < 1.0:
        raise _fail(path, "settings.val_fraction", f"{val_fraction} is outside [0, 1)")
    seed = _expect(settings.get("seed", 0), int, path, "settings.seed", "an integer")
    if not 0 <= seed < 2**63:
        raise _fail(path, "settings.seed", f"{seed} is outside 0 to 2**63 - 1")
    return float(val_fraction), seed


def _parse_classes(data: dict[str, Any], path: Path) -> list[str]:
    classes: list[str] = []
    for i, name in enumerate(_expect(data.get("classes"), list, path, "classes", "a list of class names")):
        _expect(name, str, path, f"classes[{i}]", "a string")
        if name in classes:
            raise _fail(path, f"classes[{i}]", f"duplicate class name {name!r}")
        classes.append(name)
    return classes


def _parse_image(item: Any, i: int, classes: list[str], folder: Path, path: Path) -> ImageEntry:
    where = f"images[{i}]"
    _expect(item, dict, path, where, "an object")
    abs_path = _expect(item.get("path"), str, path, f"{where}.path", "a file path")
    if not abs_path or "\0" in abs_path:
        raise _fail(path, f"{where}.path", "empty or holds a NUL character; expected a file path")
    rel = item.get("rel")
    if rel is not None:
        _expect(rel, str, path, f"{where}.rel", "a relative path")
        joined = os.path.normpath(os.path.join(folder, rel.replace("/", os.sep)))
        if joined.startswith(str(folder) + os.sep):
            abs_path = joined  # the project folder was moved with its images: follow it
    label = item.get("label")
    if label is not None and label not in classes:
        raise _fail(path, f"{where}.label", f"{label!r} is not one of the classes {classes}")
    split = item.get("split")
    if split not in (None, TRAIN, VAL):
        raise _fail(path, f"{where}.split", f"expected 'train', 'val' or null, found {split!r}")
    broken = item.get("broken")
    if broken is not None:
        _expect(broken, str, path, f"{where}.broken", "a reason or null")
    excluded = _expect(item.get("excluded", False), bool, path, f"{where}.excluded", "true or false")
    return ImageEntry(abs_path, label, split, broken, excluded)


MAX_FINDING_KEY = 64  # the doctor's keys are 16 hex digits; anything much longer is damage


def _parse_dismissed(data: dict[str, Any], path: Path) -> list[str]:
    """The keys of dismissed doctor findings (optional: files written before the doctor lack it)."""
    keys = _expect(data.get("dismissed_findings", []), list, path, "dismissed_findings", "a list of keys")
    for i, key in enumerate(keys):
        where = f"dismissed_findings[{i}]"
        _expect(key, str, path, where, "a finding key (text)")
        if not key or len(key) > MAX_FINDING_KEY or not key.isalnum():
            raise _fail(path, where, f"{key[:80]!r} is not a finding key (letters and digits, at most "
                        f"{MAX_FINDING_KEY}); remove it from the project file")
    return list(dict.fromkeys(keys))


def _check_unique_paths(entries: list[ImageEntry], path: Path) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry.path in seen:
            raise _fail(path, f"images[{i}].path", f"the same image is listed twice ({entry.path})")
        seen.add(entry.path)


MAX_RUN_NESTING = 16  # a run entry is a flat summary; deeper data is damage (and would overflow copies)


def _check_run(run: Any, where: str, path: Path) -> None:
    """Check one run entry as :meth:`engine.project.store.Project.add_run` writes it."""
    _expect(run, dict, path, where, "an object")
    if _nesting_depth(run) > MAX_RUN_NESTING:
        raise _fail(path, where, f"nested more than {MAX_RUN_NESTING} levels deep; the entry is damaged")
    if not _expect(run.get("run_dir"), str, path, f"{where}.run_dir", "a run folder path"):
        raise _fail(path, f"{where}.run_dir", "empty; expected a run folder path")
    _expect(run.get("strategy"), str, path, f"{where}.strategy", "a strategy name")
    _expect(run.get("created"), str, path, f"{where}.created", "a date and time")
    backbones = _expect(run.get("backbones"), list, path, f"{where}.backbones", "a list of backbone names")
    for j, name in enumerate(backbones):
        _expect(name, str, path, f"{where}.backbones[{j}]", "a backbone name")
    best = _expect(run.get("best_val_acc"), (int, float), path, f"{where}.best_val_acc", "a number")
    if not 0.0 <= best <= 1.0:  # also NaN and infinity
        raise _fail(path, f"{where}.best_val_acc", f"{best} is not an accuracy between 0 and 1")
    if run.get("status") is not None:
        _expect(run["status"], str, path, f"{where}.status", "a status word")
    if run.get("epochs_completed") is not None:
        epochs = _expect(run["epochs_completed"], int, path, f"{where}.epochs_completed", "an integer")
        if epochs < 0:
            raise _fail(path, f"{where}.epochs_completed", f"{epochs} is negative")


def _nesting_depth(value: Any) -> int:
    """Return how deeply lists and objects nest in ``value`` (iterative: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_RUN_NESTING:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest
