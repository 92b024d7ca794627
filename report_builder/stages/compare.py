"""This quarter against the last one in business terms: headline changes, segment migration, drift, model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.config import HistoryConfig
from report_builder.labels import BASE_SEGMENTS
from report_builder.results.history import Comparison, Drift, FeatureReference, Flow, MetricChange, Reference, Snapshot

NEW, GONE = "новые", "ушли"
TOP_DRIVERS = 5
# name, title, unit, which way is good
METRICS = (
    ("customers", "Покупателей в анализе", "relative", "up"),
    ("declined_share", "Снизили активность", "pp", "down"),
    ("at_risk", "В зоне риска", "relative", "down"),
    ("profit_at_risk", "Прибыль под риском", "relative", "down"),
)


def compare(current: Snapshot, reference: Reference, config: HistoryConfig) -> Comparison | None:
    """None on the first run of a data set: there is nothing to compare with."""
    old = reference.snapshot
    if old is None:
        return None
    return Comparison(
        reference_period=old.period,
        metrics=tuple(_metric(name, title, unit, good, current, reference, config) for name, title, unit, good in METRICS),
        migration=migration(old.people, current.people),
        drift=_drift(current, old, config),
        customers_old=old.customers,
        customers_new=current.customers,
        model_then=old.best_model,
        auc_then=old.best_cv_auc,
        model_now=current.best_model,
        auc_now=current.best_cv_auc,
        driver_ranks=tuple(
            (f, (old.drivers.index(f) + 1) if f in old.drivers else None, i + 1) for i, f in enumerate(current.drivers[:TOP_DRIVERS])
        ),
        method_changes=_method_changes(old, current),
    )


def _metric(name: str, title: str, unit: str, good: str, current: Snapshot, reference: Reference, config: HistoryConfig) -> MetricChange:
    old, new = float(getattr(reference.snapshot, name)), float(getattr(current, name))
    change = (new - old) * 100 if unit == "pp" else ((new - old) / old if old else 0.0)
    band = config.neutral_band_pp if unit == "pp" else config.neutral_band_relative
    if abs(change) <= band:
        verdict = "neutral"
    else:
        verdict = "good" if (change > 0) == (good == "up") else "bad"
    trail = tuple(float(getattr(p, name)) for p in reference.trail) + (new,)
    return MetricChange(name, title, old, new, change, unit, verdict, trail)  # type: ignore[arg-type]


def migration(old: pd.DataFrame, new: pd.DataFrame) -> tuple[Flow, ...]:
    """Customers from last quarter's segment to this one's; «новые» and «ушли» for those in only one quarter."""
    both = old.index.intersection(new.index)
    flows: list[Flow] = []
    pairs = pd.DataFrame({"source": old.loc[both, "segment"], "target": new.loc[both, "segment"], "money": new.loc[both, "profit_at_risk"]})
    for (source, target), part in pairs.groupby(["source", "target"]):
        flows.append(Flow(str(source), str(target), len(part), float(part["money"].sum())))
    arrived = new.loc[new.index.difference(old.index)]
    for target, part in arrived.groupby("segment"):
        flows.append(Flow(NEW, str(target), len(part), float(part["profit_at_risk"].sum())))
    left = old.loc[old.index.difference(new.index)]
    for source, part in left.groupby("segment"):
        flows.append(Flow(str(source), GONE, len(part), float(part["profit_at_risk"].sum())))
    order = {name: i for i, name in enumerate((NEW, *BASE_SEGMENTS, GONE))}
    return tuple(sorted(flows, key=lambda f: (order.get(f.source, 99), order.get(f.target, 99))))


def _drift(current: Snapshot, old: Snapshot, config: HistoryConfig) -> tuple[Drift, ...]:
    before = {f.feature: f for f in old.features}
    found = [drift(before[f.feature], f, config) for f in current.features if f.feature in before]
    rank = {feature: i for i, feature in enumerate(current.drivers)}
    return tuple(sorted(found, key=lambda d: (rank.get(d.feature, len(rank)), d.feature)))


def drift(before: FeatureReference, now: FeatureReference, config: HistoryConfig) -> Drift:
    """Effect sizes that do not grow with the sample: Wasserstein distance in reference standard deviations, or PSI."""
    if before.kind == "numeric":
        distance = float(np.mean(np.abs(np.array(now.edges) - np.array(before.edges))))  # W1 from the quantile functions
        value = distance / before.std if before.std > 0 else (0.0 if distance == 0 else float("inf"))
        return Drift(now.feature, "wasserstein", value, _level(value, config), (), ())
    old_share = dict(zip(before.categories, np.array(before.counts) / max(sum(before.counts), 1)))
    new_share = dict(zip(now.categories, np.array(now.counts) / max(sum(now.counts), 1)))
    eps = 1e-4
    psi = float(
        sum(
            (new_share.get(c, 0) - old_share.get(c, 0)) * np.log((new_share.get(c, 0) + eps) / (old_share.get(c, 0) + eps))
            for c in set(old_share) | set(new_share)
        )
    )
    return Drift(
        now.feature, "psi", psi, _level(psi, config),
        tuple(sorted(set(new_share) - set(old_share))), tuple(sorted(set(old_share) - set(new_share))),
    )


def _level(value: float, config: HistoryConfig) -> str:
    if value >= config.drift_strong:
        return "сильный"
    if value >= config.drift_noticeable:
        return "заметный"
    return "нет"


def _method_changes(old: Snapshot, new: Snapshot) -> tuple[str, ...]:
    reasons = []
    if old.feature_set != new.feature_set:
        reasons.append("изменился набор признаков")
    if old.config_hash != new.config_hash:
        reasons.append("изменились настройки")
    if old.package_version != new.package_version:
        reasons.append(f"версия программы {old.package_version} → {new.package_version}")
    return tuple(reasons)

