"""Step 3 of the strategy wizard: the grid, one recommended strategy and why, and the user's choice.

The page's words follow the interface language; the recommendation's reason (and the engine's
sentence on what a choice costs) is shown as the engine wrote it.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSignalBlocker, Qt, Slot
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
from gui.i18n import retranslate_on_change, translate
from gui.theme import ERROR_COLOR
from gui.train.run_texts import duration_text
from gui.train.strategy_names import AUTO, GOALS, goal_text, strategy_description, strategy_title
from gui.train.wizard.advanced import AdvancedSettings
from gui.train.wizard.grid import SeedGrid
from gui.train.wizard.pages import plain_label
from gui.workers.recommend_worker import RecommendationView

GOAL_KEY = "wizard/goal"
BUDGET_KEY = "wizard/timeBudgetMinutes"
AUTO_KEY = "wizard/auto"  # the last run trained was "auto": offer it first next time


class RecommendationStepPage(QWizardPage):
    """Shows the recommendation and builds the ``TrainConfig`` from the user's final choice."""

    def __init__(self, data_dir: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_dir = data_dir
        self.view: RecommendationView | None = None
        self.grid = SeedGrid(self)
        self.headline = plain_label("", self)
        bold = QFont(self.headline.font())
        bold.setWeight(QFont.Weight.DemiBold)
        bold.setPointSizeF(bold.pointSizeF() * 1.15)
        self.headline.setFont(bold)
        self.reason = plain_label("", self)
        self.reason.setProperty("untranslatedContent", True)  # the engine's reason, as it wrote it
        self.expected = plain_label("", self)
        self.choices = QButtonGroup(self)
        self.eta_labels: dict[str, QLabel] = {}
        self.descriptions: dict[str, QLabel] = {}
        choice_grid = QGridLayout()
        self._add_choice(choice_grid, 0, AUTO)
        for row, name in enumerate(STRATEGIES, start=2):  # row 1: a rule between Auto and the others
            self._add_choice(choice_grid, row, name)
        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setFrameShadow(QFrame.Shadow.Sunken)
        choice_grid.addWidget(rule, 1, 0, 1, 3)
        choice_grid.setColumnStretch(1, 1)
        self.choices.idToggled.connect(self._on_choice)
        self.backbone = QComboBox(self)
        self.backbone.currentIndexChanged.connect(self._on_backbone)
        self.advanced_toggle = QToolButton(self)
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.toggled.connect(self._on_advanced_toggled)
        self.advanced = AdvancedSettings(self)
        self.advanced.hide()
        self.advanced.changed.connect(self.completeChanged)
        self.goal = QComboBox(self)
        for goal in GOALS:
            self.goal.addItem(goal, goal)  # the data stays; retranslate_ui sets the texts
        self.goal.currentIndexChanged.connect(self._on_goal)
        self.budget = QSpinBox(self)
        self.budget.setRange(0, 24 * 60)
        self._restore_settings()
        self.budget.valueChanged.connect(self._on_goal)
        self.aim_label, self.budget_label, self.network_label = QLabel(self), QLabel(self), QLabel(self)
        goal_row = QHBoxLayout()
        goal_row.addWidget(self.aim_label)
        goal_row.addWidget(self.goal, 1)
        goal_row.addWidget(self.budget_label)
        goal_row.addWidget(self.budget)
        self.problems = plain_label("", self)
        self.problems.setStyleSheet(f"color: {ERROR_COLOR};")
        self.problems.setProperty("untranslatedContent", True)  # the engine's checks of the configuration
        network_row = QHBoxLayout()
        network_row.addWidget(self.network_label)
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
        retranslate_on_change(self, self.retranslate_ui)

    def retranslate_ui(self) -> None:
        """Every text of the page, the recommendation's included, in the interface language."""
        self.setTitle(translate("RecommendationStepPage", "3 · Recommendation"))
        self.setSubTitle(translate(
            "RecommendationStepPage",
            "Where your data sits, what to train and why. You can pick another strategy.",
        ))
        self.eta_labels[AUTO].setToolTip(translate(
            "RecommendationStepPage",
            "What Auto is expected to train for your aim and time budget; measuring first adds "
            "seconds to a few minutes.",
        ))
        self.advanced_toggle.setText(translate("RecommendationStepPage", "Advanced settings"))
        for i in range(self.goal.count()):
            self.goal.setItemText(i, goal_text(str(self.goal.itemData(i))))
        self.budget.setSuffix(translate("RecommendationStepPage", " min"))
        self.budget.setSpecialValueText(translate("RecommendationStepPage", "no limit"))
        self.budget.setToolTip(translate(
            "RecommendationStepPage",
            "Leave out strategies expected to train for longer than this. Auto keeps its measuring "
            "and the run it chooses within it.",
        ))
        self.aim_label.setText(translate("RecommendationStepPage", "Aim for:"))
        self.budget_label.setText(translate("RecommendationStepPage", "Time budget:"))
        self.network_label.setText(translate("RecommendationStepPage", "Pretrained network:"))
        self._name_choices()
        if self.view is not None:
            for i in range(self.backbone.count()):
                self.backbone.setItemText(i, self._backbone_text(str(self.backbone.itemData(i))))
            for name, label in self.eta_labels.items():
                label.setText(forecast_text(self.view, name))
            self._describe()
            self._show_auto_forecast()
        self.isComplete()  # the problems line

    def _name_choices(self) -> None:
        """Each strategy's title (marked when recommended), tooltip and description."""
        recommended = self.view.strategy if self.view is not None else None
        for button in self.choices.buttons():
            name = str(button.property("strategy"))
            title = strategy_title(name)
            if name == recommended:
                title = translate("RecommendationStepPage", "{name}  (recommended)").format(name=title)
            button.setText(title)
            button.setToolTip(strategy_description(name))
            self.descriptions[name].setText(strategy_description(name))

    def _backbone_text(self, name: str) -> str:
        """A network's name in the list, marked when recommended."""
        if self.view is not None and name == self.view.backbones[0]:
            return translate("RecommendationStepPage", "{name}  (recommended)").format(name=name)
        return name

    def _add_choice(self, grid: QGridLayout, row: int, name: str) -> None:
        """One row of the choice: the radio button, what the strategy does, its forecast."""
        button = QRadioButton(self)
        button.setProperty("strategy", name)
        self.choices.addButton(button, row)
        description = self.descriptions[name] = plain_label("", self)
        description.setObjectName("mutedLabel")
        eta = plain_label("", self, wrap=False)
        eta.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.eta_labels[name] = eta
        grid.addWidget(button, row, 0)
        grid.addWidget(description, row, 1)
        grid.addWidget(eta, row, 2)

    # ------------------------------------------------------------- settings
    def _restore_settings(self) -> None:
        """The aim, budget and Auto choice of the last run started from the wizard (QSettings)."""
        settings = QSettings()
        try:
            minutes = int(settings.value(BUDGET_KEY, 0))
        except (TypeError, ValueError):
            minutes = 0
        goal = self.goal.findData(str(settings.value(GOAL_KEY, "fastest-good")))
        with QSignalBlocker(self.goal), QSignalBlocker(self.budget):  # nothing to choose again yet
            self.goal.setCurrentIndex(max(0, goal))
            self.budget.setValue(minutes)
        self._auto_first = str(settings.value(AUTO_KEY, "false")).lower() == "true"

    def save_settings(self) -> None:
        """Remember the aim, the budget and whether Auto was chosen, for the next run."""
        settings = QSettings()
        settings.setValue(GOAL_KEY, str(self.goal.currentData()))
        settings.setValue(BUDGET_KEY, self.budget.value())
        settings.setValue(AUTO_KEY, self.strategy() == AUTO)

    # ------------------------------------------------------------------ API
    def show_recommendation(self, view: RecommendationView) -> None:
        """Fill the page from step 2's result and preselect the recommended choice."""
        self.view = view
        self.grid.set_cell(view.cell)
        for name, label in self.eta_labels.items():
            label.setText(forecast_text(view, name))
        names = list(dict.fromkeys([*view.backbones, *view.scores, DEFAULT_BACKBONE]))
        self.backbone.blockSignals(True)
        self.backbone.clear()
        for name in names:
            self.backbone.addItem(self._backbone_text(name), name)
        self.backbone.blockSignals(False)
        self._name_choices()
        self.select_strategy(view.strategy)
        self._describe()
        if self.goal_and_budget() != ("fastest-good", None):
            self.choose_again()
        self._show_auto_forecast()
        if self._auto_first:
            self.select_strategy(AUTO)

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
        pick = choose(table, *self.goal_and_budget())
        keep_auto = self.strategy() == AUTO
        self._describe()
        self.select_strategy(AUTO if keep_auto else pick.strategy)
        self._show_auto_forecast()

    def _describe(self) -> None:
        """Headline, reason and expected accuracy: step 2's recommendation, or the aim and budget's pick."""
        view, table = self.view, self.forecasts()
        if view is None:
            return
        goal, budget = self.goal_and_budget()
        pick = choose(table, goal, budget) if table else None
        if pick is None or (goal == "fastest-good" and budget is None and pick.strategy == view.strategy):
            self.headline.setText(recommended_text(view))
            self.reason.setText(view.reason)
            self.expected.setText(
                expected_text(*view.expected_acc) if view.expected_acc is not None
                else translate("RecommendationStepPage", "Expected accuracy: not measured.")
            )
            return
        reach = translate("RecommendationStepPage",
                          "{name} is expected to reach {low} to {high} on your validation images.")
        self.reason.setText(reach.format(name=strategy_title(pick.strategy), low=f"{pick.low:.0%}",
                                         high=f"{pick.high:.0%}") + " " + cost_sentence(pick, table, budget))
        self.expected.setText(expected_text(pick.low, pick.high))
        recommended = translate("RecommendationStepPage", "Recommended: {name}.")
        self.headline.setText(recommended.format(name=strategy_title(pick.strategy)))

    def _show_auto_forecast(self) -> None:
        """The Auto row's forecast: that of the strategy the aim and budget pick from step 2's table."""
        table = self.forecasts()
        if self.view is None or not table:
            self.eta_labels[AUTO].setText("")
            return
        pick = choose(table, *self.goal_and_budget())
        self.eta_labels[AUTO].setText(forecast_text(self.view, pick.strategy))

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
        if self.strategy() == AUTO:  # it measures the networks step 2 measured (or all available)
            return tuple(self.view.scores) if self.view is not None else ()
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
        problems = (self.config().validate() if self.view is not None
                    else [translate("RecommendationStepPage", "no recommendation yet")])
        self.problems.setText("\n".join(problems))
        return not problems

    # ---------------------------------------------------------------- slots
    @Slot(int, bool)
    def _on_choice(self, _id: int, checked: bool) -> None:
        if checked:
            k = self.view.k if self.view is not None else None
            self.backbone.setEnabled(self.strategy() != AUTO)
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


def recommended_text(view: RecommendationView) -> str:
    """The headline of step 2's recommendation: the strategy, the networks and, for ``partial``, k."""
    networks = " + ".join(view.backbones)
    if view.strategy == "partial" and view.k is not None:
        text = translate("RecommendationStepPage",
                         "Recommended: {name} on {networks}, first {k} layer groups frozen.")
    else:
        text = translate("RecommendationStepPage", "Recommended: {name} on {networks}.")
    return text.format(name=strategy_title(view.strategy), networks=networks, k=view.k)


def expected_text(low: float, high: float) -> str:
    """The expected-accuracy line."""
    return translate(
        "RecommendationStepPage",
        "Expected validation accuracy: {low} to {high} (a central 80% range, from the quick classifiers "
        "of step 2 at several sample sizes and the size of your validation set).",
    ).format(low=f"{low:.0%}", high=f"{high:.0%}")


def forecast_text(view: RecommendationView, name: str) -> str:
    """``"84–92 % · ≈ 3 min 20 s"`` for a strategy, or just the time, or nothing."""
    forecast = view.strategies.get(name)
    seconds = forecast["expected_seconds"] if forecast else view.eta_seconds.get(name)
    time_text = f"≈ {duration_text(seconds)}" if seconds is not None else ""
    if not forecast:
        return time_text
    low, high = forecast["expected_acc"]
    return f"{low * 100:.0f}–{high * 100:.0f} % · {time_text}"
