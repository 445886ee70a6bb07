"""``train`` and ``backbones`` commands."""

from __future__ import annotations

import argparse
import sys

from cli.output import ProgressPrinter, ctrl_c_cancels, error, print_json
from cli.recommend_cmd import add_goal_arguments
from engine.callbacks import Throttle
from engine.config import DEFAULT_BACKBONE, STRATEGIES, TrainConfig
from engine.control import RunControl
from engine.data.scan import DatasetIndex
from engine.errors import TransferStudioError
from engine.filenames import one_line
from engine.runs.eta import forecast_seconds


def add_train_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``train``."""
    p = sub.add_parser("train", help="train a classifier on a folder of images")
    p.add_argument("data", help="DATA/<class>/* or DATA/train|val/<class>/*")
    p.add_argument("--strategy", default="auto", choices=("auto", *STRATEGIES))
    p.add_argument(
        "--backbone",
        dest="backbones",
        action="append",
        metavar="NAME",
        help="backbone name (repeat for --strategy stack); default efficientnet_lite0",
    )
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:1, mps")
    p.add_argument(
        "--out", dest="out_dir", metavar="RUN_DIR", help="run folder (default runs/<time>-<strategy>)"
    )
    p.add_argument("--freeze-k", type=int, help="layer groups kept frozen by --strategy partial")
    p.add_argument("--augment", choices=("none", "light", "strong"))
    p.add_argument("--schedule", choices=("step", "cosine", "none"))
    p.add_argument("--optimizer", choices=("sgd", "adamw"))
    stop = p.add_mutually_exclusive_group()
    stop.add_argument(
        "--patience",
        "--early-stopping",
        dest="early_stopping",
        type=int,
        metavar="EPOCHS",
        help="stop once validation loss has not improved for EPOCHS epochs (best weights kept); "
        "default 8 for features, linear, stack and whatever auto picks, off for the others",
    )
    stop.add_argument(
        "--no-early-stop",
        dest="early_stopping",
        action="store_const",
        const=0,
        help="train every epoch, even after validation loss stopped improving",
    )
    p.add_argument("--init-from", metavar="RUN_DIR", help="continue from an earlier run's head (fine-tune)")
    add_goal_arguments(p)  # what --strategy auto aims for
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int)
    p.add_argument("--workers", dest="num_workers", type=int)
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_train)


def add_backbones_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``backbones``."""
    p = sub.add_parser("backbones", help="list the backbones and which weights work offline")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_backbones)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """Build the training configuration from parsed arguments."""
    keys = (
        "strategy",
        "epochs",
        "batch_size",
        "lr",
        "device",
        "out_dir",
        "freeze_k",
        "augment",
        "schedule",
        "optimizer",
        "early_stopping",
        "init_from",
        "seed",
        "threads",
        "num_workers",
    )
    values = {k: getattr(args, k) for k in keys}
    # auto with no --backbone: the recommendation measures every backbone available offline
    default: tuple[str, ...] = () if args.strategy == "auto" else (DEFAULT_BACKBONE,)
    backbones = tuple(args.backbones or default)
    goal = {"goal": args.goal, "time_budget": args.time_budget} if args.strategy == "auto" else {}
    return TrainConfig(data_dir=args.data, backbones=backbones, extra=goal, **values)


def run_train(args: argparse.Namespace) -> int:
    """Train; Ctrl-C cancels cleanly (a second Ctrl-C aborts)."""
    try:
        config = config_from_args(args)
    except TransferStudioError as exc:
        return error(str(exc))
    return train_and_report(config, args.json)


def train_and_report(config: TrainConfig, as_json: bool, index: DatasetIndex | None = None) -> int:
    """Start the run (resolving ``auto``) with progress and time left, Ctrl-C as cancel; print the summary.

    Args:
        config: What to train; ``strategy`` may be ``auto``.
        as_json: Print the summary as JSON on the last line of stdout.
        index: The dataset (a run's ``dataset.json`` for follow-ups); scanned from ``data_dir`` if None.
    """
    from engine.runs.launch import start_run

    control = RunControl()
    printer = ProgressPrinter(forecast_s=forecast_seconds(config.extra))
    try:
        with ctrl_c_cancels(control, "cancelling after this batch"):
            result = start_run(config, [Throttle(printer, max_hz=10)], control, index)
    except TransferStudioError as exc:
        return error(str(exc))
    finally:
        printer.close()
    best = f"best val acc {result.best_val_acc:.4f} at epoch {result.best_epoch}"
    best = best if result.best_epoch else "no epoch finished"
    sys.stderr.write(f"{result.status.value}: {best} in {result.seconds:.1f}s -> {result.run_dir}\n")
    if result.reason:
        sys.stderr.write(f"strategy {result.strategy}: {result.reason}\n")
    if result.message:
        sys.stderr.write(f"{result.message}\n")
    for warning in result.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if result.skipped:
        sys.stderr.write(f"{len(result.skipped)} file(s) skipped:\n")
        for path, reason in result.skipped[:20]:
            sys.stderr.write(f"  {one_line(path)}: {reason}\n")
    if as_json:
        print_json(result.to_dict())
    return 0 if result.status.value != "failed" else 1


def run_backbones(args: argparse.Namespace) -> int:
    """List the registry."""
    from engine.models.registry import list_backbones, offline_available

    rows = []
    for spec in list_backbones():
        row = spec.to_dict()
        row["offline"] = offline_available(spec.name)
        row["default"] = spec.name == DEFAULT_BACKBONE
        rows.append(row)
    if args.json:
        print_json({"backbones": rows})
        return 0
    for row in rows:
        mark = "offline" if row["offline"] else "download"
        sys.stdout.write(f"{row['name']:<22} {row['feature_dim']:>5}  {mark:<8}  {row['description']}\n")
    return 0
