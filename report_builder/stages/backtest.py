"""Last quarter's forecast against what happened, and the offers against the control group."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from sklearn.metrics import brier_score_loss, roc_auc_score

from report_builder.calibration import reliability
from report_builder.config import BacktestConfig
from report_builder.features import bootstrap_auc
from report_builder.labels import AT_RISK_SEGMENTS, DECLINED, TARGET
from report_builder.results.backtest import Backtest, Group, SegmentUplift
from report_builder.results.data import CleanData
from report_builder.results.history import Reference

Z = 1.959964  # two-sided 95 %


def backtest(reference: Reference, data: CleanData, config: BacktestConfig, bootstrap_rounds: int, seed: int) -> Backtest | None:
    """None when no earlier run shares customers with this one."""
    old = reference.snapshot
    if old is None or old.customer_list is None or old.evaluation is None or old.search is None:  # type: ignore[attr-defined]
        return None
    people = old.customer_list.people  # type: ignore[attr-defined]
    threshold = float(old.evaluation.threshold)  # type: ignore[attr-defined]
    both = people.index.intersection(data.customers.index)
    actual = (data.customers.loc[both, TARGET] == DECLINED).astype(int).to_numpy()
    if len(both) == 0 or actual.min() == actual.max():
        return None
    then = people.loc[both]
    proba = then["probability"].to_numpy(dtype=float)
    flagged = proba >= threshold
    predicted, observed, counts = reliability(actual, proba)
    auc = float(roc_auc_score(actual, proba))
    groups, uplift, ci, by_segment = _uplift(then, actual, threshold, config)
    gap = _calibration_gap(predicted, observed, counts, config)
    promised = float(old.search.best_cv_auc)  # type: ignore[attr-defined]
    return Backtest(
        reference_period=old.run.period,  # type: ignore[attr-defined]
        customers=len(both),
        roc_auc=auc,
        roc_auc_ci95=bootstrap_auc(actual, proba, bootstrap_rounds, seed),
        cv_roc_auc_then=promised,
        brier=float(brier_score_loss(actual, proba)),
        calibration_predicted=predicted,
        calibration_actual=observed,
        calibration_counts=counts,
        threshold=threshold,
        precision=float(actual[flagged].mean()) if flagged.any() else 0.0,
        recall=float(flagged[actual == 1].mean()),
        predicted_rate=float(flagged.mean()),
        actual_rate=float(actual.mean()),
        auc_fell=promised - auc > config.auc_margin,
        calibration_gap=gap,
        calibration_off=gap > config.calibration_margin,
        groups=groups,
        uplift=uplift,
        uplift_ci95=ci,
        by_segment=by_segment,
        verdict=_verdict(groups, uplift, ci, config),
    )


def _calibration_gap(predicted: np.ndarray, observed: np.ndarray, counts: np.ndarray, config: BacktestConfig) -> float:
    full = counts >= config.min_bin
    gaps = np.abs(predicted - observed)[full]
    return float(gaps.max()) if len(gaps) else 0.0


def _uplift(
    then: pd.DataFrame, actual: np.ndarray, threshold: float, config: BacktestConfig
) -> tuple[tuple[Group, ...], float | None, tuple[float, float] | None, tuple[SegmentUplift, ...]]:
    """At-risk customers of the reference run: those who got an offer against the control group."""
    at_risk = (then["probability"] >= threshold).to_numpy()
    control = then["control"].to_numpy(dtype=bool) & at_risk
    offered = (then["offers"].astype(str).str.len().to_numpy() > 0) & at_risk & ~control
    groups = (_group("offer", actual[offered]), _group("control", actual[control]))
    if not offered.any() or not control.any():
        return groups, None, None, ()
    uplift, ci = newcombe(actual[control], actual[offered])
    by_segment = []
    segments = then["segment"].to_numpy()
    for name in AT_RISK_SEGMENTS:
        mine = segments == name
        a, b = actual[control & mine], actual[offered & mine]
        if min(len(a), len(b)) >= config.min_group:
            value, interval = newcombe(a, b)
            by_segment.append(SegmentUplift(name, _group("offer", b), _group("control", a), value, interval))
    return groups, uplift, ci, tuple(by_segment)


def _group(name: str, outcomes: np.ndarray) -> Group:
    return Group(name, len(outcomes), float(outcomes.mean()) if len(outcomes) else 0.0)  # type: ignore[arg-type]


def wilson(successes: int, n: int) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def newcombe(first: np.ndarray, second: np.ndarray) -> tuple[float, tuple[float, float]]:
    """Difference of two shares (first minus second) with Newcombe's hybrid score interval (method 10)."""
    n1, n2 = len(first), len(second)
    p1, p2 = first.mean(), second.mean()
    l1, u1 = wilson(int(first.sum()), n1)
    l2, u2 = wilson(int(second.sum()), n2)
    d = p1 - p2
    return float(d), (float(d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)), float(d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)))


def _verdict(groups: tuple[Group, ...], uplift: float | None, ci: tuple[float, float] | None, config: BacktestConfig) -> str:
    if uplift is None or ci is None or min(g.customers for g in groups) < config.min_group or ci[1] - ci[0] > config.max_ci_width:
        return "early"
    if ci[0] > 0:
        return "helped"
    if ci[1] < 0:
        return "hurt"
    return "none"
