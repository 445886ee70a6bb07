"""One progress signature and one cancel protocol across the engine's long tasks.

Each task reports ``progress(done, total, message)`` with ints and a text, and a cancel through
its ``RunControl`` ends in ``RunCancelled`` (no flag, no None, no partial result).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from engine.control import RunCancelled, RunControl
from engine.data.scan import scan_dataset
from engine.progress import no_progress, relabelled
from engine.project.exporting import export_labeled_folders
from engine.project.importing import import_dataset_folder, recheck_files, scan_import
from engine.project.schema import ImageEntry
from engine.project.store import Project


class Recorder:
    """A Progress that records every report and can cancel ``control`` after ``cancel_after`` reports."""

    def __init__(self, control: RunControl | None = None, cancel_after: int | None = None) -> None:
        self.reports: list[tuple[int, int, str]] = []
        self.control, self.cancel_after = control, cancel_after

    def __call__(self, done: int, total: int, message: str, /) -> None:
        self.reports.append((done, total, message))
        if self.control is not None and len(self.reports) == self.cancel_after:
            self.control.cancel()

    def well_formed(self) -> bool:
        return bool(self.reports) and all(
            type(d) is int and type(t) is int and isinstance(m, str) and m and d >= 0 and (t == 0 or d <= t)
            for d, t, m in self.reports
        )


def _images(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"img_{i}.png"
        Image.new("RGB", (8, 8), (i * 30 % 255, 10, 10)).save(path)
        paths.append(path)
    return paths


def test_relabelled_forwards_the_counts_with_its_own_message():
    seen = Recorder()
    relabelled(seen, "Measuring how well x fits")(3, 7, "Computing features")
    assert seen.reports == [(3, 7, "Measuring how well x fits")]
    assert relabelled(None, "anything") is no_progress
    assert no_progress(1, 2, "x") is None


def test_scan_dataset_reports_the_decode_check(tiny_dataset):
    seen = Recorder()
    index = scan_dataset(tiny_dataset, progress=seen)
    n = len(index.samples)
    assert seen.well_formed() and seen.reports[-1] == (n, n, "Checking images")


def test_project_import_reports_and_a_cancel_raises(tmp_path):
    _images(tmp_path / "drop" / "cats", 6)
    _images(tmp_path / "drop" / "dogs", 6)
    seen = Recorder()
    plan = scan_import([tmp_path / "drop"], progress=seen)
    assert len(plan.entries) == 12 and seen.well_formed() and seen.reports[-1][:2] == (12, 12)
    control = RunControl()
    with pytest.raises(RunCancelled):
        scan_import([tmp_path / "drop"], progress=Recorder(control, cancel_after=1), control=control)
    with pytest.raises(RunCancelled):
        import_dataset_folder(tmp_path / "drop", tmp_path / "project", control=control)
    assert not Project.exists(tmp_path / "project")  # a cancelled import writes no project file


def test_recheck_reports_and_a_cancel_raises(tmp_path):
    paths = [str(p) for p in _images(tmp_path / "imgs", 4)]
    seen = Recorder()
    assert recheck_files(paths, progress=seen) == dict.fromkeys(paths)
    assert seen.reports[-1] == (4, 4, "Checking images")
    control = RunControl()
    with pytest.raises(RunCancelled):
        recheck_files(paths, progress=Recorder(control, cancel_after=2), control=control)


def test_project_export_cancel_raises_and_keeps_the_copies(tmp_path):
    project = Project(tmp_path / "proj")
    project.classes = ["a"]
    project.images = [ImageEntry(str(p), "a", None, None) for p in _images(tmp_path / "imgs", 5)]
    control = RunControl()
    seen = Recorder(control, cancel_after=3)
    with pytest.raises(RunCancelled):
        export_labeled_folders(project, tmp_path / "out", progress=seen, control=control)
    assert seen.well_formed() and seen.reports[-1] == (3, 5, "Copying images")
    assert len(list((tmp_path / "out" / "a").iterdir())) == 3


def test_parity_check_reports_and_a_cancel_raises(tmp_path):
    from engine.export.parity import compare

    paths = _images(tmp_path / "imgs", 4)
    seen = Recorder()
    compare(lambda rgb: rgb, {}, paths, ["a"], progress=seen)
    assert seen.reports == [(i, 4, "Checking parity") for i in range(1, 5)]
    control = RunControl()
    with pytest.raises(RunCancelled):
        compare(lambda rgb: rgb, {}, paths, ["a"], Recorder(control, cancel_after=2), control)


def test_the_protocols_stay_torch_free():
    code = (
        "import sys, engine.control, engine.progress; "
        "bad = [m for m in ('torch', 'torchvision', 'PySide6') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_prediction_reports_and_a_cancel_raises(exported, tmp_path):
    from engine.inference.predictor import OnnxPredictor

    paths = _images(tmp_path / "imgs", 6)
    predictor = OnnxPredictor(exported.onnx_path, threads=1, batch_size=1)
    seen = Recorder()
    assert len(list(predictor.predict_paths(paths, top_k=1, progress=seen))) == 6
    assert seen.reports == [(2, 6, "Classifying"), (4, 6, "Classifying"), (6, 6, "Classifying")]
    control = RunControl()
    results = predictor.predict_paths(paths, 1, Recorder(control, cancel_after=1), control)
    with pytest.raises(RunCancelled):
        list(results)


def test_a_cancelled_onnx_export_raises_and_writes_nothing(exported, tmp_path):
    from engine.export import export_run

    control = RunControl()
    control.cancel()  # before the first stage: the graph export itself is too slow for this test
    with pytest.raises(RunCancelled):
        export_run(exported.run_dir, tmp_path / "m.onnx", progress=Recorder(), control=control)
    assert list(tmp_path.iterdir()) == []
