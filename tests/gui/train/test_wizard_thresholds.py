"""The wizard uses the engine's size rule and data-warning thresholds (engine.data.thresholds)."""

from __future__ import annotations

from engine.data.thresholds import FEW_IMAGES_PER_CLASS, FEW_VAL_IMAGES, LARGE_PER_CLASS, size_rule
from gui.train.wizard.data_summary import DataSummary, warnings_for
from gui.workers.recommend_worker import RecommendationView


def test_fallback_is_the_engine_size_rule() -> None:
    for per_class in (5, LARGE_PER_CLASS - 1, LARGE_PER_CLASS, 4 * LARGE_PER_CLASS):
        view = RecommendationView.fallback(per_class * 3, 3)
        choice = size_rule(per_class * 3, 3)
        assert view.strategy == choice.strategy and view.cell == (choice.band, "similar")
        assert choice.reason in view.reason and not view.measured


def test_wizard_warns_below_the_shared_threshold_only() -> None:
    enough = FEW_IMAGES_PER_CLASS - FEW_VAL_IMAGES
    summary = DataSummary(
        ["few", "enough"],
        {"few": FEW_IMAGES_PER_CLASS - 1 - FEW_VAL_IMAGES, "enough": enough},
        {"few": FEW_VAL_IMAGES, "enough": FEW_VAL_IMAGES},
    )
    text = "\n".join(warnings_for(summary))
    assert f"“few” has only {FEW_IMAGES_PER_CLASS - 1} images" in text
    assert "“enough”" not in text
