"""Last quarter's forecast fitted again from the history (`stages.previous`), with this quarter's customers as it
scores them (what the comparison counts): hand-made histories. The refit of a forward model is checked against what a quarter published in test_history."""

from __future__ import annotations

import dataclasses
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd
from histories import clean, snapshot

from report_builder.config import ForecastConfig, ModelConfig
from report_builder.forward import forward_forecast
from report_builder.history import History, history_url
from report_builder.labels import DECLINED, FEATURES, NUMERIC, TARGET
from report_builder.records import record_type, to_record
from report_builder.results.forecast import BOUNDS, Forecast, Quarter
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


def test_a_forward_forecast_checked_in_time_scores_as_it_was_published(tmp_path: Path) -> None:
    """A forward forecast checked out of time maps its scores by a calibrator fitted on the latest pair's scores; the
    next quarter, reading the history back from a database, scores that quarter's customers exactly as it did. (Fitted
    again out of fold, the calibrator would be another one.)"""
    rng = np.random.default_rng(3)
    ids = pd.Index(range(1000, 1300), name="id")
    driver, quarters, declined = NUMERIC[0], [], pd.Series(rng.integers(0, 2, len(ids)), index=ids)
    for period in ("2026-Q1", "2026-Q2", "2026-Q3"):
        data = clean(declined)
        signal = rng.normal(size=len(ids))
        data.customers[driver] = signal  # what this quarter's features say of the next quarter's label
        quarters.append((period, data))
        declined = pd.Series((signal + rng.normal(scale=0.7, size=len(ids)) > 0).astype(int), index=ids)
    model = ModelConfig(families=("svc",), search_iterations=2, cv_folds=3, n_jobs=1)  # SVC: no probability of its own
    earlier = [Quarter(p, d.customers[[*FEATURES, TARGET]]) for p, d in quarters[:2]]
    period, last = quarters[2]
    published = forward_forecast(earlier, Quarter(period, last.customers[[*FEATURES, TARGET]]), ForecastConfig(), model, 0)
    assert published is not None and (published.kind, published.validation) == ("forward", "time")
    assert published.calibration in ("sigmoid", "isotonic") and published.calibrator

    runs = [snapshot(p, d) for p, d in quarters]
    runs[2] = dataclasses.replace(runs[2], forecast=to_record(published))
    with History(history_url(str(tmp_path / "h.sqlite"))).recording(runs):
        pass
    with closing(History(history_url(str(tmp_path / "h.sqlite")))) as store:
        reference = store.reference("shop", "2026-Q4")
    previous = previous_forecast(reference, last, ForecastConfig(), model, 0)
    assert previous is not None and previous.kind == "forward"
    assert np.array_equal(previous.probability.to_numpy(), published.probability.clip(*BOUNDS).to_numpy())
    # A quarter recorded before the calibrator was kept: its method only, the calibrator fitted again out of fold.
    older = Reference((*reference.runs[:-1], dataclasses.replace(reference.runs[-1], forecast=dataclasses.replace(
        reference.runs[-1].forecast, calibrator=None))))
    again = previous_forecast(older, last, ForecastConfig(), model, 0)
    assert again is not None and again.kind == "forward" and again.probability.index.equals(previous.probability.index)
    assert np.corrcoef(again.probability, previous.probability)[0, 1] > 0.95
