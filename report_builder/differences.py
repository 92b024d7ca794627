"""Two-group comparisons of numbers and of categories, shared by the exploratory and the segment analysis."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd


def compare_numbers(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """(Cohen's d of a minus b, Mann–Whitney p-value).

    One value per group that separates them perfectly is the strongest difference, not "no
    difference": with no spread to scale by, d is infinite (with the sign of the difference) and the
    test, which needs both groups and at least two distinct values overall, finds it significant.
    Equal means give d = 0.
    """
    from scipy import stats

    a, b = a.astype(float), b.astype(float)
    pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var()) / max(len(a) + len(b) - 2, 1))
    gap = a.mean() - b.mean() if len(a) and len(b) else 0.0
    if pooled > 0:
        effect = float(gap / pooled)
    else:
        effect = math.copysign(math.inf, gap) if gap else 0.0
    distinct = pd.concat([a, b]).nunique()
    p_value = float(stats.mannwhitneyu(a, b).pvalue) if len(a) and len(b) and distinct > 1 else 1.0
    return effect, p_value


def compare_categories(values: pd.Series, in_group: pd.Series) -> tuple[pd.DataFrame, float, float]:
    """(counts by category × group, Cramér's V, χ² p-value) for a category against a yes/no grouping.

    One category, or one group, carries no information: V = 0 and p = 1.
    """
    from scipy import stats

    table = pd.crosstab(values, in_group)
    if table.shape[0] < 2 or table.shape[1] < 2:
        return table, 0.0, 1.0
    chi2, p_value, _, _ = stats.chi2_contingency(table)
    cramer = float(np.sqrt(chi2 / table.to_numpy().sum() / (min(table.shape) - 1)))
    return table, cramer, float(p_value)
