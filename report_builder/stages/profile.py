"""The ydata-profiling appendix: every column's distribution, missing values and interactions."""

from __future__ import annotations

import contextlib
import io
import warnings

from report_builder.labels import label
from report_builder.periods import period_label
from report_builder.results.analysis import Profile
from report_builder.results.data import CleanData


ROWS_MAX = 100_000  # a larger quarter is profiled on a random sample of this many customers


def _unchecked(target: object = None, **_: object) -> object:
    """typeguard's `typechecked` as it is under `python -O`: the target unchanged."""
    return target if target is not None else _unchecked


def _profile_report_class() -> type:
    """ydata-profiling's ProfileReport, imported without typeguard's run-time type checks.

    The library decorates its report class and a plotting function with typeguard's `@typechecked`, which on import
    reads their source, rewrites every method to check its arguments and recompiles it: about 0.6 s of processor time
    of the page's 7 s, for checks that typeguard itself switches off under `python -O` and that our own calls do not
    need. Only the decorator that ydata-profiling's modules bind while they are first imported is replaced, and
    typeguard is restored at once for everyone else; an already imported library is taken as it is."""
    import typeguard

    checked = typeguard.typechecked
    typeguard.typechecked = _unchecked  # type: ignore[assignment]
    try:
        from ydata_profiling import ProfileReport
    finally:
        typeguard.typechecked = checked
    return ProfileReport


def profile(data: CleanData, company: str, period: str, seed: int) -> Profile:
    """The appendix page (the build switches the library's analytics and progress bars off beforehand).

    Distributions read the same on a sample of ROWS_MAX customers as on a million, in a fraction of the time and memory;
    the title says when the page shows a sample."""
    ProfileReport = _profile_report_class()
    frame = data.customers.rename(columns=label).reset_index(names="id")
    title = f"Профиль данных — {company}, {period_label(period)}"
    if len(frame) > ROWS_MAX:
        frame = frame.sample(ROWS_MAX, random_state=seed)
        title += f" (случайная выборка: {ROWS_MAX:,} из {len(data.customers):,} покупателей)".replace(",", "\u00a0")
    # Missing values are drawn only when there are any: cleaning repairs most, and three diagrams of full columns say
    # nothing (they were a tenth of the page's time). The lengths of category names are not profiled either: a
    # histogram of how many letters «премиум» has is noise.
    missing = bool(frame.isna().to_numpy().any())
    # Histograms take as many bins as the data supports (numpy's "auto": the larger of Sturges' and Freedman–Diaconis'
    # counts), not the library's fixed 50: on a quarter of a thousand or so customers 50 bins draw a comb of near-empty
    # bars for a column of a few distinct values, and writing their bars as SVG was a sixth of the page's time.
    # The library draws progress bars on stderr whatever its settings say; they are noise here.
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        report = ProfileReport(
            frame,
            title=title,
            progress_bar=False,
            explorative=False,
            interactions={"continuous": False},
            samples={"head": 0, "tail": 0},
            correlations={"auto": {"calculate": False}},
            missing_diagrams={"bar": missing, "matrix": missing, "heatmap": missing},
            vars={"cat": {"length": False}},
            plot={"histogram": {"bins": 0}},
        )
        html = report.to_html()
    return Profile(html)
