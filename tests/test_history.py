"""The run history and «Что изменилось»: quarters built in turn, against SQLite and a real PostgreSQL."""

from __future__ import annotations

import errno
import json
import re
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Annotated

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import settings_from

import report_builder.build as build_module
import report_builder.output as output
from report_builder.build import _demo_quarters, build_report, dataset_name
from report_builder.cache import StageCache
from report_builder.config import HistoryConfig
from report_builder.demo_data import NEW_CATEGORY, earlier_quarters
from report_builder.errors import InputError
from report_builder.history import History, history_url
from report_builder.history_schema import column_name
from report_builder.labels import BASE_SEGMENTS, CATEGORICAL, NUMERIC
from report_builder.periods import previous_period
from report_builder.records import Out, record_type
from report_builder.results.report import RunInfo
from report_builder.resources import demo_data_dir
from report_builder.results.data import CLEAN_COLUMNS
from report_builder.results.segments import Totals
from report_builder.results.history import Reference
from report_builder.stages.compare import GONE, NEW, drift, migration
from report_builder.stages.previous import previous_forecast

PERIODS = ("2026-Q2", "2026-Q3", "2026-Q4")


@pytest.fixture(scope="module")
def quarters(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three consecutive quarters of the shop: two earlier ones made from the demo, then the demo itself."""
    root = tmp_path_factory.mktemp("quarters")
    folders = dict(zip(PERIODS, [folder for _, folder in earlier_quarters(demo_data_dir(), root)] + [demo_data_dir()]))
    return folders


@pytest.fixture(scope="module")
def stages_cache(shared_cache: Path) -> Path:
    """The run's shared stage cache for the builds of these quarters: a store that reads back the same snapshots gives
    the same keys, so only what differs between the history stores is computed again, and what does not depend on the
    settings (the demo's charts of its data) is what the other builds of the demo computed."""
    return shared_cache


# One family, fits in this process, HTML only; the command-line test reads the same file, so its builds find the
# stages of the builds in this process in `stages_cache`.
SETTINGS = """
[model]
families = ["logreg"]
search_iterations = 2
bootstrap_rounds = 200
n_jobs = 1
[explain]
sample = 40
agnostic_sample = 20
background = 10
permutation_repeats = 2
customers_max = 30
[report]
profile = false
formats = ["html"]
"""


def config():
    return settings_from(SETTINGS)


def build(quarters: dict[str, Path], period: str, root: Path, history: str, cache: Path) -> dict:
    out = root / "reports" / period
    build_report(config(), data_dir=quarters[period], out_dir=out, period=period, cache_dir=cache, history=history)
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _quarter_after_quarter(quarters: dict[str, Path], root: Path, history: str, cache: Path) -> None:
    first = build(quarters, "2026-Q2", root, history, cache)
    assert first["comparison"] is None
    html = (root / "reports" / "2026-Q2" / "report.html").read_text(encoding="utf-8")
    assert "первый отчёт в истории — сравнивать не с чем" in html
    assert 'id="changes"' not in html  # no empty section: the line stands in «Главное»

    second = build(quarters, "2026-Q3", root, history, cache)
    third = build(quarters, "2026-Q4", root, history, cache)
    again = build(quarters, "2026-Q3", root, history, cache)  # the second quarter rebuilt: still compared with the first
    assert second["comparison"]["reference_period"] == "2026-Q2"
    assert third["comparison"]["reference_period"] == "2026-Q3"
    assert again["comparison"]["reference_period"] == "2026-Q2"

    comparison = third["comparison"]
    customers = {p: pd.read_csv(root / "reports" / p / "customers.csv", sep=";", encoding="utf-8-sig")["id"] for p in ("2026-Q3", "2026-Q4")}
    both = set(customers["2026-Q3"]) & set(customers["2026-Q4"])
    between = [f for f in comparison["migration"] if f["from"] in BASE_SEGMENTS and f["to"] in BASE_SEGMENTS]
    assert sum(f["customers"] for f in between) == len(both)
    assert sum(f["customers"] for f in comparison["migration"] if f["from"] == NEW) == len(set(customers["2026-Q4"]) - both)
    assert sum(f["customers"] for f in comparison["migration"] if f["to"] == GONE) == len(set(customers["2026-Q3"]) - both)
    assert {d["feature"] for d in comparison["drift"]} == set(NUMERIC) | set(CATEGORICAL)
    category = next(d for d in comparison["drift"] if d["feature"] == "Популярная_категория")
    assert NEW_CATEGORY in category["new_categories"] and category["level"] == "сильный"
    pages = next(d for d in comparison["drift"] if d["feature"] == "Страниц_за_визит")
    assert pages["level"] != "нет" and pages["statistic"] == "wasserstein"
    by_name = {m["name"]: m for m in comparison["metrics"]}
    assert set(by_name) == {"customers", "declined_share", "at_risk", "profit_at_risk"}
    assert by_name["customers"]["old"] == second["data"]["customers_used"]
    assert by_name["customers"]["new"] == third["data"]["customers_used"]
    page = (root / "reports" / "2026-Q4" / "report.html").read_text(encoding="utf-8")
    assert "Что изменилось" in page and "Переходы между сегментами" in page and "<svg class=\"spark\"" in page

    with closing(History(history_url(history))) as store:
        runs = store.runs()
        reference = store.reference("В один клик", "2026-Q4")
    assert [r["period"] for r in runs] == list(PERIODS)  # each period once
    _forecast_grows_with_the_history(first, second, third, root)
    _last_forecast_refits_as_it_was(reference)


def _last_forecast_refits_as_it_was(reference: Reference) -> None:
    """Last quarter's forecast, fitted again from the history alone, scores last quarter's customers as that quarter's
    report did: the model the comparison counts the risk zone with is the one that was published."""
    settings = config()
    last = reference.snapshot
    previous = previous_forecast(reference, last.data, settings.forecast, settings.model, settings.seed)
    assert previous is not None and previous.kind == last.forecast.kind
    published = last.customer_list.people["probability"]
    again = previous.probability.reindex(published.index)
    assert again.notna().all() and np.allclose(again, published, atol=1e-9)


def _section(page: str, key: str) -> str:
    """The text of one section of a report page (from its id to the next section)."""
    start = page.index(f'id="{key}"')
    end = page.find("<section", start + 1)
    text = re.sub(r"<[^>]+>", " ", page[start : end if end > 0 else None])
    return re.sub(r"\s+", " ", text).replace("\u00a0", " ")


def _forecast_grows_with_the_history(first: dict, second: dict, third: dict, root: Path) -> None:
    """No pair: the model of this quarter; one pair: forward, checked across customers; two: checked in time. Each
    front page says of last quarter's forecast what its back-test says, in the same words."""
    shape = [(s["forecast"]["kind"], s["forecast"]["validation"], len(s["forecast"]["pairs"])) for s in (first, second, third)]
    assert shape[0] == ("same_quarter", "holdout", 0)
    assert shape[1][0] in ("forward", "persistence") and shape[1][1:] == ("cv", 1)
    assert shape[2][0] in ("forward", "persistence") and shape[2][1:] == ("time", 2)
    first_page = _section((root / "reports" / "2026-Q2" / "report.html").read_text(encoding="utf-8"), "summary")
    assert "Прогноз на следующий квартал ещё не проверен" in first_page
    for period, summary in (("2026-Q3", second), ("2026-Q4", third)):
        page = (root / "reports" / period / "report.html").read_text(encoding="utf-8")
        front, back = _section(page, "summary"), _section(page, "backtest")
        checked = summary["backtest"]
        verdict = "стоит переобучить" if checked["retrain"] or checked["beaten_by_persistence"] else "подтвердился"
        opposite = "подтвердился" if verdict == "стоит переобучить" else "стоит переобучить"
        assert verdict in front and verdict in back, period
        assert opposite not in front and opposite not in back, period
        sentence = next(s for s in re.split(r"(?<=\.) ", back) if verdict in s)
        assert sentence.split(":")[0] in front, period


@pytest.mark.slow
def test_three_quarters_in_sqlite(quarters: dict[str, Path], tmp_path: Path, stages_cache: Path) -> None:
    _quarter_after_quarter(quarters, tmp_path, str(tmp_path / "history.sqlite"), stages_cache)


@pytest.mark.slow
def test_three_quarters_in_postgresql(quarters: dict[str, Path], tmp_path: Path, postgres_url: str, stages_cache: Path) -> None:
    _quarter_after_quarter(quarters, tmp_path, postgres_url, stages_cache)
    # Every build closed its connections: the server sees none but the one asking.
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            others = connection.execute(sa.text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )).scalar_one()
    finally:
        engine.dispose()
    assert others == 0


@pytest.mark.slow
def test_a_rebuild_from_the_cache_records_its_own_run(quarters: dict[str, Path], tmp_path: Path, stages_cache: Path) -> None:
    """A quarter's record is cached like its results, keyed by what the documents show of the run (its date, not its
    second); the history keeps this build's facts all the same: its time, the data set's name and the money unit."""
    history = str(tmp_path / "history.sqlite")
    renamed = config().model_copy(update={"report": config().report.model_copy(update={"company": "Другой магазин", "money_unit": "тыс. руб."})})
    recorded: dict[str, tuple[str, str, str]] = {}
    for k, settings in enumerate((config(), config(), renamed)):
        if k == 1:
            time.sleep(1.1)  # a build's time is to the second: the same build again, a second later
        out = tmp_path / "reports" / "2026-Q2"
        build_report(settings, data_dir=quarters["2026-Q2"], out_dir=out, period="2026-Q2", cache_dir=stages_cache, history=history)
        built_at = json.loads((out / "summary.json").read_text(encoding="utf-8"))["built_at"]
        recorded[settings.report.company] = (settings.report.company, built_at, settings.report.money_unit or "ед.")
        runs = History(history_url(history)).runs()
        assert [(r["dataset"], r["built_at"], r["money_unit"]) for r in runs] == sorted(recorded.values())


@pytest.mark.slow
def test_the_demos_earlier_quarters_carry_this_builds_run_and_keep_their_key(stages_cache: Path, monkeypatch) -> None:
    """The demo's earlier quarters are recorded with the facts of the build that records them, and stand in the
    reference for what they were made of, not for the second they were built: a later demo build that day, in a new
    history, takes what follows from the cache."""
    monkeypatch.setattr(build_module, "DEMO_QUARTERS", 2)  # the quarters of `quarters`: their analysis is cached
    settings = config()

    def run(built_at: str, company: str) -> RunInfo:
        return RunInfo("2026-Q4", built_at, settings.seed, {}, "демо", True, dataset_name(company, demo=True),
                       settings.analysis_hash, settings.analysis_settings)

    cache = StageCache(stages_cache)
    first = _demo_quarters(settings, run("2026-12-07T10:00:00+00:00", "В один клик"), cache)
    later = _demo_quarters(settings, run("2026-12-07T10:00:05+00:00", "В один клик"), cache)
    renamed = _demo_quarters(settings, run("2026-12-07T10:00:09+00:00", "Другой магазин"), cache)
    assert [r.run.period for r in later.runs] == ["2026-Q2", "2026-Q3"]  # type: ignore[attr-defined]
    assert {r.run.built_at for r in later.runs} == {"2026-12-07T10:00:05+00:00"}  # type: ignore[attr-defined]
    assert {r.run.dataset for r in renamed.runs} == {"Другой магазин (демо)"}  # type: ignore[attr-defined]
    assert later.key == first.key != renamed.key


def test_the_reference_names_a_run_by_what_it_was_made_of_whenever_it_was_built() -> None:
    """Later quarters' results are keyed on the runs they read: the same recorded runs, built again another second
    (or read back instead of built), are the same; a run made of something else is not; a run of a history written
    before runs carried what they were made of is named by its build time."""
    recorded = record_type(RunInfo)

    def reference(built_at: str, *made_of: str | None) -> Reference:
        return Reference(tuple(SimpleNamespace(run=recorded(period=period, built_at=built_at, dataset="Магазин", made_of=made))
                               for period, made in zip(("2026-Q2", "2026-Q3"), made_of)))

    first = reference("2026-12-07T10:00:00+00:00", "a", "b")
    assert first.key == reference("2026-12-07T11:30:05+00:00", "a", "b").key
    assert first.key != reference("2026-12-07T10:00:00+00:00", "a", "c").key
    older = reference("2026-12-07T10:00:00+00:00", None, None)
    assert older.key == "Магазин|2026-Q2|2026-12-07T10:00:00+00:00|Магазин|2026-Q3|2026-12-07T10:00:00+00:00"
    assert older.key != reference("2026-12-07T11:30:05+00:00", None, None).key
    assert Reference().key == "none"


@pytest.mark.slow
def test_a_demo_built_again_beside_its_history_takes_what_its_earlier_quarters_feed_from_the_cache(
        stages_cache: Path, tmp_path: Path, monkeypatch) -> None:
    """The first demo build makes its earlier quarters and records them; the next one reads them back from that
    history. They are the same runs, so the forecast learnt from them, the measured effects, last quarter's model and
    the back-test come from the cache. They were computed again when the runs built in the process and the same runs
    read back were named differently: with the default settings the demo's first rebuild took 22 s instead of 2."""
    monkeypatch.setattr(build_module, "DEMO_QUARTERS", 2)
    settings = config()
    out = tmp_path / "2026-Q4"
    build_report(settings, data_dir=None, out_dir=out, period="2026-Q4", cache_dir=stages_cache)
    again = build_report(settings, data_dir=None, out_dir=out, period="2026-Q4", cache_dir=stages_cache)
    readers = {"forecast", "effects", "previous_forecast", "backtest", "comparison", "dynamics"}
    assert {t.stage: t.cached for t in again.timings if t.stage in readers} == dict.fromkeys(readers, True)
    runs = History(history_url(str(tmp_path / "history.sqlite"))).runs()
    assert [r["period"] for r in runs] == ["2026-Q2", "2026-Q3", "2026-Q4"]


@pytest.mark.slow
def test_the_default_history_sits_beside_the_period_folders(quarters: dict[str, Path], tmp_path: Path, stages_cache: Path) -> None:
    out = tmp_path / "reports" / "2026-Q2"
    build_report(config(), data_dir=quarters["2026-Q2"], out_dir=out, period="2026-Q2", cache_dir=stages_cache)
    assert (tmp_path / "reports" / "history.sqlite").is_file()
    runs = History(history_url(str(tmp_path / "reports" / "history.sqlite"))).runs()
    assert [(r["dataset"], r["period"]) for r in runs] == [("В один клик", "2026-Q2")]


@pytest.mark.slow
def test_a_failed_publish_records_nothing(quarters: dict[str, Path], tmp_path: Path, monkeypatch, stages_cache: Path) -> None:
    history = str(tmp_path / "history.sqlite")
    build(quarters, "2026-Q2", tmp_path, history, stages_cache)

    def full(path: Path, content: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(output, "write_file", full)
    with pytest.raises(OSError):
        build(quarters, "2026-Q3", tmp_path, history, stages_cache)
    assert [r["period"] for r in History(history_url(history)).runs()] == ["2026-Q2"]


# --- refusals ------------------------------------------------------------------------------------


def test_a_corrupt_history_file_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "history.sqlite"
    file.write_bytes(b"this is not a database" * 10)
    with pytest.raises(InputError, match="повреждён"):
        History(history_url(str(file)))
    assert file.read_bytes() == b"this is not a database" * 10


def test_a_history_of_a_newer_version_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "history.sqlite"
    History(history_url(str(file)))._prepare()  # an empty history of this version
    with sqlite3.connect(file) as connection:
        connection.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(InputError, match="более новой версией"):
        History(history_url(str(file)))


def test_someone_elses_database_is_refused(tmp_path: Path) -> None:
    file = tmp_path / "shop.sqlite"
    with sqlite3.connect(file) as connection:
        connection.execute("CREATE TABLE orders (id INTEGER)")
    with pytest.raises(InputError, match="чужие таблицы"):
        History(history_url(str(file)))
    with sqlite3.connect(file) as connection:
        assert [r[0] for r in connection.execute("SELECT name FROM sqlite_master")] == ["orders"]


def test_an_unreachable_postgresql_is_refused_without_its_password() -> None:
    with pytest.raises(InputError) as raised:
        History("postgresql+psycopg://analyst:s3cret@127.0.0.1:9/shop")
    assert "недоступна" in raised.value.message and "127.0.0.1" in raised.value.message
    assert "s3cret" not in raised.value.message


def test_a_missing_history_is_not_created_until_a_build_succeeds(tmp_path: Path) -> None:
    file = tmp_path / "deep" / "history.sqlite"
    store = History(history_url(str(file)))
    assert store.reference("x", "2026-Q1").snapshot is None and store.runs() == []
    assert not file.exists() and not file.parent.exists()


# --- the comparison, on small cases ----------------------------------------------------------------


def test_migration_counts_every_customer_once() -> None:
    old = pd.DataFrame({"segment": ["A", "A", "B", "B"], "profit_at_risk": [1.0, 2.0, 3.0, 4.0]}, index=[1, 2, 3, 4])
    new = pd.DataFrame({"segment": ["A", "B", "B", "A"], "profit_at_risk": [10.0, 20.0, 30.0, 40.0]}, index=[1, 2, 3, 5])
    flows = {(f.source, f.target): (f.customers, f.profit_at_risk) for f in migration(old, new)}
    assert flows == {("A", "A"): (1, 10.0), ("A", "B"): (1, 20.0), ("B", "B"): (1, 30.0), (NEW, "A"): (1, 40.0), ("B", GONE): (1, 4.0)}


def _numeric(feature: str, values: np.ndarray) -> pd.Series:
    return pd.Series(values, name=feature)


def test_drift_levels_do_not_grow_with_sample_size() -> None:
    rng = np.random.default_rng(0)
    config = HistoryConfig()
    small = drift(_numeric("Страниц_за_визит", rng.normal(8, 3, 500)), _numeric("Страниц_за_визит", rng.normal(8.1, 3, 500)), config)
    large = drift(_numeric("Страниц_за_визит", rng.normal(8, 3, 200_000)), _numeric("Страниц_за_визит", rng.normal(8.1, 3, 200_000)), config)
    assert small.level == large.level == "нет"  # a p-value would call the large one «drifted»
    assert large.value == pytest.approx(0.1 / 3, abs=0.01)
    shifted = drift(_numeric("Страниц_за_валют", rng.normal(8, 3, 2000)), _numeric("Страниц_за_валют", rng.normal(9.5, 3, 2000)), config)
    assert shifted.level == "сильный" and shifted.value == pytest.approx(0.5, abs=0.06)


def test_categorical_drift_names_new_and_vanished_categories() -> None:
    before = pd.Series(["a"] * 50 + ["b"] * 50, name="Популярная_категория")
    after = pd.Series(["a"] * 50 + ["c"] * 50, name="Популярная_категория")
    found = drift(before, after, HistoryConfig())
    assert found.statistic == "psi" and found.level == "сильный"
    assert found.new_categories == ("c",) and found.vanished_categories == ("b",)
    same = drift(before, before, HistoryConfig())
    assert same.value == 0 and same.level == "нет"


@pytest.mark.parametrize(("period", "back", "expected"), [("2026-Q4", 1, "2026-Q3"), ("2026-Q1", 1, "2025-Q4"), ("2026-Q2", 2, "2025-Q4")])
def test_previous_period(period: str, back: int, expected: str) -> None:
    assert previous_period(period, back) == expected


@pytest.mark.slow
def test_command_line_history_options(quarters: dict[str, Path], tmp_path: Path, stages_cache: Path) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app

    settings = tmp_path / "small.toml"
    settings.write_text(SETTINGS, encoding="utf-8")
    history = tmp_path / "team" / "history.sqlite"
    runner = CliRunner()

    def run(period: str, *extra: str):
        args = ["build", "--data", str(quarters[period]), "--output", str(tmp_path / "r" / period), "--period", period,
                "--format", "html", "--config", str(settings), "--cache-dir", str(stages_cache), *extra]
        return runner.invoke(app, args)

    assert run("2026-Q2", "--history", str(history)).exit_code == 0
    assert run("2026-Q3", "--no-history").exit_code == 0
    assert not (tmp_path / "r" / "history.sqlite").exists()  # --no-history neither reads nor writes
    assert run("2026-Q4", "--history", str(history), "--compare-with", "2026-Q2").exit_code == 0
    summary = json.loads((tmp_path / "r" / "2026-Q4" / "summary.json").read_text(encoding="utf-8"))
    assert summary["comparison"]["reference_period"] == "2026-Q2"
    missing = run("2026-Q4", "--history", str(history), "--compare-with", "2025-Q1")
    assert missing.exit_code == 2 and "нет периода «2025-Q1»" in " ".join(missing.output.split())
    listed = runner.invoke(app, ["history", "--history", str(history)])
    assert listed.exit_code == 0
    text = listed.output
    assert text.count("2026-Q2") == 1 and text.count("2026-Q4") == 1 and "2026-Q3" not in text
    assert "Покупателей" in text and "ROC-AUC" in text


def test_drift_of_whole_number_features_is_exact() -> None:
    """The exact distance, not a mean of stored percentiles: a small shift of an integer feature is not zero."""
    before = pd.Series([1, 2, 2, 3, 3, 3, 4, 4, 5] * 50, name="Страниц_за_визит")
    after = pd.Series([1, 2, 2, 3, 3, 3, 4, 4, 6] * 50, name="Страниц_за_визит")
    found = drift(before, after, HistoryConfig())
    assert found.value == pytest.approx((1 / 9) / before.std())


# --- the history's tables come from the results' declarations ----------------------------------------


def test_a_recorded_snapshot_reads_back_as_it_was_taken(tmp_path: Path, demo_data) -> None:
    from report_builder.pipeline import HISTORY
    from report_builder.results.report import RunInfo

    run = RunInfo("2026-Q3", "2026-10-01T00:00:00+00:00", 1, {"report-builder": "0.1.0"}, "x", False, "shop", "h", "{}", "ед.")
    customers = demo_data.customers.copy()
    number, category = customers.select_dtypes("number").columns[0], customers.select_dtypes(exclude="number").columns[0]
    customers.loc[customers.index[:3], number] = float("nan")  # a missing value of each kind is written as NULL
    customers.loc[customers.index[3:5], category] = None
    data = replace(demo_data, customers=customers)
    taken = HISTORY.take({"run": run, "data": data})
    _, children = HISTORY.rows(taken)
    written = next(r for table, r in children if table.name == "data__customers")
    rows = [dict(zip(written.names, values)) for values in written.values]
    assert len(rows) == len(customers) and {type(v) for row in rows for v in row.values()} <= {int, float, str, type(None)}
    assert sum(row[column_name(number)] is None for row in rows) == 3
    assert sum(row[column_name(category)] is None for row in rows) == 2
    store = History(history_url(str(tmp_path / "h.sqlite")))
    with store.recording([taken]):
        pass
    read = History(history_url(str(tmp_path / "h.sqlite"))).reference("shop", "2026-Q4").snapshot
    assert read.run == taken.run and read.segmentation is None
    assert read.data.customers_used == demo_data.customers_used
    pd.testing.assert_frame_equal(read.data.customers.sort_index(), taken.data.customers.sort_index(), check_dtype=False)


def test_child_rows_are_written_in_the_tables_column_order_whatever_their_own(tmp_path: Path) -> None:
    """The rows go to the driver as tuples: values named in another order than the table's land in their columns."""
    from report_builder.history import _insert_rows
    from report_builder.history_schema import ChildRows

    metadata = sa.MetaData()
    table = sa.Table("people", metadata, sa.Column("run_id", sa.Integer), sa.Column("customer_id", sa.Integer),
                     sa.Column("segment", sa.Text), sa.Column("probability", sa.Float), sa.Column("control", sa.Boolean))
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'h.sqlite'}")
    metadata.create_all(engine)
    given = ChildRows.of([{"probability": 0.25, "control": True, "segment": "Ценные", "customer_id": 7},
                          {"probability": None, "control": False, "segment": None, "customer_id": 8}])
    assert given.names == ("probability", "control", "segment", "customer_id")
    with engine.begin() as connection:
        _insert_rows(connection, table, 3, given)
        _insert_rows(connection, table, 4, ChildRows(given.names, []))
        read = connection.execute(sa.select(table).order_by(table.c.customer_id)).mappings().all()
    engine.dispose()
    assert [dict(r) for r in read] == [
        {"run_id": 3, "customer_id": 7, "segment": "Ценные", "probability": 0.25, "control": True},
        {"run_id": 3, "customer_id": 8, "segment": None, "probability": None, "control": False},
    ]
    assert dict(zip(given.names, given.values[0])) == {"probability": 0.25, "control": True, "segment": "Ценные", "customer_id": 7}


@dataclass(frozen=True)
class Before:
    score: Annotated[float, Out(history=True)]


@dataclass(frozen=True)
class After:
    score: Annotated[float, Out(history=True)]
    margin: Annotated[float, Out(history=True)]


def test_a_new_marked_field_reaches_a_reopened_history_and_moves_the_schema(tmp_path: Path) -> None:
    """A field declared Out(history=True) gets its column with no other edit; the recorded fingerprint follows."""
    from report_builder.history_schema import HistorySchema
    from report_builder.results.report import RunInfo

    file = str(tmp_path / "h.sqlite")
    run = RunInfo("2026-Q2", "2026-07-01T00:00:00+00:00", 1, {}, "x", False, "shop", "h", "{}", "ед.")
    old, new = HistorySchema({"run": RunInfo, "quality": Before}), HistorySchema({"run": RunInfo, "quality": After})
    assert old.fingerprint != new.fingerprint
    with History(history_url(file), old).recording([old.take({"run": run, "quality": Before(0.8)})]):
        pass
    later = History(history_url(file), new)
    with later.recording([new.take({"run": RunInfo("2026-Q3", run.built_at, 1, {}, "x", False, "shop", "h", "{}", "ед."), "quality": After(0.9, 0.1)})]):
        pass
    runs = later.reference("shop", "2026-Q4").runs
    assert [r.quality.score for r in runs] == [0.8, 0.9] and [r.quality.margin for r in runs] == [None, 0.1]
    with sqlite3.connect(file) as connection:
        assert connection.execute("SELECT fingerprint FROM schema_version").fetchone()[0] == new.fingerprint


def test_a_history_of_the_first_layout_migrates_forward(tmp_path: Path) -> None:
    """A file written by the previous version (fixed tables, schema 1) is read into the derived layout."""
    file = tmp_path / "old.sqlite"
    with sqlite3.connect(file) as connection:
        connection.executescript((Path(__file__).parent / "history_v1.sql").read_text(encoding="utf-8"))
    store = History(history_url(str(file)))
    old = store.reference("В один клик", "2026-Q3").snapshot
    assert old.run.period == "2026-Q2" and old.search.best == "extra_trees" and old.search.best_cv_auc == pytest.approx(0.92)
    assert old.evaluation.threshold == 0.5 and old.segmentation.at_risk_customers == 2
    people = old.customer_list.people
    assert people.loc[101, "probability"] == pytest.approx(0.9) and bool(people.loc[103, "control"])
    assert [d.feature for d in old.explanation.drivers] == ["Страниц_за_визит", "Акционные_покупки"]
    with sqlite3.connect(file) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchone()[0] == 2
    assert [r["period"] for r in store.runs()] == ["2026-Q2"]


# --- `report-builder history`: which file, what it lists ---------------------------------------------


def _recorded_run(dataset: str, period: str, unit: str, promised: float, realised: float | None) -> object:
    """A snapshot as a build records it, with only the parts the run list reads."""
    from report_builder.pipeline import HISTORY
    from report_builder.records import record_type

    parts: dict[str, object] = {part: None for part in HISTORY.parts}
    kinds = HISTORY.parts
    parts["run"] = record_type(kinds["run"])(period=period, built_at=f"{period[:4]}-12-01T10:00:00+00:00", versions={},
                                             dataset=dataset, config_hash="h", settings="{}", money_unit=unit)
    customers = pd.DataFrame({c: pd.Series(dtype=object if t is str else float) for c, t in CLEAN_COLUMNS.items()})
    parts["data"] = record_type(kinds["data"])(customers=customers, customers_used=1296, decline_share=0.38)
    parts["search"] = record_type(kinds["search"])(best="logreg", best_cv_auc=promised)
    parts["segmentation"] = record_type(kinds["segmentation"])(
        segments=(), at_risk_customers=400, totals=record_type(Totals)(profit_at_risk_all=123456.0, quarter_profit=999999.0))
    if realised is not None:
        parts["backtest"] = record_type(kinds["backtest"])(roc_auc=realised)
    return HISTORY.snapshot(**parts)


def _history_file(path: Path, runs: list[object]) -> Path:
    with History(history_url(str(path))).recording(runs):
        pass
    return path


def test_history_lists_runs_in_period_order_with_promised_and_realised_accuracy(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app

    # Recorded out of order; Q3's back-test checked Q2's forecast, Q4's checked Q3's.
    file = _history_file(tmp_path / "h.sqlite", [
        _recorded_run("Магазин", "2026-Q4", "тыс. руб.", 0.91, 0.83),
        _recorded_run("Магазин", "2026-Q2", "тыс. руб.", 0.88, None),
        _recorded_run("Магазин", "2026-Q3", "тыс. руб.", 0.90, 0.86),
    ])
    result = CliRunner().invoke(app, ["history", "--history", str(file)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Файл истории: {file.resolve()}"
    assert "Под риском, тыс. руб." in result.output
    rows = [line for line in lines if "Магазин" in line]
    assert [re.search(r"2026-Q\d", r).group(0) for r in rows] == ["2026-Q2", "2026-Q3", "2026-Q4"]
    assert "0,880" in rows[0] and "0,860" in rows[0]  # Q2 promised 0.88; Q3's back-test measured 0.86
    assert "0,900" in rows[1] and "0,830" in rows[1]
    assert "0,910" in rows[2] and rows[2].rstrip(" │").endswith("—")  # Q4's forecast not checked yet
    assert "ROC-AUC обещанный" in result.output and "ROC-AUC на деле" in result.output


def test_history_with_mixed_money_units_names_each_sum(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app

    file = _history_file(tmp_path / "h.sqlite", [
        _recorded_run("Магазин", "2026-Q3", "тыс. руб.", 0.9, None),
        _recorded_run("Магазин (демо)", "2026-Q3", "ед.", 0.9, None),
    ])
    result = CliRunner().invoke(app, ["history", "--history", str(file)])
    assert result.exit_code == 0, result.output
    assert "Под риском, " not in result.output
    assert "123\xa0456 тыс. руб." in result.output and "123\xa0456 ед." in result.output


def test_history_reads_the_file_the_default_build_writes(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app
    from report_builder.locations import default_output, history_location, today_utc
    from report_builder.periods import last_finished_quarter

    monkeypatch.chdir(tmp_path)
    expected = (tmp_path / "output" / "history.sqlite").resolve()
    assert Path(history_location(default_output(last_finished_quarter(today_utc())))).resolve() == expected
    result = CliRunner().invoke(app, ["history"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"Файл истории: {expected}"
    assert "Пока нет ни одной сборки" in result.output and not expected.exists()

    _history_file(expected, [_recorded_run("Магазин", "2026-Q3", "ед.", 0.9, None)])
    result = CliRunner().invoke(app, ["history"])
    assert result.exit_code == 0 and "2026-Q3" in result.output and "Под риском, ед." in result.output


def test_history_given_a_missing_file_is_an_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app

    missing = tmp_path / "nowhere" / "history.sqlite"
    result = CliRunner().invoke(app, ["history", "--history", str(missing)])
    text = " ".join(result.output.split())
    assert result.exit_code == 2
    assert f"Файл истории {missing} не найден" in text and "--history" in text
    assert "пока нет" not in text.lower() and not missing.parent.exists()

    settings = tmp_path / "settings.toml"
    settings.write_text(f'[history]\nurl = "{tmp_path / "team.sqlite"}"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["history", "--config", str(settings)])
    assert result.exit_code == 2 and "history.url" in " ".join(result.output.split())
