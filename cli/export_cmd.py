"""``export`` command: a run's best weights as one ONNX file, with a parity check."""

from __future__ import annotations

import argparse
import sys

from cli.output import ProgressPrinter, error, print_json


def add_export_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``export``."""
    from engine.export.contract import DEFAULT_OPSET, MAX_OPSET, MIN_OPSET, QUANTIZATION_MODES

    p = sub.add_parser(
        "export",
        help="export a run as one self-contained ONNX file (preprocessing inside) and check parity",
    )
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--out", metavar="MODEL.onnx", help="destination (default RUN_DIR/model.onnx)")
    p.add_argument(
        "--opset",
        type=int,
        default=DEFAULT_OPSET,
        help=f"ONNX opset, {MIN_OPSET}-{MAX_OPSET} (default %(default)s)",
    )
    p.add_argument(
        "--quantize",
        choices=QUANTIZATION_MODES,
        default="none",
        help="INT8 quantisation; 'auto' keeps INT8 only if faster here and parity stays within one image",
    )
    p.add_argument(
        "--parity-images",
        nargs="+",
        metavar="PATH",
        help="images or folders to check parity on (default: the run's validation images)",
    )
    p.add_argument("--threads", type=int, help="ONNX Runtime threads")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Export, check parity, store the report; exit 1 when parity fails."""
    from engine.errors import TransferStudioError
    from engine.export.onnx_export import export_run
    from engine.inference.predictor import expand_paths

    images = None
    if args.parity_images:
        images = [str(p) for p, missing in expand_paths(args.parity_images) if missing is None]
    printer = ProgressPrinter()  # bars on a terminal, a few plain lines in a log
    try:
        result = export_run(
            args.run_dir,
            args.out,
            opset=args.opset,
            quantize=args.quantize,
            images=images,
            threads=args.threads,
            progress=printer.progress,
        )
    except (TransferStudioError, ValueError) as exc:
        return error(str(exc))
    finally:
        printer.close()
    for path, reason in result.left_out.items():
        sys.stderr.write(f"left out of the parity check: {path}: {reason}\n")
    stream = sys.stderr if args.json else sys.stdout
    stream.write(result.message + "\n")
    if result.quantization_note:
        stream.write(result.quantization_note + "\n")
    for item in result.parity.disagreements[:20]:
        stream.write(f"  disagrees: {item['path']}: app {item['torch']}, onnx {item['onnx']}\n")
    stream.write(f"parity report: {result.parity_path}\n")
    if args.json:
        print_json(result.to_dict())
    return 0 if result.passed else 1
