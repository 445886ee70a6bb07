"""The Doctor view: examine in the background, triage by keyboard, undo, and dismissals that persist.

The doctor runs its real checks on stand-in features (``fast_features``): this module is about the
review queue; the engine's detection quality is tested in tests/engine/doctor.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import Qt

from engine.project.schema import ImageEntry
from engine.project.store import Project


def _open_doctor(window, folder, qtbot):
    assert window.state.open_project(folder)
    page = window.data_page
    page.show_doctor()  # examines at once the first time
    doctor = page.doctor
    qtbot.waitUntil(lambda: not doctor.busy and doctor.model.scanned > 0, timeout=20_000)
    return doctor


def _rows(doctor):
    return [doctor.model.finding(r) for r in range(doctor.model.rowCount())]


def _row_of_kind(doctor, kind):
    return next(r for r, f in enumerate(_rows(doctor)) if f.kind == kind)


def _entry(window, path):
    project = window.state.project
    return project.images[project.index_of(path)]


def test_examine_lists_findings_grouped_with_both_images(window, doctor_project, doctor_images, fast_features,
                                                         qtbot):
    doctor = _open_doctor(window, doctor_project, qtbot)
    findings = _rows(doctor)
    kinds = [f.kind for f in findings]
    assert kinds[0] == "leakage" and {"dark", "label"} <= set(kinds)
    leak = findings[0]
    assert set(leak.paths) == {doctor_images["ants"][0], doctor_images["copy"][0]}
    assert doctor.model.index(0).data(doctor.model.GroupRole).startswith("Train/validation leakage · high")
    assert doctor.model.index(1).data(doctor.model.GroupRole) != "" or kinds[1] == "leakage"
    assert doctor.view.currentIndex().row() == 0 and doctor.stack.currentWidget() is doctor.view
    assert "open" in doctor.summary.text()
    doctor.view.grab()  # paints every kind of row (thumbnails requested, text plain)


def test_keyboard_triage_with_undo(window, doctor_project, doctor_images, fast_features, qtbot):
    doctor = _open_doctor(window, doctor_project, qtbot)
    view, project = doctor.view, window.state.project
    total = doctor.model.rowCount()
    copy = doctor_images["copy"][0]
    # Enter applies the suggested fix of the leakage: both copies go to the training split.
    doctor.select_row(_row_of_kind(doctor, "leakage"))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert _entry(window, copy).split == "train" and _entry(window, doctor_images["ants"][0]).split == "train"
    assert doctor.model.rowCount() == total - 1 and "leakage" not in [f.kind for f in _rows(doctor)]
    assert len(project.dismissed_findings) == 1
    # Z undoes the whole decision: the split and the finding come back, under the cursor.
    qtbot.keyClick(view, Qt.Key.Key_Z)
    assert _entry(window, copy).split == "val" and project.dismissed_findings == []
    assert doctor.current_finding().kind == "leakage" and doctor.model.rowCount() == total
    # X excludes the dark image from training; it stays in the project.
    doctor.select_row(_row_of_kind(doctor, "dark"))
    dark = doctor_images["dark"][0]
    qtbot.keyClick(view, Qt.Key.Key_X)
    assert _entry(window, dark).excluded and _entry(window, dark).label == "bees"
    assert dark not in {s.path for s in project.to_dataset_index().samples}
    # 1 relabels the suspect image to class 1 ("ants"); arrows move between findings.
    doctor.select_row(_row_of_kind(doctor, "label"))
    suspect = doctor.current_finding().paths[0]
    qtbot.keyClick(view, Qt.Key.Key_1)
    assert _entry(window, suspect).label == "ants"
    row = view.currentIndex().row()
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex().row() == min(row + 1, doctor.model.rowCount() - 1)
    # Ctrl+Z undoes the relabel, then Z the exclusion; Shift+Z redoes it.
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert _entry(window, suspect).label == "bees"
    qtbot.keyClick(view, Qt.Key.Key_Z)
    assert not _entry(window, dark).excluded and doctor.current_finding().kind == "dark"
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ShiftModifier)
    assert _entry(window, dark).excluded
    assert doctor.model.rowCount() == total - 1


def test_excluded_image_has_its_own_marker_and_filter(window, doctor_project, doctor_images, fast_features,
                                                      qtbot):
    doctor = _open_doctor(window, doctor_project, qtbot)
    doctor.select_row(_row_of_kind(doctor, "dark"))
    qtbot.keyClick(doctor.view, Qt.Key.Key_Return)  # the suggested fix of a black image: exclude
    page = window.data_page
    qtbot.mouseClick(doctor.back_button, Qt.MouseButton.LeftButton)
    assert page.main.currentWidget() is page.browser
    model = page.browser.model
    row = model.row_of(window.state.project.index_of(doctor_images["dark"][0]))
    assert model.index(row).data(model.ExcludedRole) is True
    assert model.index(row).data(model.TileRole).excluded
    assert "Excluded from training" in model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    page.browser.set_filter("excluded")
    assert model.rowCount() == 1
    page.browser.set_filter("unlabeled")
    assert model.rowCount() == 4  # the excluded image is not "unlabeled" either
    page.browser.view.grab()


def test_dismissed_finding_stays_dismissed_after_reopening(window, doctor_project, fast_features, qtbot):
    doctor = _open_doctor(window, doctor_project, qtbot)
    before = {f.key for f in _rows(doctor)}
    doctor.select_row(_row_of_kind(doctor, "outlier"))
    kept = doctor.current_finding().key
    qtbot.keyClick(doctor.view, Qt.Key.Key_K)  # keep the data as it is: the finding is remembered
    assert kept not in {f.key for f in _rows(doctor)}
    assert window.state.close_project()
    assert Project.load(doctor_project).dismissed_findings == [kept]
    doctor = _open_doctor(window, doctor_project, qtbot)
    after = {f.key for f in _rows(doctor)}
    assert after == before - {kept}
    assert doctor._report.dismissed == 1


def test_examine_is_cancellable(window, doctor_project, fast_features, qtbot, monkeypatch):
    import engine.doctor.examine

    def stuck(name, backbone, samples, device, stage, progress=None, control=None):
        while True:  # like a long extraction: only the cancel ends it
            progress(0, len(samples), stage)
            control.raise_if_cancelled()
            time.sleep(0.01)

    monkeypatch.setattr(engine.doctor.examine, "cached_features", stuck)
    assert window.state.open_project(doctor_project)
    doctor = window.data_page.doctor
    window.data_page.show_doctor()
    qtbot.waitUntil(lambda: doctor.cancel_button.isVisible())
    qtbot.mouseClick(doctor.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not doctor.busy, timeout=10_000)
    assert "cancelled" in doctor.summary.text() and doctor.model.scanned == 0
    assert doctor.examine_button.isEnabled()


def test_examine_needs_two_labelled_classes(window, tmp_path, images, fast_features):
    folder = images(tmp_path / "loose_only", loose=3)
    project = Project.create(tmp_path / "p")
    project.add_images([ImageEntry(str(p)) for p in sorted(folder.glob("*.png"))])
    project.save()
    assert window.state.open_project(project.folder)
    doctor = window.data_page.doctor
    doctor.examine()
    assert not doctor.busy and "two classes" in doctor.summary.text()
