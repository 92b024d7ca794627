"""Scores of the demo data, computed once per test process on top of the shared session fixtures.

Shared by the tests of scoring, segmentation and the customer list. A cached function rather than
a fixture, so several test modules reuse one computation.
"""

from __future__ import annotations

from dataclasses import dataclass

from report_builder.config import Config, ExplainConfig, ModelConfig, SegmentsConfig
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.segments import Scores, Segmentation
from report_builder.stages.score import score_customers
from report_builder.stages.segment import segment

SEED = 42
CUSTOMERS_MAX = 30  # customers with per-customer SHAP drivers in the shared scores

# n_jobs=1: fast on a small data set and keeps every fit in this process.
SMALL_MODEL: ModelConfig = Config().model.model_copy(
    update={"families": ("logreg",), "search_iterations": 2, "bootstrap_rounds": 200, "n_jobs": 1}
)
SMALL_EXPLAIN: ExplainConfig = Config().explain.model_copy(
    update={"sample": 20, "agnostic_sample": 20, "background": 10, "permutation_repeats": 2, "customers_max": CUSTOMERS_MAX}
)


def small_config(**sections: object) -> Config:
    """Default settings with the small model and explanation; `sections` replace whole sections."""
    return Config().model_copy(update={"model": SMALL_MODEL, "explain": SMALL_EXPLAIN, **sections})


@dataclass(frozen=True)
class Scored:
    data: CleanData
    search: ModelSearch
    evaluation: Evaluation
    scores: Scores

    def segmented(self, config: SegmentsConfig | None = None, threshold: float = 0.5) -> Segmentation:
        return segment(self.scores, self.data, config or SegmentsConfig(), threshold)


_SCORED: dict[tuple[int, int], Scored] = {}


def scored_demo(data: CleanData, fit: tuple[ModelSearch, Evaluation]) -> Scored:
    """Every customer of `data` scored with the fitted search (the `demo_data` and `demo_fit` fixtures)."""
    key = (id(data), id(fit))
    if key not in _SCORED:
        search, evaluation = fit
        scores = score_customers(search, evaluation, data, SMALL_MODEL, SMALL_EXPLAIN, SEED)
        _SCORED[key] = Scored(data, search, evaluation, scores)
    return _SCORED[key]
