"""Last quarter's forecast against what happened, and the offers against the control group."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.calibration import reliability
from report_builder.config import BacktestConfig
from report_builder.features import bootstrap_auc
from report_builder.labels import AT_RISK_SEGMENTS, DECLINED, TARGET
from report_builder.results.backtest import Backtest, Compliance, Group, PlanCheck, SegmentUplift
from report_builder.results.effects import Effects
from report_builder.results.data import CleanData, Contacts
from report_builder.results.history import Reference
from report_builder.uplift import Arm, newcombe, per_contacted
from report_builder.uplift import verdict as reading

def backtest(
    reference: Reference, data: CleanData, config: BacktestConfig, bootstrap_rounds: int, seed: int, months: int = 3,
    effects: Effects | None = None, contacts: Contacts | None = None,
) -> Backtest | None:
    """None when no earlier run shares customers with this one. `contacts`: what this quarter's data says was sent, that
    is, to the reference run's plan."""
    from sklearn.metrics import brier_score_loss, roc_auc_score

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
    forecast_then = getattr(old, "forecast", None)
    promised = float(forecast_then.roc_auc if forecast_then is not None else old.search.best_cv_auc)  # type: ignore[attr-defined]
    labels_then = old.data.customers[TARGET] if old.data is not None else None  # type: ignore[attr-defined]
    was_declining = (labels_then.reindex(both) == DECLINED).to_numpy(dtype=int) if labels_then is not None else np.zeros(len(both), int)
    persistence = _persistence(actual, was_declining)
    base_rate = float((labels_then == DECLINED).mean()) if labels_then is not None else float(actual.mean())
    return Backtest(
        reference_period=old.run.period,  # type: ignore[attr-defined]
        customers=len(both),
        roc_auc=auc,
        roc_auc_ci95=bootstrap_auc(actual, proba, bootstrap_rounds, seed),
        cv_roc_auc_then=promised,
        kind_then=forecast_then.kind if forecast_then is not None else "same_quarter",
        persistence_roc_auc=persistence[0],
        persistence_precision=persistence[1],
        persistence_recall=persistence[2],
        brier=float(brier_score_loss(actual, proba)),
        constant_brier=float(brier_score_loss(actual, np.full(len(actual), base_rate))),
        calibration_predicted=predicted,
        calibration_actual=observed,
        calibration_counts=counts,
        threshold=threshold,
        precision=float(actual[flagged].mean()) if flagged.any() else 0.0,
        recall=float(flagged[actual == 1].mean()),
        predicted_rate=float(flagged.mean()),
        mean_predicted=float(proba.mean()),
        actual_rate=float(actual.mean()),
        auc_fell=promised - auc > config.auc_margin,
        calibration_gap=gap,
        calibration_off=gap > config.calibration_margin,
        groups=groups,
        uplift=uplift,
        uplift_ci95=ci,
        by_segment=by_segment,
        verdict=reading(groups[0].customers, groups[1].customers, ci, config.min_group, config.max_ci_width),
        plan=_plan_check(then, actual, months, effects.loss.share if effects is not None else 1.0, config),
        compliance=_compliance(then, threshold, contacts, uplift, ci) if contacts is not None else None,
    )


def _persistence(actual: np.ndarray, was_declining: np.ndarray) -> tuple[float, float, float]:
    """ROC-AUC, precision and recall of «кто снизил активность тогда, снизит и сейчас» on the same customers."""
    from sklearn.metrics import roc_auc_score

    flagged = was_declining == 1
    auc = float(roc_auc_score(actual, was_declining)) if 0 < flagged.sum() < len(flagged) else 0.5
    precision = float(actual[flagged].mean()) if flagged.any() else 0.0
    recall = float(flagged[actual == 1].mean())
    return auc, precision, recall


def _plan_check(then: pd.DataFrame, actual: np.ndarray, months: int, loss: float, config: BacktestConfig) -> PlanCheck | None:
    """The plan's offered customers against its control group; the drop in decline turned into money."""
    if "in_plan" not in then or then["in_plan"].isna().all():
        return None
    planned = then["in_plan"].fillna(False).astype(bool).to_numpy()
    control = then["control"].fillna(False).astype(bool).to_numpy() & planned
    offered = planned & ~control
    if not offered.any() or not control.any():
        return None
    drop, (low, high) = newcombe(Arm(int(control.sum()), int(actual[control].sum())),
                                 Arm(int(offered.sum()), int(actual[offered].sum())), config.alpha)
    at_stake = float((then.loc[offered, "profit"].astype(float) * loss * months).sum())
    promised = float(then.loc[offered, "expected_gain"].astype(float).fillna(0.0).sum())
    spent = float(then.loc[offered, "cost"].astype(float).fillna(0.0).sum()) if "cost" in then else 0.0
    return PlanCheck(
        offered=int(offered.sum()), control=int(control.sum()), uplift=drop, uplift_ci95=(low, high), promised=promised,
        measured=drop * at_stake - spent, measured_ci95=(low * at_stake - spent, high * at_stake - spent),
    )


def _compliance(then: pd.DataFrame, threshold: float, contacts: Contacts, uplift: float | None,
                ci: tuple[float, float] | None) -> Compliance:
    """The groups of `_uplift` against what was sent: who was reached, who got another offer, who in the control group
    got one all the same; the effect per contacted customer beside the effect of assignment."""
    offered, control = _arms(then, threshold)
    reached = contacts.contacted(then.index)
    assigned = then["rules"].fillna("").astype(str) if "rules" in then else pd.Series("", index=then.index)
    sent = contacts.offers_sent(then.index)
    elsewhere = np.array([rule not in got for rule, got in zip(assigned, sent)], dtype=bool)
    other = reached & offered & (assigned != "").to_numpy() & elsewhere
    share = float(reached[offered].mean()) if offered.any() else 0.0
    breach = float(reached[control].mean()) if control.any() else 0.0
    effect = per_contacted(uplift, ci, share, breach) if uplift is not None and ci is not None else None
    return Compliance(
        assigned=int(offered.sum()), contacted=int((reached & offered).sum()), other_offer=int(other.sum()),
        control=int(control.sum()), control_contacted=int((reached & control).sum()),
        per_contacted=effect[0] if effect is not None else None, per_contacted_ci95=effect[1] if effect is not None else None,
    )


def _calibration_gap(predicted: np.ndarray, observed: np.ndarray, counts: np.ndarray, config: BacktestConfig) -> float:
    full = counts >= config.min_bin
    gaps = np.abs(predicted - observed)[full]
    return float(gaps.max()) if len(gaps) else 0.0


def _uplift(
    then: pd.DataFrame, actual: np.ndarray, threshold: float, config: BacktestConfig
) -> tuple[tuple[Group, ...], float | None, tuple[float, float] | None, tuple[SegmentUplift, ...]]:
    """At-risk customers of the reference run: those who got an offer against the control group."""
    offered, control = _arms(then, threshold)
    groups = (_group("offer", actual[offered]), _group("control", actual[control]))
    if not offered.any() or not control.any():
        return groups, None, None, ()
    uplift, ci = newcombe(_arm(actual[control]), _arm(actual[offered]), config.alpha)
    by_segment = []
    segments = then["segment"].to_numpy()
    for name in AT_RISK_SEGMENTS:
        mine = segments == name
        a, b = actual[control & mine], actual[offered & mine]
        if min(len(a), len(b)) >= config.min_group:
            value, interval = newcombe(_arm(a), _arm(b), config.alpha)
            by_segment.append(SegmentUplift(name, _group("offer", b), _group("control", a), value, interval))
    return groups, uplift, ci, tuple(by_segment)


def _arms(then: pd.DataFrame, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """(offered, control) among the reference run's at-risk customers: assigned an offer, and held back."""
    at_risk = (then["probability"] >= threshold).to_numpy()
    control = then["control"].to_numpy(dtype=bool) & at_risk
    offered = (then["offers"].astype(str).str.len().to_numpy() > 0) & at_risk & ~control
    return offered, control


def _arm(outcomes: np.ndarray) -> Arm:
    return Arm(len(outcomes), int(outcomes.sum()))


def _group(name: str, outcomes: np.ndarray) -> Group:
    return Group(name, len(outcomes), float(outcomes.mean()) if len(outcomes) else 0.0)  # type: ignore[arg-type]
