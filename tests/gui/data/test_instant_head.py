"""The instant head: retrained in the background after label changes; suggestions and accuracy shown.

Most tests use the stand-in features (``fast_features``: the GUI logic); one runs the real Lite0
features through the shared cache.
"""

from __future__ import annotations

import time

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt

from engine.project.schema import ImageEntry
from engine.project.store import Project
from gui.data.instant_head import SETTING, change_text, status_text


@pytest.fixture
def head_on():
    """The preference the GUI tests turn off by default."""
    QSettings().setValue(SETTING, True)


def _open(window, folder, qtbot, rounds=1, timeout=20_000):
    assert window.state.open_project(folder)
    head = window.data_page.head
    head._timer.setInterval(50)  # the 1.5 s pause after typing, shortened for the test
    qtbot.waitUntil(lambda: head.rounds >= rounds and not head.running, timeout=timeout)
    return head


def test_suggestions_and_accuracy_after_label_changes(window, doctor_project, doctor_images, fast_features,
                                                      head_on, qtbot):
    head = _open(window, doctor_project, qtbot)
    loose = doctor_images["loose"]
    assert set(head.suggestions) == set(loose)
    assert [head.suggestions[p][0] for p in loose] == ["bees", "ants", "bees", "ants"]  # by colour
    assert all(0.5 < head.suggestions[p][1] <= 1.0 for p in loose)
    header = window.data_page.browser.head_status.text()
    assert header.startswith("Instant model: ") and "validation images" in header
    model = window.data_page.browser.model
    row = model.row_of(window.state.project.index_of(loose[1]))
    assert model.index(row).data(model.SuggestionRole)[0] == "ants"
    assert "Suggested: ants" in model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    # A burst of corrections is one round; the header tells the change and how many corrections.
    state = window.state
    for path in (loose[0], loose[2]):
        state.label_images([state.project.index_of(path)], "bees")
    qtbot.waitUntil(lambda: head.rounds == 2 and not head.running, timeout=20_000)
    assert set(head.suggestions) == {loose[1], loose[3]}
    assert head.change.endswith(" points after 2 corrections")
    assert head.status == window.data_page.browser.head_status.text()


def test_enter_accepts_the_suggested_labels_and_undo(window, doctor_project, doctor_images, fast_features,
                                                     head_on, qtbot):
    _open(window, doctor_project, qtbot)
    page, loose = window.data_page, doctor_images["loose"]
    page.sidebar.select_filter("unlabeled")
    browser = page.browser
    browser.select_rows(0, 1)
    chosen = browser.selected_image_indices()
    browser.view.setFocus()
    qtbot.keyClick(browser.view, Qt.Key.Key_Return)
    labels = [window.state.project.images[i].label for i in chosen]
    assert labels == [page.head.suggestions[window.state.project.images[i].path][0] for i in chosen]
    assert browser.model.rowCount() == len(loose) - 2
    window.state.undo_stack.undo()  # both suggestions were one step
    assert all(window.state.project.images[i].label is None for i in chosen)


def test_changes_during_a_round_cancel_it_and_start_again(window, doctor_project, fast_features, head_on,
                                                          qtbot, monkeypatch):
    import gui.data.instant_head as instant

    calls = []
    real = instant.CachedFeatures.__call__

    def slow(self, paths, progress, control):
        calls.append(len(paths))
        for _ in range(100):  # long enough to be interrupted
            control.raise_if_cancelled()
            time.sleep(0.01)
        return real(self, paths, progress, control)

    monkeypatch.setattr(instant.CachedFeatures, "__call__", slow)
    head = window.data_page.head
    assert window.state.open_project(doctor_project)
    head._timer.setInterval(50)
    qtbot.waitUntil(lambda: len(calls) == 1)
    state = window.state
    state.label_images([len(state.project.images) - 1], "ants")  # during the round: cancel, then again
    qtbot.waitUntil(lambda: head.rounds == 1 and not head.running, timeout=20_000)
    assert len(calls) == 2 and window.state.project.images[-1].path not in head.suggestions


@pytest.mark.slow  # the real Lite0 (ONNX export, extraction): about 25 s on 2 busy cores
def test_instant_head_on_the_real_backbone(window, images, tmp_path, head_on, qtbot):
    data = images(tmp_path / "data", {"ants": 4, "bees": 4}, loose=2, size=48)
    project = Project.create(tmp_path / "p")
    labelled = [ImageEntry(str(p), p.parent.name) for p in sorted(data.glob("*/*.png"))]
    project.add_images(labelled + [ImageEntry(str(p)) for p in sorted(data.glob("loose_*.png"))])
    project.save()
    head = _open(window, project.folder, qtbot, timeout=240_000)
    assert set(head.suggestions) == {str(p) for p in data.glob("loose_*.png")}
    assert all(name in ("ants", "bees") and 0.5 <= confidence <= 1.0
               for name, confidence in head.suggestions.values())
    assert head.status.startswith("Instant model: ")


def test_status_texts():
    assert change_text(0.80, 0.82, 14) == "+2.0 points after 14 corrections"
    assert change_text(0.80, 0.79, 1) == "-1.0 points after 1 correction"
    assert change_text(None, 0.8, 3) == "" and change_text(0.8, 0.9, 0) == ""
    assert status_text(0.875, 40, "+2.0 points after 14 corrections") == \
        "Instant model: 87.5% on 40 validation images (+2.0 points after 14 corrections)"
    assert status_text(None, 0, "") == "Instant model: no validation images yet."
