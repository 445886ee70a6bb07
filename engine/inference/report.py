"""Prediction results as CSV: the same columns from the ``predict`` command and from the app.

Paths and class names come from the user; a spreadsheet would run a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, so such text is written with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from engine.atomic import write_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ResultRow(Protocol):
    """What a row needs: ``path``, ``top`` ``(label, probability)`` pairs, best first, and ``error``."""

    path: str
    top: Sequence[tuple[str, float]]
    error: str | None


def spreadsheet_safe(text: str) -> str:
    """``text``, with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def predictions_csv(results: Iterable[ResultRow], top_k: int) -> str:
    """``path, label_1, probability_1, ..., label_k, probability_k, error``, one line per image."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["path"]
    for k in range(1, top_k + 1):
        header += [f"label_{k}", f"probability_{k}"]
    writer.writerow([*header, "error"])
    for result in results:
        line = [spreadsheet_safe(result.path)]
        for k in range(top_k):
            if k < len(result.top):
                label, probability = result.top[k]
                line += [spreadsheet_safe(label), f"{probability:.6f}"]
            else:
                line += ["", ""]
        writer.writerow([*line, spreadsheet_safe(result.error or "")])
    return buffer.getvalue()


def write_predictions_csv(results: Iterable[ResultRow], path: str | Path, top_k: int) -> None:
    """Write :func:`predictions_csv` atomically, UTF-8 with a byte-order mark (spreadsheets need it)."""
    write_text(path, "\ufeff" + predictions_csv(results, top_k))
