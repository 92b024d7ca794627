"""Everything one build produced: the object the report layer renders."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from report_builder.results.analysis import Correlation, Evaluation, Exploration, Explanation, ModelSearch, Profile
from report_builder.results.backtest import Backtest, Economics
from report_builder.results.data import CleanData
from report_builder.results.history import Comparison
from report_builder.results.segments import Recommendations, Scores, Segmentation


@dataclass(frozen=True)
class RunInfo:
    period: str
    built_at: str  # ISO 8601, UTC
    seed: int
    versions: dict[str, str]
    data_dir: str
    demo: bool

    @property
    def key(self) -> str:
        """What the documents show of the run: the build's date, not its second, so a day's rebuilds reuse them."""
        shown = [self.period, self.built_at[:10], str(self.seed), self.data_dir, str(self.demo), *sorted(self.versions.items())]
        return hashlib.sha256(repr(shown).encode()).hexdigest()[:32]


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
    explanation: Explanation | None = None  # None when the stage is switched off in the config
    scores: Scores | None = None
    segmentation: Segmentation | None = None
    recommendations: Recommendations | None = None
    profile: Profile | None = None
    comparison: Comparison | None = None  # None on the first run of a data set, or without a history
    backtest: Backtest | None = None  # None when no earlier run shares customers with this one
    economics: Economics | None = None
