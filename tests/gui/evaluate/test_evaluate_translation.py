"""The Evaluate page in Chinese and back: matrix, metrics, gallery, the Confidence tab with a real trust
model (plots included) and the damaged-run messages all follow a language switch at runtime (issue 13)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTableWidget, QWidget

from gui import i18n
from gui.i18n_catalog import compile_catalogue

CLASSES = ["蚂蚁", "蜜蜂", "黄蜂"]  # no Latin letters: any Latin word left on screen is untranslated
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
KEPT_AS_THEY_ARE = {"ECE", "AUROC"}


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    """The shipped Chinese catalogue, compiled to a private folder."""
    return compile_catalogue("zh_CN", out=tmp_path_factory.mktemp("zh")).parent


@pytest.fixture
def switch(chinese):
    """``switch("zh_CN")`` / ``switch("en")``; the test ends in English whatever happens."""

    def to(code: str) -> None:
        assert i18n.install_language(code, folder=chinese, remember=False)
        QApplication.processEvents()

    yield to
    i18n.install_language(i18n.ENGLISH, remember=False)


@pytest.fixture
def page(qtbot):
    from gui.evaluate.evaluation_page import EvaluationPage

    widget = EvaluationPage()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


def _plot_texts(plot) -> list[str]:
    item = plot.getPlotItem()
    texts = [item.titleLabel.text, item.getAxis("bottom").labelText, item.getAxis("left").labelText]
    return texts + [label.text for _sample, label in item.legend.items]


def _headers(table: QTableWidget) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def snapshot(page) -> list[str]:
    """Every text the page holds: labels, buttons, tabs, headers, tiles, plots (hidden ones too)."""
    texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton)]
    texts += [w.toolTip() for w in page.findChildren(QWidget)]
    texts += [page.tabs.tabText(i) for i in range(page.tabs.count())]
    texts += _headers(page.metrics) + _headers(page.confidence.loco)
    for gallery in (page.wrong_gallery, page.cell_gallery):
        texts += [gallery.item(i).text() + gallery.item(i).toolTip() for i in range(gallery.count())]
    texts += _plot_texts(page.confidence.reliability) + _plot_texts(page.confidence.rejection)
    return texts


def untranslated(page) -> list[str]:
    """Latin words in the visible labels, buttons, tabs and headers of the page."""
    found = []
    widgets = page.findChildren(QLabel) + page.findChildren(QAbstractButton)
    texts = [w.text() for w in widgets if w.isVisible()]
    texts += [page.tabs.tabText(i) for i in range(page.tabs.count())]
    texts += _headers(page.metrics) + _headers(page.confidence.loco)
    texts += _plot_texts(page.confidence.reliability) + _plot_texts(page.confidence.rejection)
    for text in texts:
        found += [w for w in LATIN_WORD.findall(text) if w not in KEPT_AS_THEY_ARE]
    return found


def test_evaluate_page_and_confidence_tab_switch_to_chinese_and_back(qtbot, page, make_run, switch):
    run_dir, _trust = make_run(CLASSES, n_val=120, images=True, wrong=2)
    assert page.load_run(str(run_dir))
    page.matrix.select(0, 1)
    view = page.confidence
    assert view.pages.currentIndex() == 1 and not view.warning.isHidden()
    english = snapshot(page)
    assert "Per class" in english and "Reliability: accuracy per confidence bin" in english

    switch("zh_CN")
    assert untranslated(page) == []
    assert CJK.search(page.summary.text()) and CJK.search(page.cell_title.text())
    assert all(CJK.search(page.tabs.tabText(i)) for i in range(page.tabs.count()))
    assert [h for h in _headers(page.metrics) if not CJK.search(h)] == ["F1"]
    assert CJK.search(_headers(view.loco)[0]) and _headers(view.loco)[1] == "AUROC"
    for label in (view.calibration, view.warning, view.rejection_text, view.loco_hint):
        assert CJK.search(label.text()), label.text()
    for plot in (view.reliability, view.rejection):
        texts = _plot_texts(plot)
        assert len(texts) >= 5 and all(CJK.search(t) for t in texts), texts
    captions = [page.wrong_gallery.item(i).text() for i in range(page.wrong_gallery.count())]
    assert len(captions) == 2 and all("置信度" in c for c in captions), captions
    assert page.relabel_button.text() == "重新标注为" and CJK.search(page.relabel_button.toolTip())

    switch(i18n.ENGLISH)
    assert snapshot(page) == english


def test_the_matrix_tooltip_and_captions_follow_the_language(qtbot, page, make_run, switch):
    run_dir, _ = make_run(CLASSES, images=True, wrong=1)
    assert page.load_run(str(run_dir))
    center = page.matrix.cell_rect(0, 1).center().toPoint()
    qtbot.mouseMove(page.matrix, center)
    assert "predicted as “蜜蜂”" in page.matrix.toolTip()
    switch("zh_CN")
    assert "张“蚂蚁”的图片被预测为“蜜蜂”" in page.matrix.toolTip()
    assert page.confidence.message.text().startswith("此训练记录早于校准功能")  # no trust.json in this run


def test_damaged_runs_are_explained_in_chinese(qtbot, page, make_run, tmp_path, switch):
    from gui.evaluate.evaluation_page import run_title

    switch("zh_CN")
    assert not page.load_run(str(tmp_path / "empty"))
    assert page.summary.text().startswith("无法显示此训练记录的验证结果：")
    damaged = {"strategy": "features", "best_val_acc": "high", "created": "2026"}
    assert run_title(damaged).endswith("(准确率 ?)")
    run_dir, _ = make_run(CLASSES, images=True)
    (run_dir / "trust.json").write_text('{"temperature": "hot"}')
    (tmp_path / "img_0.png").unlink()
    assert page.load_run(str(run_dir))
    assert "1 张图片已更改或不存在" in page.summary.text()
    message = page.confidence.message.text()
    assert message.startswith("无法显示置信度图表：") and "trust.json" in message
    switch(i18n.ENGLISH)
    assert page.confidence.message.text().startswith("The confidence figures cannot be shown: ")
    assert "1 image changed or gone" in page.summary.text()
