"""A damaged run entry never crashes the Evaluate page (issue 9, defect 6)."""

from __future__ import annotations

import json
import types

import pytest

pytest.importorskip("PySide6")

from engine.project.schema import PROJECT_FILE_NAME
from gui.evaluate.evaluation_page import EvaluationPage, run_title
from gui.train.strategy_names import strategy_title


@pytest.mark.parametrize("best", ["high", None, [], float("nan"), float("inf"), True])
def test_run_title_survives_any_accuracy(best):
    title = run_title({"strategy": "features", "best_val_acc": best, "created": "2026-12-01T10:00"})
    assert title == f"2026-12-01 10:00  {strategy_title('features')}  (accuracy ?)"


def test_run_title_shows_a_good_accuracy():
    assert run_title({"best_val_acc": 0.875, "created": 5, "strategy": None}).endswith("None  (87.5%)")


def test_page_lists_runs_with_damaged_fields(qtbot):
    from gui.state.app_state import AppState

    state = AppState()
    page = EvaluationPage(state)
    qtbot.addWidget(page)

    runs = [{"run_dir": "a", "best_val_acc": "high", "created": "2026"}, {"run_dir": "b", "created": None}]
    state.project = types.SimpleNamespace(runs=runs)
    page.refresh_runs()
    assert page.run_combo.count() == 2
    state.project = None
    state.shutdown()


def test_a_project_file_with_a_damaged_run_is_refused_not_opened(qtbot, tmp_path, dialogs):
    from gui.state.app_state import AppState

    document = {"format": "transfer-studio-project", "format_version": 1, "classes": [], "images": [],
                "runs": [{"run_dir": "r1", "strategy": "features", "backbones": ["x"], "best_val_acc": "high",
                          "created": "2026"}]}
    (tmp_path / PROJECT_FILE_NAME).write_text(json.dumps(document))
    state = AppState()
    errors = []
    state.error.connect(lambda title, text: errors.append(text))
    assert not state.open_project(tmp_path)
    assert state.project is None and len(errors) == 1
    assert "runs[0].best_val_acc" in errors[0] and "Nothing was changed" in errors[0]
    state.shutdown()
