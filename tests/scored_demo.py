"""The demo data cleaned, modelled with a small search and scored, computed once per test process.

Shared by the tests of scoring, segmentation and the customer list. A plain cached function rather
than a fixture, so several test modules reuse one computation.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from report_builder.config import Config, ExplainConfig, ModelConfig, SegmentsConfig
from report_builder.resources import demo_data_dir
from report_builder.results.analysis import Evaluation, ModelSearch
from report_builder.results.data import CleanData
from report_builder.results.segments import Scores, Segmentation
from report_builder.stages.clean import clean_tables
from report_builder.stages.evaluate import evaluate
from report_builder.stages.load import load_tables
from report_builder.stages.models import search_models
from report_builder.stages.score import score_customers
from report_builder.stages.segment import segment
from report_builder.stages.validate import validate_tables

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


@functools.cache
def clean_demo() -> CleanData:
    return clean_tables(validate_tables(load_tables(demo_data_dir())), Config().cleaning)


@functools.cache
def scored_demo() -> Scored:
    data = clean_demo()
    search = search_models(data, SMALL_MODEL, SEED)
    evaluation = evaluate(search, data, SMALL_MODEL, SEED)
    scores = score_customers(search, evaluation, data, SMALL_MODEL, SMALL_EXPLAIN, SEED)
    return Scored(data, search, evaluation, scores)


def segmented(config: SegmentsConfig | None = None, threshold: float = 0.5) -> Segmentation:
    scored = scored_demo()
    return segment(scored.scores, scored.data, config or SegmentsConfig(), threshold)
