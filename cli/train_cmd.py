"""``train`` and ``backbones`` commands."""

from __future__ import annotations

import argparse
import sys

from cli.output import ProgressPrinter, ctrl_c_cancels, error, print_json
from engine.callbacks import Throttle
from engine.config import DEFAULT_BACKBONE, STRATEGIES, TrainConfig
from engine.control import RunControl
from engine.errors import TransferStudioError


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
    p.add_argument("--early-stopping", type=int, metavar="EPOCHS")
    p.add_argument("--init-from", metavar="RUN_DIR", help="continue from an earlier run's head (fine-tune)")
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
    return TrainConfig(data_dir=args.data, backbones=backbones, **values)


def add_resume_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``resume``."""
    p = sub.add_parser("resume", help="continue a cancelled or interrupted run where it stopped")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--epochs", type=int, help="epochs in all (default: the run's own)")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_resume)


def run_resume(args: argparse.Namespace) -> int:
    """Continue ``RUN_DIR`` from its last finished epoch, in the same folder."""
    import dataclasses
    from pathlib import Path

    from engine.atomic import read_json

    path = Path(args.run_dir) / "config.json"
    try:
        config = TrainConfig.from_dict(read_json(path))
    except FileNotFoundError:
        return error(f"{args.run_dir}: not a run folder (config.json is missing)")
    except (ValueError, TypeError) as exc:
        return error(f"{path}: unreadable ({exc})")
    changes = {"resume": True, "out_dir": str(args.run_dir)}
    if args.epochs:
        changes["epochs"] = args.epochs
    return train_and_report(dataclasses.replace(config, **changes), args.json)


def run_train(args: argparse.Namespace) -> int:
    """Train; Ctrl-C cancels cleanly (a second Ctrl-C aborts)."""
    try:
        config = config_from_args(args)
    except TransferStudioError as exc:
        return error(str(exc))
    return train_and_report(config, args.json)


def train_and_report(config: TrainConfig, as_json: bool) -> int:
    """Run ``fit`` with a progress bar and Ctrl-C as cancel; print the summary."""
    from engine.training.loop import fit

    control = RunControl()
    printer = ProgressPrinter()
    try:
        with ctrl_c_cancels(control, "cancelling after this batch"):
            result = fit(config, callbacks=[Throttle(printer, max_hz=10)], control=control)
    except TransferStudioError as exc:
        return error(str(exc))
    finally:
        printer.close()
    summary = result.to_dict()
    sys.stderr.write(
        f"{result.status.value}: best val acc {result.best_val_acc:.4f} at epoch {result.best_epoch + 1} "
        f"in {result.seconds:.1f}s -> {result.run_dir}\n"
    )
    if result.skipped:
        sys.stderr.write(f"{len(result.skipped)} file(s) skipped:\n")
        for item in result.skipped[:20]:
            sys.stderr.write(f"  {item['path']}: {item['reason']}\n")
    if as_json:
        print_json(summary)
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
