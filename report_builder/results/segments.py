"""Results of scoring every customer, segmenting them and choosing offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from report_builder.labels import PROBABILITY, PROFIT, PROFIT_AT_RISK


@dataclass(frozen=True)
class Scores:
    """Out-of-fold probability of decline and SHAP contributions for every customer used."""

    probability: pd.Series  # index: customer id
    shap: pd.DataFrame  # index: customer id, columns: features, probability units (NaN beyond the cap)
    explainer: str


@dataclass(frozen=True)
class SegmentStats:
    name: str
    description: str
    base: bool  # one of the four risk × value segments (they partition the customers)
    at_risk: bool
    customers: int
    share: float
    mean_probability: float
    mean_profit: float
    profit_at_risk: float  # Σ probability × monthly profit × months
    revenue_3m: float  # Σ revenue of the three months


@dataclass(frozen=True)
class Contrast:
    """How the priority segment differs from the stable customers on one feature."""

    feature: str
    kind: Literal["numeric", "categorical"]
    segment_value: float  # mean, or share of `category`
    stable_value: float
    effect_size: float  # Cohen's d (numbers) or Cramér's V (categories)
    p_value: float
    category: str | None = None


@dataclass(frozen=True)
class Totals:
    """The cost of doing nothing, over all customers and over the risk zone."""

    profit_at_risk_all: float
    profit_at_risk_zone: float  # customers with probability from the threshold on
    quarter_profit: float  # Σ monthly profit × months
    months: int

    @property
    def share_of_quarter_profit(self) -> float:
        return self.profit_at_risk_all / self.quarter_profit if self.quarter_profit else 0.0


@dataclass(frozen=True)
class Segmentation:
    customers: pd.DataFrame  # index id: probability, profit, profit_at_risk, segment, features
    members: dict[str, tuple[int, ...]]  # segment name -> customer ids
    segments: tuple[SegmentStats, ...]
    priority: str
    threshold: float
    value_threshold: float  # profit separating valuable customers
    months: int
    contrasts: tuple[Contrast, ...]  # priority vs stable, strongest first
    priority_drivers: tuple[tuple[str, float, float], ...]  # feature, mean |SHAP|, mean SHAP in segment
    risk_profile: tuple[Contrast, ...] = ()  # every at-risk customer vs the stable ones, strongest first
    defined_by: dict[str, tuple[str, ...]] = field(default_factory=dict)  # configured segment -> features in its rule

    @property
    def at_risk_customers(self) -> int:
        return int((self.customers[PROBABILITY] >= self.threshold).sum())

    def stats(self, name: str) -> SegmentStats:
        return next(s for s in self.segments if s.name == name)

    @property
    def totals(self) -> Totals:
        frame = self.customers
        zone = frame[PROBABILITY] >= self.threshold
        return Totals(
            profit_at_risk_all=float(frame[PROFIT_AT_RISK].sum()),
            profit_at_risk_zone=float(frame.loc[zone, PROFIT_AT_RISK].sum()),
            quarter_profit=float(frame[PROFIT].sum() * self.months),
            months=self.months,
        )


@dataclass(frozen=True)
class Offer:
    rule: str
    title: str
    action: str
    segment: str
    feature: str
    op: Literal[">=", "<="]
    value: float
    share_segment: float  # share of the segment meeting the condition
    share_stable: float  # the same share among stable customers
    fired: bool
    customers: int  # customers of the segment meeting the condition whom the offer can reach
    profit_at_risk: float
    customer_ids: tuple[int, ...]
    unreachable: int = 0  # meet the condition but gave no consent, and the offer has no site channel
    by_definition: bool = False  # the segment is defined on the rule's feature: the share says nothing new


@dataclass(frozen=True)
class Action:
    """One offer rule across every at-risk segment where it fired; customers counted once."""

    rule: str
    title: str
    action: str
    segments: tuple[str, ...]
    customers: int  # reachable customers, each counted once
    profit_at_risk: float
    channels: tuple[str, ...] = ()
    owner: str = ""
    start: str = ""
    unreachable: int = 0


@dataclass(frozen=True)
class Recommendations:
    actions: tuple[Action, ...]  # largest profit at stake first
    offers: tuple[Offer, ...]  # fired, largest profit at stake first
    rejected: tuple[Offer, ...]  # evaluated on the priority segment, data does not support them
    per_customer: dict[int, tuple[str, ...]]  # customer id -> «title (channels)» for that customer
    control: tuple[int, ...] = ()  # at-risk customers held back from every offer this quarter, to measure the offers
    control_share: float = 0.0
