"""Exploratory analysis: how each feature differs between the two activity classes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from report_builder.labels import CATEGORICAL, DECLINED, NUMERIC, TARGET
from report_builder.results.analysis import CategoricalFeature, Distribution, Exploration, NumericFeature
from report_builder.results.data import CleanData
from report_builder.differences import compare_categories, compare_numbers

ALPHA = 0.05
DISCRETE_MAX_VALUES = 15  # a feature with at most this many distinct values is drawn value by value
BINS = 24


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
        str(values.name), float(a.mean()), float(b.mean()), float(a.median()), float(b.median()), effect, p_value,
        _distribution(values, declined),
    )


def _distribution(values: pd.Series, declined: pd.Series) -> Distribution:
    a, b = values[declined], values[~declined]
    if values.nunique() <= DISCRETE_MAX_VALUES:
        positions = np.sort(values.unique()).astype(float)
        shares = [part.value_counts(normalize=True).reindex(positions, fill_value=0).to_numpy(dtype=float) for part in (a, b)]
        return Distribution(True, positions, shares[0], shares[1])
    edges = np.histogram_bin_edges(values, bins=BINS)
    densities = [np.histogram(part, bins=edges, density=True)[0] if len(part) else np.zeros(BINS) for part in (a, b)]
    return Distribution(False, edges, densities[0], densities[1])


def _categorical(values: pd.Series, declined: pd.Series) -> CategoricalFeature:
    table, cramer, p_value = compare_categories(values, declined)
    rate = (table.get(True, 0) / table.sum(axis=1)).sort_values(ascending=False)
    return CategoricalFeature(
        str(values.name),
        {str(k): float(v) for k, v in rate.items()},
        {str(k): int(v) for k, v in table.sum(axis=1).items()},
        p_value,
        cramer,
    )
