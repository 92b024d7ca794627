"""Tests of the synthetic demo data generator and of the committed demo set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from report_builder import demo_data
from report_builder.demo_data import DemoTables, generate, write_demo

DEMO_DIR = Path(__file__).resolve().parents[1] / "data" / "demo"

MARKET_FILE_COLUMNS = [
    "id",
    "Покупательская активность",
    "Тип сервиса",
    "Разрешить сообщать",
    "Маркет_актив_6_мес",
    "Маркет_актив_тек_мес",
    "Длительность",
    "Акционные_покупки",
    "Популярная_категория",
    "Средний_просмотр_категорий_за_визит",
    "Неоплаченные_продукты_штук_квартал",
    "Ошибка_сервиса",
    "Страниц_за_визит",
]
MONEY_PERIODS = {"препредыдущий_месяц", "предыдущий_месяц", "текущий_месяц"}
TIME_PERIODS = {"текущий_месяц", "предыдцщий_месяц"}
INTEGER_RANGES = {
    "Маркет_актив_тек_мес": (3, 5),
    "Длительность": (100, 1079),
    "Средний_просмотр_категорий_за_визит": (1, 6),
    "Неоплаченные_продукты_штук_квартал": (0, 10),
    "Ошибка_сервиса": (0, 9),
    "Страниц_за_визит": (1, 20),
}
CLEAN_CONSENT = {"да", "нет"}
CLEAN_SERVICE = {"стандарт", "премиум"}
CLEAN_CATEGORIES = {
    "Товары для детей",
    "Домашний текстиль",
    "Косметика и аксессуары",
    "Техника для красоты и здоровья",
    "Мелкая бытовая техника и электроника",
}


def read_demo_dir(directory: Path) -> DemoTables:
    return DemoTables(
        market_file=pd.read_csv(directory / "market_file.csv"),
        market_money=pd.read_csv(directory / "market_money.csv"),
        market_time=pd.read_csv(directory / "market_time.csv"),
        money=pd.read_csv(directory / "money.csv", sep=";", decimal=","),
    )


@pytest.fixture(scope="module")
def committed() -> DemoTables:
    return read_demo_dir(DEMO_DIR)


@pytest.fixture(scope="module")
def default_tables() -> DemoTables:
    return generate()


def revenue_wide(tables: DemoTables) -> pd.DataFrame:
    return tables.market_money.pivot(index="id", columns="Период", values="Выручка")


def minutes_wide(tables: DemoTables) -> pd.DataFrame:
    return tables.market_time.pivot(index="id", columns="Период", values="минут")


def check_schema(tables: DemoTables, customers: int) -> None:
    mf, mm, mt, money = (tables.market_file, tables.market_money, tables.market_time,
                         tables.money)
    assert list(mf.columns) == MARKET_FILE_COLUMNS
    assert list(mm.columns) == ["id", "Период", "Выручка"]
    assert list(mt.columns) == ["id", "Период", "минут"]
    assert list(money.columns) == ["id", "Прибыль"]
    assert (len(mf), len(mm), len(mt), len(money)) == (
        customers, 3 * customers, 2 * customers, customers)

    expected_ids = np.arange(100001, 100001 + customers)
    assert np.array_equal(mf["id"].to_numpy(), expected_ids)
    assert np.array_equal(money["id"].to_numpy(), expected_ids)
    assert np.array_equal(np.sort(mm["id"].unique()), expected_ids)
    assert np.array_equal(np.sort(mt["id"].unique()), expected_ids)
    assert (mm.groupby("id")["Период"].agg(frozenset) == frozenset(MONEY_PERIODS)).all()
    assert (mt.groupby("id")["Период"].agg(frozenset) == frozenset(TIME_PERIODS)).all()

    assert set(mf["Покупательская активность"]) == {"Снизилась", "Прежний уровень"}
    for column, (low, high) in INTEGER_RANGES.items():
        assert pd.api.types.is_integer_dtype(mf[column]), column
        assert mf[column].between(low, high).all(), column
    assert mf["Маркет_актив_6_мес"].between(0.9, 6.6).all()
    assert mf["Акционные_покупки"].between(0.0, 1.0).all()
    assert pd.api.types.is_integer_dtype(mt["минут"])
    assert mt["минут"].between(4, 23).all()
    assert (mm["Выручка"] >= 0).all()
    assert money["Прибыль"].between(0.5, 8.0).all()
    assert not mf.isna().any().any()


# --- committed files and file formats -------------------------------------------------------


def test_committed_files_equal_default_output(tmp_path: Path) -> None:
    paths = write_demo(tmp_path)
    assert [p.name for p in paths] == [
        "market_file.csv", "market_money.csv", "market_time.csv", "money.csv"]
    for path in paths:
        committed_file = DEMO_DIR / path.name
        assert committed_file.is_file(), committed_file
        assert committed_file.read_bytes() == path.read_bytes(), path.name


def test_output_is_deterministic_and_seed_dependent(tmp_path: Path) -> None:
    first = write_demo(tmp_path / "a", customers=300, seed=11)
    second = write_demo(tmp_path / "b", customers=300, seed=11)
    other = write_demo(tmp_path / "c", customers=300, seed=12)
    for a, b, c in zip(first, second, other):
        assert a.read_bytes() == b.read_bytes()
        assert a.read_bytes() != c.read_bytes()


def test_file_formats(tmp_path: Path) -> None:
    paths = {p.name: p for p in write_demo(tmp_path, customers=200, seed=3)}
    for name, path in paths.items():
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), name
        text = raw.decode("utf-8")
        assert text.endswith("\r\n"), name
        assert text.count("\n") == text.count("\r\n"), name
    assert paths["market_file.csv"].read_bytes().decode("utf-8").startswith(
        "id,Покупательская активность,Тип сервиса,Разрешить сообщать,")
    money_lines = paths["money.csv"].read_bytes().decode("utf-8").split("\r\n")
    assert money_lines[0] == "id;Прибыль"
    assert all(";" in line and "." not in line for line in money_lines[1:-1])
    assert any("," in line for line in money_lines[1:-1])
    revenue_lines = paths["market_money.csv"].read_bytes().decode("utf-8").split("\r\n")[1:-1]
    assert all(line.count(",") == 2 and "." in line for line in revenue_lines)


def test_cli_writes_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    assert demo_data.main(["--customers", "150", "--seed", "5", "--output", str(out)]) == 0
    reference = write_demo(tmp_path / "ref", customers=150, seed=5)
    for path in reference:
        assert (out / path.name).read_bytes() == path.read_bytes()
    assert "money.csv" in capsys.readouterr().out


def test_too_few_customers_rejected() -> None:
    with pytest.raises(ValueError):
        generate(customers=10)


# --- schema -----------------------------------------------------------------------------------


def test_committed_schema(committed: DemoTables) -> None:
    check_schema(committed, 1300)


def test_generated_frames_match_committed_values(default_tables: DemoTables,
                                                 committed: DemoTables) -> None:
    for name in ("market_file", "market_money", "market_time", "money"):
        pd.testing.assert_frame_equal(getattr(default_tables, name).reset_index(drop=True),
                                      getattr(committed, name), check_dtype=False)


def test_large_set_keeps_schema() -> None:
    tables = generate(20000, seed=1)
    check_schema(tables, 20000)
    revenue = revenue_wide(tables)
    inactive = int((revenue == 0).any(axis=1).sum())
    assert 40 <= inactive <= 80
    assert int((revenue > 20000).to_numpy().sum()) == 1
    assert 100 <= int(tables.market_file.drop(columns="id").duplicated().sum()) <= 250


# --- realism ----------------------------------------------------------------------------------


def test_class_balance(committed: DemoTables) -> None:
    share = (committed.market_file["Покупательская активность"] == "Снизилась").mean()
    assert 0.30 <= share <= 0.45


def test_promo_share_is_bimodal(committed: DemoTables) -> None:
    promo = committed.market_file["Акционные_покупки"]
    low = promo.between(0.1, 0.4).mean()
    high = (promo >= 0.85).mean()
    middle = promo.between(0.5, 0.85, inclusive="neither").mean()
    assert low > 0.75
    assert 0.08 <= high <= 0.2
    assert middle < 0.02


def test_driver_directions(committed: DemoTables) -> None:
    mf = committed.market_file.set_index("id")
    declined = mf["Покупательская активность"] == "Снизилась"
    means = mf.drop(columns="Покупательская активность").select_dtypes("number").groupby(
        declined).mean()
    assert means.loc[True, "Страниц_за_визит"] < means.loc[False, "Страниц_за_визит"] - 2
    assert means.loc[True, "Акционные_покупки"] > means.loc[False, "Акционные_покупки"] + 0.1
    assert (means.loc[True, "Неоплаченные_продукты_штук_квартал"]
            > means.loc[False, "Неоплаченные_продукты_штук_квартал"])
    assert means.loc[True, "Маркет_актив_6_мес"] < means.loc[False, "Маркет_актив_6_мес"]
    minutes = minutes_wide(committed).loc[mf.index]
    assert minutes[declined].mean().lt(minutes[~declined].mean() - 2).all()


def test_logistic_regression_signal(committed: DemoTables) -> None:
    revenue = revenue_wide(committed).add_prefix("выручка_")
    minutes = minutes_wide(committed).add_prefix("минут_")
    data = committed.market_file.set_index("id").join(revenue).join(minutes)
    active = (revenue > 0).all(axis=1) & (revenue.max(axis=1) < 20000)
    data = data.loc[active[active].index]
    assert len(data) == 1300 - 5
    y = (data.pop("Покупательская активность") == "Снизилась").astype(int)
    assert data.shape[1] == 16

    categorical = [c for c in data.columns if data[c].dtype == object]
    numeric = [c for c in data.columns if c not in categorical]
    model = make_pipeline(
        ColumnTransformer([
            ("num", StandardScaler(), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]),
        LogisticRegression(max_iter=1000),
    )
    scores = cross_val_score(model, data, y, scoring="roc_auc",
                             cv=StratifiedKFold(5, shuffle=True, random_state=0))
    assert 0.85 <= scores.mean() <= 0.95


def test_profit_loosely_follows_revenue(committed: DemoTables) -> None:
    profit = committed.money.set_index("id")["Прибыль"]
    assert 3.5 <= profit.mean() <= 4.5
    revenue = revenue_wide(committed)["предыдущий_месяц"].loc[profit.index]
    corr = np.corrcoef(profit, revenue)[0, 1]
    assert 0.05 <= corr <= 0.5


# --- defects ----------------------------------------------------------------------------------


def test_service_type_typo(committed: DemoTables) -> None:
    values = committed.market_file["Тип сервиса"]
    typos = values[~values.isin(CLEAN_SERVICE)]
    assert len(typos) == 10
    assert set(typos) == {"премиумм"}


def test_category_typo_covers_whole_category(committed: DemoTables) -> None:
    values = set(committed.market_file["Популярная_категория"])
    assert "Кухоная посуда" in values
    assert "Кухонная посуда" not in values
    assert values - {"Кухоная посуда"} == CLEAN_CATEGORIES


def test_case_and_space_defects(committed: DemoTables) -> None:
    values = committed.market_file["Разрешить сообщать"]
    dirty = values[~values.isin(CLEAN_CONSENT)]
    assert len(dirty) == 4
    assert dirty.str.strip().str.lower().isin(CLEAN_CONSENT).all()
    assert (dirty != dirty.str.strip()).any()
    assert (dirty.str.strip() != dirty.str.strip().str.lower()).any()


def test_single_absurd_revenue(committed: DemoTables) -> None:
    revenue = committed.market_money["Выручка"]
    absurd = revenue[revenue > 20000]
    assert len(absurd) == 1
    assert 90000 <= absurd.iloc[0] <= 120000
    assert revenue[revenue <= 20000].max() < 8000


def test_customers_inactive_in_some_month(committed: DemoTables) -> None:
    revenue = revenue_wide(committed)
    inactive = revenue[(revenue == 0).any(axis=1)]
    assert 3 <= len(inactive) <= 4
    assert (inactive["текущий_месяц"] > 0).all()


def test_duplicated_rows_except_id(committed: DemoTables) -> None:
    mf = committed.market_file
    assert mf["id"].is_unique
    assert int(mf.drop(columns="id").duplicated().sum()) == 11


def test_time_period_spelling(committed: DemoTables) -> None:
    periods = set(committed.market_time["Период"])
    assert periods == {"текущий_месяц", "предыдцщий_месяц"}
    assert "предыдущий_месяц" not in periods
