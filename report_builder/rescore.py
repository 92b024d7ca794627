"""This quarter's customers scored by last quarter's forecast, refitted from the history with its recorded settings.

It tells apart what a change of model did to the risk zone from what the customers did: the same
customers, last quarter's model and threshold.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from report_builder.calibration import calibrated
from report_builder.config import ForecastConfig, ModelConfig
from report_builder.forward import refitted
from report_builder.labels import DECLINED, DECLINED_NOW, FEATURES, TARGET
from report_builder.periods import consecutive
from report_builder.records import Record
from report_builder.results.forecast import BOUNDS, Quarter
from report_builder.stages.folds import cross_validation
from report_builder.stages.models import families, with_params


def rescored(runs: Sequence[Record], current: pd.DataFrame, config: ForecastConfig, model: ModelConfig, seed: int) -> pd.Series | None:
    """Probabilities for `current` (features and label) from the forecast of the last of `runs` (oldest first); None when
    that run recorded no forecast or its data is gone."""
    last = runs[-1]
    spec = getattr(last, "forecast", None)
    if spec is None or spec.kind is None or last.data is None or last.data.customers is None:  # type: ignore[attr-defined]
        return None
    customers = current[[*FEATURES, TARGET]]
    declining = (customers[TARGET] == DECLINED).to_numpy()
    if spec.kind == "persistence":
        if spec.rate_from_stable is None or spec.rate_from_declining is None:
            return None
        values = np.where(declining, spec.rate_from_declining, spec.rate_from_stable)
        return pd.Series(values, index=customers.index).clip(*BOUNDS)
    family = families(seed)[spec.family]
    if spec.kind == "same_quarter":
        frame = last.data.customers  # type: ignore[attr-defined]
        y = (frame[TARGET] == DECLINED).astype(int)
        fitted = calibrated(with_params(family, spec.params or {}), cross_validation(model.cv_folds, seed), spec.calibration)
        fitted.fit(frame[list(FEATURES)], y)  # type: ignore[attr-defined]
        values = fitted.predict_proba(customers[list(FEATURES)])[:, 1]  # type: ignore[attr-defined]
        return pd.Series(values, index=customers.index).clip(*BOUNDS)
    quarters = [Quarter(r.run.period, r.data.customers[[*FEATURES, TARGET]]) for r in runs if r.data is not None]  # type: ignore[attr-defined]
    score = refitted(quarters, with_params(family, spec.params or {}, (DECLINED_NOW,)), spec.calibration, config, model, seed,
                     follows=consecutive)
    return None if score is None else pd.Series(score(customers), index=customers.index).clip(*BOUNDS)
