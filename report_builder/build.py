"""One build: run the pipeline, render the documents, publish them atomically."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import hashlib

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.pipeline import run_pipeline
from report_builder.publish import publish
from report_builder.report.customers import customer_table, write_csv, write_xlsx
from report_builder.report.render import render_html, render_pdf
from report_builder.report.structure import ReportView, build_sections
from report_builder.report.summary import build_summary
from report_builder.resources import demo_data_dir
from report_builder.results.report import ReportResults, RunInfo, StageTiming

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
    cache = StageCache(cache_dir)
    results = run_pipeline(source, config, run, cache, on_stage)
    target = out_dir or Path("output") / period

    def write(folder: Path) -> list[str]:
        written = []
        start = time.perf_counter()
        figures_key = _render_key(results.fingerprint)
        sections = cache.get("figures", figures_key)
        cached = isinstance(sections, tuple)
        if not cached:
            sections = build_sections(results)
            cache.put("figures", figures_key, sections)
        on_stage(StageTiming("figures", "Графики", time.perf_counter() - start, cached))
        view = ReportView(
            results,
            config.report,
            sections,  # type: ignore[arg-type]
            settings=config,
            top_actions=config.recommendations.top_actions,
            priority_configured=config.segments.priority is not None,
        )
        html = render_html(view)
        if "html" in config.report.formats:
            (folder / "report.html").write_text(html, encoding="utf-8")
            written.append("report.html")
        if "pdf" in config.report.formats:
            start = time.perf_counter()
            pdf_key = hashlib.sha256(html.encode() + versions()["weasyprint"].encode()).hexdigest()[:32]
            pdf = cache.get("pdf", pdf_key)
            cached = isinstance(pdf, bytes)
            if not cached:
                pdf = render_pdf(html)
                cache.put("pdf", pdf_key, pdf)
            (folder / "report.pdf").write_bytes(pdf)  # type: ignore[arg-type]
            on_stage(StageTiming("render_pdf", "Вёрстка PDF", time.perf_counter() - start, cached))
            written.append("report.pdf")
        table = customer_table(results)
        write_csv(table, folder / "customers.csv")
        write_xlsx(table, folder / "customers.xlsx")
        written += ["customers.csv", "customers.xlsx"]
        if results.profile is not None:
            (folder / "profile.html").write_text(results.profile.html, encoding="utf-8")
            written.append("profile.html")
        summary = build_summary(results)
        (folder / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append("summary.json")
        return written

    return BuildOutcome(publish(target, write), results)


def _render_key(fingerprint: str) -> str:
    """Charts change only with the results or with the code that draws them."""
    digest = hashlib.sha256(fingerprint.encode())
    for path in sorted((Path(__file__).parent / "report").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]
