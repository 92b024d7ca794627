"""Last quarter's forecast fitted again from the history (`stages.previous`), with this quarter's customers as it
scores them (what the comparison counts): hand-made histories. The refit of a forward model is checked against what a quarter published in test_history."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
from histories import clean, snapshot

from report_builder.config import ForecastConfig, ModelConfig
from report_builder.labels import DECLINED, TARGET
from report_builder.records import record_type
from report_builder.results.forecast import BOUNDS, Forecast
from report_builder.results.history import Reference
from report_builder.stages.previous import previous_forecast


def _with_forecast(period: str, declined: pd.Series, **forecast: object) -> object:
    """An earlier quarter's snapshot with its customers' labels and the forecast it recorded."""
    return dataclasses.replace(snapshot(period, clean(declined)), forecast=record_type(Forecast)(**forecast))


def test_a_first_quarter_and_a_quarter_without_a_forecast_have_none() -> None:
    declined = pd.Series([1, 0, 1, 0], index=[1, 2, 3, 4])
    now = clean(declined)
    assert previous_forecast(Reference(), now, ForecastConfig(), ModelConfig(), 0) is None
    assert previous_forecast(Reference((snapshot("2026-Q2", clean(declined)),)), now, ForecastConfig(), ModelConfig(), 0) is None


def test_a_persistence_forecast_comes_back_as_its_two_rates() -> None:
    declined = pd.Series([1, 0, 1, 0], index=[1, 2, 3, 4])
    last = _with_forecast("2026-Q2", declined, kind="persistence", rate_from_stable=0.1, rate_from_declining=0.6)
    now = clean(pd.Series([1, 1, 0, 0, 1], index=[1, 2, 3, 5, 6]))
    previous = previous_forecast(Reference((last,)), now, ForecastConfig(), ModelConfig(), 0)
    assert previous is not None and previous.kind == "persistence" and previous.model is None
    scores = previous.probability
    expected = np.where(now.customers[TARGET] == DECLINED, 0.6, 0.1).clip(*BOUNDS)
    assert list(scores.index) == list(now.customers.index) and np.allclose(scores, expected)


def test_a_same_quarter_forecast_is_fitted_on_that_quarter_alone() -> None:
    rng = np.random.default_rng(0)
    declined = pd.Series(rng.integers(0, 2, 60), index=range(100, 160))
    last = _with_forecast("2026-Q2", declined, kind="same_quarter", family="logreg", calibration="none",
                          params={"clf__C": 1.0})
    now = clean(pd.Series(0, index=range(500, 510)))
    previous = previous_forecast(Reference((last,)), now, ForecastConfig(), ModelConfig(), 0)
    assert previous is not None and previous.kind == "same_quarter" and previous.rates is None
    # The hand-made features say nothing, so a model of that quarter gives everyone that quarter's decline rate.
    scores = previous.probability
    assert len(scores) == 10 and np.allclose(scores, declined.mean(), atol=1e-3)
