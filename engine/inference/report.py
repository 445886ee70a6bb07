"""Prediction results as CSV: the same columns from the ``predict`` command and from the app.

Paths and class names come from the user; a spreadsheet would run a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula, so such text is written with a leading apostrophe. A file
name that is not valid UTF-8 is shown with replacement characters (:func:`engine.filenames.display_text`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Protocol

from engine.atomic import write_text
from engine.filenames import display_text

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ResultRow(Protocol):
    """What a row needs: ``path``, ``top`` ``(label, probability)`` pairs, best first, and ``error``."""

    path: str
    top: Sequence[tuple[str, float]]
    error: str | None
    unknown: bool | None
    unknown_score: float | None


def spreadsheet_safe(text: str) -> str:
    """``text``, with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def predictions_csv(results: Iterable[ResultRow], top_k: int) -> str:
    """``path, label_1, probability_1, ..., label_k, probability_k, unknown, unknown_score, error``.

    ``unknown`` is ``yes``/``no``, empty when the model has no "none of my classes" rejection.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    header = ["path"]
    for k in range(1, top_k + 1):
        header += [f"label_{k}", f"probability_{k}"]
    writer.writerow([*header, "unknown", "unknown_score", "error"])
    for result in results:
        line = [spreadsheet_safe(display_text(result.path))]
        for k in range(top_k):
            if k < len(result.top):
                label, probability = result.top[k]
                line += [spreadsheet_safe(label), f"{probability:.6f}"]
            else:
                line += ["", ""]
        unknown = "" if result.unknown is None else ("yes" if result.unknown else "no")
        score = "" if result.unknown_score is None else f"{result.unknown_score:.6f}"
        writer.writerow([*line, unknown, score, spreadsheet_safe(display_text(result.error or ""))])
    return buffer.getvalue()


def write_predictions_csv(results: Iterable[ResultRow], path: str | Path, top_k: int) -> None:
    """Write :func:`predictions_csv` atomically, UTF-8 with a byte-order mark (spreadsheets need it)."""
    write_text(path, "\ufeff" + predictions_csv(results, top_k))
