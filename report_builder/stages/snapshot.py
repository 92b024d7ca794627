"""What this run keeps for the next quarter: headline numbers, segments, customers and binned features."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder import __version__
from report_builder.labels import CATEGORICAL, FEATURES, NUMERIC, PROBABILITY, PROFIT, PROFIT_AT_RISK, SEGMENT, TARGET, DECLINED
from report_builder.results.analysis import Explanation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.history import FeatureReference, Snapshot
from report_builder.results.report import RunInfo
from report_builder.results.segments import Recommendations, Segmentation

QUANTILES = np.linspace(0.025, 0.975, 39)  # a numeric feature is kept as its quantile function


def dataset_name(company: str, demo: bool) -> str:
    """Runs are compared only within one data set: demo builds never meet the shop's own."""
    return f"{company} (демо)" if demo else company


def snapshot(
    run: RunInfo,
    data: CleanData,
    search: ModelSearch,
    segmentation: Segmentation,
    recommendations: Recommendations,
    config_hash: str,
    company: str,
    explanation: Explanation | None = None,
) -> Snapshot:
    control = set(recommendations.control)
    totals = segmentation.totals
    frame = segmentation.customers
    offers = recommendations.per_customer
    people = pd.DataFrame(
        {
            "probability": frame[PROBABILITY].astype(float),
            "segment": frame[SEGMENT].astype(str),
            "profit": frame[PROFIT].astype(float),
            "profit_at_risk": frame[PROFIT_AT_RISK].astype(float),
            "declined": (data.customers[TARGET] == DECLINED).astype(int).reindex(frame.index),
            "control": [int(i in control) for i in frame.index],
            "offers": ["; ".join(offers.get(int(i), ())) for i in frame.index],
        },
        index=frame.index,
    )
    return Snapshot(
        period=run.period,
        built_at=run.built_at,
        dataset=dataset_name(company, run.demo),
        package_version=__version__,
        config_hash=config_hash,
        data_hashes=tuple(s.sha256 for s in data.sources),
        feature_set=tuple(FEATURES),
        customers=data.customers_used,
        declined_share=data.decline_share,
        at_risk=segmentation.at_risk_customers,
        profit_at_risk=totals.profit_at_risk_all,
        quarter_profit=totals.quarter_profit,
        best_model=search.best,
        best_cv_auc=search.best_score.cv_roc_auc_mean,
        threshold=segmentation.threshold,
        segments=tuple((s.name, s.customers, s.profit_at_risk) for s in segmentation.segments if s.base),
        drivers=tuple(d.feature for d in explanation.drivers) if explanation else (),
        people=people,
        features=tuple(reference(data.customers[f]) for f in (*NUMERIC, *CATEGORICAL)),
    )


def reference(values: pd.Series) -> FeatureReference:
    """A feature's distribution, kept small: quantiles for numbers, counts for categories."""
    feature = str(values.name)
    if feature in CATEGORICAL:
        counts = values.astype(str).value_counts().sort_index()
        return FeatureReference(feature, "categorical", (), tuple(int(c) for c in counts), tuple(counts.index), 0.0, 0.0)
    numbers = values.astype(float)
    return FeatureReference(
        feature, "numeric", tuple(float(q) for q in np.quantile(numbers, QUANTILES)), (), (),
        float(numbers.mean()), float(numbers.std()),
    )
