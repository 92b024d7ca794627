"""Results of scoring every customer, segmenting them and choosing offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Literal

import pandas as pd

from report_builder.labels import PROBABILITY, PROFIT, PROFIT_AT_RISK
from report_builder.records import Out, published


@dataclass(frozen=True)
class Scores:
    """Out-of-fold probability of decline and SHAP contributions for every customer used."""

    probability: pd.Series  # index: customer id
    shap: pd.DataFrame  # index: customer id, columns: features, probability units (NaN beyond the cap)
    explainer: str


@dataclass(frozen=True)
class SegmentStats:
    name: Annotated[str, Out(history=True)]
    description: str
    base: Annotated[bool, Out()]  # one of the four risk × value segments (they partition the customers)
    at_risk: bool
    customers: Annotated[int, Out(history=True)]
    share: Annotated[float, Out(digits=4)]
    mean_probability: Annotated[float, Out(digits=4)]
    mean_profit: Annotated[float, Out(digits=4)]
    profit_at_risk: Annotated[float, Out(digits=2, history=True)]  # Σ probability × monthly profit × months
    revenue_3m: Annotated[float, Out(digits=2)]  # Σ revenue of the three months


@dataclass(frozen=True)
class Contrast:
    """How the priority segment differs from the stable customers on one feature."""

    feature: Annotated[str, Out()]
    kind: Annotated[Literal["numeric", "categorical"], Out()]
    segment_value: Annotated[float, Out(digits=4)]  # mean, or share of `category`
    stable_value: Annotated[float, Out(digits=4)]
    effect_size: Annotated[float, Out(digits=4)]  # Cohen's d (numbers) or Cramér's V (categories)
    p_value: Annotated[float, Out()]  # unrounded: a p-value far below any rounding step is not 0
    category: Annotated[str | None, Out()] = None


@dataclass(frozen=True)
class Totals:
    """The cost of doing nothing, over all customers and over the risk zone."""

    profit_at_risk_all: Annotated[float, Out(digits=2, history=True)]
    profit_at_risk_zone: Annotated[float, Out(digits=2)]  # customers with probability from the threshold on
    quarter_profit: Annotated[float, Out(digits=2, history=True)]  # Σ monthly profit × months
    months: int

    @published(Out(digits=4))
    def share_of_quarter_profit(self) -> float:
        return self.profit_at_risk_all / self.quarter_profit if self.quarter_profit else 0.0


@dataclass(frozen=True)
class Segmentation:
    customers: pd.DataFrame  # index id: probability, profit, profit_at_risk, segment, features
    members: dict[str, tuple[int, ...]]  # segment name -> customer ids
    segments: Annotated[tuple[SegmentStats, ...], Out(history=True)]
    priority: Annotated[str, Out("priority_segment")]
    threshold: float
    value_threshold: Annotated[float, Out(digits=6)]  # profit separating valuable customers
    months: int
    contrasts: Annotated[tuple[Contrast, ...], Out("priority_contrasts")]  # priority vs stable, strongest first
    priority_drivers: tuple[tuple[str, float, float], ...]  # feature, mean |SHAP|, mean SHAP in segment
    risk_profile: tuple[Contrast, ...] = ()  # every at-risk customer vs the stable ones, strongest first
    defined_by: dict[str, tuple[str, ...]] = field(default_factory=dict)  # configured segment -> features in its rule

    @published(Out(history=True))
    def at_risk_customers(self) -> int:
        return int((self.customers[PROBABILITY] >= self.threshold).sum())

    def stats(self, name: str) -> SegmentStats:
        return next(s for s in self.segments if s.name == name)

    @published(Out(history=True))
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
    rule: Annotated[str, Out()]
    title: Annotated[str, Out()]
    action: str
    segment: Annotated[str, Out()]
    feature: str
    op: Literal[">=", "<="]
    value: float
    share_segment: Annotated[float, Out(digits=4)]  # share of the segment meeting the condition
    share_stable: Annotated[float, Out(digits=4)]  # the same share among stable customers
    fired: bool
    customers: Annotated[int, Out()]  # customers of the segment meeting the condition whom the offer can reach
    profit_at_risk: Annotated[float, Out(digits=2)]
    customer_ids: tuple[int, ...]
    unreachable: int = 0  # meet the condition but gave no consent, and the offer has no site channel
    by_definition: bool = False  # the segment is defined on the rule's feature: the share says nothing new


@dataclass(frozen=True)
class Action:
    """One offer rule across every at-risk segment where it fired; customers counted once."""

    rule: str
    title: Annotated[str, Out()]
    action: str
    segments: Annotated[tuple[str, ...], Out()]
    customers: Annotated[int, Out()]  # reachable customers, each counted once
    profit_at_risk: Annotated[float, Out(digits=2)]
    channels: Annotated[tuple[str, ...], Out()] = ()
    owner: Annotated[str, Out()] = ""
    start: Annotated[str, Out()] = ""
    unreachable: Annotated[int, Out()] = 0


@dataclass(frozen=True)
class Recommendations:
    actions: Annotated[tuple[Action, ...], Out()]  # largest profit at stake first
    offers: Annotated[tuple[Offer, ...], Out()]  # fired, largest profit at stake first
    rejected: tuple[Offer, ...]  # evaluated on the priority segment, data does not support them
    eligible: pd.DataFrame  # index id, a column per fired rule: its condition holds and a channel reaches the customer
    unreachable: tuple[int, ...] = ()  # meet a fired rule's condition, but no such rule can reach them


# What the history keeps of each customer: the forecast, the segment, and what the plan did with them.
PEOPLE_COLUMNS = {
    "probability": float, "segment": str, "profit": float, "profit_at_risk": float, "control": bool, "offers": str,
    "rules": str, "eligible": str, "in_plan": bool, "expected_gain": float, "cost": float,
}


@dataclass(frozen=True)
class CustomerList:
    """One row per customer, largest profit at risk first: what customers.csv and customers.xlsx list."""

    table: pd.DataFrame  # columns: report_builder.report.customers.COLUMNS, as the files show them
    # index id: the forecast, the segment and what the plan did (in_plan; control: held back; rules: the offer the plan
    # chose, the control group's too; offers: what was assigned, with channels; eligible: every offer that fitted);
    # what the history keeps of each customer
    people: Annotated[pd.DataFrame, Out(summary=False, history=True, columns=PEOPLE_COLUMNS)]
