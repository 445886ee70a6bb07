"""Reading a project file: decoded, parsed and checked field by field.

:meth:`engine.project.store.Project.load` reads through :func:`read_project_file`; writing is
:meth:`engine.project.store.ProjectSnapshot.write`. A missing, damaged, foreign or too new file raises
:class:`~engine.project.store.ProjectFileError` naming the field: it never opens as an empty project.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.data.scan import TRAIN, VAL
from engine.project.store import FORMAT_NAME, FORMAT_VERSION, ImageEntry, ProjectFileError


@dataclass
class ProjectFileContents:
    """What a valid project file holds, every field checked.

    Attributes:
        val_fraction: Share of each class that goes to validation, in [0, 1).
        seed: Seeds the split assignment.
        classes: Class names, in the user's order, without duplicates.
        images: Referenced images; ``rel`` paths inside the project folder already resolved.
        runs: Training runs, as recorded by :meth:`engine.project.store.Project.add_run`.
    """

    val_fraction: float
    seed: int
    classes: list[str]
    images: list[ImageEntry]
    runs: list[dict[str, Any]]


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
        text = file_path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise ProjectFileError(file_path, "", "project file not found") from exc
    except OSError as exc:
        raise ProjectFileError(file_path, "", f"cannot read the file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ProjectFileError(file_path, "", "the file is not UTF-8 text; it is damaged") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProjectFileError(
            file_path, "", f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "the file is damaged. Restore it from a backup or create a new project."
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
        _expect(run, dict, path, f"runs[{i}]", "an object")
    return ProjectFileContents(val_fraction, seed, classes, entries, runs)


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
    return ImageEntry(abs_path, label, split, broken)


def _check_unique_paths(entries: list[ImageEntry], path: Path) -> None:
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        if entry.path in seen:
            raise _fail(path, f"images[{i}].path", f"the same image is listed twice ({entry.path})")
        seen.add(entry.path)
