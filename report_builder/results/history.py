"""What a build keeps of itself for the next quarter, and what it finds when it compares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import pandas as pd

from report_builder.records import Out


@dataclass(frozen=True)
class FeatureReference:
    """One feature's distribution in a run, binned so a later run can measure drift without the old files."""

    feature: str
    kind: Literal["numeric", "categorical"]
    edges: tuple[float, ...]  # numeric: bin edges fixed by this run's quantiles
    counts: tuple[int, ...]  # customers per bin, or per category
    categories: tuple[str, ...]  # categorical: the categories counted
    mean: float
    std: float


@dataclass(frozen=True)
class Snapshot:
    """The numbers of one run that the history keeps."""

    period: str
    built_at: str
    dataset: str  # runs are compared only within one data set: the company, or the demo
    package_version: str
    config_hash: str
    data_hashes: tuple[str, ...]
    feature_set: tuple[str, ...]
    customers: int
    declined_share: float
    at_risk: int
    profit_at_risk: float
    quarter_profit: float
    best_model: str
    best_cv_auc: float
    threshold: float
    segments: tuple[tuple[str, int, float], ...]  # name, customers, profit at risk
    drivers: tuple[str, ...]  # features by importance, strongest first
    people: pd.DataFrame  # index id: probability, segment, profit, profit_at_risk, declined, control, offers
    features: tuple[FeatureReference, ...]

    @property
    def point(self) -> Point:
        return Point(self.period, self.customers, self.declined_share, self.at_risk, self.profit_at_risk)


@dataclass(frozen=True)
class Point:
    """One earlier quarter on a sparkline."""

    period: str
    customers: int
    declined_share: float
    at_risk: int
    profit_at_risk: float


@dataclass(frozen=True)
class Reference:
    """The run this one is compared with (None on the first run) and the quarters before it."""

    snapshot: Snapshot | None
    trail: tuple[Point, ...]  # oldest first, the reference last

    @property
    def key(self) -> str:
        return "none" if self.snapshot is None else f"{self.snapshot.dataset}|{self.snapshot.period}|{self.snapshot.built_at}"


@dataclass(frozen=True)
class MetricChange:
    name: Annotated[str, Out()]  # customers | declined_share | at_risk | profit_at_risk
    title: str
    old: Annotated[float, Out(digits=4)]
    new: Annotated[float, Out(digits=4)]
    change: Annotated[float, Out(digits=4)]  # п. п. for shares, relative change for counts and money
    unit: Annotated[Literal["pp", "relative"], Out()]
    verdict: Annotated[Literal["good", "bad", "neutral"], Out()]
    trail: tuple[float, ...]  # up to the last quarters, this one last


@dataclass(frozen=True)
class Flow:
    source: Annotated[str, Out("from")]  # a segment, or «новые»
    target: Annotated[str, Out("to")]  # a segment, or «ушли»
    customers: Annotated[int, Out()]
    profit_at_risk: Annotated[float, Out(digits=2)]  # this quarter's (the reference's for «ушли»)


@dataclass(frozen=True)
class Drift:
    feature: Annotated[str, Out()]
    statistic: Annotated[Literal["wasserstein", "psi"], Out()]
    value: Annotated[float, Out(digits=4)]
    level: Annotated[Literal["нет", "заметный", "сильный"], Out()]
    new_categories: Annotated[tuple[str, ...], Out()]
    vanished_categories: Annotated[tuple[str, ...], Out()]


@dataclass(frozen=True)
class Comparison:
    SUMMARY: ClassVar[str] = "comparison"
    reference_period: Annotated[str, Out()]
    metrics: Annotated[tuple[MetricChange, ...], Out()]
    migration: Annotated[tuple[Flow, ...], Out()]
    drift: Annotated[tuple[Drift, ...], Out()]  # ordered by the feature's importance in this run
    customers_old: int
    customers_new: int
    model_then: Annotated[str, Out()]
    auc_then: Annotated[float, Out("cv_roc_auc_then", digits=4)]
    model_now: Annotated[str, Out()]
    auc_now: Annotated[float, Out("cv_roc_auc_now", digits=4)]
    driver_ranks: tuple[tuple[str, int | None, int], ...]  # feature, rank then (None: not in the top), rank now
    method_changes: Annotated[tuple[str, ...], Out()]  # why the two runs are not built the same way; empty when they are
