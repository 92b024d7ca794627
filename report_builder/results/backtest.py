"""Did last quarter's forecast and offers work: the back-test and the measured uplift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np


@dataclass(frozen=True)
class Group:
    name: Literal["offer", "control"]
    customers: int
    actual_rate: float  # share whose activity declined this quarter


@dataclass(frozen=True)
class SegmentUplift:
    segment: str
    offered: Group
    control: Group
    uplift: float  # control rate minus offered rate: the drop the offers prevented
    ci95: tuple[float, float]


@dataclass(frozen=True)
class Backtest:
    reference_period: str
    customers: int  # present in both quarters
    roc_auc: float
    roc_auc_ci95: tuple[float, float]
    cv_roc_auc_then: float  # what the model promised last quarter
    brier: float
    calibration_predicted: np.ndarray  # mean predicted per decile
    calibration_actual: np.ndarray  # actual share per decile
    calibration_counts: np.ndarray
    threshold: float
    precision: float
    recall: float
    predicted_rate: float  # share flagged at last quarter's threshold
    actual_rate: float  # share whose activity declined
    auc_fell: bool  # realised ROC-AUC below last quarter's promise by more than the margin
    calibration_gap: float  # largest gap between predicted and actual share over well-filled deciles
    calibration_off: bool  # that gap above the margin
    groups: tuple[Group, ...]  # at-risk customers of the reference run: offered vs control
    uplift: float | None
    uplift_ci95: tuple[float, float] | None
    by_segment: tuple[SegmentUplift, ...]
    verdict: Literal["early", "helped", "hurt", "none"]  # what the offers did: too early to say, or the sign of the effect

    @property
    def retrain(self) -> bool:
        return self.auc_fell or self.calibration_off


@dataclass(frozen=True)
class SegmentValue:
    segment: str
    customers: int
    expected_value: float  # Σ (p × monthly profit × months × effect − cost) over the segment's reachable customers
    worth_it: bool


@dataclass(frozen=True)
class Economics:
    effect: float  # share of a drop an offer prevents
    measured: bool  # True: the back-test's uplift, False: the configured assumption
    segments: tuple[SegmentValue, ...]
    bands: tuple[tuple[float, float, float], ...]  # probability band low, high, expected value per contacted customer
    cost: float  # cost per contact used for the bands (the cheapest offer)
