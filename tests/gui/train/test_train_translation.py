"""The Train stage in Chinese and back: the runs list, a finished run's panel and plots, the strategy
wizard on each of its pages; and a pseudo-locale walk of the wizard finds nothing untranslated or
clipped (issue 13)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import json
import re

import pytest

pytest.importorskip("PySide6")

from i18n_walk import clipped, untranslated_words, visible_texts
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QTableWidget, QWidget, QWizard

from engine.config import TrainConfig
from engine.events import (
    BatchEnded,
    BestImproved,
    EpochEnded,
    RunFinished,
    RunStarted,
    RunStatus,
    StageChanged,
)
from engine.runs.files import CONFIG, INFO
from gui import i18n
from gui.i18n_catalog import compile_catalogue, write_pseudo_catalogue

CJK = re.compile(r"[\u4e00-\u9fff]")
NETWORKS = ("efficientnet_lite0", "resnet18")  # registered names: identifiers, the same in every language
GROUPS = ["stem", "blocks0", "blocks1", "blocks2", "conv_head"]  # Lite0's layer groups: the network's names
REASON = "Few images that look like ImageNet photos: fine-tune only the upper layers."  # the engine's words


@pytest.fixture(scope="module")
def catalogues(tmp_path_factory):
    """The shipped Chinese catalogue and the pseudo-locale, each compiled to a private folder."""
    chinese = compile_catalogue("zh_CN", out=tmp_path_factory.mktemp("zh")).parent
    pseudo = write_pseudo_catalogue(tmp_path_factory.mktemp("pseudo")).parent
    return {"zh_CN": chinese, "pseudo": pseudo, i18n.ENGLISH: chinese}


@pytest.fixture
def switch(qapp, catalogues):
    """``switch("zh_CN")``, ``switch("pseudo")``, ``switch("en")``; the test always ends in English."""

    def to(code: str) -> None:
        assert i18n.install_language(code, folder=catalogues[code], remember=False)
        QApplication.processEvents()
        QApplication.processEvents()

    yield to
    i18n.install_language(i18n.ENGLISH, remember=False)


def _plot_texts(plot) -> list[str]:
    item = plot.getPlotItem()
    texts = [item.titleLabel.text, item.getAxis("bottom").labelText, item.getAxis("left").labelText]
    return texts + [label.text for _sample, label in item.legend.items]


def _headers(table: QTableWidget) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def snapshot(root: QWidget) -> list[str]:
    """Every text under ``root``: labels, buttons, tooltips, table headers (hidden widgets too)."""
    texts = [w.text() for w in root.findChildren(QLabel) + root.findChildren(QAbstractButton)]
    texts += [w.toolTip() for w in root.findChildren(QWidget)]
    for table in root.findChildren(QTableWidget):
        texts += _headers(table)
    return texts


def page_texts(page) -> list[str]:
    """A wizard page's title, subtitle and everything :func:`snapshot` reads on it."""
    return [page.title(), page.subTitle(), *snapshot(page)]


# ------------------------------------------------------------------ words on their own
def test_strategy_names_statuses_durations_and_stages_follow_the_language(switch):
    from gui.train.run_texts import duration_text, stage_progress_text, stage_text
    from gui.train.strategy_names import goal_text, status_text, strategy_short, strategy_title

    english = [strategy_title("features"), strategy_short("partial"), status_text("interrupted"),
               goal_text("most-accurate"), duration_text(200), duration_text(3900), duration_text(None),
               stage_text("Measuring how well efficientnet_lite0 fits your images"),
               stage_progress_text("Computing training features (resnet18)", 3, 40)]
    assert english == ["New head on cached features", "Partial fine-tune", "interrupted",
                       "Most accurate, whatever it takes", "3 min 20 s", "1 h 05 min", "—",
                       "Measuring how well efficientnet_lite0 fits your images",
                       "Computing training features (resnet18): 3 of 40"]
    switch("zh_CN")
    assert strategy_title("features") == "在缓存特征上训练新分类头" and status_text("interrupted") == "已中断"
    assert duration_text(200) == "3 分 20 秒" and duration_text(3900) == "1 小时 05 分"
    assert stage_text("Measuring how well efficientnet_lite0 fits your images") == \
        "正在测量 efficientnet_lite0 与你的图片的契合程度"
    assert stage_text("Measuring whether fine-tuning pays: partial on half the sample").endswith("“部分微调”")
    assert stage_text("A stage no table knows") == "A stage no table knows"
    assert strategy_title("a-new-key") == "a-new-key"
    switch(i18n.ENGLISH)
    assert strategy_title("features") == english[0] and duration_text(200) == english[4]


# ------------------------------------------------------------------ the page after a run
def one_epoch_fit(config, callbacks, control, index=None):
    """A chosen strategy's run as ``fit`` reports it: a stage, one epoch of two batches, the end."""
    emit = callbacks[0]
    emit(StageChanged("Computing features", 1, 2))
    emit(RunStarted("r", config.strategy, tuple(config.backbones), "cpu", 1, 2, 4, 2, ("猫", "狗"), REASON))
    for step in (1, 2):
        emit(BatchEnded(1, step, 2, 0.7, 1e-3, 100.0))
    emit(EpochEnded(1, 1, 0.5, 0.8, 0.6, 0.9, 1e-3, 0.1, 100.0))
    emit(BestImproved(1, 0.9, 0.6))
    finished = RunFinished(RunStatus.COMPLETED, "r", 1, 0.9, 1, 75.0, strategy=config.strategy)
    emit(finished)
    return finished


def _run_folder(root, name: str, status: str) -> str:
    run = root / name
    run.mkdir(parents=True)
    info = {"strategy": "partial", "backbones": ["efficientnet_lite0"], "status": status, "best_epoch": 2,
            "best_val_acc": 0.875, "epochs_completed": 3, "format_version": 2,
            "created": "2026-12-01T10:00:00"}
    (run / INFO).write_text(json.dumps(info))
    (run / CONFIG).write_text(json.dumps(TrainConfig(data_dir="d", strategy="partial", epochs=3).to_dict()))
    (run / "history.json").write_text(json.dumps([
        {"epoch": e, "train_loss": 1 / e, "val_loss": 1.1 / e, "train_acc": 0.6, "val_acc": 0.7 + e / 20,
         "lr": 1e-3} for e in (1, 2, 3)]))
    return str(run)


@pytest.fixture
def page(qtbot):
    from gui.train.train_page import TrainPage

    widget = TrainPage(fit_fn=one_epoch_fit)
    qtbot.addWidget(widget)
    widget.resize(1300, 850)
    widget.show()
    yield widget
    widget.shutdown()


def test_the_train_page_after_a_run_switches_to_chinese_and_back(qtbot, page, switch, tmp_path):
    panel, runs = page.panel, page.runs

    def everything() -> list[str]:
        plots = (panel.plots.loss_plot, panel.plots.acc_plot, panel.plots.lr_plot)
        memory = panel.stats["memory"].text()  # this process's, now: it moves
        return [t for t in snapshot(page) if t != memory] + [t for plot in plots for t in _plot_texts(plot)]

    with qtbot.waitSignal(page.controller.idle, timeout=30_000):
        page.controller.start(TrainConfig(data_dir="d", strategy="features", backbones=NETWORKS[:1]))
    runs.set_runs([_run_folder(tmp_path, "甲", "completed"), _run_folder(tmp_path, "乙", "interrupted")])
    english = everything()
    assert panel.title.text() == "Training finished"
    assert "Best validation accuracy 90.0%" in panel.headline.text()
    assert "Finished after 1 epochs in 1 min 15 s" in panel.log.toPlainText()

    switch("zh_CN")
    assert panel.title.text() == "训练完成" and CJK.search(panel.headline.text())
    for widget in (panel.pause_button, panel.cancel_button, runs.new_button, runs.title, runs.hint,
                   runs.resume_button, runs.export_button, runs.export_job_button, *panel.captions.values()):
        assert CJK.search(widget.text()), widget.text()
    assert all(CJK.search(runs.tree.headerItem().text(c)) for c in range(3))
    rows = sorted([runs.tree.topLevelItem(r).text(c) for c in (0, 2)] for r in range(2))
    assert rows == [["部分微调  12-01 10:00", "已中断"], ["部分微调  12-01 10:00", "已完成"]]
    for plot in (panel.plots.loss_plot, panel.plots.acc_plot, panel.plots.lr_plot):
        texts = _plot_texts(plot)
        assert len(texts) >= 4 and all(CJK.search(t) for t in texts), texts
    assert panel.stats["elapsed"].text().endswith("秒")
    switch(i18n.ENGLISH)
    assert everything() == english

    runs.select_run(str(tmp_path / "甲"))
    assert panel.title.text() == "Run 甲"
    assert panel.headline.text() == "Completed: 3 epochs, best validation accuracy 87.5%."
    switch("zh_CN")
    assert panel.title.text() == "训练记录 甲"
    assert panel.headline.text() == "已完成：3 轮，最佳验证准确率 87.5%。"
    switch(i18n.ENGLISH)
    assert panel.title.text() == "Run 甲" and runs.tree.headerItem().text(0) == "Run"


# ------------------------------------------------------------------ the wizard
class FakeRecommend:
    """Scripted recommend(): reports progress, returns a Recommendation (no network is built)."""

    def __call__(self, index, backbones=None, sample_per_class=60, progress=None, control=None):
        from engine.recommend.recommender import Recommendation

        for i in range(3):
            if progress:
                progress(i + 1, 3, "Measuring how well efficientnet_lite0 fits your images")
        control.raise_if_cancelled()
        strategies = {
            "features": {"expected_acc": [0.78, 0.86], "expected_seconds": 12.0, "most_likely_acc": 0.82},
            "linear": {"expected_acc": [0.78, 0.86], "expected_seconds": 80.0, "most_likely_acc": 0.82},
            "partial": {"expected_acc": [0.81, 0.9], "expected_seconds": 240.0, "most_likely_acc": 0.855},
            "full": {"expected_acc": [0.82, 0.92], "expected_seconds": 600.0, "most_likely_acc": 0.862},
        }
        return Recommendation(
            strategy="partial", backbones=NETWORKS[:1], k=3, reason=REASON, expected_acc=(0.81, 0.9),
            scores={n: {"knn": 0.8, "probe": 0.86, "logme": 1.2, "imagenet_confidence": 0.7}
                    for n in NETWORKS},
            cell=("small", "similar"), eta_seconds={"features": 12.0, "linear": 80.0}, strategies=strategies,
        )


@pytest.fixture
def wizard(qtbot, tmp_path, images, monkeypatch):
    """The wizard on a project whose class and file names hold no Latin letters; layer groups faked."""
    import gui.train.wizard.advanced as advanced
    from engine.data.scan import TRAIN, VAL, DatasetIndex, Sample, SkippedFile
    from gui.train.wizard.strategy_wizard import StrategyWizard

    def groups(backbone):
        return lambda progress, control: (backbone, GROUPS)

    monkeypatch.setattr(advanced, "layer_groups_task", groups)
    advanced._GROUP_CACHE.clear()
    root = images(tmp_path / "数据", {"猫": 8, "狗": 3}, size=48)
    samples = [Sample(str(path), label, VAL if i % 4 == 0 else TRAIN)
               for label, name in enumerate(("猫", "狗"))
               for i, path in enumerate(sorted((root / name).iterdir()))]
    index = DatasetIndex(str(root), ["猫", "狗"], samples, [SkippedFile(str(root / "坏.jpg"), "truncated")])
    widget = StrategyWizard(index, str(root), recommend_fn=FakeRecommend())
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(widget.data_page.isComplete, timeout=30_000)
    yield widget
    widget.reject()


def _to_recommendation(qtbot, wizard) -> None:
    wizard.next()
    qtbot.waitUntil(wizard.similarity_page.isComplete, timeout=30_000)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.recommendation_page.advanced.layer_group_names() != [], timeout=30_000)
    wizard.recommendation_page.advanced_toggle.setChecked(True)
    QApplication.processEvents()


def test_the_wizard_switches_to_chinese_on_every_page_and_back(qtbot, wizard, switch):
    data, similarity, recommendation = wizard.data_page, wizard.similarity_page, wizard.recommendation_page
    english_data = page_texts(data)
    switch("zh_CN")
    assert wizard.windowTitle() == "新建训练" and CJK.search(data.title()) and CJK.search(data.subTitle())
    assert all(CJK.search(h) for h in _headers(data.classes))
    for label in (data.overview, data.sizes, data.warnings):
        assert CJK.search(label.text()), label.text()
    assert "“狗”只有 3 张图片" in data.warnings.text()
    switch(i18n.ENGLISH)
    assert page_texts(data) == english_data

    _to_recommendation(qtbot, wizard)
    english = [page_texts(similarity), page_texts(recommendation)]
    switch("zh_CN")
    assert CJK.search(similarity.title()) and CJK.search(similarity.status.text())
    assert CJK.search(similarity.verdict.text()) and CJK.search(similarity.again_button.text())
    assert [h for h in _headers(similarity.scores) if not CJK.search(h)] == ["LogME"]
    assert CJK.search(recommendation.title()) and CJK.search(recommendation.headline.text())
    assert CJK.search(recommendation.expected.text()) and recommendation.reason.text() == REASON
    for button in recommendation.choices.buttons():
        assert CJK.search(button.text()) and CJK.search(button.toolTip()), button.text()
    assert recommendation.eta_labels["features"].text().endswith("12 秒")
    assert all(CJK.search(recommendation.goal.itemText(i)) for i in range(recommendation.goal.count()))
    assert CJK.search(recommendation.budget.suffix()) and CJK.search(recommendation.budget.specialValueText())
    advanced = recommendation.advanced
    assert CJK.search(recommendation.advanced_toggle.text()) and CJK.search(advanced.k_note.text())
    assert all(CJK.search(advanced.augment.itemText(i)) for i in range(advanced.augment.count()))
    assert CJK.search(advanced.groups.item(0).text())
    assert wizard.buttonText(QWizard.WizardButton.FinishButton) == "训练"
    switch(i18n.ENGLISH)
    assert [page_texts(similarity), page_texts(recommendation)] == english
    assert wizard.buttonText(QWizard.WizardButton.FinishButton) == "Train"


def test_a_pseudo_locale_walk_of_the_wizard_finds_nothing_untranslated_or_clipped(qtbot, wizard, switch):
    qt_own = {wizard.button(b) for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                         QWizard.WizardButton.CancelButton, QWizard.WizardButton.CommitButton,
                                         QWizard.WizardButton.HelpButton)}  # Qt's catalogue translates them
    switch("pseudo")
    problems = []

    def walk(where: str) -> None:
        QApplication.processEvents()
        QApplication.processEvents()
        page = wizard.currentPage()
        texts = [("title", page.title()), ("subtitle", page.subTitle()), *visible_texts(wizard)]
        for what, text in texts:
            words = [w for w in untranslated_words(text) if w not in GROUPS]  # the network's own names
            if words and not any(text == b.text() for b in qt_own):
                problems.append(f"{where} {what}: {text[:80]!r} ({', '.join(words[:4])})")
        problems.extend(f"{where} clipped {item}" for item in clipped(wizard)
                        if not any(b.text() in item for b in qt_own))

    walk("data")
    _to_recommendation(qtbot, wizard)
    wizard.back()
    walk("similarity")
    wizard.next()
    walk("recommendation")
    wizard.recommendation_page.select_strategy("auto")
    walk("recommendation, auto")
    assert not problems, "\n".join(problems)
