"""The Predict page in Chinese and back: controls, cards, the unknown verdict, the results table with its
headers and filter, and the message boxes follow a language switch at runtime (issue 13)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import re
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from gui import i18n
from gui.i18n_catalog import compile_catalogue

CJK = re.compile(r"[\u4e00-\u9fff]")


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


def _junk_and_class_images(images, root: Path) -> tuple[Path, Path, Path]:
    """A folder with one ordinary image and one the fake predictor calls unknown."""
    folder = images(root, {"a": 2})
    known, other = sorted((folder / "a").iterdir())
    junk = folder / "a" / "junk_noise.png"
    other.rename(junk)
    return folder, known, junk


def _headers(page) -> list[str]:
    table = page.table.table
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def snapshot(page) -> list[str]:
    """Every text the page holds: labels, buttons, tooltips, combo items, the table (hidden parts too)."""
    texts = [w.text() for w in page.findChildren(QLabel) + page.findChildren(QAbstractButton)]
    texts += [w.toolTip() for w in page.findChildren(QWidget)]
    texts += [page.top_k.prefix(), *_headers(page)]
    for combo in (page.rejection.mode, page.table.show_filter):
        texts += [combo.itemText(i) for i in range(combo.count())]
    table = page.table.table
    texts += [table.item(r, c).text() for r in range(table.rowCount()) for c in range(table.columnCount())]
    return texts


def test_cards_and_the_unknown_verdict_switch_to_chinese_and_back(qtbot, page, tmp_path, images, switch):
    _folder, known, junk = _junk_and_class_images(images, tmp_path / "cards")
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000):
        page.predict([str(known), str(junk)])
    unknown_card, known_card = page._cards[str(junk)][0], page._cards[str(known)][0]
    english = snapshot(page)
    assert unknown_card.answer.text() == "Unknown: none of my classes"

    switch("zh_CN")
    assert unknown_card.answer.text() == "未知（不属于任何类别）"
    assert unknown_card.score.text() == "未知分数 1.80（阈值 1.00）"
    assert unknown_card.nearest.text() == "最接近的类别："
    assert known_card.answer.text().startswith(known_card.row.top[0][0])  # a class name stays as it is
    assert CJK.search(known_card.score.text())
    for widget in (page.model_label, page.drop_hint, page.rejection.label):
        assert CJK.search(widget.text()), widget.text()
    assert page.model_label.text().startswith("模型：")
    for button in page.findChildren(QAbstractButton):
        assert not button.text() or CJK.search(button.text()), button.text()
    modes = [page.rejection.mode.itemText(i) for i in range(3)]
    assert modes == ["自动", "关闭", "自定义"] and page.rejection.mode_name() == "auto"
    assert CJK.search(page.rejection.mode.toolTip()) and CJK.search(page.rejection.custom.toolTip())
    assert page.top_k.prefix() == "前 "

    switch(i18n.ENGLISH)
    assert snapshot(page) == english


def test_the_results_table_switches_to_chinese_and_back(qtbot, page, tmp_path, images, switch):
    folder, _known, junk = _junk_and_class_images(images, tmp_path / "table")
    with qtbot.waitSignal(page.predictions_ready, timeout=30_000):
        page.predict([str(folder)])
    results = page.table
    results.set_filter("unknown")
    english = snapshot(page)

    switch("zh_CN")
    headers = _headers(page)
    assert headers == ["图片", "结果", "概率", "第二可能类别", "未知分数", "问题"]
    answers = {results.table.item(r, 0).text(): results.table.item(r, 1).text() for r in range(2)}
    assert answers["junk_noise.png"].startswith("未知 · 最接近：")
    assert [results.show_filter.itemText(i) for i in range(3)] == ["全部图片", "仅未知", "仅已知"]
    assert results.show_filter.currentData() == "unknown" and results.visible_paths() == [str(junk)]
    assert results.counts.text().startswith("显示 1 / 2 张") and results.show_label.text() == "显示："

    switch(i18n.ENGLISH)
    assert snapshot(page) == english
    assert answers != {results.table.item(r, 0).text(): results.table.item(r, 1).text() for r in range(2)}


def test_messages_and_the_old_model_note_are_chinese(qtbot, fake_predictor, tmp_path, images, dialogs,
                                                      switch):
    from gui.predict.predict_page import PredictPage

    widget = PredictPage()
    qtbot.addWidget(widget)
    switch("zh_CN")
    assert widget.model_label.text().startswith("未打开模型")
    widget.predict([str(images(tmp_path / "i", {"a": 1}))])
    assert dialogs.calls[-1][1:] == ("请先打开模型", "请打开导出的 .onnx 模型，然后再次拖放图片。")
    model = tmp_path / "old.onnx"
    model.write_bytes(b"fake")
    with qtbot.waitSignal(widget.model_loaded, timeout=30_000):
        widget.load_model(str(model))
    assert widget.note.text().startswith("old.onnx 导出于")
    assert widget.rejection.mode.toolTip() == widget.note.text()
    switch(i18n.ENGLISH)
    assert widget.note.text().startswith("old.onnx was exported before")
    assert widget.rejection.mode.toolTip() == widget.note.text()
    widget.shutdown()
