"""``resume`` and ``finetune``: continue an earlier run from its folder alone (``engine.runs.followup``)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from cli.output import error
from cli.train_cmd import train_and_report
from engine.errors import TransferStudioError
from engine.runs.files import new_run_dir
from engine.runs.followup import FINETUNE, RESUME, follow_up


def add_resume_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``resume``."""
    p = sub.add_parser("resume", help="continue a cancelled or interrupted run where it stopped")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--epochs", type=int, help="epochs in all (default: the run's own)")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_resume)


def add_finetune_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``finetune``."""
    p = sub.add_parser(
        "finetune", help="fine-tune a run's network further (upper layers), in a new run beside it"
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--k", dest="freeze_k", type=int, metavar="N", help="layer groups kept frozen")
    p.add_argument("--epochs", type=int, help="epochs (default: the partial strategy's)")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_finetune)


def run_resume(args: argparse.Namespace) -> int:
    """Continue ``RUN_DIR`` from its last finished epoch, in the same folder."""
    return _continue(args.run_dir, RESUME, None, args.epochs, args.json)


def run_finetune(args: argparse.Namespace) -> int:
    """Fine-tune ``RUN_DIR``'s network in a new run folder beside it."""
    return _continue(args.run_dir, FINETUNE, args.freeze_k, args.epochs, args.json)


def _continue(run_dir: str, kind: str, freeze_k: int | None, epochs: int | None, as_json: bool) -> int:
    try:
        plan = follow_up(run_dir, kind, freeze_k, epochs)
        config = plan.config
        if config.out_dir is None:
            folder = new_run_dir(Path(run_dir).resolve().parent, config.strategy)
            config = dataclasses.replace(config, out_dir=str(folder))
    except TransferStudioError as exc:
        return error(str(exc))
    for note in plan.notes:
        sys.stderr.write(f"{note}\n")
    return train_and_report(config, as_json, plan.index)
