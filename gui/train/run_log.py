"""The training panel's log: one or a few lines per engine event, in the interface language of the moment.

Lines already written stay as they are when the language changes (a log records what was said);
values (numbers, folders, the engine's reason and messages) go into translated sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.events import BestImproved, EpochEnded, Event, Paused, Resumed, RunFinished, RunStarted, RunStatus
from gui.i18n import translate
from gui.train.auto_view import tried_row
from gui.train.run_texts import duration_text

SKIPPED_LISTED = 50


def best_sentence(accuracy: float, epoch: int) -> str:
    """The best epoch and its validation accuracy, as one sentence."""
    return translate("RunLog", "Best validation accuracy {accuracy} at epoch {epoch}.").format(
        accuracy=f"{accuracy:.1%}", epoch=epoch)


def event_lines(event: Event) -> list[str]:
    """What the log says about ``event`` (nothing for the events it does not record)."""
    match event:
        case RunStarted():
            lines = [translate("RunLog", "Why this strategy: {reason}").format(reason=event.reason)] \
                if event.reason else []
            lines.append(translate(
                "RunLog", "Training {train} images, validating on {val}; {epochs} epochs on {device}."
            ).format(train=f"{event.train_images:,}", val=f"{event.val_images:,}", epochs=event.epochs,
                     device=event.device))
            return [*lines, translate("RunLog", "Run folder: {folder}").format(folder=event.run_dir)]
        case EpochEnded():
            return [translate(
                "RunLog",
                "Epoch {epoch}/{epochs}: train loss {train_loss}, accuracy {train_acc}; "
                "validation loss {val_loss}, accuracy {val_acc} ({seconds} s)",
            ).format(epoch=event.epoch, epochs=event.epochs, train_loss=f"{event.train_loss:.3f}",
                     train_acc=f"{event.train_acc:.1%}", val_loss=f"{event.val_loss:.3f}",
                     val_acc=f"{event.val_acc:.1%}", seconds=f"{event.seconds:.1f}")]
        case BestImproved():
            best = translate("RunLog", "best so far: {accuracy} at epoch {epoch} (weights saved)")
            return ["  " + best.format(accuracy=f"{event.val_acc:.1%}", epoch=event.epoch)]
        case Paused():
            paused = translate("RunLog", "Paused at epoch {epoch}, batch {step}.")
            return [paused.format(epoch=event.epoch, step=event.step)]
        case Resumed():
            return [translate("RunLog", "Resumed.")]
        case RunFinished():
            return finished_lines(event)
    return []


def finished_lines(event: RunFinished) -> list[str]:
    """How the run ended, its best epoch, the engine's message and the images it skipped."""
    if event.status is RunStatus.COMPLETED:
        text = translate("RunLog", "Finished after {epochs} epochs in {time}.")
    elif event.status is RunStatus.CANCELLED:
        text = translate("RunLog", "Cancelled after {epochs} epochs in {time}.")
    else:
        text = translate("RunLog", "Failed after {epochs} epochs in {time}.")
    line = text.format(epochs=event.epochs_completed, time=duration_text(event.seconds))
    if event.best_epoch >= 1:
        line += " " + best_sentence(event.best_val_acc, event.best_epoch)
    lines = [line]
    if event.message:
        lines.append(event.message)
    if event.skipped:
        skipped = translate("RunLog", "{count} images were skipped:")
        lines.append(skipped.format(count=f"{len(event.skipped):,}"))
        lines += [f"  {path}: {reason}" for path, reason in event.skipped[:SKIPPED_LISTED]]
    return lines


def tried_lines(tried: Sequence[dict[str, Any]]) -> list[str]:
    """What an ``auto`` run tried, one line per step (what and why: the engine's words)."""
    lines = [translate("RunLog", "What Auto tried:")]
    for step in tried:
        what, strategy, accuracy, seconds, stopped = tried_row(step)
        line = translate("RunLog", "{what} ({strategy}): {accuracy} in {time}; {stopped}")
        lines.append("  " + line.format(what=what, strategy=strategy, accuracy=accuracy, time=seconds,
                                        stopped=stopped))
    return lines
