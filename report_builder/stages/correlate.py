"""phik correlation of every feature with the target and with each other; VIF for numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from report_builder.labels import FEATURES, NUMERIC, TARGET
from report_builder.results.analysis import Correlation
from report_builder.results.data import CleanData

PAIR_THRESHOLD = 0.9
VIF_THRESHOLD = 5.0


def correlate(data: CleanData) -> Correlation:
    import phik  # noqa: F401  (registers DataFrame.phik_matrix)

    frame = data.customers[[*FEATURES, TARGET]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # phik warns about bin edges on discrete columns
        # One process: the pairs take a fraction of a second, while a pool of phik's own would start two more
        # processes (and their imports) beside the model search; the values are the same.
        matrix = frame.phik_matrix(interval_cols=list(NUMERIC), verbose=False, njobs=1)
    with_target = matrix[TARGET].drop(TARGET).sort_values(ascending=False)
    pairs = []
    features = list(FEATURES)
    for i, a in enumerate(features):
        for b in features[i + 1 :]:
            if matrix.loc[a, b] >= PAIR_THRESHOLD:
                pairs.append((a, b, float(matrix.loc[a, b])))
    return Correlation(
        matrix=matrix,
        with_target=tuple((str(k), float(v)) for k, v in with_target.items()),
        strong_pairs=tuple(sorted(pairs, key=lambda p: -p[2])),
        vif=_vif(data.customers[list(NUMERIC)]),
        pair_threshold=PAIR_THRESHOLD,
        vif_threshold=VIF_THRESHOLD,
    )


def _vif(numeric: pd.DataFrame) -> tuple[tuple[str, float], ...]:
    """Variance inflation factors: the diagonal of the inverse correlation matrix."""
    corr = np.corrcoef(numeric.to_numpy(dtype=float), rowvar=False)
    inverse = np.linalg.pinv(corr)
    vif = pd.Series(np.diag(inverse), index=numeric.columns).sort_values(ascending=False)
    return tuple((str(k), float(v)) for k, v in vif.items())
