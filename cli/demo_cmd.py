"""``demo`` command: the whole pipeline offline on a generated dataset."""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from cli.output import ProgressPrinter, error, print_json


def add_demo_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``demo``."""
    p = sub.add_parser("demo", help="generate a small dataset, train, export and predict, offline")
    p.add_argument(
        "--out", metavar="DIR", help="keep everything in DIR (default: a temporary folder, removed)"
    )
    p.add_argument("--per-class", type=int, default=40, help="images per class (default %(default)s)")
    p.add_argument("--threads", type=int)
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_demo_cmd)


def run_demo_cmd(args: argparse.Namespace) -> int:
    """Run the demo; exit 1 if parity failed."""
    from engine.callbacks import Throttle
    from engine.demo import run_demo
    from engine.errors import TransferStudioError
    from engine.events import EpochEnded, Event, RunFinished

    if args.per_class < 5:
        return error("--per-class must be at least 5")
    workdir = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="transfer-studio-demo-"))
    if args.out and workdir.exists() and any(workdir.iterdir()):
        return error(f"{workdir} is not empty; choose a new folder for --out")
    printer = ProgressPrinter(quiet=args.json)

    def listener(event: Event) -> None:  # stage bars and the batch bar, not one line per epoch
        if isinstance(event, RunFinished):
            sys.stderr.write(
                f"training {event.status.value}: best validation accuracy {event.best_val_acc:.1%}\n"
            )
        elif not isinstance(event, EpochEnded):
            printer(event)

    try:
        result = run_demo(
            workdir,
            per_class=args.per_class,
            callbacks=[Throttle(listener, max_hz=10)],
            log=lambda line: sys.stderr.write(line + "\n"),
            threads=args.threads,
        )
    except TransferStudioError as exc:
        return error(str(exc))
    finally:
        printer.close()
        if not args.out:
            shutil.rmtree(workdir, ignore_errors=True)
    stream = sys.stderr if args.json else sys.stdout
    for row in result.predictions:
        mark = "ok " if row.get("label") == row["truth"] else "MISS"
        stream.write(f"  {mark} {Path(row['path']).name}: {row.get('label', row.get('error'))}\n")
    stream.write(result.summary() + "\n")
    if not args.out:
        stream.write("(the files were in a temporary folder, now removed; use --out DIR to keep them)\n")
    if args.json:
        print_json(result.to_dict())
    return 0 if result.parity_passed else 1
