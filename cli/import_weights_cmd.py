"""``import-weights`` command: a `.pth`/`.safetensors` file you have as a backbone's pretrained weights."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.output import error, print_json


def add_import_weights_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``import-weights``."""
    p = sub.add_parser(
        "import-weights",
        help="import a backbone's pretrained weights from a .pth/.safetensors file (works offline)",
        description="Check FILE (safe loaders only: a plain tensor state dict or safetensors) against "
        "the backbone's architecture, copy it into the weights cache and pin its SHA-256; training with "
        "that backbone then uses it instead of downloading.",
    )
    p.add_argument("file", metavar="FILE", help="a .pth, .pt, .bin or .safetensors state dict")
    p.add_argument("--backbone", required=True, metavar="NAME", help="a backbone from `main.py backbones`")
    p.add_argument("--json", action="store_true", help="print a JSON summary as the last line of stdout")
    p.set_defaults(func=run_import_weights)


def run_import_weights(args: argparse.Namespace) -> int:
    """Validate and store the file; exit 2 with the reason when it is refused."""
    from engine.errors import TransferStudioError, WeightsError
    from engine.models.registry import import_weights
    from engine.models.weights import pinned_sha256

    source = Path(args.file).expanduser()
    if source.is_dir():
        return error(f"{source} is a folder; give the weights file itself (.pth or .safetensors).")
    try:
        stored = import_weights(source, args.backbone)
    except TransferStudioError as exc:
        unnamed = isinstance(exc, WeightsError) and str(source) not in str(exc)
        return error(f"{source}: {exc} Nothing was imported." if unnamed else f"{exc} Nothing was imported.")
    summary = {"backbone": args.backbone, "source": str(source), "stored": str(stored),
               "sha256": pinned_sha256(stored)}
    if args.json:
        print_json(summary)
    else:
        sys.stdout.write(
            f"Imported {source} as the pretrained weights of {args.backbone}.\n"
            f"Stored at {stored} (SHA-256 {summary['sha256']}, checked before every load).\n"
        )
    return 0
