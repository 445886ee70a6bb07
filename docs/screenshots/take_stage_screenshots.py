"""Regenerate wizard.png, training.png, evaluation.png and predict.png (real engine, real data).

    xvfb-run -a -s "-screen 0 1440x900x24" \
        .venv/bin/python docs/screenshots/take_stage_screenshots.py [DATASET]

Imports the dataset (default: hymenoptera) into a project in a temporary folder, then drives the
real app: the strategy wizard measures the data and recommends; a ``features`` run trains; it is
exported to ONNX (parity checked) and opened on the Predict page with a few validation images
dropped; the Evaluate page shows its confusion matrix with a cell clicked; finally a short
``linear`` run is shot while in progress. Extra shots go to the temporary folder (printed).
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
    """Save ``widget`` as ``folder/name``."""
    widget.grab().save(str(folder / name))
    print("saved", folder / name, flush=True)


def main() -> None:
    """Take the screenshots."""
    from _setup import isolated_app

    app, work = isolated_app("stage_screens_")
    from engine.config import TrainConfig
    from engine.project.importing import import_dataset_folder
    from gui.theme import ThemeManager
    from gui.window.main_window import MainWindow
    from gui.window.stages import install_stage_pages

    project = import_dataset_folder(DATASET, work / "project")
    window = MainWindow(theme=ThemeManager(app, "light"))
    pages = install_stage_pages(window)
    window.resize(1440, 900)
    window.show()
    window.state.open_project(project.folder)
    window.show_stage("train")
    settle(app, 0.5)
    train = pages.train
    thumbs = window.state.thumbnails

    def thumbnails_done() -> bool:
        return not thumbs._pending and not thumbs._in_flight

    # 1. The wizard, measured for real.
    train.new_run()
    wizard = train.wizard
    settle(app, 0.2, wizard.data_page.isComplete)
    shoot(wizard, "wizard_step1.png", work)
    wizard.next()
    settle(app, 0.2, wizard.similarity_page.isComplete)
    shoot(wizard, "wizard_step2.png", work)
    wizard.next()
    page3 = wizard.recommendation_page
    page3.select_strategy("features")
    page3.advanced_toggle.setChecked(True)
    settle(app, 1.0, lambda: bool(page3.advanced.layer_group_names()))
    page3.select_strategy(wizard.similarity_page.result.strategy)
    settle(app, 0.5)
    shoot(wizard, "wizard.png")
    page3.select_strategy("features")
    wizard.accept()

    # 2. The features run, then its export and the Predict page.
    settle(app, 1.0, lambda: not train.controller.is_running())
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

    # 3. The Evaluate page, a wrong cell clicked, then the misclassified gallery.
    pages.wiring.show_evaluation(run_dir)
    evaluate = pages.evaluate
    evaluate.matrix.select(1, 0)
    settle(app, 2.0, thumbnails_done)
    shoot(window, "evaluation.png")
    evaluate.tabs.setCurrentIndex(2)
    evaluate.wrong_gallery.item(0).setSelected(True)
    settle(app, 1.5, thumbnails_done)
    shoot(window, "evaluation_misclassified.png", work)

    # 4. A short image-based run, shot in progress.
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
    pages.wiring.shutdown()
    window.close()
    print(work)


if __name__ == "__main__":
    main()
