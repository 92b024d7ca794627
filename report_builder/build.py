"""One build: claim the output folder, run the pipeline, render the documents, publish them as a set."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.pipeline import run_pipeline
from report_builder.output import claim_output
from report_builder.report.customers import customer_files, customer_table
from report_builder.report.render import render_html, render_pdf
from report_builder.report.structure import ReportView, build_sections
from report_builder.report.summary import build_summary
from report_builder.resources import demo_data_dir
from report_builder.results.report import ReportResults, RunInfo, StageTiming

T = TypeVar("T")

LIBRARIES = ("report-builder", "pandas", "numpy", "scikit-learn", "shap", "phik", "matplotlib", "jinja2", "weasyprint", "ydata-profiling")


@dataclass(frozen=True)
class BuildOutcome:
    files: list[Path]
    results: ReportResults


def current_period(today: dt.date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def versions() -> dict[str, str]:
    found = {}
    for name in LIBRARIES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "—"
    return found


def build_report(
    config: Config,
    data_dir: Path | None = None,
    out_dir: Path | None = None,
    period: str | None = None,
    cache_dir: Path | None = None,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
) -> BuildOutcome:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    period = period or current_period(now.date())
    demo = data_dir is None
    source = demo_data_dir() if demo else data_dir
    run = RunInfo(period, now.isoformat(), config.seed, versions(), str(source), demo)
    target = out_dir or Path("output") / period
    with claim_output(target, source) as folder:
        folder.check_names(planned_files(config))  # a user's file in the way stops the build before any work
        cache = StageCache(cache_dir)
        results = run_pipeline(source, config, run, cache, on_stage)
        files = _render(results, config, cache, on_stage)
        return BuildOutcome(folder.publish(files), results)


def planned_files(config: Config) -> list[str]:
    """The names a build with these settings writes into the output folder."""
    names = [f"report.{f}" for f in ("html", "pdf") if f in config.report.formats]
    if config.stages.segments:
        names += ["customers.csv", "customers.xlsx"]
    if config.report.profile:
        names.append("profile.html")
    return [*names, "summary.json"]


def _render(
    results: ReportResults, config: Config, cache: StageCache, on_stage: Callable[[StageTiming], None]
) -> dict[str, bytes]:
    run = results.run
    render_key = _render_key(results.fingerprint)
    sections = _cached(cache, "figures", "Графики", render_key, lambda: build_sections(results), on_stage)
    html = render_html(ReportView(results, config, sections))
    files: dict[str, bytes] = {}
    if "html" in config.report.formats:
        files["report.html"] = html.encode("utf-8")
    if "pdf" in config.report.formats:
        pdf_key = hashlib.sha256(html.encode() + run.versions["weasyprint"].encode()).hexdigest()[:32]
        files["report.pdf"] = _cached(cache, "render_pdf", "Вёрстка PDF", pdf_key, lambda: render_pdf(html), on_stage)
    if results.segmentation is not None:
        make = lambda: customer_files(customer_table(results))  # noqa: E731
        files.update(_cached(cache, "customers", "Список покупателей", render_key, make, on_stage))
    if results.profile is not None:
        files["profile.html"] = results.profile.html.encode("utf-8")
    summary = build_summary(results)
    files["summary.json"] = json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8")
    return files


def _render_key(fingerprint: str) -> str:
    """Charts change only with the results or with the code that draws them."""
    digest = hashlib.sha256(fingerprint.encode())
    for path in sorted((Path(__file__).parent / "report").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _cached(
    cache: StageCache,
    stage: str,
    title: str,
    key: str,
    make: Callable[[], T],
    on_stage: Callable[[StageTiming], None],
) -> T:
    """Rendering steps are cached like stages: by the results they draw and the code drawing them."""
    start = time.perf_counter()
    value = cache.get(stage, key)
    cached = value is not None
    if not cached:
        value = make()
        cache.put(stage, key, value)
    on_stage(StageTiming(stage, title, time.perf_counter() - start, cached))
    return value  # type: ignore[return-value]
