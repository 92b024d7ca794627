"""Last quarter's forecast refitted from the history with its recorded settings, and this quarter's customers as it
scores them.

The comparison reads those scores to tell apart what a change of model did to the risk zone from what the customers
did: the same customers, last quarter's model and threshold. They are scored here, so that a rebuild after a segment
or offer setting takes them from the cache and never loads scikit-learn to unpack the model.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from report_builder.calibration import Calibrator, calibrated
from report_builder.config import ForecastConfig, ModelConfig
from report_builder.forward import refitted, scored
from report_builder.labels import DECLINED, DECLINED_NOW, FEATURES, TARGET
from report_builder.periods import consecutive
from report_builder.results.analysis import FittedModel
from report_builder.results.data import CleanData
from report_builder.results.forecast import BOUNDS, Quarter
from report_builder.results.history import PreviousForecast, Reference
from report_builder.stages.folds import cross_validation
from report_builder.stages.models import families, with_params


def previous_forecast(reference: Reference, data: CleanData, config: ForecastConfig, model: ModelConfig,
                      seed: int) -> PreviousForecast | None:
    """Last quarter's forecast fitted again from the earlier runs (oldest first), with this quarter's customers as it
    scores them; None on a first run, or when the last run recorded no forecast or its data is gone."""
    fitted = _refitted(reference, config, model, seed)
    return None if fitted is None else replace(fitted, probability=_scores(fitted, data.customers))


def _scores(previous: PreviousForecast, current: pd.DataFrame) -> pd.Series:
    """Probabilities for `current` (features and label) from last quarter's forecast."""
    customers = current[[*FEATURES, TARGET]]
    if previous.rates is not None:
        from_stable, from_declining = previous.rates
        values = np.where((customers[TARGET] == DECLINED).to_numpy(), from_declining, from_stable)
    elif previous.kind == "forward":
        values = scored(previous.model.get(), customers)  # type: ignore[union-attr]
    else:
        values = previous.model.get().predict_proba(customers[list(FEATURES)])[:, 1]  # type: ignore[union-attr,attr-defined]
    return pd.Series(values, index=customers.index).clip(*BOUNDS)


def _refitted(reference: Reference, config: ForecastConfig, model: ModelConfig, seed: int) -> PreviousForecast | None:
    runs = reference.runs
    last = runs[-1] if runs else None
    spec = getattr(last, "forecast", None)
    if spec is None or spec.kind is None or last.data is None or last.data.customers is None:  # type: ignore[union-attr]
        return None
    if spec.kind == "persistence":
        if spec.rate_from_stable is None or spec.rate_from_declining is None:
            return None
        return PreviousForecast("persistence", rates=(spec.rate_from_stable, spec.rate_from_declining))
    family = families(seed)[spec.family]
    if spec.kind == "same_quarter":
        frame = last.data.customers  # type: ignore[union-attr]
        y = (frame[TARGET] == DECLINED).astype(int)
        fitted = calibrated(with_params(family, spec.params or {}), cross_validation(model.cv_folds, seed), spec.calibration)
        return PreviousForecast("same_quarter", model=FittedModel(fitted.fit(frame[list(FEATURES)], y)))  # type: ignore[attr-defined]
    quarters = [Quarter(r.run.period, r.data.customers[[*FEATURES, TARGET]]) for r in runs if r.data is not None]  # type: ignore[attr-defined]
    # The calibrator the quarter recorded (an older history has only its method: it is fitted again).
    calibration = spec.calibration if spec.calibrator is None else Calibrator(spec.calibration, tuple(spec.calibrator))
    forward = refitted(quarters, with_params(family, spec.params or {}, (DECLINED_NOW,)), calibration, config,
                       model, seed, follows=consecutive)
    return None if forward is None else PreviousForecast("forward", model=FittedModel(forward))

