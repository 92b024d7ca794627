"""Two-group comparison of a number, shared by the exploratory and the segment analysis."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def compare_numbers(a: pd.Series, b: pd.Series) -> tuple[float, float]:
    """(Cohen's d of a minus b, Mann–Whitney p-value).

    The test needs both groups and at least two distinct values overall: one value per group
    that separates them perfectly is the strongest difference, not "no difference".
    """
    a, b = a.astype(float), b.astype(float)
    pooled = np.sqrt(((len(a) - 1) * a.var() + (len(b) - 1) * b.var()) / max(len(a) + len(b) - 2, 1))
    effect = float((a.mean() - b.mean()) / pooled) if pooled > 0 else 0.0
    distinct = pd.concat([a, b]).nunique()
    p_value = float(stats.mannwhitneyu(a, b).pvalue) if len(a) and len(b) and distinct > 1 else 1.0
    return effect, p_value
