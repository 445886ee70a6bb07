"""Choosing by time to accuracy: each strategy's predicted accuracy range and time, and the pick.

The recommender predicts, per strategy, a central 80% accuracy range with its most likely value
and the training time on this machine (:mod:`engine.recommend.estimates`). :func:`choose` then
takes the cheapest strategy whose expected accuracy is within one point of the best (goal
``fastest-good``), or the most accurate one (``most-accurate``), among those that fit a time
budget. Torch-free, so the wizard can choose again when the user changes the goal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GOALS = ("fastest-good", "most-accurate")
ONE_POINT = 0.01  # "as good": expected accuracy within one point of the best
TIE = 0.002  # most-accurate: closer than this is a tie, and the cheaper wins

TITLES = {
    "features": "a new head on stored features",
    "linear": "a new head on augmented images",
    "partial": "fine-tuning the upper layers",
    "full": "fine-tuning every layer",
    "scratch": "training from scratch",
    "stack": "stacking several networks",
}


@dataclass(frozen=True)
class Forecast:
    """What one strategy is expected to give, and cost.

    Attributes:
        strategy: One of ``engine.config.STRATEGIES``.
        low: Lower end of the central 80% range of the validation accuracy.
        expected: The most likely validation accuracy.
        high: Upper end of the range.
        seconds: Expected training time on this machine.
        measured: True when the accuracy comes from a measurement of this strategy itself
            (``auto``'s short fine-tune), not from the probe and a prior.
    """

    strategy: str
    low: float
    expected: float
    high: float
    seconds: float
    measured: bool = False

    def to_dict(self) -> dict[str, Any]:
        """``expected_acc`` ``[low, high]``, ``expected_seconds`` and the most likely accuracy."""
        return {
            "expected_acc": [round(self.low, 3), round(self.high, 3)],
            "expected_seconds": round(self.seconds, 1),
            "most_likely_acc": round(self.expected, 3),
            "measured": self.measured,
        }

    @classmethod
    def from_dict(cls, strategy: str, data: Mapping[str, Any]) -> Forecast:
        """Read :meth:`to_dict` back."""
        low, high = data["expected_acc"]
        expected = data.get("most_likely_acc", (low + high) / 2)
        return cls(strategy, float(low), float(expected), float(high), float(data["expected_seconds"]),
                   bool(data.get("measured", False)))


def choose(
    forecasts: Mapping[str, Forecast], goal: str = "fastest-good", time_budget: float | None = None
) -> Forecast:
    """The strategy to recommend.

    Args:
        forecasts: Per strategy, what it is expected to give and cost.
        goal: ``fastest-good`` (cheapest within a point of the best) or ``most-accurate``.
        time_budget: Seconds; strategies expected to take longer are left out (if none fits,
            the cheapest is the answer).

    Raises:
        ValueError: For an unknown goal or no forecasts.
    """
    if goal not in GOALS:
        raise ValueError(f"goal must be one of {', '.join(GOALS)} (got {goal!r})")
    if not forecasts:
        raise ValueError("no strategy to choose from")
    pool = [f for f in forecasts.values() if time_budget is None or f.seconds <= time_budget]
    if not pool:
        return min(forecasts.values(), key=lambda f: f.seconds)
    best = max(f.expected for f in pool)
    margin = ONE_POINT if goal == "fastest-good" else TIE
    good = [f for f in pool if f.expected >= best - margin - 1e-9]
    return min(good, key=lambda f: f.seconds)


def cost_sentence(chosen: Forecast, forecasts: Mapping[str, Forecast], time_budget: float | None) -> str:
    """Why not something slower: the most accurate costlier strategy, its time and what it adds."""
    if time_budget is not None and chosen.seconds > time_budget:
        return (
            f"No strategy is expected to finish within {duration(time_budget)}; this one is the "
            f"quickest (~{duration(chosen.seconds)})."
        )
    costlier = [f for f in forecasts.values() if f.seconds > chosen.seconds and f.strategy != "scratch"]
    if not costlier:
        return _cheaper_sentence(chosen, forecasts)
    rival = max(costlier, key=lambda f: (round(f.expected, 3), f.seconds))  # a tie: name the costliest
    gain = (rival.expected - chosen.expected) * 100
    title = TITLES.get(rival.strategy, rival.strategy)
    if time_budget is not None and rival.seconds > time_budget and gain > 0:
        return (
            f"{title.capitalize()} might add about {gain:+.1f} points but would take "
            f"~{duration(rival.seconds)}, over your budget of {duration(time_budget)}."
        )
    if gain <= 0:
        return f"{title.capitalize()} would take ~{duration(rival.seconds)} and is not expected to do better."
    return f"{title.capitalize()} would take ~{duration(rival.seconds)} for about {gain:+.1f} points."


def _cheaper_sentence(chosen: Forecast, forecasts: Mapping[str, Forecast]) -> str:
    """What the quickest strategy would lose, or that this one is the quickest."""
    quickest = min(forecasts.values(), key=lambda f: f.seconds)
    if quickest.seconds >= chosen.seconds:
        return f"It is also the quickest choice (~{duration(chosen.seconds)})."
    loss = (chosen.expected - quickest.expected) * 100
    return (
        f"{TITLES.get(quickest.strategy, quickest.strategy).capitalize()} would take only "
        f"~{duration(quickest.seconds)} but is expected to reach about {loss:.1f} points less."
    )


def duration(seconds: float) -> str:
    """``"40 s"``, ``"20 min"``, ``"1.5 h"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
