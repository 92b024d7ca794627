"""The stage table: the only place that knows the order of the stages and what feeds each of them.

Adding a stage: its function (one module under `stages/`), its result type (under `results/`),
one line here, and one partial template for its section.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.errors import PdfEngineMissing
from report_builder.features import cross_validation
from report_builder.report.customers import customer_files
from report_builder.report.render import render_html, render_pdf
from report_builder.report.structure import build_sections
from report_builder.results.report import ReportResults, RunInfo, StageTiming
from report_builder.runner import Given, Run, Stage, check_table, run_stages
from report_builder.results.history import Reference
from report_builder.stages.backtest import backtest
from report_builder.stages.clean import clean_tables
from report_builder.stages.compare import compare
from report_builder.stages.correlate import correlate
from report_builder.stages.economics import economics
from report_builder.stages.evaluate import evaluate
from report_builder.stages.explain import explain
from report_builder.stages.explore import explore
from report_builder.stages.load import load_tables
from report_builder.stages.models import search_models
from report_builder.stages.profile import profile
from report_builder.stages.recommend import recommend
from report_builder.stages.score import score_customers
from report_builder.stages.segment import segment
from report_builder.stages.snapshot import snapshot
from report_builder.stages.validate import validate_tables

GIVEN = ("source", "run", "period", "reference")
# The PDF carries summary.json and customers.csv inside: it is laid out once they exist.
DOCUMENT_GIVEN = ("html", "summary", "customers")

STAGES: tuple[Stage, ...] = check_table(
    (
        Stage("load", "Загрузка данных", load_tables, {"source": "source"},
              {"mapping": "source", "limits": "limits"}, cached=False),
        Stage("validate", "Проверка схемы", validate_tables, {"tables": "load"}),
        Stage("clean", "Очистка данных", clean_tables, {"tables": "validate"}, {"config": "cleaning"}),
        Stage("explore", "Исследовательский анализ", explore, {"data": "clean"}),
        Stage("correlate", "Корреляция phik", correlate, {"data": "clean"}),
        Stage("cv", "Разбиение на блоки", cross_validation, settings={"folds": "model.cv_folds", "seed": "seed"}),
        Stage("models", "Подбор моделей", search_models, {"data": "clean", "cv": "cv"}, {"config": "model", "seed": "seed"}),
        Stage(
            "evaluate", "Оценка лучшей модели", evaluate, {"search": "models", "data": "clean", "cv": "cv"},
            {"threshold": "segments.threshold", "n_jobs": "model.n_jobs"},
        ),
        Stage(
            "explain", "Важность признаков (SHAP)", explain, {"search": "models", "evaluation": "evaluate", "data": "clean"},
            {"sample": "explain.sample", "agnostic_sample": "explain.agnostic_sample", "background": "explain.background",
             "repeats": "explain.permutation_repeats", "seed": "seed"},
            when="stages.explain",
        ),
        Stage(
            "score", "Прогноз для каждого покупателя", score_customers,
            {"search": "models", "evaluation": "evaluate", "data": "clean", "cv": "cv"},
            {"max_fit_rows": "model.max_fit_rows", "n_jobs": "model.n_jobs", "customers_max": "explain.customers_max",
             "background": "explain.background", "seed": "seed"},
            when="stages.segments",
        ),
        Stage("segment", "Сегментация", segment, {"scores": "score", "data": "clean"}, {"config": "segments"}),
        Stage("recommend", "Рекомендации", recommend, {"segmentation": "segment"}, {"config": "recommendations", "seed": "seed"}),
        Stage("profile", "Профиль данных (ydata-profiling)", profile, {"data": "clean", "period": "period"},
              {"company": "report.company"}, when="report.profile"),
        Stage(
            "snapshot", "Запись для истории", snapshot,
            {"run": "run", "data": "clean", "search": "models", "segmentation": "segment", "recommendations": "recommend",
             "explanation": "explain"},
            {"config_hash": "analysis_hash", "company": "report.company"},
        ),
        Stage("compare", "Сравнение с прошлым кварталом", compare, {"current": "snapshot", "reference": "reference"},
              {"config": "history"}),
        Stage("backtest", "Проверка прошлого прогноза", backtest, {"reference": "reference", "data": "clean"},
              {"config": "backtest", "bootstrap_rounds": "model.bootstrap_rounds", "seed": "seed"}),
        Stage("economics", "Экономика предложений", economics,
              {"segmentation": "segment", "recommendations": "recommend", "backtest": "backtest"}, {"config": "recommendations"}),
        Stage(
            "results", "Сводка результатов", ReportResults,
            {"run": "run", "data": "clean", "exploration": "explore", "correlation": "correlate", "search": "models",
             "evaluation": "evaluate", "explanation": "explain", "scores": "score", "segmentation": "segment",
             "recommendations": "recommend", "profile": "profile", "comparison": "compare", "backtest": "backtest",
             "economics": "economics"},
        ),
        Stage("figures", "Графики", build_sections, {"results": "results"}, {"money_unit": "report.money_unit"}),
        Stage("html", "Вёрстка HTML", render_html, {"results": "results", "sections": "figures"}, {"settings": ""}),
        Stage(
            "customers", "Список покупателей", customer_files,
            {"segmentation": "segment", "recommendations": "recommend", "scores": "score"},
        ),
    ),
    GIVEN,
    Config(),
)


DOCUMENTS: tuple[Stage, ...] = check_table(
    (
        Stage("pdf", "Вёрстка PDF", render_pdf, {"html": "html", "summary": "summary", "customers": "customers"},
              when="report.pdf", tolerate=(PdfEngineMissing,)),
    ),
    DOCUMENT_GIVEN,
    Config(),
)


def run_documents(files: dict[str, bytes], html_key: str, config: Config, cache: StageCache,
                  on_stage: Callable[[StageTiming], None] = lambda _: None) -> Run:
    """The PDF, with the summary and the customer list it carries."""
    def given(name: str) -> Given:
        content = files.get(name)
        return Given(content, hashlib.sha256(content).hexdigest() if content is not None else "none")

    html = files.get("report.html")
    documents = {"html": Given(html.decode("utf-8") if html else None, html_key),
                 "summary": given("summary.json"), "customers": given("customers.csv")}
    return run_stages(DOCUMENTS, documents, config, cache, on_stage)


def run_pipeline(
    source: Path | str,
    config: Config,
    run: RunInfo,
    cache: StageCache,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
    reference: Reference = Reference(None, ()),
) -> Run:
    given = {
        "source": Given(source, "source"),  # the key of the data is the load stage's fingerprint
        "run": Given(run, run.key),
        "period": Given(run.period, run.period),
        "reference": Given(reference, reference.key),
    }
    return run_stages(STAGES, given, config, cache, on_stage)
