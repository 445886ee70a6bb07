"""Step 3 of the strategy wizard: the grid, one recommended strategy and why, and the user's choice."""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from engine.config import DEFAULT_BACKBONE, STRATEGIES, TrainConfig
from engine.recommend.forecast import Forecast, choose, cost_sentence
from gui.theme import ERROR_COLOR
from gui.train.progress import format_duration
from gui.train.wizard.advanced import AdvancedSettings
from gui.train.wizard.grid import SeedGrid
from gui.train.wizard.pages import plain_label
from gui.workers.recommend_worker import RecommendationView

STRATEGY_TEXT = {
    "features": (
        "New head on cached features",
        "Fastest: the pretrained network reads each image once; a small classifier learns in seconds.",
    ),
    "linear": (
        "New head, frozen network",
        "Like the above, but images are augmented every epoch: slower, sometimes more robust.",
    ),
    "partial": (
        "Fine-tune the upper layers",
        "The first k layer groups stay frozen; the upper ones and the head adapt to your images.",
    ),
    "full": (
        "Fine-tune every layer",
        "Everything adapts, starting from the pretrained weights; needs more images and time.",
    ),
    "scratch": (
        "Train from scratch",
        "Same network, random start. Needs many images; rarely the best choice.",
    ),
    "stack": ("Stack several networks", "Features of several pretrained networks side by side, one head."),
}


GOAL_CHOICES = (
    ("fastest-good", "Quickest within a point of the best"),
    ("most-accurate", "Most accurate, whatever it takes"),
)


def strategy_title(name: str) -> str:
    """The plain-language name of a strategy."""
    return STRATEGY_TEXT.get(name, (name, ""))[0]


class RecommendationStepPage(QWizardPage):
    """Shows the recommendation and builds the ``TrainConfig`` from the user's final choice."""

    def __init__(self, data_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle("3 · Recommendation")
        self.setSubTitle("Where your data sits, what to train and why. You can pick another strategy.")
        self._data_dir = data_dir
        self.view: RecommendationView | None = None
        self.grid = SeedGrid(self)
        self.headline = plain_label("", self)
        bold = QFont(self.headline.font())
        bold.setWeight(QFont.Weight.DemiBold)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.headline.setFont(bold)
        self.reason = plain_label("", self)
        self.expected = plain_label("", self)
        self.choices = QButtonGroup(self)
        self.eta_labels: dict[str, QLabel] = {}
        choice_grid = QGridLayout()
        for row, name in enumerate(STRATEGIES):
            title, text = STRATEGY_TEXT[name]
            button = QRadioButton(title, self)
            button.setProperty("strategy", name)
            button.setToolTip(text)
            self.choices.addButton(button, row)
            description = plain_label(text, self)
            description.setObjectName("mutedLabel")
            eta = plain_label("", self, wrap=False)
            eta.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.eta_labels[name] = eta
            choice_grid.addWidget(button, row, 0)
            choice_grid.addWidget(description, row, 1)
            choice_grid.addWidget(eta, row, 2)
        choice_grid.setColumnStretch(1, 1)
        self.choices.idToggled.connect(self._on_choice)
        self.backbone = QComboBox(self)
        self.backbone.currentIndexChanged.connect(self._on_backbone)
        self.advanced_toggle = QToolButton(self)
        self.advanced_toggle.setText("Advanced settings")
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.toggled.connect(self._on_advanced_toggled)
        self.advanced = AdvancedSettings(self)
        self.advanced.hide()
        self.advanced.changed.connect(self.completeChanged)
        self.goal = QComboBox(self)
        for goal, text in GOAL_CHOICES:
            self.goal.addItem(text, goal)
        self.goal.currentIndexChanged.connect(self._on_goal)
        self.budget = QSpinBox(self)
        self.budget.setRange(0, 24 * 60)
        self.budget.setSuffix(" min")
        self.budget.setSpecialValueText("no limit")
        self.budget.setToolTip("Leave out strategies expected to train for longer than this.")
        self.budget.valueChanged.connect(self._on_goal)
        goal_row = QHBoxLayout()
        goal_row.addWidget(QLabel("Aim for:", self))
        goal_row.addWidget(self.goal, 1)
        goal_row.addWidget(QLabel("Time budget:", self))
        goal_row.addWidget(self.budget)
        self.problems = plain_label("", self)
        self.problems.setStyleSheet(f"color: {ERROR_COLOR};")
        network_row = QHBoxLayout()
        network_row.addWidget(QLabel("Pretrained network:", self))
        network_row.addWidget(self.backbone, 1)
        network_row.addWidget(self.advanced_toggle)
        top = QHBoxLayout()
        top.addWidget(self.grid, 3)
        text = QVBoxLayout()
        text.addWidget(self.headline)
        text.addWidget(self.reason)
        text.addWidget(self.expected)
        text.addStretch(1)
        top.addLayout(text, 2)
        content = QWidget(self)
        layout = QVBoxLayout(content)
        layout.setContentsMargins(0, 0, 8, 0)
        layout.addLayout(top)
        layout.addLayout(goal_row)
        layout.addSpacing(8)
        layout.addLayout(choice_grid)
        layout.addSpacing(4)
        layout.addLayout(network_row)
        layout.addWidget(self.advanced)
        layout.addWidget(self.problems)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # ------------------------------------------------------------------ API
    def show_recommendation(self, view: RecommendationView) -> None:
        """Fill the page from step 2's result and preselect the recommended choice."""
        self.view = view
        self.grid.set_cell(view.cell)
        backbones = " + ".join(view.backbones)
        k = (
            f", first {view.k} layer groups frozen"
            if view.strategy == "partial" and view.k is not None
            else ""
        )
        self.headline.setText(
            f"Recommended: {strategy_title(view.strategy)} ({view.strategy}) on {backbones}{k}."
        )
        self.reason.setText(view.reason)
        if view.expected_acc is not None:
            low, high = view.expected_acc
            self.expected.setText(expected_text(low, high))
        else:
            self.expected.setText("Expected accuracy: not measured.")
        for name, label in self.eta_labels.items():
            label.setText(forecast_text(view, name))
        names = list(dict.fromkeys([*view.backbones, *view.scores, DEFAULT_BACKBONE]))
        self.backbone.blockSignals(True)
        self.backbone.clear()
        for name in names:
            self.backbone.addItem(name + ("  (recommended)" if name == view.backbones[0] else ""), name)
        self.backbone.blockSignals(False)
        for button in self.choices.buttons():
            name = str(button.property("strategy"))
            button.setText(strategy_title(name) + ("  (recommended)" if name == view.strategy else ""))
        self.select_strategy(view.strategy)

    def forecasts(self) -> dict[str, Forecast]:
        """Each strategy's predicted accuracy range and time, from step 2."""
        strategies = self.view.strategies if self.view is not None else {}
        return {name: Forecast.from_dict(name, data) for name, data in strategies.items()}

    def goal_and_budget(self) -> tuple[str, float | None]:
        """The user's aim and time budget in seconds (None: no limit)."""
        minutes = self.budget.value()
        return str(self.goal.currentData()), (minutes * 60.0 if minutes else None)

    def choose_again(self) -> None:
        """Pick the strategy for the chosen aim and budget from the forecasts, and say why."""
        table = self.forecasts()
        if self.view is None or not table:
            return
        goal, budget = self.goal_and_budget()
        pick = choose(table, goal, budget)
        if goal == "fastest-good" and budget is None and pick.strategy == self.view.strategy:
            self.reason.setText(self.view.reason)
        else:
            self.reason.setText(
                f"{strategy_title(pick.strategy)} is expected to reach {pick.low:.0%} to {pick.high:.0%} "
                f"on your validation images. {cost_sentence(pick, table, budget)}"
            )
        self.expected.setText(expected_text(pick.low, pick.high))
        self.headline.setText(f"Recommended: {strategy_title(pick.strategy)} ({pick.strategy}).")
        self.select_strategy(pick.strategy)

    def select_strategy(self, name: str) -> None:
        """Pick a strategy (as the user would)."""
        for button in self.choices.buttons():
            if button.property("strategy") == name:
                button.setChecked(True)
                self._on_choice(self.choices.id(button), True)

    def strategy(self) -> str:
        """The strategy picked."""
        button = self.choices.checkedButton()
        return str(button.property("strategy")) if button is not None else "features"

    def backbones(self) -> tuple[str, ...]:
        """One backbone, or for ``stack`` the best two or more measured ones."""
        chosen = str(self.backbone.currentData() or DEFAULT_BACKBONE)
        if self.strategy() != "stack":
            return (chosen,)
        if self.view is not None and len(self.view.backbones) > 1 and self.view.strategy == "stack":
            return tuple(self.view.backbones)
        ranked = self._ranked_backbones()
        others = [b for b in ranked if b != chosen]
        return (chosen, *(others[:1] or [b for b in ("resnet18", "mobilenet_v3_large") if b != chosen][:1]))

    def _ranked_backbones(self) -> list[str]:
        scores = self.view.scores if self.view is not None else {}
        return sorted(scores, key=lambda b: -(scores[b].get("probe") or 0.0))

    def config(self) -> TrainConfig:
        """The frozen configuration of the current choice (may not validate; see :meth:`problems_text`)."""
        goal, budget = self.goal_and_budget()
        return TrainConfig(
            data_dir=self._data_dir,
            strategy=self.strategy(),
            backbones=self.backbones(),
            extra={"goal": goal, "time_budget": budget},
            **self.advanced.values(),
        )

    def isComplete(self) -> bool:
        """Complete when the configuration validates; problems are listed in plain words."""
        problems = self.config().validate() if self.view is not None else ["no recommendation yet"]
        self.problems.setText("\n".join(problems))
        return not problems

    # ---------------------------------------------------------------- slots
    @Slot(int, bool)
    def _on_choice(self, _id: int, checked: bool) -> None:
        if checked:
            k = self.view.k if self.view is not None else None
            self.advanced.configure(self.strategy(), str(self.backbone.currentData() or DEFAULT_BACKBONE), k)
            self.completeChanged.emit()

    @Slot(int)
    def _on_goal(self, _value: int) -> None:
        self.choose_again()

    @Slot(int)
    def _on_backbone(self, _index: int) -> None:
        self._on_choice(0, True)

    @Slot(bool)
    def _on_advanced_toggled(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)


def expected_text(low: float, high: float) -> str:
    """The expected-accuracy line."""
    return (
        f"Expected validation accuracy: {low:.0%} to {high:.0%} (a central 80% range, from the "
        "quick classifiers of step 2 at several sample sizes and the size of your validation set)."
    )


def forecast_text(view: RecommendationView, name: str) -> str:
    """``"84–92 % · ≈ 3 min 20 s"`` for a strategy, or just the time, or nothing."""
    forecast = view.strategies.get(name)
    seconds = forecast["expected_seconds"] if forecast else view.eta_seconds.get(name)
    time_text = f"≈ {format_duration(seconds)}" if seconds is not None else ""
    if not forecast:
        return time_text
    low, high = forecast["expected_acc"]
    return f"{low * 100:.0f}–{high * 100:.0f} % · {time_text}"
