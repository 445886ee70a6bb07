"""``export-job`` and ``import-run``: train a run on a cluster under ``torchrun``, then bring it back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.output import ProgressPrinter, error, print_json
from engine.atomic import read_json
from engine.config import TrainConfig
from engine.errors import TransferStudioError


def add_export_job_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``export-job``."""
    p = sub.add_parser(
        "export-job",
        help="write a self-contained torchrun job folder for a run (or a configuration)",
        description="export-job RUN_DIR OUT, or export-job --config CONFIG.json OUT",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="RUN_DIR OUT, or only OUT with --config")
    p.add_argument("--config", metavar="CONFIG.json", help="a training configuration instead of a run")
    p.add_argument("--no-copy", action="store_true", help="reference the images where they are, not copied")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_export_job)


def add_import_run_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``import-run``."""
    p = sub.add_parser("import-run", help="bring a finished job folder back as a run")
    p.add_argument("job_dir", metavar="JOB_DIR")
    p.add_argument(
        "--into", metavar="PROJECT_OR_RUNS_DIR", help="a project (its runs/) or a runs folder; default: runs"
    )
    p.add_argument("--no-calibrate", action="store_true", help="skip the confidence calibration")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_import_run)


def _load_config(path: str) -> TrainConfig:
    try:
        data = read_json(path)
        return TrainConfig.from_dict(data)
    except FileNotFoundError as exc:
        raise TransferStudioError(f"{path}: no such configuration file") from exc
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise TransferStudioError(f"{path}: not a training configuration ({exc})") from exc


def run_export_job(args: argparse.Namespace) -> int:
    """Write the job folder and say how to launch it."""
    from engine.jobs.export_job import export_job

    wanted = 1 if args.config else 2
    if len(args.paths) != wanted:
        usage = "export-job --config CONFIG.json OUT" if args.config else "export-job RUN_DIR OUT"
        return error(f"expected {usage}")
    printer = ProgressPrinter()
    try:
        config = _load_config(args.config) if args.config else None
        run_dir = None if args.config else args.paths[0]
        job = export_job(args.paths[-1], run_dir, config, not args.no_copy, printer.progress)
    except TransferStudioError as exc:
        return error(str(exc))
    finally:
        printer.close()
    stream = sys.stderr if args.json else sys.stdout
    for note in job.notes:
        stream.write(f"note: {note}\n")
    stream.write(
        f"job written to {job.job_dir} ({job.images} images{', copied' if job.copied else ''}); run it with\n"
        f"  {job.job_dir}/launch_single_node.sh   (torchrun --standalone --nproc_per_node=N train.py)\n"
        f"then bring it back with: main.py import-run {job.job_dir}\n"
    )
    if args.json:
        print_json({"job_dir": str(job.job_dir), "images": job.images, "copied": job.copied,
                    "strategy": job.strategy, "weights_bytes": job.weights_bytes, "notes": list(job.notes)})
    return 0


def runs_folder(into: str | None) -> Path:
    """Where imported runs go: a project folder's ``runs/``, the given folder, or ``runs`` here."""
    if not into:
        return Path("runs")
    from engine.project.store import Project

    folder = Path(into)
    return folder / "runs" if Project.exists(folder) else folder


def run_import_run(args: argparse.Namespace) -> int:
    """Import the job's run and print where it is."""
    from engine.jobs.import_run import import_run

    printer = ProgressPrinter()
    try:
        run = import_run(args.job_dir, runs_folder(args.into), not args.no_calibrate, printer.progress)
    except TransferStudioError as exc:
        return error(str(exc))
    finally:
        printer.close()
    stream = sys.stderr if args.json else sys.stdout
    stream.write(
        f"imported as {run.run_dir} ({run.status}, best epoch {run.best_epoch}, "
        f"validation accuracy {run.best_val_acc:.1%})\n"
    )
    if args.json:
        print_json({"run_dir": str(run.run_dir.resolve()), "status": run.status, "best_epoch": run.best_epoch,
                    "best_val_acc": run.best_val_acc, "calibrated": run.calibrated})
    return 0
