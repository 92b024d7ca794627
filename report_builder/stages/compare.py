"""This quarter against the last one in business terms: headline changes beyond chance, what moved the risk zone,
segment migration, drift in the features' own units, model and settings."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from report_builder import __version__
from report_builder.config import HistoryConfig
from report_builder.labels import BASE_SEGMENTS, CATEGORICAL, NUMERIC, PROBABILITY
from report_builder.records import Record
from report_builder.results.analysis import Explanation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.forecast import Forecast
from report_builder.results.history import (
    GONE, NEW, Comparison, Drift, Flow, MetricChange, PreviousForecast, Reference, RiskZoneChange, SettingChange,
)
from report_builder.results.segments import CustomerList, Segmentation
from report_builder.stages.models import FAMILY_TITLES

TOP_DRIVERS = 5
TRAIL = 8  # quarters on a sparkline
Z = 1.959964  # two-sided 95 %
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
    settings_json: str,
    explanation: Explanation | None = None,
    forecast: Forecast | None = None,
    previous_forecast: PreviousForecast | None = None,
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
    titles = {name: title.split(" (")[0] for name, title in FAMILY_TITLES.items()}
    forecast_then = getattr(old, "forecast", None)
    model_then = forecast_then.family if forecast_then is not None and forecast_then.family else old.search.best  # type: ignore[attr-defined]
    model_now = forecast.family if forecast is not None else search.best
    return Comparison(
        reference_period=old.run.period,  # type: ignore[attr-defined]
        metrics=tuple(_metric(name, title, unit, good, then[name], now[name], [t[name] for t in trail], then, now)
                      for name, title, unit, good in METRICS),
        migration=migration(old.customer_list.people, customer_list.people) if old.customer_list else (),  # type: ignore[attr-defined]
        drift=_drift(old.data.customers, data.customers, drivers_now, config),  # type: ignore[attr-defined]
        customers_old=int(then["customers"]),
        customers_new=int(now["customers"]),
        model_then=model_then,
        auc_then=old.search.best_cv_auc,  # type: ignore[attr-defined]
        model_now=model_now,
        auc_now=search.best_cv_auc,
        driver_ranks=tuple(
            (f, (drivers_then.index(f) + 1) if f in drivers_then else None, i + 1) for i, f in enumerate(drivers_now[:TOP_DRIVERS])
        ),
        method_changes=_method_changes(old, config_hash),
        settings_changes=setting_changes(old.run.settings or "{}", settings_json),  # type: ignore[attr-defined]
        risk_zone=_risk_zone(reference, data, segmentation, int(then["at_risk"]), previous_forecast),
        model_then_title=titles.get(model_then, model_then),
        model_now_title=titles.get(model_now, model_now),
    )


def _metric(name: str, title: str, unit: str, good: str, old: float, new: float, trail: list[float],
            then: dict[str, float], now: dict[str, float]) -> MetricChange:
    change = (new - old) * 100 if unit == "pp" else ((new - old) / old if old else 0.0)
    noise = _noise(name, then, now)
    if abs(change) <= noise:
        verdict = "noise"
    else:
        verdict = "good" if (change > 0) == (good == "up") else "bad"
    return MetricChange(name, title, old, new, change, unit, noise, verdict, (*trail, new))  # type: ignore[arg-type]


def _noise(name: str, then: dict[str, float], now: dict[str, float]) -> float:
    """What chance alone moves a headline number by (95 %): a share's standard error, a count's Poisson error.

    Profit at risk moves with the number of customers at risk: its relative noise is theirs.
    """
    if name == "declined_share":
        p0, n0, p1, n1 = then["declined_share"], then["customers"], now["declined_share"], now["customers"]
        return Z * math.sqrt(p0 * (1 - p0) / n0 + p1 * (1 - p1) / n1) * 100
    counted = "customers" if name == "customers" else "at_risk"
    old, new = then[counted], now[counted]
    return Z * math.sqrt(old + new) / old if old else 0.0


def _risk_zone(
    reference: Reference, data: CleanData, segmentation: Segmentation, then: int, previous: PreviousForecast | None,
) -> RiskZoneChange:
    old = reference.snapshot
    threshold_then = float(old.evaluation.threshold) if old.evaluation is not None else segmentation.threshold  # type: ignore[union-attr]
    probability = segmentation.customers[PROBABILITY]
    with_old_model = None
    if previous is not None:
        with_old_model = int((previous.probability >= threshold_then).sum())
    return RiskZoneChange(
        then=then,
        now=int((probability >= segmentation.threshold).sum()),
        with_old_threshold=int((probability >= threshold_then).sum()),
        with_old_model=with_old_model,
        threshold_then=threshold_then,
        threshold_now=segmentation.threshold,
    )


def setting_changes(old_json: str, new_json: str) -> tuple[SettingChange, ...]:
    """The analysis settings that differ, by dotted path; offer rules by their names."""
    before, after = _flat(json.loads(old_json or "{}")), _flat(json.loads(new_json or "{}"))
    changed = [p for p in sorted(set(before) | set(after)) if before.get(p) != after.get(p)]
    return tuple(SettingChange(p, _shown(before.get(p)), _shown(after.get(p))) for p in changed)


def _flat(value: object, prefix: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        found: dict[str, object] = {}
        for key, item in value.items():
            found.update(_flat(item, f"{prefix}{key}."))
        return found
    if isinstance(value, list) and value and all(isinstance(v, dict) and "name" in v for v in value):
        found = {}
        for item in value:
            found.update(_flat({k: v for k, v in item.items() if k != "name"}, f"{prefix}{item['name']}."))
        return found
    return {prefix.rstrip("."): value}


def _shown(value: object) -> str:
    if value is None:
        return "—"
    return json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) else str(value)


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
    """Effect sizes that do not grow with the sample: the exact Wasserstein distance in last quarter's SDs, or PSI;
    with the means (or the share of the category that moved most) then and now, in the feature's own units."""
    from scipy.stats import wasserstein_distance

    feature = str(now.name)
    before = before.dropna()
    if feature not in CATEGORICAL:
        old, new = before.astype(float), now.astype(float)
        distance = float(wasserstein_distance(old, new))
        spread = float(old.std())
        value = distance / spread if spread > 0 else (0.0 if distance == 0 else float("inf"))
        return Drift(feature, "wasserstein", value, _level(value, config), (), (), float(old.mean()), float(new.mean()))
    old_share = before.astype(str).value_counts(normalize=True).to_dict()
    new_share = now.astype(str).value_counts(normalize=True).to_dict()
    categories = set(old_share) | set(new_share)
    eps = 1e-4
    psi = float(sum((new_share.get(c, 0) - old_share.get(c, 0)) * np.log((new_share.get(c, 0) + eps) / (old_share.get(c, 0) + eps))
                    for c in categories))
    moved = max(sorted(categories), key=lambda c: abs(new_share.get(c, 0) - old_share.get(c, 0)))
    return Drift(
        feature, "psi", psi, _level(psi, config),
        tuple(sorted(set(new_share) - set(old_share))), tuple(sorted(set(old_share) - set(new_share))),
        float(old_share.get(moved, 0.0)), float(new_share.get(moved, 0.0)), moved,
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
