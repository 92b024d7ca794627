"""Exploratory analysis: how each feature differs between the two activity classes."""

from __future__ import annotations

import pandas as pd
from scipy import stats

from report_builder.labels import CATEGORICAL, DECLINED, NUMERIC, TARGET
from report_builder.results.analysis import CategoricalFeature, Exploration, NumericFeature
from report_builder.results.data import CleanData
from report_builder.statistics import compare_numbers

ALPHA = 0.05


def explore(data: CleanData) -> Exploration:
    frame = data.customers
    declined = frame[TARGET] == DECLINED
    numeric = tuple(_numeric(frame[c], declined) for c in NUMERIC)
    categorical = tuple(_categorical(frame[c], declined) for c in CATEGORICAL)
    return Exploration(numeric, categorical, float(declined.mean()), ALPHA)


def _numeric(values: pd.Series, declined: pd.Series) -> NumericFeature:
    a, b = values[declined], values[~declined]
    effect, p_value = compare_numbers(a, b)
    return NumericFeature(
        str(values.name), float(a.mean()), float(b.mean()), float(a.median()), float(b.median()), effect, p_value
    )


def _categorical(values: pd.Series, declined: pd.Series) -> CategoricalFeature:
    table = pd.crosstab(values, declined)
    rate = (table.get(True, 0) / table.sum(axis=1)).sort_values(ascending=False)
    p_value = float(stats.chi2_contingency(table).pvalue) if table.shape == (len(table), 2) and len(table) > 1 else 1.0
    return CategoricalFeature(
        str(values.name),
        {str(k): float(v) for k, v in rate.items()},
        {str(k): int(v) for k, v in table.sum(axis=1).items()},
        p_value,
    )
