"""Scores of the demo data, computed once per test process on top of the shared session fixtures.

Shared by the tests of scoring, segmentation and the customer list. A cached function rather than
a fixture, so several test modules reuse one computation.
"""

from __future__ import annotations

from dataclasses import dataclass

from conftest import SEED, score_small, small_config, small_explain_config, small_model_config
from report_builder.config import ForecastConfig, SegmentsConfig
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.segments import Scores, Segmentation
from report_builder.results.forecast import Forecast
from report_builder.results.history import Reference
from report_builder.stages.forecast import forecast
from report_builder.stages.segment import segment

__all__ = ["CUSTOMERS_MAX", "SEED", "Scored", "scored_demo", "small_config", "small_explain_config", "small_model_config"]

CUSTOMERS_MAX = 30  # customers with per-customer SHAP drivers in the shared scores


@dataclass(frozen=True)
class Scored:
    data: CleanData
    search: ModelSearch
    evaluation: Evaluation
    scores: Scores

    def segmented(self, config: SegmentsConfig | None = None) -> Segmentation:
        return segment(self.forecast, self.scores, self.data, config or SegmentsConfig())

    @property
    def forecast(self) -> Forecast:
        """A first report's forecast: no history, so the same-quarter model's scores."""
        found = forecast(self.data, "2026-Q3", Reference(), self.search, self.evaluation, ForecastConfig(), small_model_config(), SEED, self.scores)
        assert found is not None
        return found


_SCORED: dict[tuple[int, int], Scored] = {}


def scored_demo(data: CleanData, fit: tuple[ModelSearch, Evaluation]) -> Scored:
    """Every customer of `data` scored with the fitted search (the `demo_data` and `demo_fit` fixtures)."""
    key = (id(data), id(fit))
    if key not in _SCORED:
        search, evaluation = fit
        scores = score_small(search, evaluation, data, customers_max=CUSTOMERS_MAX)
        _SCORED[key] = Scored(data, search, evaluation, scores)
    return _SCORED[key]
