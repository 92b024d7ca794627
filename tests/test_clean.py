"""Cleaning: generic typo repair, new categories, anomalies, inactive customers, the real data."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import read_table
from report_builder.config import CleaningConfig
from report_builder.errors import InputError
from report_builder.labels import KNOWN_VALUES, TARGET
from report_builder.results.data import CleanData, Fix
from report_builder.stages.clean import clean_tables
from report_builder.stages.load import load_tables
from report_builder.stages.validate import validate_tables

CATEGORY = "Популярная_категория"
SERVICE = "Тип сервиса"


def clean(folder: Path, config: CleaningConfig | None = None) -> CleanData:
    return clean_tables(validate_tables(load_tables(folder)), config or CleaningConfig())


def fixes_about(data: CleanData, text: str) -> list[Fix]:
    return [f for f in data.fixes if text in f.what]


def set_cells(column: str, rows: list[int], value: str):
    def change(frame: pd.DataFrame) -> None:
        frame.loc[rows, column] = value

    return change


def revenue_wide(folder: Path) -> pd.DataFrame:
    money = read_table(folder, "market_money").astype({"id": int, "Выручка": float})
    return money.pivot(index="id", columns="Период", values="Выручка")


def ordinary_customers(folder: Path) -> pd.DataFrame:
    """Revenue of customers with no defect: active in all months, no absurd value, no twin."""
    wide = revenue_wide(folder)
    market = read_table(folder, "market_file")
    twins = market.drop(columns="id").duplicated(keep=False)
    twin_ids = set(market.loc[twins, "id"].astype(int))
    keep = (wide > 0).all(axis=1) & (wide.max(axis=1) < 20_000) & ~wide.index.isin(twin_ids)
    return wide[keep]


def test_tiny_set_cleans(tiny_tables) -> None:
    data = clean(tiny_tables())
    assert data.customers_in == 200
    assert 150 < data.customers_used < 200
    assert data.customers.index.is_unique
    assert sum(data.target_counts.values()) == data.customers_used
    for column in ("Тип сервиса", "Разрешить сообщать", CATEGORY, TARGET):
        assert set(data.customers[column]) <= set(KNOWN_VALUES[column]), column
    assert data.new_categories == {}
    # The demo defects are found and counted.
    assert fixes_about(data, "«премиумм»")[0].rows == 2
    assert fixes_about(data, "регистр и лишние пробелы")[0].rows == 3
    assert fixes_about(data, "«предыдцщий_месяц»")[0].rows == 200


@pytest.mark.parametrize(
    ("column", "typo", "right"),
    [
        (SERVICE, "премиюм", "премиум"),
        (SERVICE, "Стандарт т", "стандарт"),
        (CATEGORY, "Домашний тестиль", "Домашний текстиль"),
        (CATEGORY, "Товары для детeй", "Товары для детей"),  # Latin «e»
        (CATEGORY, "Мелкая бытовая техника и электронника", "Мелкая бытовая техника и электроника"),
        ("Разрешить сообщать", "нетт", "нет"),
    ],
)
def test_new_typo_is_repaired_and_counted(tiny_tables, edit_table, column, typo, right) -> None:
    folder = tiny_tables()
    rows = [10, 20, 30, 40, 50]
    edit_table(folder, "market_file", set_cells(column, rows, typo))
    ids = [int(i) for i in read_table(folder, "market_file").loc[rows, "id"]]

    data = clean(folder)

    fixes = fixes_about(data, f"«{typo}»")
    assert len(fixes) == 1
    assert fixes[0].rows == len(rows)
    assert fixes[0].column == column and fixes[0].action == "исправлено"
    assert f"«{right}»" in fixes[0].what
    kept = [i for i in ids if i in data.customers.index]
    assert kept and (data.customers.loc[kept, column] == right).all()
    assert typo not in set(data.customers[column])
    assert data.new_categories == {}


def test_whole_category_misspelt(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.replace({"Домашний текстиль": "Домашний тестиль"}))
    count = int((read_table(folder, "market_file")[CATEGORY] == "Домашний тестиль").sum())
    assert count > 10

    data = clean(folder)

    assert fixes_about(data, "«Домашний тестиль»")[0].rows == count
    assert "Домашний текстиль" in set(data.customers[CATEGORY])
    assert "Домашний тестиль" not in set(data.customers[CATEGORY])


def test_far_away_category_is_kept_as_new(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    rows = [5, 6, 7, 8]
    edit_table(folder, "market_file", set_cells(CATEGORY, rows, "Зоотовары"))

    data = clean(folder)

    assert data.new_categories == {CATEGORY: ("Зоотовары",)}
    fix = fixes_about(data, "«Зоотовары»")
    assert len(fix) == 1 and fix[0].action == "отмечено" and fix[0].rows == 4
    assert fix[0].column == CATEGORY
    assert int((data.customers[CATEGORY] == "Зоотовары").sum()) >= 3


def test_unknown_target_value_stops(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", set_cells(TARGET, [4, 9], "Выросла"))
    with pytest.raises(InputError) as caught:
        clean(folder)
    error = caught.value
    assert (error.file, error.column, error.rows) == ("market_file.csv", TARGET, [6, 11])
    assert "«Выросла»" in error.message and "«Покупательская активность»" in error.message
    assert "Снизилась" in error.message and "Прежний уровень" in error.message


def test_target_typo_is_repaired(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.replace({TARGET: {"Снизилась": "Снизилсь"}}))
    data = clean(folder)
    assert set(data.customers[TARGET]) == {"Снизилась", "Прежний уровень"}
    assert fixes_about(data, "«Снизилсь»")[0].column == TARGET


def test_target_with_one_class_stops(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.assign(**{TARGET: "Прежний уровень"}))
    with pytest.raises(InputError) as caught:
        clean(folder)
    assert caught.value.column == TARGET
    assert caught.value.file == "market_file.csv"
    assert "один класс" in caught.value.message


def test_too_few_customers_stop(tiny_tables) -> None:
    with pytest.raises(InputError, match="нужно не меньше 500"):
        clean(tiny_tables(), CleaningConfig(min_customers=500))


def test_anomalous_revenue_is_dropped_by_the_stated_rule(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    factor = CleaningConfig().anomaly_iqr_factor
    revenue = read_table(folder, "market_money")["Выручка"].astype(float)
    q1, q3 = revenue.quantile([0.25, 0.75])
    limit = q3 + factor * (q3 - q1)
    high = revenue.quantile(0.9)
    # Changing values that stay above the 90th percentile leaves Q1 and Q3, hence the limit, as is.
    current = ordinary_customers(folder)["текущий_месяц"]
    over, under = current[current > high].index[:2]
    before = clean(folder)
    anomalies_before = fixes_about(before, "аномально большие значения")[0].rows

    def change(frame: pd.DataFrame) -> None:
        current_rows = frame["Период"] == "текущий_месяц"
        frame.loc[current_rows & (frame["id"] == str(over)), "Выручка"] = f"{limit + 1:.1f}"
        frame.loc[current_rows & (frame["id"] == str(under)), "Выручка"] = f"{limit - 1:.1f}"

    edit_table(folder, "market_money", change)
    data = clean(folder)

    assert over in before.customers.index and under in before.customers.index
    assert over not in data.customers.index
    assert under in data.customers.index
    assert data.customers_used == before.customers_used - 1
    fix = fixes_about(data, "аномально большие значения")[0]
    assert fix.rows == anomalies_before + 1
    assert (fix.column, fix.action, fix.file) == ("Выручка", "удалено", "market_money.csv")
    assert f"{limit:,.0f}".replace(",", "\u00a0") in fix.what  # the limit the factor gives
    assert any(customer == over for customer, _ in fix.examples)


def test_a_smaller_factor_drops_more(tiny_tables) -> None:
    folder = tiny_tables()
    default = clean(folder)
    strict = clean(folder, CleaningConfig(anomaly_iqr_factor=0.5))
    assert strict.customers_used < default.customers_used
    assert fixes_about(strict, "аномально большие значения")[0].rows > fixes_about(default, "аномально большие значения")[0].rows


def test_zero_revenue_customer_is_dropped(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    before = clean(folder)
    inactive_before = fixes_about(before, "без покупок")[0].rows
    customer = int(ordinary_customers(folder).index[10])

    def change(frame: pd.DataFrame) -> None:
        frame.loc[(frame["id"] == str(customer)) & (frame["Период"] == "предыдущий_месяц"), "Выручка"] = "0"

    edit_table(folder, "market_money", change)
    data = clean(folder)

    assert customer in before.customers.index
    assert customer not in data.customers.index
    assert data.customers_used == before.customers_used - 1
    fix = fixes_about(data, "без покупок")[0]
    assert fix.rows == inactive_before + 1
    assert (fix.action, fix.file) == ("удалено", "market_money.csv")
    assert (customer, None) in fix.examples
    assert (data.customers.filter(like="Выручка_") > 0).all().all()


def test_twins_of_market_file_are_reported(tiny_tables) -> None:
    folder = tiny_tables()
    market = read_table(folder, "market_file")
    expected = int(market.drop(columns="id").duplicated().sum())
    assert expected >= 1
    data = clean(folder)
    fix = fixes_about(data, "двойники")
    assert len(fix) == 1
    assert fix[0].rows == expected and fix[0].action == "отмечено"
    assert {i for i, _ in fix[0].examples} <= set(data.customers.index)  # twins are kept


# --- the real data ------------------------------------------------------------------------------


@pytest.fixture
def real_clean(real_dir: Path) -> CleanData:
    return clean(real_dir)


@pytest.mark.real_data
def test_real_customers_and_classes(real_clean: CleanData) -> None:
    assert real_clean.customers_in == 1300
    assert real_clean.customers_used == 1296
    assert real_clean.target_counts == {"Снизилась": 494, "Прежний уровень": 802}
    assert real_clean.new_categories == {}
    for column in ("Тип сервиса", "Разрешить сообщать", CATEGORY, TARGET):
        assert set(real_clean.customers[column]) == set(KNOWN_VALUES[column]), column


@pytest.mark.real_data
def test_real_defects_are_all_reported(real_clean: CleanData, real_dir: Path) -> None:
    service = fixes_about(real_clean, "«стандартт»")
    assert len(service) == 1 and service[0].rows == 10 and service[0].column == SERVICE
    assert "«стандарт»" in service[0].what

    period = fixes_about(real_clean, "«предыдцщий_месяц»")
    assert len(period) == 1
    assert (period[0].rows, period[0].file, period[0].column) == (1300, "market_time.csv", "Период")

    misspelt = int((pd.read_csv(real_dir / "market_file.csv")[CATEGORY] == "Косметика и аксесуары").sum())
    category = fixes_about(real_clean, "«Косметика и аксесуары»")
    assert len(category) == 1 and category[0].rows == misspelt > 0
    assert "«Косметика и аксессуары»" in category[0].what

    anomaly = fixes_about(real_clean, "аномально большие значения")
    assert len(anomaly) == 1 and anomaly[0].rows == 1
    assert anomaly[0].examples == ((215380, 106862.2),)
    assert 215380 not in real_clean.customers.index
    assert real_clean.customers["Выручка_текущий_месяц"].max() == pytest.approx(7799.4)

    inactive = fixes_about(real_clean, "без покупок")
    assert len(inactive) == 1 and inactive[0].rows == 3
    assert inactive[0].examples == ((215348, None), (215357, None), (215359, None))
    assert not {215348, 215357, 215359} & set(real_clean.customers.index)

    twins = fixes_about(real_clean, "двойники")
    assert len(twins) == 1 and twins[0].rows == 11
    assert twins[0].examples[0] == (215895, None)


def test_a_period_of_another_table_is_dropped_and_listed(tiny_tables, edit_table) -> None:
    """market_time knows two months; a stray «препредыдущий_месяц» row is not silently lost."""
    folder = tiny_tables()

    def add_row(frame: pd.DataFrame) -> pd.DataFrame:
        stray = frame.iloc[[0]].assign(**{"Период": "препредыдущий_месяц", "минут": "13"})
        return pd.concat([frame, stray], ignore_index=True)

    edit_table(folder, "market_time", add_row)
    data = clean(folder)
    [fix] = fixes_about(data, "препредыдущий_месяц")
    assert fix.rows == 1 and fix.action == "удалено" and fix.file == "market_time.csv" and fix.column == "Период"
    assert data.customers_in == 200  # the customer itself stays: only the stray row goes
    typo = fixes_about(data, "предыдцщий_месяц")
    assert typo and typo[0].file == "market_time.csv"  # the table's own typo is still repaired


def test_period_spelt_right_and_misspelt_for_one_customer(tiny_tables, edit_table) -> None:
    # «предыдущий_месяц» next to the same customer's «предыдцщий_месяц» passes validation (two
    # different texts) but is one period once the typo is repaired; reshaping failed with a ValueError.
    folder = tiny_tables()
    time = read_table(folder, "market_time")
    first = time["id"].iloc[0]
    current = time.index[(time["id"] == first) & (time["Период"] == "текущий_месяц")][0]
    misspelt = time.index[(time["id"] == first) & (time["Период"] == "предыдцщий_месяц")][0]
    edit_table(folder, "market_time", set_cells("Период", [current], "предыдущий_месяц"))
    with pytest.raises(InputError) as caught:
        clean(folder)
    error = caught.value
    assert (error.file, error.column) == ("market_time.csv", "Период")
    assert error.rows == sorted([current + 2, misspelt + 2])
    assert f"у клиентов {first} один период указан дважды" in error.message
