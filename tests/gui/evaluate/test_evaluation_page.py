"""Evaluation page: confusion-matrix drill-down, per-class metrics, relabel with undo (offscreen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, Qt

CLASSES = ["ants", "bees", "wasps"]
# (true, probs): 3 ants (1 predicted bees), 3 bees (1 predicted ants, confidently), 2 wasps (right)
ROWS = [
    (0, [0.9, 0.05, 0.05]),
    (0, [0.7, 0.2, 0.1]),
    (0, [0.3, 0.6, 0.1]),
    (1, [0.1, 0.8, 0.1]),
    (1, [0.2, 0.7, 0.1]),
    (1, [0.95, 0.04, 0.01]),
    (2, [0.1, 0.1, 0.8]),
    (2, [0.0, 0.1, 0.9]),
]


@pytest.fixture
def run(tmp_path, images):
    root = images(tmp_path / "data", {"ants": 3, "bees": 3, "wasps": 2})
    paths = sorted(str(p) for p in root.rglob("*.png"))
    run_dir = tmp_path / "proj" / "runs" / "r1"
    run_dir.mkdir(parents=True)
    rows = [{"path": p, "label": t, "probs": probs} for p, (t, probs) in zip(paths, ROWS, strict=True)]
    (run_dir / "val_predictions.json").write_text(json.dumps({"epoch": 4, "classes": CLASSES, "rows": rows}))
    (run_dir / "run.json").write_text(
        json.dumps(
            {
                "strategy": "features",
                "backbones": ["x"],
                "status": "completed",
                "best_epoch": 4,
                "best_val_acc": 0.75,
                "created": "2026",
            }
        )
    )
    (run_dir / "config.json").write_text("{}")
    return run_dir, paths


@pytest.fixture
def state(run, qtbot):
    from engine.project.schema import ImageEntry
    from engine.project.store import Project
    from gui.state.app_state import AppState

    run_dir, paths = run
    project = Project.create(run_dir.parents[1])
    labels = [CLASSES[t] for t, _ in ROWS]
    project.add_images([ImageEntry(p, label, "val") for p, label in zip(paths, labels, strict=True)], CLASSES)
    project.add_run(
        {
            "run_dir": str(run_dir),
            "strategy": "features",
            "backbones": ["x"],
            "best_val_acc": 0.75,
            "created": "2026",
        }
    )
    project.save()
    app_state = AppState()
    assert app_state.open_project(project.folder)
    yield app_state
    app_state.close_project()
    app_state.shutdown()


def test_metrics_from_predictions(run):
    from engine.runs.evaluation import load_evaluation

    e = load_evaluation(run[0])
    assert e.accuracy() == pytest.approx(6 / 8)
    m = e.confusion()
    assert m.tolist() == [[2, 1, 0], [1, 2, 0], [0, 0, 2]]
    ants = e.class_metrics()[0]
    assert (
        ants.precision == pytest.approx(2 / 3) and ants.recall == pytest.approx(2 / 3) and ants.support == 3
    )
    assert e.misclassified() == [5, 2]  # the confident mistake (p(bees)=0.04) first


def test_clicking_a_cell_shows_its_images(qtbot, state, run):
    from gui.evaluate.evaluation_page import EvaluationPage

    page = EvaluationPage(state, state.thumbnails)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    assert page.run_combo.count() == 1
    assert page.load_run(str(run[0]))
    assert "Accuracy 75.0% on 8 validation images" in page.summary.text()
    assert page.metrics.rowCount() == 3 and page.metrics.item(2, 3).text() == "1.000"
    assert page.wrong_gallery.count() == 2
    center = page.matrix.cell_rect(1, 0).center().toPoint()
    with qtbot.waitSignal(page.matrix.cell_clicked, timeout=30_000) as clicked:
        qtbot.mouseClick(page.matrix, Qt.MouseButton.LeftButton, pos=QPoint(center.x(), center.y()))
    assert clicked.args == [1, 0]
    assert page.cell_gallery.paths() == [run[1][5]]
    assert "of “bees” predicted as “ants” (wrong)" in page.cell_title.text()
    assert page.tabs.currentIndex() == 1
    page.matrix.select(2, 2)
    assert page.cell_gallery.count() == 2


def test_relabel_a_misclassified_image_and_undo(qtbot, state, run):
    from gui.evaluate.evaluation_page import EvaluationPage

    page = EvaluationPage(state, state.thumbnails)
    qtbot.addWidget(page)
    page.load_run(str(run[0]))
    wrongly_labelled = run[1][5]  # labelled bees, the model says ants with 95 %
    page.wrong_gallery.item(0).setSelected(True)
    assert page.relabel_button.isEnabled()
    assert [a.text() for a in page.relabel_menu.actions()] == CLASSES
    assert page.relabel_selected("ants") == 1
    index = state.project.index_of(wrongly_labelled)
    assert state.project.images[index].label == "ants"
    assert "now labelled ants" in page.wrong_gallery.item(0).text()
    assert page.undo_button.isEnabled()
    page.undo_button.click()
    assert state.project.images[index].label == "bees"
    assert "now labelled" not in page.wrong_gallery.item(0).text()


def test_a_run_without_predictions_is_explained(qtbot, tmp_path):
    from gui.evaluate.evaluation_page import EvaluationPage

    page = EvaluationPage()
    qtbot.addWidget(page)
    assert not page.load_run(str(tmp_path))
    assert "missing" in page.summary.text()
    assert not page.relabel_button.isEnabled()
