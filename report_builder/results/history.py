"""What a build keeps of itself for the next quarter, and what it finds when it compares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

import pandas as pd

from report_builder.records import Out, Record
from report_builder.results.analysis import FittedModel
from report_builder.results.forecast import Kind


@dataclass(frozen=True)
class Reference:
    """The earlier runs of this data set, oldest first, as the history read them back (one snapshot each).

    The last one is the run this one is compared with; none on a first run.
    """

    runs: tuple[Record, ...] = ()

    @property
    def snapshot(self) -> Record | None:
        return self.runs[-1] if self.runs else None

    @property
    def key(self) -> str:
        """Which recorded runs these are: each by what its recorded results were made of (`RunInfo.made_of`), not by
        the second it was built, so that the same runs read back from the history or built in this process (the demo's
        earlier quarters) key what follows alike; a run recorded without it (an older history), by its build time."""
        return "|".join(f"{r.run.dataset}|{r.run.made_of or f'{r.run.period}|{r.run.built_at}'}"  # type: ignore[attr-defined]
                        for r in self.runs) or "none"


@dataclass(frozen=True)
class MetricChange:
    name: Annotated[str, Out()]  # customers | declined_share | at_risk | profit_at_risk
    title: str
    old: Annotated[float, Out(digits=4)]
    new: Annotated[float, Out(digits=4)]
    change: Annotated[float, Out(digits=4)]  # п. п. for shares, relative change for counts and money
    unit: Annotated[Literal["pp", "relative"], Out()]
    noise: Annotated[float, Out(digits=4)]  # what chance alone moves it by (95 %), in the change's own unit
    verdict: Annotated[Literal["good", "bad", "noise"], Out()]  # noise: within chance, not «better» or «worse»
    trail: tuple[float, ...]  # up to the last quarters, this one last


@dataclass(frozen=True)
class SettingChange:
    """An analysis setting whose value differs from the last quarter's."""

    path: Annotated[str, Out()]  # dotted, as in a settings file
    old: Annotated[str, Out()]
    new: Annotated[str, Out()]


@dataclass(frozen=True)
class RiskZoneChange:
    """How much of the change in the at-risk count comes from the settings, the model and the customers.

    This quarter's customers are counted three ways: as reported; with last quarter's threshold; with last quarter's
    model (refitted from the history with its recorded settings) and threshold.
    """

    then: Annotated[int, Out()]  # last quarter's count, as reported then
    now: Annotated[int, Out()]
    with_old_threshold: Annotated[int, Out()]
    with_old_model: Annotated[int | None, Out()]  # None: last quarter's model could not be refitted
    threshold_then: Annotated[float, Out()]
    threshold_now: Annotated[float, Out()]

    @property
    def from_threshold(self) -> int:
        return self.now - self.with_old_threshold

    @property
    def from_model(self) -> int | None:
        return None if self.with_old_model is None else self.with_old_threshold - self.with_old_model

    @property
    def from_customers(self) -> int:
        base = self.with_old_model if self.with_old_model is not None else self.with_old_threshold
        return base - self.then


@dataclass(frozen=True)
class PreviousForecast:
    """Last quarter's forecast fitted again from the history with its recorded settings
    (`stages.previous.previous_forecast`), and how it scores this quarter's customers (`probability`)."""

    kind: Kind
    rates: tuple[float, float] | None = None  # persistence: the chance of decline from stable, from declining
    model: FittedModel | None = None  # the others: the calibrated model (a forward one reads DECLINED_NOW as well)
    probability: pd.Series | None = None  # this quarter's customers (by id) as the forecast scores them


NEW, GONE = "новые", "ушли"  # a flow's source for customers new this quarter, its target for those who left


@dataclass(frozen=True)
class Flow:
    source: Annotated[str, Out("from")]  # a segment, or «новые»
    target: Annotated[str, Out("to")]  # a segment, or «ушли»
    customers: Annotated[int, Out()]
    profit_at_risk: Annotated[float, Out(digits=2)]  # this quarter's (the reference's for «ушли»)


@dataclass(frozen=True)
class Drift:
    feature: Annotated[str, Out()]
    statistic: Annotated[Literal["wasserstein", "psi"], Out()]  # exact Wasserstein distance over last quarter's SD, or PSI
    value: Annotated[float, Out(digits=4)]
    level: Annotated[Literal["нет", "заметный", "сильный"], Out()]
    new_categories: Annotated[tuple[str, ...], Out()]
    vanished_categories: Annotated[tuple[str, ...], Out()]
    then: Annotated[float, Out("mean_then", digits=4)] = float("nan")  # mean, or the share of `category`
    now: Annotated[float, Out("mean_now", digits=4)] = float("nan")
    category: Annotated[str | None, Out()] = None  # a category feature: the category whose share moved most


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
    settings_changes: Annotated[tuple[SettingChange, ...], Out()] = ()
    risk_zone: Annotated[RiskZoneChange | None, Out()] = None
    model_then_title: str = ""
    model_now_title: str = ""
