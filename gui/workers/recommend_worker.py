"""Step 2 of the wizard off the GUI thread: ``engine.recommend.recommender.recommend`` as a cancellable task.

:class:`RecommendationView` is the GUI's reading of the engine's ``Recommendation``, so the pages
depend on plain values only. Torch is imported inside the task.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.config import DEFAULT_BACKBONE
from engine.control import RunControl
from engine.data.scan import DatasetIndex
from engine.data.thresholds import size_rule
from engine.progress import Progress
from gui.i18n import translate
from gui.train.wizard.grid import parse_cell
from gui.workers.task_runner import TaskFunction

if TYPE_CHECKING:
    from engine.recommend.recommender import Recommendation

RecommendFunction = Callable[..., Any]


@dataclass
class RecommendationView:
    """What step 3 shows; built from the engine's recommendation."""

    strategy: str
    backbones: tuple[str, ...]
    k: int | None = None
    reason: str = ""
    expected_acc: tuple[float, float] | None = None
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    cell: tuple[str, str] | None = None
    eta_seconds: dict[str, float] = field(default_factory=dict)
    measured: bool = True
    strategies: dict[str, dict[str, Any]] = field(default_factory=dict)  # per strategy: range, seconds
    grid_strategy: str = ""

    @classmethod
    def from_engine(cls, rec: Recommendation) -> RecommendationView:
        """Read an ``engine.recommend.recommender.Recommendation``."""
        return cls(
            strategy=rec.strategy,
            backbones=tuple(rec.backbones),
            k=rec.k,
            reason=rec.reason,
            expected_acc=(float(rec.expected_acc[0]), float(rec.expected_acc[1])),
            scores={name: dict(values) for name, values in rec.scores.items()},
            cell=parse_cell(rec.cell),
            eta_seconds={name: float(value) for name, value in rec.eta_seconds.items()},
            strategies={name: dict(values) for name, values in getattr(rec, "strategies", {}).items()},
            grid_strategy=getattr(rec, "grid_strategy", ""),
        )

    @classmethod
    def fallback(cls, train_images: int, classes: int) -> RecommendationView:
        """Without measurements (cancelled or failed): the engine's size rule, on the bundled backbone."""
        choice = size_rule(train_images, classes)
        reason = translate("RecommendWorker", "Similarity was not measured. {reason}")
        reason = reason.format(reason=choice.reason)
        return cls(
            strategy=choice.strategy,
            backbones=(DEFAULT_BACKBONE,),
            reason=reason,
            cell=(choice.band, "similar"),
            measured=False,
        )


def recommend_task(
    index: DatasetIndex,
    backbones: Sequence[str] | None = None,
    sample_per_class: int = 60,
    recommend_fn: RecommendFunction | None = None,
) -> TaskFunction:
    """A task for :class:`gui.workers.task_runner.TaskRunner` that returns a :class:`RecommendationView`."""

    def run(progress: Progress, control: RunControl) -> RecommendationView:
        fn = recommend_fn
        if fn is None:
            from engine.recommend.recommender import recommend

            fn = recommend
        rec = fn(
            index,
            backbones=list(backbones) if backbones else None,
            sample_per_class=sample_per_class,
            progress=progress,
            control=control,
        )
        control.raise_if_cancelled()
        return RecommendationView.from_engine(rec)

    return run


def layer_groups_task(backbone: str) -> TaskFunction:
    """A task returning the backbone's layer-group names, input side first (builds it without weights)."""

    def run(progress: Progress, control: RunControl) -> tuple[str, list[str]]:
        message = translate("RecommendWorker", "Reading the layers of {backbone}").format(backbone=backbone)
        progress(0, 1, message)
        from engine.models.registry import build_backbone, layer_groups

        control.raise_if_cancelled()
        model = build_backbone(backbone, pretrained=False)
        names = [name for name, _module in layer_groups(backbone, model)]
        progress(1, 1, "")
        return backbone, names

    return run
