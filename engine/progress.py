"""The one progress signature of every long engine task: ``progress(done, total, message)``.

Scanning, importing, feature extraction, measuring, exporting, parity and prediction all report
through a :class:`Progress`; the GUI's task runner and the CLI's bars receive the same three values,
so nothing between them reorders arguments. ``total`` is 0 while the amount of work is still
unknown (files are being listed). Cancelling is not part of progress: it is
:class:`engine.control.RunControl`. Torch-free, so :mod:`engine.inference` may use it.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """Called as ``progress(done, total, message)``: ``done`` of ``total`` units, and what is being done."""

    def __call__(self, done: int, total: int, message: str, /) -> None:
        """Report that ``done`` of ``total`` units are finished (``total`` 0: not known yet)."""


def no_progress(done: int, total: int, message: str, /) -> None:
    """A :class:`Progress` that ignores every report (the default of an optional ``progress``)."""


def relabelled(progress: Progress | None, message: str) -> Progress:
    """A :class:`Progress` that forwards to ``progress`` with ``message`` in place of the task's own.

    For a caller that runs a generic step (extracting features) as part of a named stage
    ("Measuring how well X fits your images"); a None ``progress`` gives :func:`no_progress`.
    """
    if progress is None:
        return no_progress

    def forward(done: int, total: int, _message: str, /) -> None:
        progress(done, total, message)

    return forward
