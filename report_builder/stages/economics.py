"""What contacting a customer is worth: expected profit kept minus the cost of the contact."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.config import RecommendationsConfig
from report_builder.labels import PROBABILITY, PROFIT, SEGMENT
from report_builder.results.backtest import Backtest, Economics, SegmentValue
from report_builder.results.segments import Recommendations, Segmentation

BANDS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0000001)


def economics(
    segmentation: Segmentation, recommendations: Recommendations, config: RecommendationsConfig, backtest: Backtest | None = None
) -> Economics:
    """p × monthly profit × months × effect − cost, per customer offered; the effect measured once a back-test allows."""
    effect, measured = measured_effect(backtest)
    if effect is None:
        effect, measured = config.effect, False
    frame = segmentation.customers
    kept = frame[PROBABILITY] * frame[PROFIT] * segmentation.months * effect
    costs = _contact_costs(frame.index, recommendations, config)
    offered = costs.index[costs.notna()]
    value = (kept - costs.fillna(0)).loc[offered]
    segments = []
    for name, part in value.groupby(frame.loc[offered, SEGMENT]):
        segments.append(SegmentValue(str(name), len(part), float(part.sum()), bool(part.sum() > 0)))
    cheapest = min((r.cost for r in config.rules), default=0.0)
    bands = []
    for low, high in zip(BANDS[:-1], BANDS[1:]):
        inside = (frame[PROBABILITY] >= low) & (frame[PROBABILITY] < high)
        per_customer = float(kept[inside].mean() - cheapest) if inside.any() else 0.0
        bands.append((low, min(high, 1.0), per_customer))
    return Economics(effect, measured, tuple(sorted(segments, key=lambda s: -s.expected_value)), tuple(bands), cheapest)


def measured_effect(backtest: Backtest | None) -> tuple[float | None, bool]:
    """The share of drops the offers prevented, from the control group; None until the groups allow a reading."""
    if backtest is None or backtest.uplift is None or backtest.verdict == "early":
        return None, False
    control = next(g for g in backtest.groups if g.name == "control")
    if control.actual_rate <= 0:
        return None, False
    return float(np.clip(backtest.uplift / control.actual_rate, 0.0, 1.0)), True


def _contact_costs(index: pd.Index, recommendations: Recommendations, config: RecommendationsConfig) -> pd.Series:
    """Per customer: the cost of every offer made to them; NaN for customers offered nothing."""
    cost_by_title = {r.title: r.cost for r in config.rules}
    costs = pd.Series(np.nan, index=index)
    for customer, offers in recommendations.per_customer.items():
        costs.at[customer] = sum(cost_by_title.get(o.rsplit(" (", 1)[0], 0.0) for o in offers)
    return costs
