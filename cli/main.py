"""Argument parsing and dispatch for the headless commands."""

from __future__ import annotations

import argparse

from cli.demo_cmd import add_demo_parser
from cli.doctor_cmd import add_doctor_parser
from cli.export_cmd import add_export_parser
from cli.followup_cmd import add_finetune_parser, add_resume_parser
from cli.import_weights_cmd import add_import_weights_parser
from cli.job_cmd import add_export_job_parser, add_import_run_parser
from cli.predict_cmd import add_predict_parser
from cli.recommend_cmd import add_recommend_parser
from cli.train_cmd import add_backbones_parser, add_train_parser


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every command."""
    parser = argparse.ArgumentParser(
        prog="main.py", description="Transfer Studio: train, export and use image classifiers offline."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add_train_parser(sub)
    add_resume_parser(sub)
    add_finetune_parser(sub)
    add_backbones_parser(sub)
    add_import_weights_parser(sub)
    add_export_parser(sub)
    add_predict_parser(sub)
    add_demo_parser(sub)
    add_recommend_parser(sub)
    add_doctor_parser(sub)
    add_export_job_parser(sub)
    add_import_run_parser(sub)
    return parser


def run(argv: list[str]) -> int:
    """Parse ``argv`` and run the command."""
    args = build_parser().parse_args(argv)
    return int(args.func(args))
