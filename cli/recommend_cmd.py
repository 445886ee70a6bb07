"""``recommend``: measure how well pretrained backbones fit a folder and say which strategy to use."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cli.output import ProgressPrinter, ctrl_c_cancels, error, print_json
from engine.control import RunCancelled, RunControl
from engine.errors import TransferStudioError
from engine.recommend.forecast import duration


def add_recommend_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``recommend``."""
    p = sub.add_parser(
        "recommend", help="measure how well pretrained backbones fit a folder and recommend a strategy"
    )
    p.add_argument("data", help="DATA/<class>/* or DATA/train|val/<class>/*")
    p.add_argument(
        "--backbone",
        dest="backbones",
        action="append",
        metavar="NAME",
        help="backbone to consider (repeatable); default efficientnet_lite0 and others available offline",
    )
    p.add_argument(
        "--sample-per-class", type=int, default=60, help="images per class to measure (default 60)"
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    add_goal_arguments(p)
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_recommend)


def add_goal_arguments(p: argparse.ArgumentParser) -> None:
    """``--goal`` and ``--time-budget`` (shared by ``recommend`` and ``train``)."""
    p.add_argument(
        "--goal",
        choices=("fastest-good", "most-accurate"),
        default="fastest-good",
        help="fastest-good (default): the quickest strategy expected within one point of the best; "
        "most-accurate: the best expected accuracy, whatever it takes",
    )
    p.add_argument(
        "--time-budget",
        type=positive_seconds,
        metavar="SECONDS",
        help="leave out strategies expected to train for longer than this",
    )


def positive_seconds(text: str) -> float:
    """A time budget in seconds, more than 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"time budget must be a number of seconds (got {text!r})") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"time budget must be more than 0 seconds (got {text})")
    return value


def run_recommend(args: argparse.Namespace) -> int:
    """Scan, measure, recommend; Ctrl-C cancels."""
    from engine.data.scan import scan_dataset
    from engine.recommend.recommender import recommend

    control = RunControl()
    printer = ProgressPrinter()
    try:
        with ctrl_c_cancels(control, "cancelling"):
            index = scan_dataset(args.data, args.val_fraction, args.seed, progress=printer.progress)
            rec = recommend(
                index,
                args.backbones,
                args.sample_per_class,
                progress=printer.progress,
                control=control,
                seed=args.seed,
                device=args.device,
                goal=args.goal,
                time_budget=args.time_budget,
            )
    except TransferStudioError as exc:
        return error(str(exc))
    except RunCancelled:
        sys.stderr.write("cancelled\n")
        return 130
    finally:
        printer.close()
    data = {**rec.to_dict(), "warnings": list(index.warnings)}
    for warning in index.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if args.json:
        print_json(data)
    else:
        sys.stdout.write(describe(data))
    return 0


def _score(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"


def describe(data: dict[str, Any]) -> str:
    """The recommendation as a few readable lines."""
    strategy, backbones = data["strategy"], ", ".join(data["backbones"])
    frozen = f", first {data['k']} layer groups frozen" if data.get("k") is not None else ""
    low, high = data["expected_acc"]
    size, similarity = data["cell"]
    lines = [
        f"Recommended: {strategy} on {backbones}{frozen}",
        f"Why: {data['reason']}",
        f"Expected validation accuracy: {low:.0%} to {high:.0%}",
        f"Grid cell: {size} dataset ({data['images_per_class']:.0f} training images per class), "
        f"{similarity} to ImageNet",
        f"Scores on a sample of {data['sample_size']} images:",
        f"  {'backbone':<22} {'kNN':>6} {'probe':>6} {'LogME':>7} {'ImageNet conf':>14}",
    ]
    for name, s in data["scores"].items():
        lines.append(
            f"  {name:<22} {_score(s.get('knn')):>6} {_score(s.get('probe')):>6} "
            f"{_score(s.get('logme')):>7} {_score(s.get('imagenet_confidence')):>14}"
        )
    if data.get("stack_probe") is not None:
        lines.append(f"  {'all stacked':<22} {'':>6} {_score(data['stack_probe']):>6}")
    lines.append("Every strategy on this machine (accuracy: central 80% range):")
    for name, f in data.get("strategies", {}).items():
        low, high = f["expected_acc"]
        mark = "  <- recommended" if name == strategy else ""
        lines.append(f"  {name:<9} {low:>4.0%} to {high:<4.0%} ~{duration(f['expected_seconds'])}{mark}")
    lines.append(f"Measured in {data['seconds']:.0f} s.")
    return "\n".join(lines) + "\n"
