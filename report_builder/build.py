"""One build: claim the output folder, run the stage table, publish the files as a set."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from contextlib import nullcontext
from dataclasses import replace
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from report_builder.cache import StageCache
from report_builder.config import Config
from report_builder.history import History, history_url, shown_url
from report_builder.output import claim_output
from report_builder.pipeline import run_documents, run_pipeline
from report_builder.report.summary import build_summary
from report_builder.resources import demo_data_dir
from report_builder.results.history import Reference, Snapshot
from report_builder.results.report import ReportResults, RunInfo, StageTiming
from report_builder.runner import Run
from report_builder.sources import is_url
from report_builder.stages.snapshot import dataset_name

HISTORY_FILE = "history.sqlite"
LIBRARIES = ("report-builder", "pandas", "numpy", "scikit-learn", "shap", "phik", "matplotlib", "jinja2", "weasyprint", "ydata-profiling")


@dataclass(frozen=True)
class BuildOutcome:
    files: list[Path]
    results: ReportResults
    timings: tuple[StageTiming, ...]
    problems: tuple[str, ...] = ()  # what was left out (a PDF without Pango); the rest is published


def last_finished_quarter(today: dt.date) -> str:
    """The label of the last quarter that has ended by `today`: 2 December 2026 -> «2026-Q3», 1 January -> last year's Q4.

    A quarterly report is built after its quarter ends, so the quarter under way is never the default."""
    index = today.year * 4 + (today.month - 1) // 3 - 1
    return f"{index // 4}-Q{index % 4 + 1}"


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
    data_dir: Path | str | None = None,
    out_dir: Path | None = None,
    period: str | None = None,
    cache_dir: Path | None = None,
    on_stage: Callable[[StageTiming], None] = lambda _: None,
    history: str | None = None,
    use_history: bool = True,
    compare_with: str | None = None,
) -> BuildOutcome:
    """One build. `history`: an SQLAlchemy URL or an SQLite path; by default `history.url` from the settings,
    else history.sqlite beside the period folder. `use_history=False` neither reads nor writes one."""
    # No network while building: the profiling library's analytics and progress bars stay off.
    os.environ.setdefault("YDATA_PROFILING_NO_ANALYTICS", "true")
    os.environ.setdefault("TQDM_DISABLE", "1")
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    period = period or last_finished_quarter(now.date())
    demo = data_dir is None
    source = demo_data_dir() if demo else data_dir
    database = isinstance(source, str) and is_url(source)
    shown = shown_url(source) if database else str(source)  # a database URL is shown without its password
    run = RunInfo(period, now.isoformat(), config.seed, versions(), shown, demo)
    target = out_dir or Path("output") / period
    with claim_output(target, None if database else Path(source)) as folder:
        folder.check_names(planned_files(config))  # a user's file in the way stops the build before any work
        store = History(history_url(history or config.history.url or str(folder.path.parent / HISTORY_FILE))) if use_history else None
        dataset = dataset_name(config.report.company, demo)
        reference = store.reference(dataset, period, compare_with) if store else Reference(None, ())
        cache = StageCache(cache_dir)
        earlier: list[Snapshot] = []
        if store and demo and reference.snapshot is None:
            reference, earlier = _demo_quarters(config, run, cache)
        done = run_pipeline(source, config, run, cache, on_stage, reference)
        files = report_files(done, config)
        if config.report.pdf:
            laid_out = run_documents({**files, "report.html": done.values["html"].encode("utf-8")}, done.keys["html"], config, cache, on_stage)  # type: ignore[union-attr]
            if isinstance(pdf := laid_out.values.get("pdf"), bytes):
                files["report.pdf"] = pdf
            done.problems.extend(laid_out.problems)
        record = done.values.get("snapshot")
        records = [*earlier, replace(record, built_at=run.built_at)] if isinstance(record, Snapshot) else []
        # The history changes only together with the files: a failed or interrupted build records nothing.
        with store.recording(records, versions()) if store and records else nullcontext():
            published = folder.publish(files)
    problems = tuple(str(p) for p in done.problems)
    return BuildOutcome(published, done.values["results"], tuple(done.timings), problems)  # type: ignore[arg-type]


def _demo_quarters(config: Config, run: RunInfo, cache: StageCache) -> tuple[Reference, list[Snapshot]]:
    """A newcomer's first demo report already compares: the two earlier demo quarters are built quietly first.

    They are recorded with this build's own run, in one transaction, only if it succeeds.
    """
    from report_builder.demo_data import earlier_quarters

    snapshots: list[Snapshot] = []
    reference = Reference(None, ())
    with tempfile.TemporaryDirectory(prefix="report-builder-demo-") as tmp:
        for back, folder in earlier_quarters(demo_data_dir(), Path(tmp)):
            earlier = RunInfo(previous_period(run.period, back), run.built_at, run.seed, run.versions, run.data_dir, True)
            done = run_pipeline(folder, _analysis_only(config), earlier, cache, reference=reference)
            record = done.values.get("snapshot")
            if isinstance(record, Snapshot):
                snapshots.append(record)
                reference = Reference(record, (*reference.trail, record.point))
    return reference, snapshots


def _analysis_only(config: Config) -> Config:
    """The earlier demo quarters need the numbers the history keeps, not documents."""
    report = config.report.model_copy(update={"formats": ("html",), "profile": False})
    return config.model_copy(update={"report": report})


def previous_period(period: str, back: int) -> str:
    """«2026-Q4», 2 -> «2026-Q2»; a label of another shape gets a suffix."""
    year, _, quarter = period.partition("-Q")
    if not (year.isdigit() and quarter.isdigit()):
        return f"{period}-{back}"
    index = int(year) * 4 + int(quarter) - 1 - back
    return f"{index // 4}-Q{index % 4 + 1}"


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
    if isinstance(customers := values.get("customers"), dict):
        files.update(customers)
    if results.profile is not None:
        files["profile.html"] = results.profile.html.encode("utf-8")
    summary = build_summary(results, tuple(done.timings))
    files["summary.json"] = json.dumps(summary, ensure_ascii=False, indent=2).encode("utf-8")
    return files

