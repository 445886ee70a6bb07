"""Installs the Train, Evaluate and Predict pages into the main window and wires them together.

The main window calls ``install_stage_pages(self)`` once, after its own set-up. Closing the
window while a run (or an export) is in progress asks first, then cancels and waits, through an
event filter, so the window's own ``closeEvent`` needs no training code.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from PySide6.QtCore import QEvent, QObject, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from gui.evaluate.evaluation_page import EvaluationPage
from gui.i18n import translate
from gui.predict.predict_page import PredictPage
from gui.train.train_page import TrainPage
from gui.workers.recommend_worker import RecommendFunction
from gui.workers.training_worker import FitFunction


class StageWiring(QObject):
    """Connects the pages (bound slots only) and guards the window's close."""

    def __init__(self, window: Any, train: TrainPage, evaluate: EvaluationPage, predict: PredictPage) -> None:
        super().__init__(window)
        self._window, self.train, self.evaluate, self.predict = window, train, evaluate, predict
        train.evaluate_requested.connect(self.show_evaluation)
        train.exported.connect(predict.load_model)
        window.installEventFilter(self)

    @Slot(str)
    def show_evaluation(self, run_dir: str) -> None:
        """Open ``run_dir`` on the Evaluate page and switch to it."""
        self.evaluate.load_run(run_dir)
        self._window.show_stage("evaluate")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """On the window's close: confirm a running training, cancel it and wait; else let it close."""
        if watched is self._window and event.type() == QEvent.Type.Close:
            if self.train.is_busy() and not self._confirm_stop():
                event.ignore()
                return True
            self.shutdown()
        return False

    def _confirm_stop(self) -> bool:
        answer = QMessageBox.question(
            self._window,
            translate("StageWiring", "Stop training?"),
            translate("StageWiring", "A training run is in progress. Stop it and quit? The best weights so "
                      "far are kept, and the run can be resumed later."),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def shutdown(self) -> None:
        """Cancel and wait for every background task of the pages."""
        self.train.shutdown()
        self.predict.shutdown()


class StagePages(NamedTuple):
    """The installed pages and their wiring."""

    train: TrainPage
    evaluate: EvaluationPage
    predict: PredictPage
    wiring: StageWiring


def install_stage_pages(
    window: QWidget, fit_fn: FitFunction | None = None, recommend_fn: RecommendFunction | None = None
) -> StagePages:
    """Build the Train, Evaluate and Predict pages and put them in ``window`` (a ``MainWindow``).

    Args:
        window: Has ``state`` (``AppState``), ``set_stage_page(key, widget)`` and ``show_stage(key)``.
        fit_fn: Stand-in for ``engine.training.loop.fit`` (tests); None trains for real.
        recommend_fn: Stand-in for ``engine.recommend.recommender.recommend`` (tests).

    Returns:
        The pages, also kept alive as children of the window.
    """
    state = window.state
    thumbnails = getattr(state, "thumbnails", None)
    train = TrainPage(state, window, fit_fn=fit_fn, recommend_fn=recommend_fn)
    evaluate = EvaluationPage(state, thumbnails, window)
    predict = PredictPage(thumbnails, window)
    window.set_stage_page("train", train)
    window.set_stage_page("evaluate", evaluate)
    window.set_stage_page("predict", predict)
    wiring = StageWiring(window, train, evaluate, predict)
    window.stage_pages = StagePages(train, evaluate, predict, wiring)
    return window.stage_pages
