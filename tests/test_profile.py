"""The ydata-profiling appendix: its title names the quarter, and a large quarter is profiled on a sample."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

import report_builder.stages.profile as profile_stage
from report_builder.results.data import CleanData


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(os.environ, "YDATA_PROFILING_NO_ANALYTICS", "true")


def test_a_large_quarter_is_profiled_on_a_sample_the_title_names(demo_data: CleanData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_stage, "ROWS_MAX", 300)
    page = profile_stage.profile(demo_data, "«В один клик»", "2026-Q3", seed=1).html
    assert "Профиль данных — «В один клик», III квартал 2026" in page
    assert f"случайная выборка: 300 из {len(demo_data.customers):,} покупателей".replace(",", "\u00a0") in page
    assert "2026-Q3" not in page


def test_missing_values_are_drawn_only_when_a_column_has_some(demo_data: CleanData, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(profile_stage, "ROWS_MAX", 300)
    whole = profile_stage.profile(demo_data, "«В один клик»", "2026-Q3", seed=1).html
    assert demo_data.customers.notna().all().all()
    assert "Missing values" not in whole  # three diagrams of full columns would say nothing

    customers = demo_data.customers.copy()
    column = customers.columns.get_loc(customers.select_dtypes("number").columns[0])
    customers.iloc[::10, column] = float("nan")
    holed = profile_stage.profile(replace(demo_data, customers=customers), "«В один клик»", "2026-Q3", seed=1).html
    assert "Missing values" in holed


def test_histograms_take_as_many_bins_as_the_data_supports(demo_data: CleanData, monkeypatch: pytest.MonkeyPatch) -> None:
    """A column of six values drawn over a few hundred customers gets a handful of bars, not a comb of fifty."""
    import re

    import numpy as np

    monkeypatch.setattr(profile_stage, "ROWS_MAX", 300)
    column = demo_data.customers.select_dtypes("number").columns[0]
    six = np.random.default_rng(0).integers(1, 7, len(demo_data.customers)).astype(float)
    customers = demo_data.customers[[column]].assign(**{column: six})
    page = profile_stage.profile(replace(demo_data, customers=customers), "«В один клик»", "2026-Q3", seed=1).html
    bars = [len(re.findall(r"id=\"?patch_\d+", svg)) for svg in re.findall(r"<svg.*?</svg>", page, re.S)]
    assert bars and max(bars) < 30


def test_the_library_is_imported_without_run_time_type_checks_and_typeguard_is_left_as_it_was() -> None:
    """In a fresh process (this one may have imported ydata-profiling already): the report class's methods are not
    rewritten by typeguard (the rewriting was a tenth of the page's time), and typeguard's decorator is the original
    again for any other library."""
    import subprocess
    import sys

    probe = (
        "import typeguard\n"
        "original = typeguard.typechecked\n"
        "from report_builder.stages.profile import _profile_report_class\n"
        "report = _profile_report_class()\n"
        "names = report.__init__.__code__.co_names + report.to_html.__code__.co_names\n"
        "print(any('check_argument_types' in n for n in names), typeguard.typechecked is original)\n"
    )
    env = {**os.environ, "YDATA_PROFILING_NO_ANALYTICS": "true"}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=env).stdout
    assert out.split() == ["False", "True"]
