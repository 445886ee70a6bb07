"""Shared widgets keep what they show (a job's progress, the empty state's mode) across a language switch."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QApplication

from gui import i18n
from gui.i18n_catalog import compile_catalogue
from gui.widgets.empty_state import EmptyState
from gui.widgets.job_progress import JobProgressWidget


@pytest.fixture
def chinese(tmp_path):
    """Switch to Chinese from a privately compiled catalogue; back to English after the test."""
    compile_catalogue("zh_CN", out=tmp_path)

    def switch(code: str) -> None:
        assert i18n.install_language(code, folder=tmp_path, remember=False)
        QApplication.processEvents()

    yield switch
    i18n.install_language(i18n.ENGLISH, remember=False)


def test_job_progress_is_worded_again_with_its_numbers(qtbot, chinese):
    strip = JobProgressWidget()
    qtbot.addWidget(strip)
    strip.start("Importing images")
    strip.set_progress(1200, 3400, "a.png")
    assert strip._label.text() == "Importing images… 1,200 / 3,400"
    strip.set_progress(7, 0, "")
    chinese("zh_CN")
    assert strip._label.text() == "Importing images… 已找到 7 个"  # the title comes translated from its job
    assert strip._cancel.toolTip() == "取消"
    strip.set_cancelling()
    assert strip._label.text() == "正在取消…"
    chinese(i18n.ENGLISH)
    assert strip._label.text() == "Cancelling…" and strip._cancel.toolTip() == "Cancel"


def test_empty_state_keeps_its_mode(qtbot, chinese):
    empty = EmptyState()
    qtbot.addWidget(empty)
    empty.set_mode("no_match")
    chinese("zh_CN")
    assert empty._title.text() == "这里没有图片" and empty.files_button.text().strip() == "导入图片…"
    chinese(i18n.ENGLISH)
    assert empty._title.text() == "No images here"
