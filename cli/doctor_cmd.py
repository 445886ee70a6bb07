"""``doctor``: find what is wrong with a dataset (duplicates, leakage, suspect labels, bad shots, balance)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cli.output import ProgressPrinter, ctrl_c_cancels, error, print_json
from engine.control import RunCancelled, RunControl
from engine.errors import TransferStudioError
from engine.filenames import one_line

if TYPE_CHECKING:
    from engine.doctor.examine import DoctorReport


def add_doctor_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``doctor``."""
    p = sub.add_parser(
        "doctor", help="find duplicates, train/validation leakage, suspect labels and bad images"
    )
    p.add_argument("data", help="DATA/<class>/*, DATA/train|val/<class>/*, or a project folder")
    p.add_argument("--backbone", default=None, help="network whose features compare images (default Lite0)")
    p.add_argument("--val-fraction", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", action="store_true",
                   help="one JSON object per finding; the last line is the summary with counts per kind")
    p.set_defaults(func=run_doctor)


def _index_and_dismissed(args: argparse.Namespace, printer: ProgressPrinter) -> tuple[object, list[str]]:
    """The dataset to examine: a project's labelled images (and its dismissed findings), or a folder."""
    from engine.data.scan import scan_dataset
    from engine.project.store import Project

    if Project.exists(args.data):
        project = Project.load(args.data)
        return project.to_dataset_index(), list(project.dismissed_findings)
    return scan_dataset(args.data, args.val_fraction, args.seed, progress=printer.progress), []


def _line(finding: dict) -> str:
    paths = "  ".join(one_line(p) for p in finding["paths"]) or ", ".join(finding["classes"])
    return f"[{finding['severity']}] {finding['kind']}: {one_line(finding['reason'])}\n    {paths}\n" \
           f"    suggested: {finding['action']}\n"


def _print(report: DoctorReport, as_json: bool) -> None:
    for finding in report.findings:
        data = finding.to_dict()
        if as_json:
            print_json(data)
        else:
            sys.stdout.write(_line(data))
    summary = report.summary()
    if as_json:
        print_json(summary)
        return
    counts = ", ".join(f"{n} {kind}" for kind, n in summary["counts"].items() if n) or "nothing found"
    sys.stdout.write(f"{summary['images']} images checked in {summary['seconds']:.1f}s: {counts}\n")


def run_doctor(args: argparse.Namespace) -> int:
    """Scan (or open the project), examine, print the findings; Ctrl-C cancels."""
    from engine.config import DEFAULT_BACKBONE
    from engine.doctor.examine import examine

    control = RunControl()
    printer = ProgressPrinter()
    try:
        with ctrl_c_cancels(control, "cancelling"):
            index, dismissed = _index_and_dismissed(args, printer)
            report = examine(index, args.backbone or DEFAULT_BACKBONE, dismissed, printer.progress, control)
    except TransferStudioError as exc:
        return error(str(exc))
    except RunCancelled:
        sys.stderr.write("cancelled\n")
        return 130
    finally:
        printer.close()
    _print(report, args.json)
    return 0
