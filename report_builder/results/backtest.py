"""Did last quarter's forecast and offers work: the back-test and the measured uplift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np

from report_builder.records import Out, published


@dataclass(frozen=True)
class Group:
    name: Annotated[Literal["offer", "control"], Out()]
    customers: Annotated[int, Out()]
    actual_rate: Annotated[float, Out(digits=4)]  # share whose activity declined this quarter


@dataclass(frozen=True)
class SegmentUplift:
    segment: str
    offered: Group
    control: Group
    uplift: float  # control rate minus offered rate: the drop the offers prevented
    ci95: tuple[float, float]


@dataclass(frozen=True)
class Backtest:
    SUMMARY: ClassVar[str] = "backtest"
    reference_period: Annotated[str, Out()]
    customers: Annotated[int, Out()]  # present in both quarters
    roc_auc: Annotated[float, Out(digits=4, history=True)]
    roc_auc_ci95: Annotated[tuple[float, float], Out(digits=4)]
    cv_roc_auc_then: Annotated[float, Out(digits=4)]  # what the model promised last quarter
    brier: Annotated[float, Out(digits=4)]
    calibration_predicted: np.ndarray  # mean predicted per decile
    calibration_actual: np.ndarray  # actual share per decile
    calibration_counts: np.ndarray
    threshold: float
    precision: Annotated[float, Out(digits=4)]
    recall: Annotated[float, Out(digits=4)]
    predicted_rate: Annotated[float, Out(digits=4)]  # share flagged at last quarter's threshold
    actual_rate: Annotated[float, Out(digits=4)]  # share whose activity declined
    auc_fell: bool  # realised ROC-AUC below last quarter's promise by more than the margin
    calibration_gap: float  # largest gap between predicted and actual share over well-filled deciles
    calibration_off: bool  # that gap above the margin
    groups: Annotated[tuple[Group, ...], Out()]  # at-risk customers of the reference run: offered vs control
    uplift: Annotated[float | None, Out(digits=4)]
    uplift_ci95: Annotated[tuple[float, float] | None, Out(digits=4)]
    by_segment: tuple[SegmentUplift, ...]
    verdict: Annotated[Literal["early", "helped", "hurt", "none"], Out()]  # what the offers did: too early to say, or the sign of the effect

    @published
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
