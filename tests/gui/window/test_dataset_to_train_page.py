"""A dataset folder opened from the welcome screen shows at once on the Train page (issue 9, defect 14)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from gui.window.stages import install_stage_pages


def test_train_page_follows_a_dataset_opened_from_the_welcome_screen(window, images, until, tmp_path,
                                                                      monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    pages = install_stage_pages(window)
    panel = pages.train.panel
    assert panel.title.text() == "No project open"
    data = images(tmp_path / "data", {"ants": 3, "bees": 3})
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *a, **k: str(data)))
    window.data_page.welcome.open_requested.emit()
    until.project(window)
    assert window.current_project().class_counts() == {"ants": 3, "bees": 3}
    assert panel.title.text() == "No training run yet"
    assert "No project" not in panel.headline.text()
    assert pages.train.runs.new_button.isEnabled()
    window.state.close_project()
    assert panel.title.text() == "No project open"
