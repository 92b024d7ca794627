"""The only place that knows the order of the stages; runs them through the cache."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from report_builder.cache import StageCache, make_key
from report_builder.config import Config
from report_builder.results.report import ReportResults, RunInfo, StageTiming
from report_builder.stages.clean import clean_tables
from report_builder.stages.correlate import correlate
from report_builder.stages.evaluate import evaluate
from report_builder.stages.explain import explain
from report_builder.stages.explore import explore
from report_builder.stages.load import load_tables
from report_builder.stages.models import search_models
from report_builder.stages.profile import profile
from report_builder.stages.recommend import recommend
from report_builder.stages.score import score_customers
from report_builder.stages.segment import segment
from report_builder.stages.validate import validate_tables

T = TypeVar("T")

STAGE_TITLES = {
    "load": "Загрузка файлов",
    "validate": "Проверка схемы",
    "clean": "Очистка данных",
    "explore": "Исследовательский анализ",
    "correlate": "Корреляция phik",
    "models": "Подбор моделей",
    "evaluate": "Оценка лучшей модели",
    "explain": "Важность признаков (SHAP)",
    "score": "Прогноз для каждого покупателя",
    "segment": "Сегментация",
    "recommend": "Рекомендации",
    "profile": "Профиль данных (ydata-profiling)",
}


@dataclass
class _Runner:
    cache: StageCache
    on_stage: Callable[[StageTiming], None]
    keys: dict[str, str] = field(default_factory=dict)
    timings: list[StageTiming] = field(default_factory=list)

    def run(
        self,
        stage: str,
        fn: Callable[..., T],
        *args: object,
        after: tuple[str, ...],
        config: tuple[BaseModel | float | str | None, ...] = (),
    ) -> T:
        key = make_key(stage, fn, [*(self.keys[a] for a in after), *config])
        self.keys[stage] = key
        start = time.perf_counter()
        value = self.cache.get(stage, key)
        cached = value is not None
        if not cached:
            value = fn(*args)
            self.cache.put(stage, key, value)
        timing = StageTiming(stage, STAGE_TITLES[stage], time.perf_counter() - start, cached)
        self.timings.append(timing)
        self.on_stage(timing)
        return value  # type: ignore[return-value]


def run_pipeline(
    data_dir: Path,
    config: Config,
    run: RunInfo,
    cache: StageCache,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
) -> ReportResults:
    runner = _Runner(cache, on_stage)
    start = time.perf_counter()
    tables = load_tables(data_dir)
    runner.keys["load"] = make_key("load", load_tables, [s.sha256 for s in tables.sources])
    load_timing = StageTiming("load", STAGE_TITLES["load"], time.perf_counter() - start, False)
    runner.timings.append(load_timing)
    on_stage(load_timing)

    valid = runner.run("validate", validate_tables, tables, after=("load",))
    data = runner.run("clean", clean_tables, valid, config.cleaning, after=("validate",), config=(config.cleaning,))
    exploration = runner.run("explore", explore, data, after=("clean",))
    correlation = runner.run("correlate", correlate, data, after=("clean",))
    seed = config.seed
    search = runner.run(
        "models", search_models, data, config.model, seed, after=("clean",), config=(config.model, seed)
    )
    evaluation = runner.run(
        "evaluate", evaluate, search, data, config.model, seed, after=("models",), config=(config.model, seed)
    )
    explanation = None
    if config.stages.explain:
        explanation = runner.run(
            "explain",
            explain,
            search,
            evaluation,
            data,
            config.explain,
            seed,
            after=("evaluate",),
            config=(config.explain, seed),
        )
    scores = segmentation = recommendations = None
    if config.stages.segments:
        scores = runner.run(
            "score",
            score_customers,
            search,
            evaluation,
            data,
            config.model,
            config.explain,
            seed,
            after=("evaluate",),
            config=(config.model, config.explain, seed),
        )
        segmentation = runner.run(
            "segment",
            segment,
            scores,
            data,
            config.segments,
            config.model.threshold,
            after=("score",),
            config=(config.segments, config.model.threshold),
        )
        recommendations = runner.run(
            "recommend", recommend, segmentation, config.recommendations, after=("segment",), config=(config.recommendations,)
        )
    appendix = None
    if config.report.profile:
        title = f"Профиль данных — {config.report.company}, {run.period}"
        appendix = runner.run("profile", profile, data, title, after=("clean",), config=(title,))
    return ReportResults(
        run=run,
        data=data,
        exploration=exploration,
        correlation=correlation,
        search=search,
        evaluation=evaluation,
        explanation=explanation,
        scores=scores,
        segmentation=segmentation,
        recommendations=recommendations,
        profile=appendix,
        timings=tuple(runner.timings),
        fingerprint=make_key("results", run_pipeline, list(runner.keys.values())),
    )
