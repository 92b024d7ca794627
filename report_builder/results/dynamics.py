"""Every quarter of the history side by side: what was forecast, what came true, what the offers did."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar

from report_builder.records import Out


@dataclass(frozen=True)
class QuarterRow:
    """One quarter: its facts, its forecast's promise, and what the next quarter showed of it (None: not yet known)."""

    period: Annotated[str, Out()]
    customers: Annotated[int, Out()]
    decline_share: Annotated[float, Out(digits=4)]
    forecast_kind: Annotated[str | None, Out()]  # None: recorded before the forecast kinds were
    promised_roc_auc: Annotated[float | None, Out(digits=4)]  # the forecast's validated ROC-AUC when it was made
    realised_roc_auc: Annotated[float | None, Out(digits=4)]  # on the next quarter's labels
    persistence_roc_auc: Annotated[float | None, Out(digits=4)]  # the quarter's own label as the forecast, same customers
    profit_at_risk: Annotated[float | None, Out(digits=2)]
    uplift: Annotated[float | None, Out(digits=4)]  # drop in decline the quarter's offers made, against its control group
    uplift_ci95: Annotated[tuple[float, float] | None, Out(digits=4)]
    plan_promised: Annotated[float | None, Out(digits=2)] = None  # the quarter's plan: its expected gain ...
    plan_measured: Annotated[float | None, Out(digits=2)] = None  # ... and what its control group showed next quarter
    plan_measured_ci95: Annotated[tuple[float, float] | None, Out(digits=2)] = None


@dataclass(frozen=True)
class Dynamics:
    SUMMARY: ClassVar[str] = "dynamics"
    quarters: Annotated[tuple[QuarterRow, ...], Out()]  # in period order, this quarter last
