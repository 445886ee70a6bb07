"""The offline demo: a generated dataset, trained, exported and used, start to finish.

The dataset is drawn procedurally and deterministically (no network, no files shipped): three
classes, ``circles``, ``squares`` and ``stripes``, with random colours, positions, sizes, counts,
rotations, outlines and noise, at a few image sizes. A pretrained network separates them well,
but not trivially (colour is no cue; a rotated square and a circle differ only in their edges).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from engine.callbacks import Callback

CLASSES = ("circles", "squares", "stripes")
SIZES = ((128, 128), (160, 120), (120, 160))  # (width, height): predict batches by size
Log = Callable[[str], None]


def _colour(rng: np.random.Generator, avoid: tuple[int, ...] | None = None) -> tuple[int, int, int]:
    """A random colour, far enough from ``avoid`` to stay visible."""
    while True:
        colour = tuple(int(v) for v in rng.integers(0, 256, 3))
        if avoid is None or sum(abs(a - b) for a, b in zip(colour, avoid, strict=True)) > 180:
            return colour  # type: ignore[return-value]


def _polygon(cx: float, cy: float, radius: float, angle: float, sides: int) -> list[tuple[float, float]]:
    return [
        (
            cx + radius * math.cos(angle + 2 * math.pi * k / sides),
            cy + radius * math.sin(angle + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def _shapes(
    draw: ImageDraw.ImageDraw,
    rng: np.random.Generator,
    kind: str,
    size: tuple[int, int],
    background: tuple[int, ...],
) -> None:
    """Draw 1-3 circles or squares (filled or outlined, squares rotated)."""
    width, height = size
    for _ in range(int(rng.integers(1, 4))):
        radius = float(rng.uniform(0.12, 0.3) * min(width, height))
        cx, cy = rng.uniform(radius, width - radius), rng.uniform(radius, height - radius)
        colour = _colour(rng, background)
        outline = int(rng.integers(2, 6)) if rng.random() < 0.35 else 0
        if kind == "circles":
            box = (cx - radius, cy - radius, cx + radius, cy + radius)
            draw.ellipse(box, fill=None if outline else colour, outline=colour, width=max(outline, 1))
        else:
            points = _polygon(cx, cy, radius * 1.15, float(rng.uniform(0, math.pi / 2)), 4)
            if outline:
                draw.line([*points, points[0]], fill=colour, width=outline)
            else:
                draw.polygon(points, fill=colour)


def _stripes(
    draw: ImageDraw.ImageDraw, rng: np.random.Generator, size: tuple[int, int], background: tuple[int, ...]
) -> None:
    """Parallel bands at a random angle and period, over the whole image or a patch."""
    width, height = size
    colour = _colour(rng, background)
    period = float(rng.uniform(10, 28))
    band = max(2, int(period * rng.uniform(0.3, 0.6)))
    angle = float(rng.uniform(0, math.pi))
    dx, dy = math.cos(angle), math.sin(angle)
    reach = width + height
    cx, cy = width / 2, height / 2
    offset = -reach
    while offset < reach:
        px, py = cx + dx * offset, cy + dy * offset
        draw.line(
            [(px - dy * reach, py + dx * reach), (px + dy * reach, py - dx * reach)], fill=colour, width=band
        )
        offset += period


def draw_image(kind: str, rng: np.random.Generator, size: tuple[int, int]) -> Image.Image:
    """One demo image of class ``kind``."""
    background = _colour(rng)
    image = Image.new("RGB", size, background)
    draw = ImageDraw.Draw(image)
    if kind == "stripes":
        _stripes(draw, rng, size, background)
    else:
        _shapes(draw, rng, kind, size, background)
    pixels = np.asarray(image, dtype=np.int16) + rng.integers(-18, 19, (size[1], size[0], 3))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def make_demo_dataset(root: str | Path, per_class: int = 40, seed: int = 0) -> Path:
    """Write ``root/<class>/<class>_<i>.png``; the same arguments always give the same pixels."""
    root = Path(root)
    for c, kind in enumerate(CLASSES):
        folder = root / kind
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            rng = np.random.default_rng([seed, c, i])
            image = draw_image(kind, rng, SIZES[i % len(SIZES)])
            image.save(folder / f"{kind}_{i:03d}.png")
    return root


@dataclass
class DemoResult:
    """What the demo did, for the summary."""

    workdir: str
    run_dir: str
    onnx_path: str
    strategy: str
    train_images: int
    val_images: int
    best_val_acc: float
    top1_agreement: float
    max_abs_diff: float
    parity_passed: bool
    new_images: int
    new_accuracy: float
    predictions: list[dict[str, Any]] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return dataclasses.asdict(self)

    def summary(self) -> str:
        """A few lines for people."""
        total = sum(self.seconds.values())
        return "\n".join(
            [
                f"demo dataset: {', '.join(CLASSES)} "
                f"({self.train_images} train / {self.val_images} validation images)",
                f"trained '{self.strategy}': best validation accuracy {self.best_val_acc:.1%}",
                f"exported {self.onnx_path}: parity top-1 {self.top1_agreement:.1%}, max |Δp| "
                f"{self.max_abs_diff:.1e} ({'passed' if self.parity_passed else 'FAILED'})",
                f"predicted {self.new_images} new images with ONNX Runtime: {self.new_accuracy:.0%} correct",
                "time: "
                + ", ".join(f"{k} {v:.1f}s" for k, v in self.seconds.items())
                + f" (total {total:.1f}s)",
            ]
        )


def run_demo(
    workdir: str | Path,
    per_class: int = 40,
    new_per_class: int = 3,
    callbacks: Sequence[Callback] = (),
    log: Log | None = None,
    threads: int | None = None,
) -> DemoResult:
    """Generate, train (recommended strategy), export with parity, predict new images.

    Args:
        workdir: An empty or new folder; everything is written below it.
        per_class: Training + validation images per class.
        new_per_class: Unseen images per class to predict at the end.
        callbacks: Training event listeners (progress bars).
        log: Called with a line at each step.
        threads: CPU threads for training and prediction (all by default).
    """
    from engine.config import TrainConfig
    from engine.export.onnx_export import export_run
    from engine.inference.predictor import OnnxPredictor
    from engine.runs.files import read_info
    from engine.runs.launch import start_run

    say = log or (lambda _line: None)
    workdir, seconds = Path(workdir), {}
    clock = time.perf_counter()
    say(f"generating the demo dataset in {workdir}")
    data = make_demo_dataset(workdir / "data", per_class, seed=0)
    new = make_demo_dataset(workdir / "new", new_per_class, seed=1)
    seconds["generate"], clock = time.perf_counter() - clock, time.perf_counter()
    say("training with the recommended strategy")
    config = TrainConfig(data_dir=str(data), strategy="auto", out_dir=str(workdir / "run"), threads=threads)
    run = start_run(config, callbacks=callbacks)
    seconds["train"], clock = time.perf_counter() - clock, time.perf_counter()
    say("exporting to ONNX and checking parity")
    export = export_run(run.run_dir, workdir / "model.onnx", threads=threads)
    seconds["export"], clock = time.perf_counter() - clock, time.perf_counter()
    say("predicting new images with ONNX Runtime")
    predictor = OnnxPredictor(export.onnx_path, threads=threads)
    predictions = [r.to_dict() for r in predictor.predict_paths([new], top_k=1)]
    for row in predictions:
        row["truth"] = Path(row["path"]).parent.name
    seconds["predict"] = time.perf_counter() - clock
    correct = sum(row.get("label") == row["truth"] for row in predictions)
    info = read_info(run.run_dir)
    return DemoResult(
        workdir=str(workdir),
        run_dir=run.run_dir,
        onnx_path=export.onnx_path,
        strategy=run.strategy,
        train_images=info.train_images,
        val_images=info.val_images,
        best_val_acc=run.best_val_acc,
        top1_agreement=export.parity.top1_agreement,
        max_abs_diff=export.parity.max_abs_diff,
        parity_passed=export.passed,
        new_images=len(predictions),
        new_accuracy=correct / max(1, len(predictions)),
        predictions=predictions,
        seconds={k: round(v, 2) for k, v in seconds.items()},
    )
