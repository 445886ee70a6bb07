"""The Data page's data warnings in the interface language, one text per warning kind.

:meth:`engine.project.store.Project.warnings` names each warning with a machine-readable ``kind``
and an English message. The texts here are the same sentences, translated, with their numbers and
class names read from the project through the same thresholds (:mod:`engine.data.thresholds`),
so the English interface shows exactly the engine's message. A kind this table does not know
shows the engine's message as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP

from engine.data.thresholds import FEW_IMAGES_PER_CLASS, imbalance, is_too_few
from engine.project.store import Project, ProjectWarning
from gui.i18n import translate

_TEXTS = {  # (kind, one?): the sentence, translated where shown (context "DataWarnings")
    ("need_classes", False): QT_TRANSLATE_NOOP(
        "DataWarnings", "Training needs at least two classes with images; this project has {count}. "
        "Create classes and label some images."),
    ("too_few", True): QT_TRANSLATE_NOOP("DataWarnings",
                                         "Class “{name}” has {count} image; add at least {minimum}."),
    ("too_few", False): QT_TRANSLATE_NOOP("DataWarnings",
                                          "Class “{name}” has {count} images; add at least {minimum}."),
    ("imbalance", False): QT_TRANSLATE_NOOP(
        "DataWarnings", "Classes are imbalanced: “{big}” has {big_count} images, “{small}” has {small_count} "
        "({ratio}x). Add images to the smaller classes."),
    ("unlabeled", True): QT_TRANSLATE_NOOP("DataWarnings", "{count} image unlabeled; not used to train."),
    ("unlabeled", False): QT_TRANSLATE_NOOP("DataWarnings", "{count} images unlabeled; not used to train."),
    ("broken", True): QT_TRANSLATE_NOOP("DataWarnings", "{count} file cannot be read; skipped in training."),
    ("broken", False): QT_TRANSLATE_NOOP("DataWarnings",
                                         "{count} files cannot be read; skipped in training."),
}


def warning_texts(project: Project, warnings: Sequence[ProjectWarning]) -> list[str]:
    """The text of each of ``project``'s ``warnings`` (as :meth:`Project.warnings` lists them)."""
    counts = project.class_counts()
    too_few = iter([(name, n) for name, n in counts.items() if is_too_few(n)])  # one warning each, in order
    texts = []
    for warning in warnings:
        found = _values(project, counts, too_few, warning.kind)
        source = _TEXTS.get((warning.kind, found[1])) if found else None
        if found and source:
            texts.append(translate("DataWarnings", source).format(**found[0]))
        else:
            texts.append(warning.message)
    return texts


def _values(project: Project, counts: dict[str, int], too_few: Iterator[tuple[str, int]],
            kind: str) -> tuple[dict[str, object], bool] | None:
    """The values of one warning's sentence and whether its count is one; None for an unknown kind."""
    if kind == "need_classes":
        return {"count": sum(1 for n in counts.values() if n)}, False
    if kind == "too_few":
        name, n = next(too_few, ("", 0))
        return {"name": name, "count": f"{n:,}", "minimum": FEW_IMAGES_PER_CLASS}, n == 1
    if kind == "imbalance" and (found := imbalance(counts)):
        big, small, ratio = found
        return {"big": big, "small": small, "big_count": counts[big], "small_count": counts[small],
                "ratio": f"{ratio:.1f}"}, False
    if kind in ("unlabeled", "broken"):
        n = project.count_unlabeled() if kind == "unlabeled" else project.count_broken()
        return {"count": f"{n:,}"}, n == 1
    return None
