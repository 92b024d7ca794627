"""Everything one build produced: the object the report layer renders."""

from __future__ import annotations

from dataclasses import dataclass

from report_builder.results.analysis import Correlation, Evaluation, Exploration, Explanation, ModelSearch, Profile
from report_builder.results.data import CleanData
from report_builder.results.segments import Recommendations, Scores, Segmentation


@dataclass(frozen=True)
class RunInfo:
    period: str
    built_at: str  # ISO 8601, UTC
    seed: int
    versions: dict[str, str]
    data_dir: str
    demo: bool


@dataclass(frozen=True)
class StageTiming:
    stage: str
    title: str
    seconds: float
    cached: bool


@dataclass(frozen=True)
class ReportResults:
    run: RunInfo
    data: CleanData
    exploration: Exploration
    correlation: Correlation
    search: ModelSearch
    evaluation: Evaluation
    explanation: Explanation | None  # None when the stage is switched off in the config
    scores: Scores | None
    segmentation: Segmentation | None
    recommendations: Recommendations | None
    profile: Profile | None
    timings: tuple[StageTiming, ...]
    fingerprint: str  # hash of every stage's cache key: equal fingerprints, equal results
