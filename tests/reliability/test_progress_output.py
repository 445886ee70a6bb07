"""CLI progress without a terminal stays small; errors start on a line of their own (issue 9, defect 9)."""

from __future__ import annotations

import io
import re
import sys
import types

import pytest

from cli import output
from cli.output import ProgressPrinter, error
from engine.events import BatchEnded, StageChanged


class FakeClock:
    """Stands in for ``time.monotonic`` in cli.output; ``tick`` seconds pass per call."""

    def __init__(self, tick: float) -> None:
        self.now, self.tick = 0.0, tick

    def __call__(self) -> float:
        self.now += self.tick
        return self.now


class Terminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def _recommend_like_events(printer: ProgressPrinter, images: int) -> None:
    """The event stream of ``recommend`` on ``images`` images: a scan, then three measuring stages."""
    for done in range(images + 1):
        printer(StageChanged("Checking images", done, images))
    for stage in ("Extracting features", "Scoring backbones", "Timing"):
        for done in range(images + 1):
            printer(StageChanged(stage, done, images))


@pytest.mark.parametrize("images", [2_000, 4_400])
def test_non_terminal_progress_is_bounded(capsys, images):
    printer = ProgressPrinter()  # capsys: stderr is not a terminal
    _recommend_like_events(printer, images)
    printer.close()
    err = capsys.readouterr().err
    assert "\r" not in err and "\x1b" not in err
    lines = err.splitlines()
    # the first line of the run and the end of each of the 4 stages; the calls take far under 5 s
    assert len(lines) <= 8, err
    assert f"Checking images: {images:,}/{images:,} (100%)" in lines
    assert len(err.encode()) < 1_000


def test_non_terminal_progress_prints_a_line_every_interval(capsys, monkeypatch):
    # 0.1 s per event, seen by the printer's line timing only (the time-left estimate keeps the real clock)
    monkeypatch.setattr(output, "time", types.SimpleNamespace(monotonic=FakeClock(0.1)))
    printer = ProgressPrinter(interval=5.0)
    for step in range(1, 1001):  # 100 s of batches
        printer(BatchEnded(epoch=1, step=step, steps_per_epoch=1000, loss=0.5, lr=1e-3, images_per_s=90.0))
    lines = capsys.readouterr().err.splitlines()
    assert 19 <= len(lines) <= 21  # one per 5 s
    line_format = r"epoch \d+: [\d,]+/1,000 \(\d+%\)  loss 0\.500  img_s 90"
    assert all(re.fullmatch(line_format, line) for line in lines)


def test_error_after_a_bar_starts_on_a_fresh_line(monkeypatch):
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    printer = ProgressPrinter()
    for done in range(50):
        printer(StageChanged("Checking images", done, 100))
    assert "Checking images" in terminal.getvalue()  # a bar was drawn
    error("data/ants: no images")
    text = terminal.getvalue()
    before = text[: text.index("error: data/ants")]
    assert before.endswith(("\n", "\r"))  # the bar was erased (or ended) first
    printer(StageChanged("Checking images", 60, 100))  # a later event draws a new bar below
    printer.close()


def test_quiet_prints_nothing(capsys):
    printer = ProgressPrinter(quiet=True)
    _recommend_like_events(printer, 100)
    assert capsys.readouterr().err == ""
