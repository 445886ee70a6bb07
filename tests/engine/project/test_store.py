"""Project model, project file, import and export (engine/project/store*.py): no Qt needed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from engine.control import RunCancelled, RunControl
from engine.data.scan import assign_splits
from engine.project.exporting import export_labeled_folders, safe_folder_name
from engine.project.importing import import_dataset_folder, scan_import
from engine.project.schema import FORMAT_VERSION, PROJECT_FILE_NAME, ImageEntry, ProjectFileError
from engine.project.store import Project, validate_class_name

ROOT = Path(__file__).resolve().parents[3]


def _img(path: Path, color: tuple[int, int, int] = (200, 30, 30)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (32, 32), color).save(path)
    return path


def _dataset(root: Path, per_class: int = 5, classes: tuple[str, ...] = ("ants", "bees")) -> Path:
    for c, name in enumerate(classes):
        for i in range(per_class):
            _img(root / name / f"{name}_{i}.png", (40 * c, 10 * i, 100))
    return root


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TRANSFER_STUDIO_CACHE", str(tmp_path / "cache"))


def test_roundtrip_keeps_everything(tmp_path):
    project = Project.create(tmp_path / "proj")
    inside = _img(tmp_path / "proj" / "imgs" / "a.png")
    outside = _img(tmp_path / "elsewhere" / "b.png")
    project.add_class("cat")
    assert project.add_images([ImageEntry(str(inside), "cat"), ImageEntry(str(outside))]) == 2
    project.set_broken(1, "truncated")
    project.add_run({"run_dir": "r1", "strategy": "linear", "backbones": ["lite0"], "best_val_acc": 0.9,
                     "created": "2026-01-01T00:00:00"})
    project.save()
    data = json.loads(project.file_path.read_text("utf-8"))
    assert data["format_version"] == FORMAT_VERSION
    assert data["images"][0]["rel"] == "imgs/a.png" and "rel" not in data["images"][1]
    again = Project.load(project.folder)
    assert again.classes == ["cat"] and again.images == project.images and again.runs == project.runs


def test_moved_project_follows_relative_paths(tmp_path):
    project = Project.create(tmp_path / "old")
    img = _img(tmp_path / "old" / "x.png")
    project.add_images([ImageEntry(str(img))])
    project.save()
    (tmp_path / "old").rename(tmp_path / "new")
    moved = Project.load(tmp_path / "new" / PROJECT_FILE_NAME)
    assert moved.images[0].path == str(tmp_path / "new" / "x.png")


@pytest.mark.parametrize(
    ("content", "field"),
    [
        ("{", ""),
        ('{"format_version": 99, "classes": [], "images": []}', "format_version"),
        ('{"classes": [], "images": []}', "format_version"),
        ('{"format_version": 1, "classes": "cat", "images": []}', "classes"),
        ('{"format_version": 1, "classes": ["a"], "images": [{"path": "/x.png", "label": "b"}]}',
         "images[0].label"),
        ('{"format_version": 1, "classes": [], "images": [{"path": 3}]}', "images[0].path"),
        ('{"format_version": 1, "classes": [], "images": [{"path": "/x", "split": "test"}]}',
         "images[0].split"),
        ('{"format_version": 1, "classes": [], "images": [{"path": "/x"}, {"path": "/x"}]}',
         "images[1].path"),
        ('{"format_version": 1, "classes": [], "images": [], "runs": [1]}', "runs[0]"),
        ('{"format_version": 1, "classes": [], "images": [{"path": "/x", "excluded": "yes"}]}',
         "images[0].excluded"),
        ('{"format_version": 1, "classes": [], "images": [], "dismissed_findings": "abc"}',
         "dismissed_findings"),
        ('{"format_version": 1, "classes": [], "images": [], "dismissed_findings": ["ok12", 7]}',
         "dismissed_findings[1]"),
        ('{"format_version": 1, "classes": [], "images": [], "dismissed_findings": ["../x"]}',
         "dismissed_findings[0]"),
    ],
)
def test_bad_project_files_name_the_field(tmp_path, content, field):
    path = tmp_path / PROJECT_FILE_NAME
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProjectFileError) as info:
        Project.load(tmp_path)
    assert info.value.field == field
    assert str(path) in str(info.value)


def test_missing_project_file(tmp_path):
    with pytest.raises(ProjectFileError, match="not found"):
        Project.load(tmp_path)


def test_create_refuses_to_overwrite(tmp_path):
    Project.create(tmp_path)
    with pytest.raises(FileExistsError):
        Project.create(tmp_path)


def test_labels_classes_and_undo_data(tmp_path):
    project = Project(tmp_path)
    project.add_images([ImageEntry(str(tmp_path / f"{i}.png")) for i in range(6)])
    for name in ("a", "b", "c"):
        project.add_class(name)
    previous = project.set_labels([0, 1, 2], "a")
    assert previous == [(None, None)] * 3
    assert all(project.images[i].split in ("train", "val") for i in range(3))
    project.restore_labels([0, 1, 2], previous)
    assert project.images[0].label is None and project.images[0].split is None
    project.set_labels([0, 1], "a")
    project.set_labels([2], "b")
    assert project.rename_class("a", "  alpha ") == "alpha"
    assert project.images[0].label == "alpha"
    assert project.merge_classes("b", "alpha") == (1, [2])
    assert project.classes == ["alpha", "c"]
    assert project.remove_class("alpha") == (0, [0, 1, 2])
    assert project.count_unlabeled() == 6
    with pytest.raises(ValueError, match="already"):
        project.add_class("C")
    with pytest.raises(KeyError):
        project.set_labels([0], "nope")


def test_class_name_validation():
    assert validate_class_name("  two   words ") == "two words"
    for bad in ("", "   ", "a\x00b", "x" * 101):
        with pytest.raises(ValueError):
            validate_class_name(bad)


def test_splits_are_stable_and_match_assign_splits(tmp_path):
    root = _dataset(tmp_path / "data", per_class=10)
    project = import_dataset_folder(root)
    rel = {c: [str(Path(e.path).relative_to(root)) for e in project.images if e.label == c]
           for c in project.classes}
    expected = assign_splits(rel, {}, 0.2, 0)
    assert {str(Path(e.path).relative_to(root)): e.split for e in project.images} == expected
    before = {e.path: e.split for e in project.images}
    _img(root / "ants" / "new.png")
    plan = scan_import([root / "ants" / "new.png"], "ants", known=before)
    project.add_images(plan.entries)
    assert all(e.split == before[e.path] for e in project.images if e.path in before)


def test_import_dataset_folder_class_layout(tmp_path):
    root = _dataset(tmp_path / "data")
    (root / "bees" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0garbage")
    (root / "bees" / ".hidden.png").write_bytes(b"x")
    project = import_dataset_folder(root)
    assert project.folder == root and project.file_path.is_file()
    assert project.classes == ["ants", "bees"]
    assert project.class_counts() == {"ants": 5, "bees": 5}
    broken = [e for e in project.images if e.broken]
    assert len(broken) == 1 and broken[0].path.endswith("broken.jpg") and broken[0].split is None
    index = project.to_dataset_index()
    assert index.classes == ["ants", "bees"] and len(index.samples) == 10
    assert [s.path for s in index.skipped] == [broken[0].path]
    assert Project.load(root).images == project.images


def test_import_split_layout_keeps_given_splits(tmp_path):
    root = tmp_path / "data"
    _dataset(root / "train", per_class=3)
    _dataset(root / "val", per_class=2)
    project = import_dataset_folder(root, tmp_path / "proj")
    assert project.folder == tmp_path / "proj"
    assert project.split_counts() == {"ants": {"train": 3, "val": 2}, "bees": {"train": 3, "val": 2}}


def test_scan_import_label_duplicates_and_cancel(tmp_path):
    root = _dataset(tmp_path / "data")
    known = [str(root / "ants" / "ants_0.png")]
    plan = scan_import([root], label="insects", known=known)
    assert plan.classes == ["insects"] and plan.duplicates == 1 and len(plan.entries) == 9
    loose = _img(tmp_path / "loose" / "one.png")
    plan = scan_import([loose.parent])
    assert [e.label for e in plan.entries] == [None]
    control = RunControl()
    control.cancel()
    with pytest.raises(RunCancelled):
        scan_import([root], control=control)


@pytest.mark.skipif(sys.platform != "linux", reason="byte file names are a Linux matter")
def test_non_utf8_file_name_is_saved_losslessly(tmp_path):
    folder = tmp_path / "data"
    _img(folder / "ok.png")
    raw = os.path.join(os.fsencode(folder), b"caf\xe9.png")
    with open(raw, "wb") as handle:
        Image.new("RGB", (8, 8)).save(handle, format="PNG")
    plan = scan_import([folder])
    assert sorted(os.fsencode(e.path) for e in plan.entries) == sorted([raw, os.fsencode(folder / "ok.png")])
    project = Project.create(tmp_path / "proj")
    project.add_images(plan.entries)
    project.save()
    project.file_path.read_bytes().decode("utf-8")  # still a valid UTF-8 file
    loaded = Project.load(project.folder)
    assert raw in {os.fsencode(e.path) for e in loaded.images}


def test_warnings_carry_the_numbers(tmp_path):
    project = Project(tmp_path)
    project.add_images([ImageEntry(f"/a{i}.png", "a") for i in range(30)])
    project.add_images([ImageEntry(f"/b{i}.png", "b") for i in range(3)] + [ImageEntry("/u.png")])
    kinds = {w.kind: w.message for w in project.warnings()}
    assert "has 3 images" in kinds["too_few"]
    assert "30 images" in kinds["imbalance"] and "10.0x" in kinds["imbalance"]
    assert kinds["unlabeled"].startswith("1 image unlabeled")


def test_add_run_requires_the_documented_keys(tmp_path):
    project = Project(tmp_path)
    with pytest.raises(ValueError, match="best_val_acc"):
        project.add_run({"run_dir": "r", "strategy": "s", "backbones": [], "created": "now"})
    with pytest.raises(ValueError):
        project.add_run({"run_dir": "r", "strategy": "s", "backbones": [], "created": "t",
                         "best_val_acc": float("nan")})


def test_export_copies_without_touching_originals(tmp_path):
    root = _dataset(tmp_path / "data", per_class=2)
    project = import_dataset_folder(root)
    project.add_class("a/b")
    project.set_labels([0], "a/b")
    dest = tmp_path / "out"
    (dest / "bees").mkdir(parents=True)
    (dest / "bees" / "bees_0.png").write_bytes(b"keep me")
    result = export_labeled_folders(project, dest)
    assert result.copied == 4 and not result.failed
    assert (dest / "bees" / "bees_0.png").read_bytes() == b"keep me"
    assert (dest / "bees" / "bees_0 (2).png").is_file()
    assert (dest / "a_b" / "ants_0.png").is_file()
    assert sorted(p.name for p in (root / "ants").iterdir()) == ["ants_0.png", "ants_1.png"]
    assert safe_folder_name("CON") == "_CON" and safe_folder_name("..") == "class"


_SAVER = """
import sys
from engine.project.schema import ImageEntry
from engine.project.store import Project
project = Project.load(sys.argv[1])
n = 0
while True:
    n += 1
    project.add_images([ImageEntry(f"/img/{n}_{i}.png", None) for i in range(50)])
    project.save()
    print(n, flush=True)
"""


def test_kill_during_save_leaves_a_loadable_file(tmp_path):
    project = Project.create(tmp_path / "proj")
    project.add_images([ImageEntry(f"/seed/{i}.png") for i in range(2000)])
    project.save()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for kill in range(3):
        with subprocess.Popen([sys.executable, "-c", _SAVER, str(project.folder)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as child:
            assert child.stdout is not None
            child.stdout.readline()  # at least one save completed
            time.sleep(0.013 * kill)
            child.send_signal(signal.SIGKILL)
            child.wait()
        reopened = Project.load(project.folder)
        assert len(reopened.images) >= 2050
    leftovers = [p.name for p in project.folder.iterdir() if p.name != PROJECT_FILE_NAME]
    assert all(name.endswith(".tmp") for name in leftovers)  # a killed writer may leave its temp file


def test_a_resumed_run_replaces_its_entry(tmp_path):
    project = Project.create(tmp_path / "p")
    base = {"run_dir": "r1", "strategy": "full", "backbones": ["lite0"], "created": "t"}
    project.add_run({**base, "best_val_acc": 0.7})
    project.add_run({**base, "run_dir": "r2", "best_val_acc": 0.8})
    project.add_run({**base, "best_val_acc": 0.9})
    assert [(r["run_dir"], r["best_val_acc"]) for r in project.runs] == [("r1", 0.9), ("r2", 0.8)]


def test_excluded_images_stay_in_the_project_but_never_train(tmp_path):
    project = Project.create(tmp_path / "proj")
    paths = [str(_img(tmp_path / "imgs" / f"{i}.png", (30 * i, 9, 9))) for i in range(6)]
    project.add_images([ImageEntry(p, "a" if i % 2 else "b") for i, p in enumerate(paths)], ["a", "b"])
    before = project.class_counts()
    assert project.set_excluded([1, 2], True) == [False, False]
    assert [e.excluded for e in project.images] == [False, True, True, False, False, False]
    assert project.images[1].label == "a"  # the label is kept: excluding is undone exactly
    assert {s.path for s in project.to_dataset_index().samples} == {paths[0], paths[3], paths[4], paths[5]}
    assert project.class_counts() == {"a": before["a"] - 1, "b": before["b"] - 1}
    project.set_labels([1], "b")  # relabelling, splitting and saving keep the flag
    project.save()
    again = Project.load(project.folder)
    assert [e.excluded for e in again.images] == [False, True, True, False, False, False]
    again.restore_excluded([1, 2], [False, False])
    assert len(again.to_dataset_index().samples) == 6
    data = json.loads(project.file_path.read_text("utf-8"))
    assert [("excluded" in item) for item in data["images"]] == [False, True, True, False, False, False]


def test_dismissed_findings_and_moved_splits_are_saved(tmp_path):
    project = Project.create(tmp_path / "proj")
    project.add_images([ImageEntry(f"/img/{i}.png", "a") for i in range(10)], ["a"])
    assert project.set_dismissed(["abc123", "def456", "abc123"], True) == ["abc123", "def456"]
    assert project.set_dismissed(["abc123"], True) == []  # already there: nothing to undo
    old = project.set_splits([0, 1], ["val", "val"])
    with pytest.raises(ValueError, match="test"):
        project.set_splits([2], ["test"])
    project.save()
    again = Project.load(project.folder)
    assert again.dismissed_findings == ["abc123", "def456"]
    assert [e.split for e in again.images[:2]] == ["val", "val"]
    again.set_splits([0, 1], old)
    assert again.set_dismissed(["def456", "zzz"], False) == ["def456"]
    assert again.dismissed_findings == ["abc123"]
    assert [e.split for e in again.images[:2]] == old
