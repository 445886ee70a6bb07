"""StrategyWizard: the data, the measured similarity, the recommendation; emits a frozen TrainConfig."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget, QWizard

from engine.config import TrainConfig
from engine.data.scan import DatasetIndex
from gui.i18n import retranslate_on_change, translate
from gui.train.wizard.pages import DataStepPage, SimilarityStepPage, SummarizeFunction
from gui.train.wizard.recommendation_page import RecommendationStepPage
from gui.workers.recommend_worker import RecommendFunction

DATA_PAGE, SIMILARITY_PAGE, RECOMMENDATION_PAGE = 0, 1, 2


class StrategyWizard(QWizard):
    """Three steps from a labelled dataset to a validated, frozen :class:`TrainConfig`.

    Args:
        index: The project's labelled, readable images (``Project.to_dataset_index()``).
        data_dir: Stored as ``TrainConfig.data_dir`` (the project or dataset folder).
        recommend_fn: ``engine.recommend.recommender.recommend`` or a stand-in with its signature (tests).
        summarize_fn: ``gui.train.wizard.data_summary.summarize`` or a stand-in (tests).
        backbones: Pretrained networks to measure; None lets the engine pick the available ones.
    """

    config_ready = Signal(object)  # TrainConfig, when the user clicks "Train"

    def __init__(
        self,
        index: DatasetIndex,
        data_dir: str,
        parent: QWidget | None = None,
        recommend_fn: RecommendFunction | None = None,
        summarize_fn: SummarizeFunction | None = None,
        backbones: list[str] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.data_page = DataStepPage(index, summarize_fn, self)
        self.similarity_page = SimilarityStepPage(index, recommend_fn, backbones, self)
        self.recommendation_page = RecommendationStepPage(data_dir, self)
        self.setPage(DATA_PAGE, self.data_page)
        self.setPage(SIMILARITY_PAGE, self.similarity_page)
        self.setPage(RECOMMENDATION_PAGE, self.recommendation_page)
        self.currentIdChanged.connect(self._on_page)
        self._config: TrainConfig | None = None
        self.resize(1080, 800)
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """The window title and the Train button in the interface language (Qt names the other buttons)."""
        self.setWindowTitle(translate("StrategyWizard", "New training run"))
        self.setButtonText(QWizard.WizardButton.FinishButton, translate("StrategyWizard", "Train"))

    def config(self) -> TrainConfig | None:
        """The configuration the user accepted (None before "Train")."""
        return self._config

    def _on_page(self, page_id: int) -> None:
        result = self.similarity_page.result
        if (
            page_id == RECOMMENDATION_PAGE
            and result is not None
            and result is not self.recommendation_page.view
        ):
            self.recommendation_page.show_recommendation(result)

    def accept(self) -> None:
        """Freeze the configuration, emit it, and close."""
        config = self.recommendation_page.config()
        if config.validate():
            return
        self._config = config
        self.recommendation_page.save_settings()
        self.shutdown()
        self.config_ready.emit(config)
        super().accept()

    def done(self, result: int) -> None:
        """Stop background work whichever way the wizard closes."""
        self.shutdown()
        super().done(result)

    def shutdown(self) -> None:
        """Cancel and wait for the pages' background tasks."""
        self.data_page.shutdown()
        self.similarity_page.shutdown()
        self.recommendation_page.advanced.shutdown()
