"""One build: claim the output folder, run the stage table, publish the files as a set."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

from report_builder.cache import DEFAULT_MAX_MB, StageCache
from report_builder.config import Config
from report_builder.databases import is_url, shown_url
from report_builder.locations import default_output, history_location
from report_builder.output import claim_output
from report_builder.periods import last_finished_quarter, previous_period
from report_builder.pipeline import HISTORY, STAGES, run_pipeline
from report_builder.records import to_record
from report_builder.resources import demo_data_dir
from report_builder.results.history import Reference
from report_builder.results.report import RunInfo, StageTiming
from report_builder.runner import Run, planned_files

if TYPE_CHECKING:
    from report_builder.history import History

DEMO_QUARTERS = 3  # earlier demo quarters built into a new history before the demo's own
LIBRARIES = ("report-builder", "pandas", "numpy", "scikit-learn", "shap", "phik", "matplotlib", "jinja2", "weasyprint", "ydata-profiling")


@dataclass(frozen=True)
class BuildOutcome:
    files: list[Path]
    run: Run
    timings: tuple[StageTiming, ...]
    problems: tuple[str, ...] = ()  # what was left out (a PDF without Pango); the rest is published

    @property
    def results(self) -> object:
        """Every result as one report_builder.pipeline.ReportResults (loaded from the cache on first use)."""
        return self.run.results


def dataset_name(company: str, demo: bool) -> str:
    """Runs are compared only within one data set: demo builds never meet the shop's own."""
    return f"{company} (демо)" if demo else company


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
    cache_max_mb: float = DEFAULT_MAX_MB,
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
    started = time.time()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    period = period or last_finished_quarter(now.date())
    demo = data_dir is None
    source = demo_data_dir() if demo else data_dir
    database = isinstance(source, str) and is_url(source)
    shown = shown_url(source) if database else str(Path(source).resolve())  # a URL without its password; a folder in full
    dataset = dataset_name(config.report.company, demo)
    run = RunInfo(period, now.isoformat(), config.seed, versions(), shown, demo, dataset, config.analysis_hash,
                  config.analysis_settings, config.report.money_unit or "ед.")
    target = out_dir or default_output(period)
    with claim_output(target, None if database else Path(source)) as folder:
        folder.check_names(planned_files(STAGES, config))  # a user's file in the way stops the build before any work
        location = history_location(folder.path, history or config.history.url)
        store = _history(location) if use_history else None
        with closing(store) if store else nullcontext():  # its connections closed when the build ends, however it ends
            reference = store.reference(dataset, period, compare_with) if store else Reference()
            cache = StageCache(cache_dir, cache_max_mb)
            earlier: list[object] = []
            if store and demo and reference.snapshot is None:
                reference = _demo_quarters(config, run, cache)
                earlier = list(reference.runs)
            with _demo_contacts(config, run, reference) if demo else nullcontext(source) as read_from:
                done = run_pipeline(read_from, config, run, cache, on_stage, reference)
                files = done.files()
                records = [*earlier, _snapshot(done, run)]
            # The history changes only together with the files: a failed or interrupted build records nothing.
            with store.recording(records) if store else nullcontext():
                published = folder.publish(files)
    cache.trim(started)  # what earlier builds left beyond the cache's size, least recently used first
    problems = tuple(str(p) for p in done.problems)
    return BuildOutcome(published, done, tuple(done.timings), problems)


def _history(location: str | Path) -> History:
    """The run history at the location (SQLAlchemy loads only for a build that keeps one)."""
    from report_builder.history import History, history_url

    return History(history_url(location), HISTORY)


def _snapshot(done: Run, run: RunInfo) -> object:
    """What the history keeps of a run: the recorded part of every result, with this build's own facts of the run.

    The record stage is cached like the others, and the run's key holds only what the documents show of it (the
    build's date, not its second; not the data set's name or the money unit), so a record found in the cache carries
    the facts of the build that made it: this one's are put in their place, with the record's key, which names the run
    to the quarters that read it (`Reference.key`)."""
    return replace(done.result(HISTORY.snapshot), run=to_record(replace(run, made_of=done.keys["record"])))


def _offers(config: Config) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each offer rule's title and channels, as the demo's contacts name them."""
    return {r.name: (r.title, tuple(r.channels)) for r in config.recommendations.rules}


@contextmanager
def _demo_contacts(config: Config, run: RunInfo, reference: Reference) -> Iterator[Path | str]:
    """The demo quarter's data with what was sent of the reference run's plan (contacts.csv), in a folder of its own;
    the demo data as it is when there is no plan to send."""
    from report_builder.demo_data import write_contacts

    last = reference.snapshot
    listed = last.customer_list if last is not None else None  # type: ignore[attr-defined]
    if listed is None or listed.people is None:
        yield demo_data_dir()
        return
    with tempfile.TemporaryDirectory(prefix="report-builder-demo-") as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(demo_data_dir(), folder)
        write_contacts(folder, listed.people, _offers(config), run.period, config.seed)
        yield folder


def _demo_quarters(config: Config, run: RunInfo, cache: StageCache) -> Reference:
    """A newcomer's first demo report already compares: the earlier demo quarters are built quietly first.

    Only the stages whose results the history keeps run for them; each quarter's offers are sent (the next
    generated quarter gets its contacts.csv) and act on the next quarter's labels (they work in one segment
    on the customers reached); they are recorded with this build's own run, in one transaction, only if it succeeds.
    """
    from report_builder.demo_data import earlier_quarters, simulate_offers
    from report_builder.results.segments import CustomerList

    reference = Reference()
    with tempfile.TemporaryDirectory(prefix="report-builder-demo-") as tmp:
        quarters = earlier_quarters(demo_data_dir(), Path(tmp), quarters=DEMO_QUARTERS)
        for k, (back, folder) in enumerate(quarters):
            earlier = replace(run, period=previous_period(run.period, back))
            done = run_pipeline(folder, config, earlier, cache, reference=reference, only={"record"})
            reference = Reference((*reference.runs, _snapshot(done, earlier)))
            listed = done.result(CustomerList)
            if k + 1 < len(quarters) and listed is not None:
                simulate_offers(quarters[k + 1][1], listed.people, _offers(config), previous_period(run.period, back - 1),
                                config.seed + back)
    return reference
