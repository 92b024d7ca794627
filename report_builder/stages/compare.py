"""This quarter against the last one in business terms: headline changes, segment migration, drift, model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import wasserstein_distance

from report_builder import __version__
from report_builder.config import HistoryConfig
from report_builder.labels import BASE_SEGMENTS, CATEGORICAL, NUMERIC
from report_builder.records import Record
from report_builder.results.analysis import Explanation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.history import Comparison, Drift, Flow, MetricChange, Reference
from report_builder.results.segments import CustomerList, Segmentation

NEW, GONE = "новые", "ушли"
TOP_DRIVERS = 5
TRAIL = 8  # quarters on a sparkline
# name, title, unit, which way is good
METRICS = (
    ("customers", "Покупателей в анализе", "relative", "up"),
    ("declined_share", "Снизили активность", "pp", "down"),
    ("at_risk", "В зоне риска", "relative", "down"),
    ("profit_at_risk", "Прибыль под риском", "relative", "down"),
)


def headline(data: object, segmentation: object) -> dict[str, float]:
    """The four headline numbers of a run, from its results or from their records."""
    return {
        "customers": float(data.customers_used),  # type: ignore[attr-defined]
        "declined_share": float(data.decline_share),  # type: ignore[attr-defined]
        "at_risk": float(segmentation.at_risk_customers),  # type: ignore[attr-defined]
        "profit_at_risk": float(segmentation.totals.profit_at_risk_all),  # type: ignore[attr-defined]
    }


def compare(
    data: CleanData,
    search: ModelSearch,
    segmentation: Segmentation,
    customer_list: CustomerList,
    reference: Reference,
    config: HistoryConfig,
    config_hash: str,
    explanation: Explanation | None = None,
) -> Comparison | None:
    """None on the first run of a data set: there is nothing to compare with."""
    old = reference.snapshot
    if old is None or old.segmentation is None or old.data is None:  # type: ignore[attr-defined]
        return None
    now = headline(data, segmentation)
    then = headline(old.data, old.segmentation)  # type: ignore[attr-defined]
    trail = [headline(r.data, r.segmentation) for r in reference.runs[-TRAIL:] if r.data is not None and r.segmentation is not None]  # type: ignore[attr-defined]
    drivers_now = tuple(d.feature for d in explanation.drivers) if explanation else ()
    drivers_then = tuple(d.feature for d in old.explanation.drivers) if old.explanation else ()  # type: ignore[attr-defined]
    return Comparison(
        reference_period=old.run.period,  # type: ignore[attr-defined]
        metrics=tuple(_metric(name, title, unit, good, then[name], now[name], [t[name] for t in trail], config) for name, title, unit, good in METRICS),
        migration=migration(old.customer_list.people, customer_list.people) if old.customer_list else (),  # type: ignore[attr-defined]
        drift=_drift(old.data.customers, data.customers, drivers_now, config),  # type: ignore[attr-defined]
        customers_old=int(then["customers"]),
        customers_new=int(now["customers"]),
        model_then=old.search.best,  # type: ignore[attr-defined]
        auc_then=old.search.best_cv_auc,  # type: ignore[attr-defined]
        model_now=search.best,
        auc_now=search.best_cv_auc,
        driver_ranks=tuple(
            (f, (drivers_then.index(f) + 1) if f in drivers_then else None, i + 1) for i, f in enumerate(drivers_now[:TOP_DRIVERS])
        ),
        method_changes=_method_changes(old, config_hash),
    )


def _metric(name: str, title: str, unit: str, good: str, old: float, new: float, trail: list[float], config: HistoryConfig) -> MetricChange:
    change = (new - old) * 100 if unit == "pp" else ((new - old) / old if old else 0.0)
    band = config.neutral_band_pp if unit == "pp" else config.neutral_band_relative
    if abs(change) <= band:
        verdict = "neutral"
    else:
        verdict = "good" if (change > 0) == (good == "up") else "bad"
    return MetricChange(name, title, old, new, change, unit, verdict, (*trail, new))  # type: ignore[arg-type]


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


def _drift(old: pd.DataFrame, new: pd.DataFrame, drivers: tuple[str, ...], config: HistoryConfig) -> tuple[Drift, ...]:
    found = [drift(old[f], new[f], config) for f in (*NUMERIC, *CATEGORICAL) if f in old and old[f].notna().any()]
    rank = {feature: i for i, feature in enumerate(drivers)}
    return tuple(sorted(found, key=lambda d: (rank.get(d.feature, len(rank)), d.feature)))


def drift(before: pd.Series, now: pd.Series, config: HistoryConfig) -> Drift:
    """Effect sizes that do not grow with the sample: the exact Wasserstein distance in reference SDs, or PSI."""
    feature = str(now.name)
    before = before.dropna()
    if feature not in CATEGORICAL:
        distance = float(wasserstein_distance(before.astype(float), now.astype(float)))
        spread = float(before.astype(float).std())
        value = distance / spread if spread > 0 else (0.0 if distance == 0 else float("inf"))
        return Drift(feature, "wasserstein", value, _level(value, config), (), ())
    old_share = before.astype(str).value_counts(normalize=True).to_dict()
    new_share = now.astype(str).value_counts(normalize=True).to_dict()
    eps = 1e-4
    psi = float(
        sum(
            (new_share.get(c, 0) - old_share.get(c, 0)) * np.log((new_share.get(c, 0) + eps) / (old_share.get(c, 0) + eps))
            for c in set(old_share) | set(new_share)
        )
    )
    return Drift(
        feature, "psi", psi, _level(psi, config),
        tuple(sorted(set(new_share) - set(old_share))), tuple(sorted(set(old_share) - set(new_share))),
    )


def _level(value: float, config: HistoryConfig) -> str:
    if value >= config.drift_strong:
        return "сильный"
    if value >= config.drift_noticeable:
        return "заметный"
    return "нет"


def _method_changes(old: Record, config_hash: str) -> tuple[str, ...]:
    """Why the two runs are not built the same way: other settings, or another version of the program."""
    reasons = []
    if old.run.config_hash and old.run.config_hash != config_hash:  # type: ignore[attr-defined]
        reasons.append("изменились настройки")
    version = old.run.versions.get("report-builder") if old.run.versions else None  # type: ignore[attr-defined]
    if version and version != __version__:
        reasons.append(f"версия программы {version} → {__version__}")
    return tuple(reasons)
