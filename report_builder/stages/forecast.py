"""Which forecast of next quarter's decline the report uses: forward, persistence, or (first report) same-quarter.

With a pair of consecutive quarters in the history, a model learns next quarter's label from this
quarter's features and label (`report_builder.forward`), and is used only where its validated
ROC-AUC beats persistence on the same customers. Without a pair, the model of this quarter's label
stands in: it tells apart the customers whose activity has already declined, and how well it
predicts the next quarter will be known a quarter later.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from report_builder.config import ForecastConfig, ModelConfig
from report_builder.forward import forward_forecast
from report_builder.labels import DECLINED, FEATURES, TARGET
from report_builder.periods import consecutive
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.forecast import BOUNDS, ExpectedDecliners, Forecast, Quarter
from report_builder.results.history import Reference
from report_builder.results.segments import Scores
from report_builder.stages.models import checked_families, chosen_params



def forecast(
    data: CleanData,
    period: str,
    reference: Reference,
    search: ModelSearch,
    evaluation: Evaluation,
    config: ForecastConfig,
    model: ModelConfig,
    seed: int,
    scores: Scores | None = None,
) -> Forecast | None:
    """The forecast used for every customer of this quarter; None when there is neither a pair nor per-customer scores."""
    columns = [*FEATURES, TARGET]
    earlier = [
        Quarter(r.run.period, r.data.customers[columns])  # type: ignore[attr-defined]
        for r in reference.runs
        if r.data is not None and r.data.customers is not None and not r.data.customers.empty  # type: ignore[attr-defined]
    ]
    current = Quarter(period, data.customers[columns])
    # The pairs' search tries the families that did best on this quarter: the same customers and features, so the
    # families that cannot win here are not searched again.
    ranked = tuple(score.family for score in search.scores)
    searched = model.model_copy(update={"families": ranked[: config.families] if config.families else model.families})
    found = forward_forecast(earlier, current, config, searched, seed, follows=consecutive)
    if found is not None:
        probability = _bounded(found.probability)
        return replace(found, probability=probability, expected=_expected(probability, data.customers))
    if scores is None:
        return None
    best = search.best_score
    return Forecast(
        kind="same_quarter",
        reason="no_pairs",
        pairs=(),
        validation="holdout",
        customers=len(search.test_index),
        roc_auc=best.test_roc_auc,
        roc_auc_ci95=best.test_roc_auc_ci95,
        brier=evaluation.brier,
        persistence=None,
        constant_brier=evaluation.brier_reference,
        model_roc_auc=best.test_roc_auc,
        model_brier=evaluation.brier,
        family=search.best,
        calibration=evaluation.calibration_method,
        calibration_brier=tuple(evaluation.brier_by_method.items()),
        rate_from_stable=None,
        rate_from_declining=None,
        probability=_bounded(scores.probability),
        params=chosen_params(search.estimator, checked_families(model, seed)[search.best], model, search.best),
    )


def _bounded(probability: pd.Series) -> pd.Series:
    return probability.clip(*BOUNDS)


def _expected(probability: pd.Series, customers: pd.DataFrame) -> ExpectedDecliners:
    declining = (customers[TARGET] == DECLINED).reindex(probability.index).to_numpy(dtype=bool)
    values = probability.to_numpy(dtype=float)
    return ExpectedDecliners(from_stable=float(values[~declining].sum()), from_declining=float(np.sum(values[declining])))
