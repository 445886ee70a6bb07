"""Corrupted project files: every one gives a ProjectFileError naming the field, never a traceback.

Each case writes a damaged ``transfer-studio-project.json`` and opens it with ``Project.load``
(the app and the CLI both open projects through it). A case is either a clear error that names
the file and the field, or (for harmless variations such as a byte-order mark) the correct project.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.project.schema import FORMAT_NAME, PROJECT_FILE_NAME, ProjectFileError
from engine.project.store import Project

NAN, INF = float("nan"), float("inf")


def good_document(folder: Path) -> dict[str, Any]:
    """A valid project file with two classes, two images and one run."""
    return {
        "format": FORMAT_NAME,
        "format_version": 1,
        "settings": {"val_fraction": 0.2, "seed": 0},
        "classes": ["ants", "bees"],
        "runs": [{
            "run_dir": str(folder / "runs" / "r1"), "strategy": "linear_probe", "backbones": ["lite0"],
            "best_val_acc": 0.9, "created": "2026-12-01T10:00:00", "status": "done", "epochs_completed": 3,
        }],
        "images": [
            {"path": str(folder / "a1.jpg"), "rel": "a1.jpg", "label": "ants", "split": "train",
             "broken": None},
            {"path": str(folder / "b1.jpg"), "rel": "b1.jpg", "label": "bees", "split": "val",
             "broken": None},
        ],
    }


def _set(doc: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """Return a copy of ``doc`` with dotted ``field`` (``images[0].path``) set to ``value``."""
    doc = copy.deepcopy(doc)
    target: Any = doc
    parts = field.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    target[int(last) if last.isdigit() else last] = value
    return doc


# field -> wrong values; each must be refused with an error naming that field
WRONG_VALUES: dict[str, list[Any]] = {
    "format_version": ["1", 1.5, True, [], None, 0, -3, 99],
    "settings": [[], "fast", 3],
    "settings.val_fraction": ["high", True, [], {}, None, 1.5, -0.1, NAN, INF, 10**400],
    "settings.seed": ["1", 1.5, True, None, -1, 10**30],
    "classes": [{}, "ants", None, 5],
    "classes[0]": [1, None, [], {"x": 1}],
    "images": [{}, "a1.jpg", None],
    "images[0]": ["a1.jpg", 1, [], None],
    "images[0].path": [1, None, [], "", "a\x00b.jpg"],
    "images[0].rel": [1, [], {}],
    "images[0].label": [1, "wasps", [], True],
    "images[0].split": [1, "test", []],
    "images[0].broken": [1, [], True],
    "runs": [{}, "r1", 1],
    "runs[0]": [1, "r1", [], None],
    "runs[0].run_dir": [1, None, "", []],
    "runs[0].strategy": [1, None, []],
    "runs[0].backbones": ["lite0", None, [1], {}],
    "runs[0].best_val_acc": ["high", None, NAN, INF, -INF, 1e300, -1, True, []],
    "runs[0].created": [1, None, {}],
    "runs[0].status": [1, []],
    "runs[0].epochs_completed": ["3", -1, 2.5],
}


def _wrong_value_cases() -> list[Any]:
    cases = []
    for field, values in WRONG_VALUES.items():
        for value in values:
            number = isinstance(value, (float, int)) and not isinstance(value, bool)
            kind = repr(value)[:12] if number else type(value).__name__
            writer = _document_writer(field, value)
            cases.append(pytest.param(writer, field, id=f"{field}={kind}"))
    return cases


def _document_writer(field: str, value: Any) -> Callable[[Path], bytes]:
    def write(folder: Path) -> bytes:
        doc = _set(good_document(folder), field, value)
        return json.dumps(doc, allow_nan=True).encode("utf-8")

    return write


def _text(text: str) -> Callable[[Path], bytes]:
    return lambda _folder: text.encode("utf-8")


def _doc_bytes(change: Callable[[dict[str, Any]], Any], encoding: str = "utf-8") -> Callable[[Path], bytes]:
    def write(folder: Path) -> bytes:
        doc = good_document(folder)
        doc = change(doc) or doc
        return json.dumps(doc, ensure_ascii=False, allow_nan=True).encode(encoding)

    return write


def _truncated(fraction: float) -> Callable[[Path], bytes]:
    def write(folder: Path) -> bytes:
        data = json.dumps(good_document(folder), indent=2).encode("utf-8")
        return data[: int(len(data) * fraction)]

    return write


def _garbage(seed: int) -> Callable[[Path], bytes]:
    return lambda _folder: random.Random(seed).randbytes(4096)


def _nested_run(depth: int) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        value: Any = 1
        for _ in range(depth):
            value = [value]
        doc["runs"][0]["extra"] = value

    return change


def _duplicate_image(doc: dict[str, Any]) -> None:
    doc["images"].append(dict(doc["images"][0]))


def _drop_version(doc: dict[str, Any]) -> None:
    del doc["format"], doc["format_version"]


def _missing(*keys: str) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in keys[:-1]:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[keys[-1]]

    return change


def _duplicate_class(doc: dict[str, Any]) -> None:
    doc["classes"].append("ants")


def _class_accented(doc: dict[str, Any]) -> None:
    doc["classes"][0] = "abeilles-été"
    doc["images"][0]["label"] = "abeilles-été"


# (writer, field named in the error) ; field "" means the error is about the whole file
FILE_CASES = [
    pytest.param(_text("[" * 100_000 + "]" * 100_000), "", id="deeply-nested-list-100000"),
    pytest.param(_text('{"a":' * 50_000 + "1" + "}" * 50_000), "", id="deeply-nested-object-50000"),
    pytest.param(_doc_bytes(_nested_run(900)), "runs[0]", id="deeply-nested-run-entry-900"),
    pytest.param(_doc_bytes(_nested_run(17)), "runs[0]", id="nested-run-entry-17"),
    pytest.param(_text(""), "", id="empty-file"),
    pytest.param(_text("   \n\t "), "", id="only-whitespace"),
    pytest.param(_text("{"), "", id="single-brace"),
    pytest.param(_text("null"), "(top level)", id="json-null"),
    pytest.param(_text("[]"), "(top level)", id="json-list"),
    pytest.param(_text('"project"'), "(top level)", id="json-string"),
    pytest.param(_text("{}"), "format_version", id="empty-object"),
    pytest.param(_text('{"format_version": 1, "classes": [], "images": [], "seed": ' + "9" * 5000 + "}"), "",
                 id="integer-of-5000-digits"),
    pytest.param(_text('{"format_version": 1e999, "classes": [], "images": []}'), "format_version",
                 id="version-infinity"),
    pytest.param(_truncated(0.5), "", id="truncated-half"),
    pytest.param(_truncated(0.99), "", id="truncated-last-bytes"),
    pytest.param(_truncated(0.01), "", id="truncated-first-bytes"),
    pytest.param(_garbage(1), "", id="binary-garbage-1"),
    pytest.param(_garbage(2), "", id="binary-garbage-2"),
    pytest.param(lambda _f: b"\x89PNG\r\n\x1a\n" + bytes(200), "", id="png-renamed-to-project"),
    pytest.param(lambda _f: b"PK\x03\x04" + bytes(200), "", id="zip-renamed-to-project"),
    pytest.param(_doc_bytes(_duplicate_image), "images[2].path", id="duplicate-image-path"),
    pytest.param(_doc_bytes(_missing("classes")), "classes", id="missing-classes"),
    pytest.param(_doc_bytes(_missing("images")), "images", id="missing-images"),
    pytest.param(_doc_bytes(_missing("images", "0", "path")), "images[0].path", id="missing-image-path"),
    pytest.param(_doc_bytes(_missing("runs", "0", "run_dir")), "runs[0].run_dir", id="missing-run-dir"),
    pytest.param(_doc_bytes(_missing("runs", "0", "best_val_acc")), "runs[0].best_val_acc",
                 id="missing-run-accuracy"),
    pytest.param(_doc_bytes(_duplicate_class), "classes[2]", id="duplicate-class-name"),
    pytest.param(_doc_bytes(lambda d: d.update(format_version=2)), "format_version", id="newer-version"),
    pytest.param(_doc_bytes(lambda d: d.update(format_version=0)), "format_version", id="unknown-version-0"),
    pytest.param(_doc_bytes(_drop_version), "format_version",
                 id="foreign-json-no-version"),
    pytest.param(_doc_bytes(_class_accented, "utf-16"), "", id="encoding-utf-16"),
    pytest.param(_doc_bytes(_class_accented, "utf-16-be"), "", id="encoding-utf-16-be-no-bom"),
    pytest.param(_doc_bytes(_class_accented, "latin-1"), "", id="encoding-latin-1"),
    pytest.param(_doc_bytes(_class_accented, "cp1252"), "", id="encoding-cp1252"),
    pytest.param(_doc_bytes(_class_accented, "utf-32"), "", id="encoding-utf-32"),
    pytest.param(lambda f: json.dumps(good_document(f)).encode() + b"\x00garbage", "", id="trailing-garbage"),
]


def _write(folder: Path, writer: Callable[[Path], bytes]) -> Path:
    path = folder / PROJECT_FILE_NAME
    path.write_bytes(writer(folder))
    return path


@pytest.mark.parametrize(("writer", "field"), _wrong_value_cases() + FILE_CASES)
def test_damaged_project_file_is_refused_naming_the_field(tmp_path, writer, field):
    path = _write(tmp_path, writer)
    before = path.read_bytes()
    with pytest.raises(ProjectFileError) as caught:
        Project.load(tmp_path)
    error = caught.value
    assert error.field == field or error.field.startswith((field + ".", field + "[")), str(error)
    assert str(error).startswith(str(path)) and error.problem
    if field:
        assert f"{field}" in str(error)
    assert path.read_bytes() == before  # opening never rewrites the user's file


def _with_bom(folder: Path) -> bytes:
    return b"\xef\xbb\xbf" + json.dumps(good_document(folder), ensure_ascii=False).encode("utf-8")


def _accented_utf8(folder: Path) -> bytes:
    doc = good_document(folder)
    _class_accented(doc)
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("writer", [
    pytest.param(_with_bom, id="utf-8-with-byte-order-mark"),
    pytest.param(_accented_utf8, id="utf-8-accented-class"),
    pytest.param(lambda f: json.dumps(good_document(f), indent=None, separators=(",", ":")).encode(),
                 id="compact-json"),
])
def test_harmless_variations_open_correctly(tmp_path, writer):
    _write(tmp_path, writer)
    project = Project.load(tmp_path)
    assert len(project.classes) == 2 and len(project.images) == 2
    assert project.images[0].label == project.classes[0]
    assert project.runs[0]["best_val_acc"] == 0.9
    project.save()  # and it can be saved again
    assert Project.load(tmp_path).classes == project.classes


def test_a_folder_named_like_the_project_file_is_refused(tmp_path):
    (tmp_path / "p" / PROJECT_FILE_NAME).mkdir(parents=True)
    with pytest.raises(ProjectFileError, match="folder"):
        Project.load(tmp_path / "p" / PROJECT_FILE_NAME)
