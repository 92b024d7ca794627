"""Segments from predicted risk and profit; the priority segment compared with stable customers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.config import SegmentRule, SegmentsConfig
from report_builder.labels import (
    CATEGORICAL,
    FEATURES,
    NUMERIC,
    PROBABILITY,
    PROFIT,
    PROFIT_AT_RISK,
    REVENUE_COLUMNS,
    SEGMENT,
    USUAL_AT_RISK,
    USUAL_STABLE,
    VALUABLE_AT_RISK,
    VALUABLE_STABLE,
)
from report_builder.results.data import CleanData
from report_builder.results.forecast import Forecast
from report_builder.results.segments import Contrast, Scores, Segmentation, SegmentStats
from report_builder.differences import compare_categories, compare_numbers

BASE = (  # name, description, valuable, at risk
    (VALUABLE_AT_RISK, "прибыль от порога, вероятность снижения от порога", True, True),
    (VALUABLE_STABLE, "прибыль от порога, вероятность снижения ниже порога", True, False),
    (USUAL_AT_RISK, "прибыль ниже порога, вероятность снижения от порога", False, True),
    (USUAL_STABLE, "прибыль ниже порога, вероятность снижения ниже порога", False, False),
)
BASE_NAMES = frozenset(b[0] for b in BASE)


def segment(forecast: Forecast, scores: Scores, data: CleanData, config: SegmentsConfig) -> Segmentation:
    """Risk from the forecast used for next quarter; what drives it in the priority segment from the per-customer SHAP values."""
    threshold = config.threshold
    frame = data.customers[[*FEATURES, PROFIT]].copy()  # revenue columns are among the features
    frame[PROBABILITY] = forecast.probability
    frame[PROFIT_AT_RISK] = frame[PROBABILITY] * frame[PROFIT] * config.months_at_risk
    value_threshold = float(frame[PROFIT].quantile(config.value_quantile))
    valuable = frame[PROFIT] >= value_threshold
    at_risk = frame[PROBABILITY] >= threshold

    members: dict[str, pd.Index] = {}
    frame[SEGMENT] = ""
    for name, _, value_flag, risk_flag in BASE:
        mask = (valuable == value_flag) & (at_risk == risk_flag)
        members[name] = frame.index[mask]
        frame.loc[mask, SEGMENT] = name
    for rule in config.extra:  # names are unique and numeric columns only: the settings check both
        members[rule.name] = frame.index[_mask(frame, rule)]

    descriptions = {name: text for name, text, _, _ in BASE} | {r.name: r.description for r in config.extra}
    stats_ = tuple(
        _stats(name, descriptions[name], name in BASE_NAMES, frame.loc[ids], len(frame), threshold)
        for name, ids in members.items()
    )
    priority = config.priority or max(stats_, key=lambda s: s.profit_at_risk).name  # a named one exists: checked
    stable = frame.index[~at_risk]
    contrasts = _contrasts(frame, members[priority], stable)
    seg_shap = scores.shap.loc[members[priority]].dropna()
    drivers = tuple(
        sorted(
            ((f, float(seg_shap[f].abs().mean()), float(seg_shap[f].mean())) for f in FEATURES),
            key=lambda d: -d[1],
        )
    )
    return Segmentation(
        customers=frame,
        members={k: tuple(int(i) for i in v) for k, v in members.items()},
        segments=stats_,
        priority=priority,
        threshold=threshold,
        value_threshold=value_threshold,
        months=config.months_at_risk,
        contrasts=contrasts,
        priority_drivers=drivers,
        risk_profile=_contrasts(frame, frame.index[at_risk], stable),
        defined_by={r.name: tuple(r.where) for r in config.extra},
    )


def _contrasts(frame: pd.DataFrame, group: pd.Index, stable: pd.Index) -> tuple[Contrast, ...]:
    """How `group` differs from the stable customers on every feature, strongest first."""
    found = (_contrast(frame.loc[group, f], frame.loc[stable, f]) for f in FEATURES)
    return tuple(sorted(found, key=lambda c: -abs(c.effect_size)))


def _mask(frame: pd.DataFrame, rule: SegmentRule) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    for column, (low, high) in rule.where.items():
        if low is not None:
            mask &= frame[column] >= low
        if high is not None:
            mask &= frame[column] <= high
    return mask


def _stats(name: str, description: str, base: bool, part: pd.DataFrame, total: int, threshold: float) -> SegmentStats:
    empty = part.empty
    return SegmentStats(
        name=name,
        description=description,
        base=base,
        at_risk=bool(not empty and part[PROBABILITY].mean() >= threshold),
        customers=len(part),
        share=len(part) / total,
        mean_probability=float(part[PROBABILITY].mean()) if not empty else 0.0,
        mean_profit=float(part[PROFIT].mean()) if not empty else 0.0,
        profit_at_risk=float(part[PROFIT_AT_RISK].sum()),
        revenue_3m=float(part[list(REVENUE_COLUMNS)].sum().sum()),
    )


def _contrast(segment_values: pd.Series, stable_values: pd.Series) -> Contrast:
    feature = str(segment_values.name)
    if len(segment_values) < 2 or len(stable_values) < 2:
        return Contrast(feature, "categorical" if feature in CATEGORICAL else "numeric", np.nan, np.nan, 0.0, 1.0)
    if feature in NUMERIC:
        d, p = compare_numbers(segment_values, stable_values)
        return Contrast(feature, "numeric", float(segment_values.mean()), float(stable_values.mean()), d, p)
    groups = pd.Series(np.r_[np.ones(len(segment_values)), np.zeros(len(stable_values))])
    table, cramer, p = compare_categories(pd.concat([segment_values, stable_values]).reset_index(drop=True), groups)
    if table.shape[0] < 2:
        return Contrast(feature, "categorical", 1.0, 1.0, 0.0, 1.0, str(table.index[0]))
    shares_segment = segment_values.value_counts(normalize=True)
    shares_stable = stable_values.value_counts(normalize=True).reindex(shares_segment.index, fill_value=0)
    category = str((shares_segment - shares_stable).idxmax())
    return Contrast(
        feature, "categorical", float(shares_segment[category]), float(shares_stable[category]), cramer, float(p), category
    )
