"""The stage table: the only place that knows the order of the stages, what feeds each of them,
which report section each result fills and which file each document is published as.

Adding a stage: its function (one module under `stages/`), its result type (under `results/`),
one line here, and — when it has a section of its own — one partial template `partials/<key>.html.j2`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.errors import PdfEngineMissing
from report_builder.report import customers as customer_files
from report_builder.report.figures import backtest as backtest_figures
from report_builder.report.figures import correlation as correlation_figures
from report_builder.report.figures import data as data_figures
from report_builder.report.figures import dynamics as dynamics_figures
from report_builder.report.figures import eda as eda_figures
from report_builder.report.figures import explain as explain_figures
from report_builder.report.figures import models as model_figures
from report_builder.report.figures import plan as plan_figures
from report_builder.report.figures import segments as segment_figures
from report_builder.report.render import attach_summary, render_html, render_pdf, render_print_html
from report_builder.report.structure import arrange_sections
from report_builder.history_schema import HistorySchema
from report_builder.records import optional
from report_builder.report.summary_json import summary_content, summary_json
from report_builder.results.history import Reference
from report_builder.results.report import RunInfo, StageTiming
from report_builder.runner import RESULTS, TIMINGS, Given, Run, Section, Stage, check_readers, check_sections, check_table, results_class, run_stages
from report_builder.stages.backtest import backtest
from report_builder.stages.clean import clean_tables
from report_builder.stages.compare import compare
from report_builder.stages.contacts import contacts
from report_builder.stages.correlate import correlate
from report_builder.stages.effects import effects
from report_builder.stages.evaluate import evaluate
from report_builder.stages.explain import explain
from report_builder.stages.dynamics import dynamics
from report_builder.stages.explore import explore
from report_builder.stages.forecast import forecast
from report_builder.stages.folds import cross_validation
from report_builder.stages.load import load_tables
from report_builder.stages.models import search_models
from report_builder.stages.plan import plan
from report_builder.stages.profile import profile
from report_builder.stages.previous import previous_forecast
from report_builder.stages.recommend import recommend
from report_builder.stages.score import score_customers
from report_builder.stages.segment import segment
from report_builder.stages.validate import validate_tables

GIVEN: dict[str, object] = {"source": Path | str, "run": RunInfo, "period": str, "reference": Reference}

ANALYSIS: tuple[Stage, ...] = (
        Stage("tables", "Загрузка данных", load_tables, {"source": "source"}, {"mapping": "source", "limits": "limits"},
              cached=False),
        Stage("validated", "Проверка схемы", validate_tables, {"tables": "tables"}),
        # Loading, validation and cleaning name this source's files and rows; every stage after cleaning is keyed
        # on the cleaned content, so the same quarter from another format or a database reuses them.
        Stage("data", "Очистка данных", clean_tables, {"tables": "validated"}, {"config": "cleaning"}, content_key=True,
              section=Section("data", "Данные", figures=data_figures.section)),
        # The optional contacts: what was sent during the quarter, to last quarter's plan; named by the offer rules.
        Stage("contacts", "Таблица контактов", contacts, {"tables": "validated", "period": "period"},
              {"rules": "recommendations.rules"}, content_key=True),
        # A page of its own that nothing else reads: from the start, at the lowest priority, so that it fills the time
        # a core would otherwise wait (the start-up, the end of the model search, the PDF layout) and delays nothing.
        Stage("profile", "Профиль данных (ydata-profiling)", profile, {"data": "data", "period": "period"},
              {"company": "report.company", "seed": "seed"}, when="report.profile", publishes="profile.html",
              background=True, idle=True),
        Stage("exploration", "Исследовательский анализ", explore, {"data": "data"},
              section=Section("eda", "Исследовательский анализ", figures=eda_figures.section)),
        Stage("correlation", "Корреляция phik", correlate, {"data": "data"}, background=True,  # beside the model search
              section=Section("correlation", "Корреляционный анализ", figures=correlation_figures.section)),
        Stage("folds", "Разбиение на блоки", cross_validation, settings={"folds": "model.cv_folds", "seed": "seed"}),
        Stage("search", "Подбор моделей", search_models, {"data": "data", "cv": "folds"}, {"config": "model", "seed": "seed"},
              meanwhile=("shap", "weasyprint"),  # for the explanation and the PDF, while the search's workers fit
              section=Section("methodology", "Приложение. Методика", part="appendix")),
        Stage(
            "evaluation", "Оценка лучшей модели", evaluate, {"search": "search", "data": "data", "cv": "folds"},
            {"threshold": "segments.threshold", "n_jobs": "model.n_jobs"},
            section=Section("models", "Модели", figures=model_figures.section),
        ),
        Stage(
            "explanation", "Важность признаков (SHAP)", explain, {"search": "search", "evaluation": "evaluation", "data": "data"},
            {"sample": "explain.sample", "agnostic_sample": "explain.agnostic_sample", "background": "explain.background",
             "repeats": "explain.permutation_repeats", "seed": "seed", "n_jobs": "model.n_jobs"},
            when="stages.explain", loads=("shap",),
            section=Section("explain", "Важность признаков", figures=explain_figures.section),
        ),
        Stage(
            "scores", "Прогноз для каждого покупателя", score_customers,
            {"search": "search", "evaluation": "evaluation", "data": "data"},
            {"customers_max": "explain.customers_max",
             "background": "explain.background", "seed": "seed"},
            when="stages.segments",
        ),
        Stage("forecast", "Прогноз на следующий квартал", forecast,
              {"data": "data", "period": "period", "reference": "reference", "search": "search", "evaluation": "evaluation",
               "scores": "scores"},
              {"config": "forecast", "model": "model", "seed": "seed"},
              section=Section("forecast", "Прогноз на следующий квартал")),
        Stage("segmentation", "Сегментация", segment, {"forecast": "forecast", "scores": "scores", "data": "data"},
              {"config": "segments"},
              section=Section("segments", "Сегментация покупателей", figures=segment_figures.section)),
        Stage("recommendations", "Рекомендации", recommend, {"segmentation": "segmentation"}, {"config": "recommendations"}),
        Stage("effects", "Измеренный эффект предложений", effects, {"reference": "reference", "data": "data"},
              {"config": "backtest", "recommendations": "recommendations", "seed": "seed"}),
        Stage("plan", "План контактов", plan,
              {"segmentation": "segmentation", "recommendations": "recommendations", "effects": "effects"},
              {"config": "recommendations", "experiment": "backtest", "seed": "seed"},
              section=Section("recommendations", "Рекомендации", figures=plan_figures.section)),
        Stage("customer_list", "Список покупателей", customer_files.customer_list,
              {"segmentation": "segmentation", "plan": "plan", "scores": "scores", "reference": "reference"}),
        # Last quarter's forecast fitted again from the history, and this quarter's customers as it scores them, for
        # the comparison: a stage of its own, so that a rebuild after a segment or offer setting takes both from the
        # cache (and never loads scikit-learn). It runs here, not in the background worker, which would have to be
        # sent every earlier quarter's customers.
        Stage("previous_forecast", "Модель прошлого квартала", previous_forecast, {"reference": "reference", "data": "data"},
              {"config": "forecast", "model": "model", "seed": "seed"}),
        Stage("comparison", "Сравнение с прошлым кварталом", compare,
              {"data": "data", "search": "search", "segmentation": "segmentation", "customer_list": "customer_list",
               "explanation": "explanation", "reference": "reference", "forecast": "forecast",
               "previous_forecast": "previous_forecast"},
              {"config": "history.judged", "config_hash": "analysis_hash", "settings_json": "analysis_settings"},
              section=Section("changes", "Что изменилось", part="front")),
        Stage("backtest", "Проверка прошлого прогноза", backtest,
              {"reference": "reference", "data": "data", "effects": "effects", "contacts": "contacts"},
              {"config": "backtest", "bootstrap_rounds": "model.bootstrap_rounds", "seed": "seed", "months": "segments.months_at_risk"},
              section=Section("backtest", "Проверка прошлого прогноза", part="front", figures=backtest_figures.section)),
        Stage("dynamics", "Динамика по кварталам", dynamics,
              {"reference": "reference", "period": "period", "data": "data", "forecast": "forecast",
               "segmentation": "segmentation", "backtest": "backtest"},
              section=Section("dynamics", "Динамика по кварталам", part="front", figures=dynamics_figures.section)),
    )
# What a quarter keeps for the next one: every result with attributes marked for the history.
HISTORY = HistorySchema({"run": RunInfo, **{s.name: kind for s in ANALYSIS if isinstance(kind := optional(s.returns)[0], type)}})


Snapshot = HISTORY.snapshot  # a run as the history keeps it; named here so a cached one can be read back
Snapshot.__module__ = __name__


def _record(**parts: object) -> object:
    """What the history keeps of this run: the recorded part of every result (a stage, so a cached build reuses it)."""
    return HISTORY.take(parts)


_record.__annotations__["return"] = HISTORY.snapshot


def _with_charts(stages: tuple[Stage, ...]) -> tuple[Stage, ...]:
    """Each section's charts as a stage of its own, right after the last result they read: it runs in the background
    while the analysis goes on, and one changed setting redraws only the sections that show what it changed."""
    charts = []
    for stage in stages:
        if stage.section is None or stage.section.figures is None:
            continue
        parameters = inspect.signature(stage.section.figures).parameters
        wanted = [p for p in parameters if p != "unit"]
        charts.append(Stage(f"charts_{stage.section.key}", f"Графики: {stage.section.title}", stage.section.figures,
                            {p: p for p in wanted}, {"unit": "report.unit"} if "unit" in parameters else {},
                            draws=stage.section.key, background=True, loads=("matplotlib.pyplot",)))
    ordered: list[Stage] = []
    for stage in stages:
        ordered.append(stage)
        done = {s.name for s in ordered}
        ordered += [c for c in charts if c not in ordered and set(c.inputs.values()) <= done]
    return (*ordered, *(c for c in charts if c not in ordered))


STAGES: tuple[Stage, ...] = check_table(
    (
        *_with_charts(ANALYSIS),
        Stage("record", "Запись для истории", _record, {part: part for part in HISTORY.parts}, output=True),
        # The documents: every result above reaches them as one object, RESULTS.
        Stage("sections", "Разделы и рисунки", arrange_sections, {"results": RESULTS},
              meanwhile=("weasyprint",)),  # for the PDF, while the charts are drawn in the background
        Stage("html", "Вёрстка HTML", render_html, {"results": RESULTS, "sections": "sections"}, {"settings": "shown"},
              publishes="report.html", publish_when="report.html"),
        # The customer files: nothing else reads them, so they are written in the background beside the PDF layout
        # (at a million customers the workbook alone takes minutes).
        Stage("customers_csv", "Список покупателей (CSV)", customer_files.to_csv, {"table": "customer_list"},
              {"money_unit": "report.money_unit"}, publishes="customers.csv", background=True),
        Stage("customers_xlsx", "Список покупателей (Excel)", customer_files.to_xlsx, {"table": "customer_list"},
              {"money_unit": "report.money_unit"}, publishes="customers.xlsx", background=True),
        # summary.json: its content is cached with the results it is made of; the build's time and timings join it last.
        Stage("summary_content", "Сводка summary.json", summary_content, {"results": RESULTS}),
        # The PDF is laid out once per content (charts as images); this build's summary.json is attached to it after.
        Stage("print_html", "Страница для печати", render_print_html, {"results": RESULTS, "sections": "sections"},
              {"settings": "shown"}, when="report.pdf"),
        Stage("pdf_layout", "Вёрстка PDF", render_pdf, {"page": "print_html"}, when="report.pdf", tolerate=(PdfEngineMissing,),
              loads=("weasyprint",)),
        # After the layout: the timings are complete only when the background stages (the profile) are done.
        Stage("summary", "Время сборки в сводке", summary_json, {"content": "summary_content", "run": "run", "timings": TIMINGS},
              cached=False, publishes="summary.json"),
        Stage("pdf", "Сводка внутри PDF", attach_summary, {"layout": "pdf_layout", "summary": "summary"}, cached=False,
              when="report.pdf", publishes="report.pdf"),
    ),
    GIVEN,
    Config(),
)
check_readers(STAGES)
ReportResults = results_class(STAGES, GIVEN)
check_sections(ReportResults)


def run_pipeline(
    source: Path | str,
    config: Config,
    run: RunInfo,
    cache: StageCache,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
    reference: Reference = Reference(),
    only: set[str] | None = None,
) -> Run:
    given = {
        "source": Given(source, "source"),  # the key of the data is the tables stage's fingerprint, then the cleaned content
        "run": Given(run, run.key),
        "period": Given(run.period, run.period),
        "reference": Given(reference, reference.key),
    }
    from report_builder.runner import ancestors

    wanted = ancestors(STAGES, only) if only is not None else None
    return run_stages(STAGES, given, config, cache, on_stage, wanted, ReportResults)
