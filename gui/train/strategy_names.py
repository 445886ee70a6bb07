"""What the app calls each strategy, run status and aim, in plain words, in the interface language.

The engine names them with fixed codes (``features``, ``completed``, ``fastest-good``); the tables
here hold the English texts marked for translation and the functions translate them when shown.
A code no table knows is shown as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from gui.i18n import translate

AUTO = "auto"
CONTEXT = "StrategyNames"

STRATEGY_TEXT = {  # key → (title, one sentence on what it does)
    AUTO: (
        QT_TRANSLATE_NOOP("StrategyNames", "Auto (measure, then train the best)"),
        QT_TRANSLATE_NOOP(
            "StrategyNames",
            "Trains a new head on cached features first, tries a short fine-tune only where it could pay, "
            "then trains the best strategy for your aim and time budget.",
        ),
    ),
    "features": (
        QT_TRANSLATE_NOOP("StrategyNames", "New head on cached features"),
        QT_TRANSLATE_NOOP(
            "StrategyNames",
            "Fastest: the pretrained network reads each image once; a small classifier learns in seconds.",
        ),
    ),
    "linear": (
        QT_TRANSLATE_NOOP("StrategyNames", "New head, frozen network"),
        QT_TRANSLATE_NOOP(
            "StrategyNames",
            "Like the above, but images are augmented every epoch: slower, sometimes more robust.",
        ),
    ),
    "partial": (
        QT_TRANSLATE_NOOP("StrategyNames", "Fine-tune the upper layers"),
        QT_TRANSLATE_NOOP(
            "StrategyNames",
            "The first k layer groups stay frozen; the upper ones and the head adapt to your images.",
        ),
    ),
    "full": (
        QT_TRANSLATE_NOOP("StrategyNames", "Fine-tune every layer"),
        QT_TRANSLATE_NOOP(
            "StrategyNames",
            "Everything adapts, starting from the pretrained weights; needs more images and time.",
        ),
    ),
    "scratch": (
        QT_TRANSLATE_NOOP("StrategyNames", "Train from scratch"),
        QT_TRANSLATE_NOOP(
            "StrategyNames", "Same network, random start. Needs many images; rarely the best choice."
        ),
    ),
    "stack": (
        QT_TRANSLATE_NOOP("StrategyNames", "Stack several networks"),
        QT_TRANSLATE_NOOP("StrategyNames", "Features of several pretrained networks side by side, one head."),
    ),
}

SHORT_NAMES = {  # key → a few words, for lists where the title is too long
    AUTO: QT_TRANSLATE_NOOP("StrategyNames", "Auto"),
    "features": QT_TRANSLATE_NOOP("StrategyNames", "Cached features"),
    "linear": QT_TRANSLATE_NOOP("StrategyNames", "Frozen network"),
    "partial": QT_TRANSLATE_NOOP("StrategyNames", "Partial fine-tune"),
    "full": QT_TRANSLATE_NOOP("StrategyNames", "Full fine-tune"),
    "scratch": QT_TRANSLATE_NOOP("StrategyNames", "From scratch"),
    "stack": QT_TRANSLATE_NOOP("StrategyNames", "Stacked networks"),
}

STATUS_TEXT = {  # engine.runs.files.RunRecord.status and engine.events.RunStatus values
    "completed": QT_TRANSLATE_NOOP("StrategyNames", "completed"),
    "cancelled": QT_TRANSLATE_NOOP("StrategyNames", "cancelled"),
    "failed": QT_TRANSLATE_NOOP("StrategyNames", "failed"),
    "running": QT_TRANSLATE_NOOP("StrategyNames", "running"),
    "interrupted": QT_TRANSLATE_NOOP("StrategyNames", "interrupted"),
    "missing": QT_TRANSLATE_NOOP("StrategyNames", "damaged"),
}

GOAL_TEXT = {  # the aims of engine.recommend.forecast.choose, in the order the wizard offers them
    "fastest-good": QT_TRANSLATE_NOOP("StrategyNames", "Quickest within a point of the best"),
    "most-accurate": QT_TRANSLATE_NOOP("StrategyNames", "Most accurate, whatever it takes"),
}
GOALS = tuple(GOAL_TEXT)
GOAL_CHOICES = tuple(GOAL_TEXT.items())  # (aim, English text); show goal_text(aim)


def strategy_title(name: str) -> str:
    """The plain-language name of a strategy."""
    texts = STRATEGY_TEXT.get(name)
    return translate(CONTEXT, texts[0]) if texts else name


def strategy_description(name: str) -> str:
    """One sentence on what a strategy does."""
    texts = STRATEGY_TEXT.get(name)
    return translate(CONTEXT, texts[1]) if texts else ""


def strategy_short(name: str) -> str:
    """A strategy's name in a few words (the runs list)."""
    return translate(CONTEXT, SHORT_NAMES[name]) if name in SHORT_NAMES else name


def status_text(status: str) -> str:
    """A run's status (``completed``, ``cancelled``, …) in words."""
    return translate(CONTEXT, STATUS_TEXT[status]) if status in STATUS_TEXT else status


def goal_text(goal: str) -> str:
    """What an aim (``fastest-good``, ``most-accurate``) means."""
    return translate(CONTEXT, GOAL_TEXT[goal]) if goal in GOAL_TEXT else goal
