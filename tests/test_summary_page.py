"""One whole build on the demo data: summary.json, customers.csv and the «Главное» page agree."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import small_build_config

from report_builder.build import BuildOutcome, build_report
from report_builder.config import Config
from report_builder.report.filters import num, pct
from report_builder.stages.segment import BASE

pytestmark = pytest.mark.slow

BASE_NAMES = tuple(b[0] for b in BASE)
SEGMENT_KEYS = {"name", "customers", "share", "mean_probability", "mean_profit", "profit_at_risk"}


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory, shared_cache: Path) -> tuple[BuildOutcome, Path]:
    root = tmp_path_factory.mktemp("build")
    config = small_build_config()
    config = config.model_copy(update={"report": config.report.model_copy(update={"formats": ("html",)})})
    out = root / "out"
    outcome = build_report(config, out_dir=out, period="2026-Q1", cache_dir=shared_cache)
    return outcome, out


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


@pytest.fixture(scope="module")
def summary(build) -> dict:
    _, out = build
    return json.loads((out / "summary.json").read_text(encoding="utf-8"), parse_constant=_not_json)  # strict JSON


@pytest.fixture(scope="module")
def main_page(build) -> str:
    """Text of the «Главное» section, entities decoded and whitespace collapsed."""
    _, out = build
    page = (out / "report.html").read_text(encoding="utf-8")
    found = re.findall(r'<section class="summary" id="summary"[^>]*>(.*?)</section>', page, flags=re.S)
    assert len(found) == 1
    text = html.unescape(re.sub(r"<[^>]+>", " ", found[0]))
    return re.sub(r"[ \t\r\n]+", " ", text)


def test_build_writes_the_expected_files(build) -> None:
    _, out = build
    assert sorted(p.name for p in out.iterdir() if p.name != ".report-builder") == ["customers.csv", "customers.xlsx", "report.html", "summary.json"]


def test_summary_lists_segments_and_the_priority(summary: dict) -> None:
    segments = summary["segments"]
    assert all(SEGMENT_KEYS <= set(s) for s in segments)
    names = [s["name"] for s in segments]
    assert set(BASE_NAMES) <= set(names)
    assert summary["priority_segment"] in names
    base = [s for s in segments if s["name"] in BASE_NAMES]
    assert sum(s["customers"] for s in base) == summary["data"]["customers_used"]
    assert sum(s["share"] for s in base) == pytest.approx(1.0, abs=1e-3)
    for s in segments:
        assert 0 <= s["mean_probability"] <= 1
        assert s["profit_at_risk"] >= 0
    offers = summary["offers"]
    assert offers and all({"rule", "title", "segment", "customers"} <= set(o) for o in offers)
    assert {o["segment"] for o in offers} <= set(names)
    largest = max(segments, key=lambda s: s["profit_at_risk"])
    assert summary["priority_segment"] == largest["name"]  # nothing configured: the default choice


def test_summary_holds_every_contrast_the_segment_table_cuts(summary: dict) -> None:
    """The segment page's table of contrasts shows at most `report.max_table_rows` rows and says the full list is in
    summary.json: it is, a row per feature, strongest first."""
    from report_builder.labels import FEATURES

    contrasts = summary["priority_contrasts"]
    assert sorted(c["feature"] for c in contrasts) == sorted(FEATURES)
    sizes = [abs(c["effect_size"]) for c in contrasts]
    assert sizes == sorted(sizes, reverse=True)
    assert all(0 <= c["p_value"] <= 1 and c["kind"] in ("numeric", "categorical") for c in contrasts)


def test_customer_list_matches_the_summary(build, summary: dict) -> None:
    _, out = build
    customers = pd.read_csv(out / "customers.csv", sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    assert len(customers) == summary["data"]["customers_used"]
    assert customers["id"].is_unique
    counts = customers["Сегмент"].value_counts().to_dict()
    expected = {s["name"]: s["customers"] for s in summary["segments"] if s["name"] in BASE_NAMES}
    assert counts == {name: n for name, n in expected.items() if n}


def test_main_page_states_the_key_numbers(build, summary: dict, main_page: str) -> None:
    outcome, _ = build
    used = summary["data"]["customers_used"]
    declined = summary["data"]["target_counts"]["Снизилась"]
    assert num(used) in main_page
    assert pct(declined / used) in main_page
    priority = summary["priority_segment"]
    assert f"«{priority}»" in main_page
    stats = outcome.results.segmentation.stats(priority)
    priority_summary = next(s for s in summary["segments"] if s["name"] == priority)
    assert stats.profit_at_risk == pytest.approx(priority_summary["profit_at_risk"], abs=0.01)
    assert num(stats.profit_at_risk) in main_page
    totals = summary["totals"]
    assert num(totals["profit_at_risk_all"]) in main_page and pct(totals["share_of_quarter_profit"]) in main_page
    assert "факт" in main_page.lower() and "прогноз" in main_page.lower()


def test_main_page_names_the_plans_first_offers(summary: dict, main_page: str) -> None:
    offers = summary["plan_offers"]
    shown = Config().recommendations.top_actions
    assert len(offers) >= shown
    for offer in offers[:shown]:
        assert offer["title"] in main_page, offer["title"]
    positions = [main_page.index(o["title"]) for o in offers[:shown]]
    assert positions == sorted(positions)  # the plan's order: largest expected gain first
    gains = [o["gain"] for o in offers]
    assert gains == sorted(gains, reverse=True)
    for offer in offers[shown:]:
        assert offer["title"] not in main_page, offer["title"]