"""What the Train page says about a run in progress, in the interface language.

The engine reports durations as seconds, stages as fixed English messages (some with a network's
or strategy's name in them) and where a run stands as numbers (:class:`engine.runs.eta.RunProgress`).
This module turns them into translated text: a duration in hours, minutes and seconds, each known
stage message (a table of the engine's messages, patterns for those with a name in them) and the
run's one-line headline. A message no table knows is shown as the engine wrote it.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP

from engine.runs.eta import RunProgress
from gui.i18n import translate
from gui.train.strategy_names import status_text, strategy_short

CONTEXT = "RunTexts"

STAGES = (  # the engine's stage messages without values (engine.data.scan, engine.features, engine.trust, …)
    QT_TRANSLATE_NOOP("RunTexts", "Starting"),
    QT_TRANSLATE_NOOP("RunTexts", "Training"),
    QT_TRANSLATE_NOOP("RunTexts", "Checking images"),
    QT_TRANSLATE_NOOP("RunTexts", "Checking image sizes"),
    QT_TRANSLATE_NOOP("RunTexts", "Computing features"),
    QT_TRANSLATE_NOOP("RunTexts", "Recommending"),
    QT_TRANSLATE_NOOP("RunTexts", "Recording the dataset"),
    QT_TRANSLATE_NOOP("RunTexts", "Calibrating confidence"),
    QT_TRANSLATE_NOOP("RunTexts", "Calibrating confidence (out-of-fold)"),
    QT_TRANSLATE_NOOP("RunTexts", "Exporting the network"),
    QT_TRANSLATE_NOOP("RunTexts", "Preparing calibration images"),
    QT_TRANSLATE_NOOP("RunTexts", "Measuring speed"),
    QT_TRANSLATE_NOOP("RunTexts", "Checking parity"),
    QT_TRANSLATE_NOOP("RunTexts", "Copying the images"),
    QT_TRANSLATE_NOOP("RunTexts", "Listing the images"),
)
# Messages with a value: the engine's pattern → the sentence, translated, with the value put back.
STAGE_PATTERNS = (
    (re.compile(r"Computing training features \((?P<name>.+)\)"),
     QT_TRANSLATE_NOOP("RunTexts", "Computing training features ({name})")),
    (re.compile(r"Computing validation features \((?P<name>.+)\)"),
     QT_TRANSLATE_NOOP("RunTexts", "Computing validation features ({name})")),
    (re.compile(r"Measuring how well (?P<name>.+) fits your images"),
     QT_TRANSLATE_NOOP("RunTexts", "Measuring how well {name} fits your images")),
    (re.compile(r"Scoring (?P<name>.+)"), QT_TRANSLATE_NOOP("RunTexts", "Scoring {name}")),
    (re.compile(r"Measuring whether fine-tuning pays: (?P<strategy>\w+) on half the sample"),
     QT_TRANSLATE_NOOP("RunTexts", "Measuring whether fine-tuning pays: {strategy} on half the sample")),
    (re.compile(r"Quantising \((?P<mode>.+)\)"), QT_TRANSLATE_NOOP("RunTexts", "Quantising ({mode})")),
    (re.compile(r"Downloading (?P<name>.+)"), QT_TRANSLATE_NOOP("RunTexts", "Downloading {name}")),
)


def duration_text(seconds: float | None) -> str:
    """``"1 h 05 min"``, ``"3 min 20 s"``, ``"12 s"`` in the interface language; ``"—"`` when unknown.

    The same rounding and units as :func:`engine.runs.eta.format_duration` (the CLI's).
    """
    if seconds is None or seconds != seconds or seconds < 0:
        return "—"
    s = round(seconds)
    if s >= 3600:
        text = translate("RunTexts", "{hours} h {minutes} min")
        return text.format(hours=s // 3600, minutes=f"{s % 3600 // 60:02d}")
    if s >= 60:
        text = translate("RunTexts", "{minutes} min {seconds} s")
        return text.format(minutes=s // 60, seconds=f"{s % 60:02d}")
    return translate("RunTexts", "{seconds} s").format(seconds=s)


def stage_text(stage: str) -> str:
    """An engine stage message in the interface language (unchanged when no table knows it)."""
    if stage in STAGES:
        return translate(CONTEXT, stage)
    for pattern, template in STAGE_PATTERNS:
        found = pattern.fullmatch(stage)
        if found:
            values = found.groupdict()
            if "strategy" in values:
                values["strategy"] = strategy_short(values["strategy"])
            return translate(CONTEXT, template).format(**values)
    return stage


def stage_progress_text(stage: str, done: int, total: int) -> str:
    """A stage with how far it got: ``"Computing features: 120 of 400"``, or ``"Computing features…"``."""
    if total > 0:
        return translate("RunTexts", "{stage}: {done} of {total}").format(
            stage=stage_text(stage), done=f"{done:,}", total=f"{total:,}")
    return translate("RunTexts", "{stage}…").format(stage=stage_text(stage))


def run_headline(p: RunProgress) -> str:
    """One line: what the run is doing now (the words of :meth:`RunProgress.headline`, translated)."""
    if p.finished:
        return status_text(p.stage.lower()).capitalize()
    if p.paused:
        text = translate("RunTexts", "Paused at epoch {epoch} of {epochs}")
        return text.format(epoch=p.epoch + 1, epochs=p.epochs)
    if p.train_started is None:
        return stage_progress_text(p.stage, p.stage_done, p.stage_total)
    epoch = min(p.epoch, max(p.epochs - 1, 0)) + 1
    if p.step:
        return translate("RunTexts", "Epoch {epoch} of {epochs}, batch {step} of {steps}").format(
            epoch=epoch, epochs=p.epochs, step=p.step, steps=p.steps_per_epoch)
    return translate("RunTexts", "Epoch {epoch} of {epochs}").format(epoch=epoch, epochs=p.epochs)
