"""The customer list: one row per customer, safe text, and CSV/XLSX that Russian Excel opens well."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from report_builder.config import BacktestConfig, RecommendationsConfig, SegmentRule, SegmentsConfig
from report_builder.report.customers import COLUMNS, customer_table, headers, neutralise, write_csv, write_xlsx
from report_builder.results.history import Reference
from report_builder.results.plan import Plan
from report_builder.results.segments import Scores, Segmentation
from report_builder.stages.effects import effects
from report_builder.stages.plan import plan
from report_builder.stages.recommend import recommend
from scored_demo import CUSTOMERS_MAX, SEED, Scored, scored_demo

HEADERS = headers()  # no money unit set: «ед.»
FORMULA_SEGMENT = "=1+1"


def parts_for(scored: Scored, segments: SegmentsConfig) -> tuple[Segmentation, Plan, Scores]:
    """What the customer list reads from a build: nothing measured yet, the default settings."""
    segmentation = scored.segmented(segments)
    config = RecommendationsConfig()
    nothing = effects(Reference(), scored.data, BacktestConfig(), config, SEED)
    return segmentation, plan(segmentation, recommend(segmentation, config), nothing, config, BacktestConfig(), SEED), scored.scores


@pytest.fixture(scope="module")
def scored(demo_data, demo_fit) -> Scored:
    return scored_demo(demo_data, demo_fit)


@pytest.fixture(scope="module")
def parts(scored: Scored) -> tuple[Segmentation, Plan, Scores]:
    return parts_for(scored, SegmentsConfig())


@pytest.fixture(scope="module")
def table(parts: tuple[Segmentation, Plan, Scores]) -> pd.DataFrame:
    return customer_table(*parts)


@pytest.fixture(scope="module")
def formula_files(tmp_path_factory: pytest.TempPathFactory, scored: Scored) -> tuple[pd.DataFrame, Path, Path]:
    """Customer files of a build whose configured extra segment is named like a formula."""
    rule = SegmentRule(name=FORMULA_SEGMENT, where={"probability": (0.5, None)})
    table = customer_table(*parts_for(scored, SegmentsConfig(extra=(rule,))))
    folder = tmp_path_factory.mktemp("customers")
    write_csv(table, folder / "customers.csv")
    write_xlsx(table, folder / "customers.xlsx")
    return table, folder / "customers.csv", folder / "customers.xlsx"


def test_one_row_per_customer_sorted_by_profit_at_risk(scored: Scored, parts, table: pd.DataFrame) -> None:
    segmentation, _, scores = parts
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == scored.data.customers_used
    assert table["id"].is_unique
    assert set(table["id"]) == set(scored.data.customers.index)
    at_risk = table["profit_at_risk"].to_numpy(dtype=float)
    assert (np.diff(at_risk) <= 0).all()
    assert at_risk[0] > at_risk[-1]
    probability = table["probability"].astype(float)
    assert ((probability >= 0) & (probability <= 1)).all()
    by_id = table.set_index("id")
    expected = segmentation.customers["probability"].reindex(by_id.index)  # the forecast used
    np.testing.assert_allclose(by_id["probability"].astype(float), expected)
    assert (by_id["segment"] == segmentation.customers["segment"].reindex(by_id.index)).all()


def test_offers_and_drivers_per_customer(parts, table: pd.DataFrame) -> None:
    _, made, scores = parts
    offered = made.offered
    assert len(offered)  # the demo data fires some offers
    by_id = table.set_index("id")
    expected = (offered["title"] + " (" + offered["channels"] + ")").reindex(by_id.index).fillna("")
    assert (by_id["offers"] == expected).all()  # one offer each, with the channels that reach the customer
    assert (by_id.loc[offered.index, "in_plan"] == "да").all()
    np.testing.assert_allclose(by_id.loc[offered.index, "expected_gain"].astype(float), offered["gain"])  # no prices: the gain
    assert by_id.loc[~by_id.index.isin(made.customers.index[made.customers["in_plan"]]), "expected_gain"].isna().all()
    held_back = list(made.control)
    assert held_back and (by_id.loc[held_back, "in_plan"] == "да").all() and (by_id.loc[held_back, "control"] == "да").all()
    assert by_id.loc[held_back, "expected_gain"].isna().all() and (by_id.loc[held_back, "offers"] == "").all()  # no offer, no gain
    explained = set(scores.shap.dropna().index)
    assert len(explained) == CUSTOMERS_MAX
    for row in table.itertuples():
        if row.id not in explained:
            assert row.driver_1 == row.driver_2 == row.driver_3 == "", row.id
    with_drivers = table[table["id"].isin(explained)]
    shown = [d for column in ("driver_1", "driver_2", "driver_3") for d in with_drivers[column] if d]
    assert len(shown) >= len(with_drivers)  # explained customers have risk factors
    assert all(": " in d and "(+" in d and d.endswith("п. п.)") for d in shown), shown[:3]


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1", "-2", "@x", "\t=1", "\r=1", "=HYPERLINK(\"http://x\")"])
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Ценные в зоне риска", "a=b", "1+1", "", 5, -2.0, 0.37, None])
def test_other_values_are_kept(value: object) -> None:
    assert neutralise(value) == value


def test_formula_named_segment_is_neutralised_in_the_table(formula_files) -> None:
    table, _, _ = formula_files
    assert (table["extra"] == "'" + FORMULA_SEGMENT).sum() > 0
    for column in ("segment", "extra", "offers", "driver_1", "driver_2", "driver_3"):
        assert not table[column].astype(str).str.startswith(("=", "+", "-", "@")).any(), column


def test_formula_named_segment_is_neutralised_in_the_csv(formula_files) -> None:
    table, csv, _ = formula_files
    read = pd.read_csv(csv, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    extra = read[HEADERS["extra"]]
    expected = (table["extra"] == "'" + FORMULA_SEGMENT).sum()
    assert (extra == "'" + FORMULA_SEGMENT).sum() == expected > 0
    assert not extra.str.startswith("=").any()


def test_formula_named_segment_is_text_in_the_xlsx(formula_files) -> None:
    table, _, xlsx = formula_files
    sheet = openpyxl.load_workbook(xlsx).active
    column = list(COLUMNS).index("extra") + 1
    cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column)]
    named = [c for c in cells if c.value and FORMULA_SEGMENT in str(c.value)]
    assert len(named) == (table["extra"] == "'" + FORMULA_SEGMENT).sum() > 0
    for cell in named:
        assert cell.data_type == "s"
        assert str(cell.value).startswith("'")
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_xlsx_layout(tmp_path: Path, table: pd.DataFrame) -> None:
    path = tmp_path / "customers.xlsx"
    write_xlsx(table, path)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    assert sheet.max_row == len(table) + 1
    keys = list(COLUMNS)
    header = [c.value for c in sheet[1]]
    assert header == [HEADERS[k] for k in keys]
    assert all(c.font.bold for c in sheet[1])
    formats = {"id": "0", "probability": "0.0%", "profit": "#,##0.00", "profit_at_risk": "#,##0.00"}
    for key, number_format in formats.items():
        column = keys.index(key) + 1
        cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column)]
        assert all(c.number_format == number_format for c in cells), key
        assert all(isinstance(c.value, (int, float)) for c in cells), key
    probability_column = keys.index("probability") + 1
    values = [sheet.cell(row=r, column=probability_column).value for r in range(2, sheet.max_row + 1)]
    np.testing.assert_allclose(values, table["probability"].astype(float))
    # No offer or no expected gain: an empty cell (Excel's ISBLANK, filter «(Пустые)»), not an empty text or a zero.
    offers, gains = ([sheet.cell(row=r, column=keys.index(k) + 1).value for r in range(2, sheet.max_row + 1)]
                     for k in ("offers", "expected_gain"))
    assert offers == [text or None for text in table["offers"]] and None in offers and any(offers)
    assert [g is None for g in gains] == table["expected_gain"].isna().tolist() and None in gains


def test_csv_reads_back_with_semicolon_and_decimal_comma(tmp_path: Path, table: pd.DataFrame) -> None:
    path = tmp_path / "customers.csv"
    write_csv(table, path)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel detects UTF-8
    read = pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    assert list(read.columns) == [HEADERS[k] for k in COLUMNS]
    assert read[HEADERS["id"]].tolist() == table["id"].tolist()
    assert read[HEADERS["probability"]].dtype == float
    np.testing.assert_allclose(read[HEADERS["probability"]], table["probability"].astype(float), atol=5e-5)
    np.testing.assert_allclose(read[HEADERS["profit_at_risk"]], table["profit_at_risk"].astype(float), atol=5e-5)
    assert read[HEADERS["segment"]].tolist() == table["segment"].tolist()


def test_the_control_group_is_marked_and_offered_nothing(parts, table: pd.DataFrame) -> None:
    segmentation, made, _ = parts
    control = table[table["control"] == "да"]
    assert set(control["id"]) == set(made.control) and len(control) > 0
    assert (control["offers"] == "").all() and (control["in_plan"] == "да").all()
    planned = made.customers["in_plan"].sum()
    assert len(control) / planned == pytest.approx(0.10, abs=0.02)  # about a tenth of the planned customers


def test_a_first_quarter_marks_everyone_as_new(table: pd.DataFrame) -> None:
    assert (table["previous_segment"] == "новый покупатель").all()


def test_money_headers_carry_the_unit(tmp_path: Path, table: pd.DataFrame) -> None:
    assert HEADERS["profit"] == "Прибыль в месяц, ед." and HEADERS["profit_at_risk"] == "Прибыль под риском, ед."
    write_csv(table, tmp_path / "customers.csv", "тыс. руб.")
    write_xlsx(table, tmp_path / "customers.xlsx", "тыс. руб.")
    read = pd.read_csv(tmp_path / "customers.csv", sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False)
    sheet = openpyxl.load_workbook(tmp_path / "customers.xlsx").active
    for header in (list(read.columns), [c.value for c in sheet[1]]):
        assert header[2:4] == ["Прибыль в месяц, тыс. руб.", "Прибыль под риском, тыс. руб."]
        assert header[0] == "id" and header[1] == "Вероятность снижения"  # the other headers name no unit
    np.testing.assert_allclose(read["Прибыль под риском, тыс. руб."], table["profit_at_risk"].astype(float), atol=5e-5)
