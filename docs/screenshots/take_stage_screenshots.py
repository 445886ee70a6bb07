"""Regenerate wizard.png, training.png, training_auto*.png, evaluation.png and predict.png (real engine).

    xvfb-run -a -s "-screen 0 1440x900x24" \
        .venv/bin/python docs/screenshots/take_stage_screenshots.py [DATASET] [--only=wizard,stages,auto] \
        [--language=zh_CN]

Imports the dataset (default: hymenoptera) into a project in a temporary folder, then drives the
real app: the strategy wizard measures the data and recommends (the shot shows the Auto choice and
every strategy's expected accuracy and time); a ``features`` run trains; it is exported to ONNX
(parity checked) and opened on the Predict page with a few validation images dropped; the Evaluate
page shows its confusion matrix with a cell clicked; a short ``linear`` run is shot while in
progress; finally the wizard's Auto choice runs, shot while it measures and once it has trained.
``--only`` picks sections (``data`` shoots the Data page; ``stages`` includes ``wizard``, whose run
it uses). ``--language`` shows the app in another language and adds its code to every file name
(``wizard_zh_CN.png``). Extra shots go to the temporary folder (printed).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
OUT = Path(__file__).resolve().parent
DATASET = Path(next((a for a in sys.argv[1:] if not a.startswith("-")), "/work/shared/datasets/hymenoptera"))
ONLY = next((a.split("=", 1)[1].split(",") for a in sys.argv[1:] if a.startswith("--only=")),
            ["wizard", "stages", "auto"])
LANGUAGE = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--language=")), "en")


def settle(
    app: Any, seconds: float = 0.0, until: Callable[[], bool] | None = None, timeout: float = 900.0
) -> None:
    """Process events for ``seconds``, then until ``until()`` is true (or ``timeout``)."""
    end, limit = time.monotonic() + seconds, time.monotonic() + timeout
    while time.monotonic() < end or (until is not None and not until()):
        app.processEvents()
        time.sleep(0.01)
        if time.monotonic() > limit:
            raise TimeoutError("the app did not get there in time")


def shoot(widget: Any, name: str, folder: Path = OUT) -> None:
    """Save ``widget`` as ``folder/name`` (``name_<language>.png`` in another language)."""
    if LANGUAGE != "en":
        name = name.replace(".png", f"_{LANGUAGE}.png")
    widget.grab().save(str(folder / name))
    print("saved", folder / name, flush=True)


def open_recommendation(app: Any, train: Any, work: Path) -> Any:
    """Open the wizard on the project and go to its recommendation (measured for real); return the wizard."""
    train.new_run()
    wizard = train.wizard
    settle(app, 0.2, wizard.data_page.isComplete)
    shoot(wizard, "wizard_step1.png", work)
    wizard.next()
    settle(app, 0.2, wizard.similarity_page.isComplete)
    shoot(wizard, "wizard_step2.png", work)
    wizard.next()
    return wizard


def shoot_wizard(app: Any, train: Any, work: Path) -> None:
    """wizard.png: the recommendation, Auto above every strategy's forecast; then a features run."""
    wizard = open_recommendation(app, train, work)
    page3 = wizard.recommendation_page
    settle(app, 1.0, lambda: bool(page3.advanced.layer_group_names()))
    page3.select_strategy(wizard.similarity_page.result.strategy)
    settle(app, 0.5)
    shoot(wizard, "wizard.png")
    page3.advanced_toggle.setChecked(True)
    settle(app, 0.5)
    shoot(wizard, "wizard_advanced.png", work)
    page3.select_strategy("features")
    wizard.accept()
    settle(app, 1.0, lambda: not train.controller.is_running())


def shoot_auto(app: Any, window: Any, train: Any, work: Path) -> None:
    """training_auto_measuring.png while Auto measures, training_auto.png once it has trained its choice."""
    window.show_stage("train")
    wizard = open_recommendation(app, train, work)
    wizard.recommendation_page.select_strategy("auto")
    settle(app, 0.3)
    shoot(wizard, "wizard_auto.png", work)
    wizard.accept()
    panel = train.panel

    def measuring_well_on() -> bool:
        if panel.progress.train_started is not None:
            return True
        panel.refresh_stats()  # the bar and the headline from the same moment
        bar = panel.bar
        return len(panel.auto_view.step_names()) >= 3 and bar.maximum() > 0 and 150 < bar.value() < 900

    settle(app, 0.5, measuring_well_on)
    shoot(window, "training_auto_measuring.png")
    settle(app, 0.5, lambda: not train.controller.is_running())
    settle(app, 1.0)
    shoot(window, "training_auto.png")


def shoot_stages(app: Any, window: Any, pages: Any, project: Any, work: Path) -> None:
    """predict.png, evaluation.png and training.png, from the run the wizard started."""
    from engine.config import TrainConfig

    train = pages.train
    thumbs = window.state.thumbnails

    def thumbnails_done() -> bool:
        return not thumbs._pending and not thumbs._in_flight

    # 1. The features run's export, then the Predict page.
    run_dir = train.runs.selected_runs()[0]
    train.export_run(run_dir, str(work / "model.onnx"))
    settle(app, 0.5, lambda: not train.export_runner.is_running())
    if getattr(train, "last_export_box", None) is not None:
        shoot(train.last_export_box, "export_report.png", work)
        train.last_export_box.close()
    predict = pages.predict
    settle(app, 0.5, lambda: predict.model is not None and not predict.runner.is_running())
    val = sorted((DATASET / "val").rglob("*.jpg"))
    window.show_stage("predict")
    predict.predict([str(p) for p in (val[3], val[80], val[120], val[150])])
    settle(app, 1.5, lambda: not predict.runner.is_running() and thumbnails_done())
    shoot(window, "predict.png")
    predict.predict([str(DATASET / "val")])
    settle(app, 1.5, lambda: not predict.runner.is_running())
    settle(app, 1.5, lambda: thumbnails_done() and predict._waiter.missing() == 0)
    shoot(window, "predict_table.png", work)

    # 2. The Evaluate page, a wrong cell clicked, then the misclassified gallery.
    pages.wiring.show_evaluation(run_dir)
    evaluate = pages.evaluate
    evaluate.matrix.select(1, 0)
    settle(app, 2.0, thumbnails_done)
    shoot(window, "evaluation.png")
    evaluate.tabs.setCurrentIndex(2)
    evaluate.wrong_gallery.item(0).setSelected(True)
    settle(app, 1.5, thumbnails_done)
    shoot(window, "evaluation_misclassified.png", work)

    # 3. A short image-based run, shot in progress.
    window.show_stage("train")
    config = TrainConfig(
        data_dir=str(project.folder), strategy="linear", backbones=("efficientnet_lite0",), epochs=4
    )
    train.start_training(config)
    panel = train.panel
    settle(app, 1.0, lambda: panel.progress.epochs_done >= 2 and panel.plots.point_count("batch_loss") > 4)
    settle(app, 1.5)
    shoot(window, "training.png")
    train.controller.cancel()
    settle(app, 0.5, lambda: not train.controller.is_running())


def main() -> None:
    """Take the screenshots."""
    from _setup import isolated_app

    app, work = isolated_app("stage_screens_")
    from engine.project.importing import import_dataset_folder
    from gui.i18n import install_language
    from gui.theme import ThemeManager
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    if not install_language(LANGUAGE, remember=False):
        raise SystemExit(f"no translation for {LANGUAGE}; run `python tasks.py translations`")
    project = import_dataset_folder(DATASET, work / "project")
    window = MainWindow(theme=ThemeManager(app, "light"))
    pages = install_stage_pages(window)
    window.resize(1440, 900)
    window.show()
    window.state.open_project(project.folder)
    if "data" in ONLY:
        thumbs = window.state.thumbnails
        window.data_page.browser.select_rows(3, 5)
        settle(app, 1.5, lambda: not thumbs._pending and not thumbs._in_flight)
        shoot(window, "data_page.png")
    window.show_stage("train")
    settle(app, 0.5)
    if "wizard" in ONLY or "stages" in ONLY:
        shoot_wizard(app, pages.train, work)
        if LANGUAGE != "en":  # the finished features run: plots, figures and log in that language
            settle(app, 1.0)
            shoot(window, "training.png")
    if "stages" in ONLY:
        shoot_stages(app, window, pages, project, work)
    if "auto" in ONLY:
        shoot_auto(app, window, pages.train, work)
    pages.wiring.shutdown()
    window.close()
    print(work)


if __name__ == "__main__":
    main()
