"""Did last quarter's forecast and offers work: the back-test and the measured uplift."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import numpy as np

from report_builder.records import Out, published
from report_builder.uplift import Verdict


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
class Compliance:
    """Last quarter's offers as they were carried out: this quarter's contacts set beside the at-risk customers' groups.

    The comparison of the groups measures the effect of assigning an offer (intention to treat); divided by the share
    of the offered group actually contacted it becomes the effect per contacted customer (`uplift.per_contacted`).
    """

    assigned: Annotated[int, Out()]  # at-risk customers assigned an offer (the control group aside), in both quarters
    contacted: Annotated[int, Out()]  # of them, sent at least one contact
    other_offer: Annotated[int, Out()]  # of those contacted, sent only offers other than the one assigned
    control: Annotated[int, Out()]  # the at-risk control group
    control_contacted: Annotated[int, Out()]  # control customers sent a contact all the same: a breach of the experiment
    per_contacted: Annotated[float | None, Out(digits=4)]  # the drop in decline per contacted customer; None: nobody reached
    per_contacted_ci95: Annotated[tuple[float, float] | None, Out(digits=4)]

    @published(Out(digits=4))
    def contacted_share(self) -> float:
        return self.contacted / self.assigned if self.assigned else 0.0

    @published(Out(digits=4))
    def control_contacted_share(self) -> float:
        return self.control_contacted / self.control if self.control else 0.0


@dataclass(frozen=True)
class PlanCheck:
    """Last quarter's plan: the gain it promised against what its control group shows, on the customers still here."""

    offered: Annotated[int, Out()]
    control: Annotated[int, Out()]
    uplift: Annotated[float, Out(digits=4)]  # control's decline rate minus the offered customers'
    uplift_ci95: Annotated[tuple[float, float], Out(digits=4)]
    promised: Annotated[float, Out(digits=2, history=True)]  # Σ expected gain of the offered customers, as planned
    measured: Annotated[float, Out(digits=2, history=True)]  # the measured drop × the profit those customers stood to lose − cost
    measured_ci95: Annotated[tuple[float, float], Out(digits=2, history=True)]


@dataclass(frozen=True)
class Backtest:
    SUMMARY: ClassVar[str] = "backtest"
    reference_period: Annotated[str, Out(history=True)]  # the quarter whose forecast and offers are checked
    customers: Annotated[int, Out()]  # present in both quarters
    roc_auc: Annotated[float, Out(digits=4, history=True)]
    roc_auc_ci95: Annotated[tuple[float, float], Out(digits=4)]
    cv_roc_auc_then: Annotated[float, Out(digits=4)]  # what last quarter's forecast promised (its validated ROC-AUC)
    kind_then: Annotated[Literal["forward", "persistence", "same_quarter"], Out("forecast_kind_then")]
    persistence_roc_auc: Annotated[float, Out(digits=4, history=True)]  # last quarter's label as the forecast, same customers
    persistence_precision: Annotated[float, Out(digits=4)]
    persistence_recall: Annotated[float, Out(digits=4)]
    brier: Annotated[float, Out(digits=4)]
    constant_brier: Annotated[float, Out(digits=4)]  # last quarter's share of decliners given to everyone
    calibration_predicted: np.ndarray  # mean predicted per decile
    calibration_actual: np.ndarray  # actual share per decile
    calibration_counts: np.ndarray
    threshold: float
    precision: Annotated[float, Out(digits=4)]
    recall: Annotated[float, Out(digits=4)]
    predicted_rate: Annotated[float, Out(digits=4)]  # share flagged at last quarter's threshold
    mean_predicted: Annotated[float, Out(digits=4)]  # mean forecast probability
    actual_rate: Annotated[float, Out(digits=4)]  # share whose activity declined
    auc_fell: bool  # realised ROC-AUC below last quarter's promise by more than the margin
    calibration_gap: float  # largest gap between predicted and actual share over well-filled deciles
    calibration_off: bool  # that gap above the margin
    groups: Annotated[tuple[Group, ...], Out()]  # at-risk customers of the reference run: offered vs control
    uplift: Annotated[float | None, Out(digits=4, history=True)]
    uplift_ci95: Annotated[tuple[float, float] | None, Out(digits=4, history=True)]
    by_segment: tuple[SegmentUplift, ...]
    verdict: Annotated[Verdict, Out()]  # what the offers of the reference quarter did, or why it cannot be said yet
    plan: Annotated[PlanCheck | None, Out(history=True)] = None  # None: last quarter's record holds no plan, or no control group
    compliance: Annotated[Compliance | None, Out()] = None  # None: this quarter's data has no contacts table

    @published
    def retrain(self) -> bool:
        return self.auc_fell or self.calibration_off

    @published
    def beaten_by_persistence(self) -> bool:
        """Last quarter's label alone ranked next quarter's decline better than the forecast did."""
        return self.persistence_roc_auc > self.roc_auc
