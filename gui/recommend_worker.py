"""Step 2 of the wizard off the GUI thread: ``engine.recommend.recommend`` as a cancellable task.

:class:`RecommendationView` is the GUI's reading of the engine's ``Recommendation`` (through its
``to_dict()``), so the pages depend on plain values only. Torch is imported inside the task.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.config import DEFAULT_BACKBONE
from engine.control import RunControl
from engine.data.scan import DatasetIndex
from gui.task_runner import ProgressFn, TaskFunction
from gui.wizard.grid import parse_cell

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

    @classmethod
    def from_engine(cls, rec: Any) -> RecommendationView:
        """Read an ``engine.recommend.Recommendation`` (or its ``to_dict()``)."""
        data: Mapping[str, Any] = rec if isinstance(rec, Mapping) else _as_dict(rec)
        backbones = data.get("backbones") or data.get("backbone") or (DEFAULT_BACKBONE,)
        if isinstance(backbones, str):
            backbones = (backbones,)
        acc = data.get("expected_acc")
        cell = data.get("cell", data.get("grid_cell", data.get("grid")))
        k = data.get("k", data.get("freeze_k"))
        return cls(
            strategy=str(data.get("strategy", "features")),
            backbones=tuple(str(b) for b in backbones),
            k=int(k) if isinstance(k, int | float) else None,
            reason=str(data.get("reason", "")),
            expected_acc=(float(acc[0]), float(acc[1]))
            if isinstance(acc, Sequence) and len(acc) == 2
            else None,
            scores={str(b): dict(v) for b, v in dict(data.get("scores") or {}).items()},
            cell=parse_cell(cell),
            eta_seconds={
                str(s): float(v)
                for s, v in dict(data.get("eta_seconds") or {}).items()
                if isinstance(v, int | float)
            },
        )

    @classmethod
    def fallback(cls, total_images: int, classes: int) -> RecommendationView:
        """Without measurements (cancelled or failed): the size rule only, on the bundled backbone."""
        per_class = total_images / max(classes, 1)
        strategy = "features" if per_class < 500 else "partial"
        return cls(
            strategy=strategy,
            backbones=(DEFAULT_BACKBONE,),
            reason=(
                f"Similarity was not measured. With about {per_class:,.0f} images per class, "
                + (
                    "a new head on frozen pretrained features is fast and hard to beat."
                    if strategy == "features"
                    else "fine-tuning the upper layers usually pays off."
                )
            ),
            cell=("small" if per_class < 500 else "large", "similar"),
            measured=False,
        )


def _as_dict(rec: Any) -> dict[str, Any]:
    to_dict = getattr(rec, "to_dict", None)
    if callable(to_dict):
        return dict(to_dict())
    return {k: v for k, v in vars(rec).items() if not k.startswith("_")}


def _adapt_progress(progress: ProgressFn) -> Callable[..., None]:
    """The engine may report ``(done, total)``, ``(done, total, text)`` or ``(text, done, total)``."""

    def report(*args: Any) -> None:
        numbers = [int(a) for a in args if isinstance(a, int | float) and not isinstance(a, bool)]
        texts = [str(a) for a in args if isinstance(a, str)]
        if len(numbers) >= 2:
            progress(numbers[0], numbers[1], texts[0] if texts else "Measuring")

    return report


def recommend_task(
    index: DatasetIndex,
    backbones: Sequence[str] | None = None,
    sample_per_class: int = 60,
    recommend_fn: RecommendFunction | None = None,
) -> TaskFunction:
    """A task for :class:`gui.task_runner.TaskRunner` that returns a :class:`RecommendationView`."""

    def run(progress: ProgressFn, control: RunControl) -> RecommendationView:
        fn = recommend_fn
        if fn is None:
            from engine.recommend import recommend

            fn = recommend
        rec = fn(
            index,
            backbones=list(backbones) if backbones else None,
            sample_per_class=sample_per_class,
            progress=_adapt_progress(progress),
            control=control,
        )
        control.raise_if_cancelled()
        return RecommendationView.from_engine(rec)

    return run


def layer_groups_task(backbone: str) -> TaskFunction:
    """A task returning the backbone's layer-group names, input side first (builds it without weights)."""

    def run(progress: ProgressFn, control: RunControl) -> tuple[str, list[str]]:
        progress(0, 1, f"Reading the layers of {backbone}")
        from engine.models.registry import build_backbone, layer_groups

        control.raise_if_cancelled()
        model = build_backbone(backbone, pretrained=False)
        names = [name for name, _module in layer_groups(backbone, model)]
        progress(1, 1, "")
        return backbone, names

    return run
