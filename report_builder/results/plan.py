"""The contact plan for next quarter: whom to contact with which offer, at what cost, for what expected gain."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd

from report_builder.records import Out


@dataclass(frozen=True)
class Power:
    """How large the control group must be for the offers' effect to be read."""

    min_effect: Annotated[float, Out(digits=4)]  # the smallest share of declines prevented worth detecting
    base_rate: Annotated[float, Out(digits=4)]  # the expected decline rate of the planned customers
    control_needed: Annotated[int, Out()]  # control customers, pooled over quarters, at the current share
    control_now: Annotated[int, Out()]
    control_share: Annotated[float, Out(digits=4)]  # the share used this quarter
    quarters_to_verdict: Annotated[int | None, Out()]  # at the current share and plan size; None without a control group
    recommended_share: Annotated[float | None, Out(digits=4)]  # reaches a verdict in `target_quarters`; None: not even half
    target_quarters: Annotated[int, Out()]
    detection: Annotated[float, Out("power")]  # the chance of seeing the smallest effect when it is there
    auto: Annotated[bool, Out()]  # the share was chosen from this calculation (control_share = "auto")


@dataclass(frozen=True)
class Value:
    """The economics of one group of planned customers: a segment or an offer."""

    segment: Annotated[str | None, Out()]
    offer: Annotated[str | None, Out()]  # rule name
    title: Annotated[str, Out()]
    action: str  # what is done (an offer's), empty for a segment
    channels: Annotated[tuple[str, ...], Out()]  # an offer's channels, empty for a segment
    owner: Annotated[str, Out()]
    start: Annotated[str, Out()]
    customers: Annotated[int, Out()]  # in the plan and offered (the control group not counted)
    gain: Annotated[float, Out(digits=2)]  # expected profit kept, before costs
    gain_range: Annotated[tuple[float, float] | None, Out(digits=2)]  # at both ends of the measured effect's interval
    cost: Annotated[float | None, Out(digits=2)]  # None: the price of a contact is not set
    break_even_cost: Annotated[float, Out(digits=2)]  # per contact: the plan pays if a contact costs less
    effect: Annotated[float, Out(digits=4)]  # the share of declines prevented that the money assumes
    effect_source: Annotated[Literal["measured", "assumed", "mixed"], Out()]  # mixed: measured for some customers

    @property
    def net(self) -> float | None:
        return None if self.cost is None else self.gain - self.cost


@dataclass(frozen=True)
class Uncovered:
    """At-risk customers neither offered nor in the control group, and why."""

    reason: Annotated[Literal["no_rule", "no_consent", "not_working", "not_paying", "budget"], Out()]
    customers: Annotated[int, Out()]


@dataclass(frozen=True)
class Curve:
    """Expected net gain against money spent, customers taken in the plan's order (best return per unit first)."""

    spend: np.ndarray
    gain: np.ndarray
    low: np.ndarray | None  # at the lower end of the measured effect's interval
    high: np.ndarray | None


@dataclass(frozen=True)
class PlanSummary:
    budget: Annotated[float | None, Out()]
    customers: Annotated[int, Out()]
    cost: Annotated[float | None, Out(digits=2)]
    expected_gain: Annotated[float, Out(digits=2)]  # net of the cost when costs are set, the profit kept otherwise
    expected_gain_range: Annotated[tuple[float, float] | None, Out(digits=2)]
    break_even_cost: Annotated[float, Out(digits=2)]
    costs_known: Annotated[bool, Out()]
    best_spend: Annotated[float | None, Out(digits=2)]  # the spend with the largest expected net gain (costs known)
    # the offers whose price is unknown (a channel's price, a discount's size or the unit rate not set), when others have one
    unpriced: Annotated[tuple[str, ...], Out()] = ()


@dataclass(frozen=True)
class Plan:
    headline: Annotated[PlanSummary, Out("plan")]
    power: Annotated[Power, Out("power")]
    uncovered: Annotated[tuple[Uncovered, ...], Out("uncovered")]
    by_segment: Annotated[tuple[Value, ...], Out("plan_segments")]
    by_offer: Annotated[tuple[Value, ...], Out("plan_offers")]
    dropped: Annotated[tuple[str, ...], Out("offers_not_working")]  # rules a precise measurement found useless
    # index id, every customer an offer fits: rule, title, channels, gain, gain_low, gain_high, cost, net, effect,
    # effect_source, measured_segment / measured_offer (the group a measured effect comes from; both None: every offer),
    # in_plan (chosen for the plan), control (held back from it)
    customers: pd.DataFrame
    eligible: pd.DataFrame  # index id, a column per usable rule: whether it fits the customer (the control group's too)
    curve: Curve
    months: int
    loss_share: float
    loss_source: Literal["measured", "assumed"]

    @property
    def control(self) -> tuple[int, ...]:
        return tuple(int(i) for i in self.customers.index[self.customers["control"]])

    @property
    def offered(self) -> pd.DataFrame:
        """The planned customers who get their offer."""
        frame = self.customers
        return frame[frame["in_plan"] & ~frame["control"]]

    @property
    def effect_source(self) -> Literal["measured", "assumed", "mixed"]:
        """Where the effect behind the headline's money comes from, for the customers who get an offer (none: assumed)."""
        return combined_source(self.offered["effect_source"])

    @property
    def measured_in(self) -> tuple[tuple[str | None, str | None], ...]:
        """The groups whose measured effect the money of the offered customers rests on, the most customers first:
        (segment, offer title), None for «every» — (None, None) is every offer in every segment together."""
        offered = self.offered
        measured = offered[offered["effect_source"] == "measured"]
        groups = [(seg if isinstance(seg, str) else None, title if isinstance(offer, str) else None)
                  for seg, offer, title in zip(measured["measured_segment"], measured["measured_offer"], measured["title"])]
        return tuple(pd.Series(groups, dtype=object).value_counts(sort=True).index) if groups else ()


def combined_source(sources: Iterable[str]) -> Literal["measured", "assumed", "mixed"]:
    """The source of a group of customers' effects: theirs when all share one, else mixed; none at all: assumed."""
    found = set(sources)
    return found.pop() if len(found) == 1 else "mixed" if found else "assumed"  # type: ignore[return-value]
