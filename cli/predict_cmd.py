"""``predict`` command: classify images with an exported model; never imports torch."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING

from cli.output import error
from engine.filenames import dumps_json, one_line

if TYPE_CHECKING:
    from engine.inference.results import PathResult


def add_predict_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``predict``."""
    p = sub.add_parser("predict", help="classify images and folders with an exported .onnx model")
    p.add_argument("model", metavar="MODEL.onnx")
    p.add_argument("paths", nargs="+", metavar="PATH", help="image files and folders (searched recursively)")
    p.add_argument("--top-k", type=int, default=3, help="labels per image (default %(default)s)")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="one JSON object per image on stdout")
    out.add_argument("--csv", metavar="OUT.csv", help="write one row per image to OUT.csv")
    p.add_argument("--embeddings", action="store_true", help="include the embedding in --json lines")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--threads", type=int, help="ONNX Runtime threads")
    p.add_argument("--cpu", action="store_true", help="use the CPU even if a GPU provider is available")
    p.add_argument(
        "--reject",
        default="auto",
        metavar="off|auto|VALUE",
        help="'none of my classes': auto uses the threshold chosen at export (accepts 95%% of the "
        "validation images), off never rejects, a number sets the threshold on unknown_score",
    )
    p.set_defaults(func=run_predict)


def _human(result: PathResult) -> str:
    """One line per image: a newline or tab in a file name is shown escaped, never printed raw."""
    path = one_line(result.path)
    if result.error is not None:
        return f"{path}\tERROR: {one_line(result.error)}"
    labels = " | ".join(f"{one_line(label)} {p:.3f}" for label, p in result.top)
    if result.unknown:
        return f"{path}\tUNKNOWN: none of my classes (score {result.unknown_score:.2f}; nearest {labels})"
    return f"{path}\t{labels}"


def run_predict(args: argparse.Namespace) -> int:
    """Classify; bad images are reported per line, never fatal."""
    from engine.errors import ModelFileError
    from engine.inference.predictor import OnnxPredictor

    if args.top_k < 1:
        return error("--top-k must be at least 1")
    start = time.perf_counter()
    try:
        predictor = OnnxPredictor(
            args.model,
            providers=["CPUExecutionProvider"] if args.cpu else None,
            threads=args.threads,
            batch_size=args.batch_size,
            reject=args.reject,
        )
    except (ModelFileError, ValueError) as exc:
        return error(str(exc))
    if predictor.novelty_note:
        sys.stderr.write(f"note: {predictor.novelty_note}\n")
    rows: list[PathResult] = []
    ok = failed = 0
    for result in predictor.predict_paths(args.paths, top_k=args.top_k, embeddings=args.embeddings):
        ok, failed = ok + result.ok, failed + (not result.ok)
        if args.json:
            sys.stdout.write(dumps_json(result.to_dict()) + "\n")
            sys.stdout.flush()
        elif args.csv:
            rows.append(result)
        else:
            (sys.stdout if result.ok else sys.stderr).write(_human(result) + "\n")
    if args.csv:
        from engine.inference.report import write_predictions_csv

        write_predictions_csv(rows, args.csv, args.top_k)
    seconds = time.perf_counter() - start
    sys.stderr.write(
        f"{ok} image(s) classified, {failed} failed, in {seconds:.1f}s on {predictor.providers[0]}"
        + (f"; wrote {args.csv}" if args.csv else "")
        + "\n"
    )
    if ok == 0:
        sys.stderr.write("error: no image could be classified\n")
        return 1
    return 0
