"""One build: claim the output folder, run the stage table, publish the files as a set."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.output import claim_output
from report_builder.pipeline import run_pipeline
from report_builder.report.summary import build_summary
from report_builder.resources import demo_data_dir
from report_builder.results.report import ReportResults, RunInfo, StageTiming
from report_builder.runner import Run

LIBRARIES = ("report-builder", "pandas", "numpy", "scikit-learn", "shap", "phik", "matplotlib", "jinja2", "weasyprint", "ydata-profiling")


@dataclass(frozen=True)
class BuildOutcome:
    files: list[Path]
    results: ReportResults
    timings: tuple[StageTiming, ...]
    problems: tuple[str, ...] = ()  # what was left out (a PDF without Pango); the rest is published


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
    # No network while building: the profiling library's analytics and progress bars stay off.
    os.environ.setdefault("YDATA_PROFILING_NO_ANALYTICS", "true")
    os.environ.setdefault("TQDM_DISABLE", "1")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    period = period or current_period(now.date())
    demo = data_dir is None
    source = demo_data_dir() if demo else data_dir
    run = RunInfo(period, now.isoformat(), config.seed, versions(), str(source), demo)
    target = out_dir or Path("output") / period
    with claim_output(target, source) as folder:
        folder.check_names(planned_files(config))  # a user's file in the way stops the build before any work
        done = run_pipeline(source, config, run, StageCache(cache_dir), on_stage)
        files = report_files(done, config)
        published = folder.publish(files)
    problems = tuple(str(p) for p in done.problems)
    return BuildOutcome(published, done.values["results"], tuple(done.timings), problems)  # type: ignore[arg-type]


def planned_files(config: Config) -> list[str]:
    """The names a build with these settings writes into the output folder."""
    names = [f"report.{f}" for f in ("html", "pdf") if f in config.report.formats]
    if config.stages.segments:
        names += ["customers.csv", "customers.xlsx"]
    if config.report.profile:
        names.append("profile.html")
    return [*names, "summary.json"]


def report_files(done: Run, config: Config) -> dict[str, bytes]:
    """The files of a finished run, by name."""
    values = done.values
    results = values["results"]
    assert isinstance(results, ReportResults)
    files: dict[str, bytes] = {}
    if isinstance(html := values.get("html"), str) and "html" in config.report.formats:
        files["report.html"] = html.encode("utf-8")
    if isinstance(pdf := values.get("pdf"), bytes):
        files["report.pdf"] = pdf
    if isinstance(customers := values.get("customers"), dict):
        files.update(customers)
    if results.profile is not None:
        files["profile.html"] = results.profile.html.encode("utf-8")
    summary = build_summary(results, tuple(done.timings))
    files["summary.json"] = json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8")
    return files

