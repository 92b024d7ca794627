"""The forecast of next quarter's decline, learnt from pairs of consecutive earlier quarters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Kind = Literal["forward", "persistence"]
Validation = Literal["time", "cv"]
# Why the forecast used is the one it is:
# "model_better": the model's validated ROC-AUC is above persistence's;
# "persistence_better": it is not, so next quarter is forecast from this quarter's label.
Reason = Literal["model_better", "persistence_better"]
Calibration = Literal["none", "sigmoid", "isotonic"]


@dataclass(frozen=True)
class Quarter:
    """One quarter's cleaned customers: index id, columns labels.FEATURES and labels.TARGET."""

    period: str
    customers: pd.DataFrame


@dataclass(frozen=True)
class Baseline:
    """Persistence («кто снизил активность сейчас, снизит и дальше») on the customers the forecast is checked on."""

    roc_auc: float
    precision: float  # share of this quarter's decliners who decline next quarter too
    recall: float  # share of next quarter's decliners who were declining already


@dataclass(frozen=True)
class Forecast:
    kind: Kind
    reason: Reason
    pairs: tuple[tuple[str, str], ...]  # (period t-1, period t) of every pair learnt from, in period order
    validation: Validation  # "time": fitted on the earlier pairs, checked on the latest; "cv": grouped cross-validation
    customers: int  # customers the reported scores are measured on
    roc_auc: float  # of the forecast used (the model's or persistence's)
    roc_auc_ci95: tuple[float, float]
    brier: float  # of the probabilities used, on the same customers
    persistence: Baseline
    constant_brier: float  # the base rate given to everyone
    model_roc_auc: float
    model_brier: float  # calibrated model
    family: str  # model family chosen by the grouped cross-validated search
    calibration: Calibration  # chosen by Brier score on validated scores
    calibration_brier: tuple[tuple[str, float], ...]  # Brier score of each calibration tried
    rate_from_stable: float  # observed next-quarter decline rate of customers stable at t-1, over all pairs
    rate_from_declining: float  # the same for customers declining at t-1
    expected_from_stable: float  # expected decliners next quarter among this quarter's «Прежний уровень»
    expected_from_declining: float  # ... and among this quarter's «Снизилась»
    probability: pd.Series  # next quarter's probability of decline for every current customer (index: id)

    @property
    def expected(self) -> float:
        return self.expected_from_stable + self.expected_from_declining
