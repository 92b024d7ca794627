"""The analyst's quarter on the real data, through the real command line.

Last quarter was built with the sample settings as `report-builder config --example` writes them; this
quarter the cart offer's cost is changed by name. The quarter is built from the shop's CSV files, then
read from an SQLite copy of the same tables, which reuses the cached stages of the CSV build, and its
PDF is mailed to an SMTP server on this machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from smtp_server import smtp_server
from test_sources import fill, raw_tables
from typer.testing import CliRunner

from report_builder.build import previous_period
from report_builder.cli import app
from report_builder.config import Config
from report_builder.locations import today_utc
from report_builder.periods import last_finished_quarter
from report_builder.report.narrative.common import period_label

pytestmark = [pytest.mark.slow, pytest.mark.real_data]
runner = CliRunner()
ANALYSIS = ("exploration", "correlation", "folds", "search", "evaluation", "explanation", "scores", "segmentation",
            "recommendations", "effects", "plan", "customer_list", "comparison", "backtest", "customers_csv", "customers_xlsx")


def flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def set_value(text: str, section: str, key: str, value: str) -> str:
    """The sample file with `key` of `[section]` set (a commented-out key is switched on): the analyst's edit."""
    start = text.index(f"\n[{section}]\n")
    end = text.find("\n[", start + 1)
    end = len(text) if end < 0 else end
    body, count = re.subn(rf"^(# )?{re.escape(key)} = .*$", f"{key} = {value}", text[start:end], count=1, flags=re.M)
    assert count == 1, f"[{section}] {key} is not in the sample file"
    return text[:start] + body + text[end:]


@dataclass(frozen=True)
class AnalystQuarter:
    """The quarter built from the CSV files (`current`, compared with `previous`, whose settings differ only in the
    cart offer's cost) and from SQLite (`from_database`), over one cache and one history."""

    sample: Path  # the settings as `config --example` wrote them, with the mail server of this machine
    settings: Path  # the same with `[recommendations.rules.cart] cost = 0.05`
    period: str
    previous: Path
    current: Path
    from_database: Path
    history: Path
    outputs: dict[str, str]  # what each build printed, by report name
    last_started: float  # time.time() before the last build, which keeps the shared cache to 1 MB


def summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def smtp():  # noqa: ANN201 — a running server for the whole module
    with smtp_server() as server:
        yield server


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory, smtp) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("analyst")
    written = runner.invoke(app, ["config", "--example", "--output", str(root / "sample.toml")])
    assert written.exit_code == 0, written.output
    text = (root / "sample.toml").read_text(encoding="utf-8")
    for key, value in {"host": '"127.0.0.1"', "port": str(smtp.port), "starttls": "false", "sender": '"reports@shop.ru"',
                       "recipients": '["director@shop.ru"]', "subject_prefix": '"[Аналитика]"'}.items():
        text = set_value(text, "mail", key, value)
    (root / "sample.toml").write_text(text, encoding="utf-8")
    (root / "settings.toml").write_text(set_value(text, "recommendations.rules.cart", "cost", "0.05"), encoding="utf-8")
    return root / "sample.toml", root / "settings.toml"


@pytest.fixture(scope="module")
def analyst_quarter(real_dir: Path, sample: tuple[Path, Path], real_build: object, shared_cache: Path) -> AnalystQuarter:
    before, settings = sample
    root = before.parent
    # The analyst's cache holds earlier builds of these files, as on a machine that built them before: the test run's
    # real-data build with the default settings, whose analysis the sample settings share (the search is not redone).
    (root / "cache").mkdir()
    for entry in [*shared_cache.glob("*.pkl"), *shared_cache.glob("*.none")]:  # an entry, and the mark of a stored None
        shutil.copy2(entry, root / "cache" / entry.name)
    period = last_finished_quarter(today_utc())
    database = f"sqlite:///{root / 'shop.db'}"
    fill(database, raw_tables(real_dir))
    builds = {
        "previous": (str(real_dir), before, ["--period", previous_period(period, 1)]),
        "current": (str(real_dir), settings, []),  # the default period: the last finished quarter
        "from_database": (database, settings, ["--cache-max-mb", "1"]),
    }
    outputs = {}
    for name, (data, config, extra) in builds.items():
        for entry in (root / "cache").glob("*"):  # the earlier builds ran an hour ago
            os.utime(entry, (time.time() - 3600,) * 2)
        started = time.time()
        result = runner.invoke(app, ["build", "--data", data, "--output", str(root / name), "--config", str(config), "--no-profile",
                                     "--cache-dir", str(root / "cache"), "--history", str(root / "history.sqlite"), *extra])
        assert result.exit_code == 0, (name, result.output)
        outputs[name] = result.output
    return AnalystQuarter(before, settings, period, root / "previous", root / "current", root / "from_database",
                          root / "history.sqlite", outputs, started)


def test_the_sample_settings_with_one_cost_changed_by_name_build(analyst_quarter: AnalystQuarter) -> None:
    shown = runner.invoke(app, ["config", "--config", str(analyst_quarter.settings)])
    assert "* recommendations.rules.cart.cost = 0.05  [по умолчанию: не задано]" in shown.output
    analysis_changes = [line for line in shown.output.splitlines() if line.startswith("* ") and not line.startswith("* mail.")]
    assert analysis_changes == ["* recommendations.rules.cart.cost = 0.05  [по умолчанию: не задано]  — цена одного контакта в единицах "
                                "прибыли; не задана — по ценам каналов (recommendations.channel_costs)"]
    with sqlite3.connect(analyst_quarter.history) as connection:
        recorded = dict(connection.execute("SELECT run__period, run__settings FROM runs").fetchall())
    costs = {period: {r["name"]: r["cost"] for r in json.loads(text)["recommendations"]["rules"]} for period, text in recorded.items()}
    assert costs[analyst_quarter.period]["cart"] == 0.05 and costs[previous_period(analyst_quarter.period, 1)]["cart"] is None
    # The sample file's analysis settings are the defaults: its first build found the default build's search.
    searched = next(line for line in flat(analyst_quarter.outputs["previous"]).split("✓") if "Подбор моделей" in line)
    assert "(из кэша)" in searched, searched
    current = summary(analyst_quarter.current)
    assert current["period"] == analyst_quarter.period and current["data"]["customers_used"] == 1296
    assert current["comparison"]["reference_period"] == previous_period(analyst_quarter.period, 1)
    for name in ("report.pdf", "report.html", "customers.xlsx", "customers.csv", "summary.json"):
        assert (analyst_quarter.current / name).is_file(), name


def test_the_cache_remembers_what_the_last_build_from_files_was_given(analyst_quarter: AnalystQuarter) -> None:
    """The stamp of the last build that read files (`last_build`): the database build leaves the one before it, since no
    file shows a database's changes; an identical rebuild of that quarter would not start the worker ahead."""
    import re

    from report_builder.last_build import STAMP_FILE

    cache = analyst_quarter.history.parent / "cache"
    kept = (cache / STAMP_FILE).read_text(encoding="ascii")
    assert re.fullmatch(r"[0-9a-f]{64}\n", kept)
    assert not any(p.name.endswith(".tmp") for p in cache.iterdir())


def test_the_last_build_keeps_the_cache_to_its_size(analyst_quarter: AnalystQuarter) -> None:
    """Over its size, the cache keeps only what the last build read or wrote: one page layout of the three builds."""
    entries = list((analyst_quarter.current.parent / "cache").glob("*.pkl"))
    assert entries and all(p.stat().st_mtime >= analyst_quarter.last_started - 2 for p in entries)
    assert len([p for p in entries if p.name.startswith("pdf_layout-")]) == 1
    assert any(p.name.startswith("search-") for p in entries)  # the analysis it took from the CSV builds


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (("cost = 0.05", "cots = 0.05"), "«recommendations.rules.cart.cots»: такой настройки нет; возможно, имелось в виду «recommendations.rules.cart.cost»"),
        (("[recommendations.rules.cart]", "[recomendations.rules.cart]"), "«recomendations»: такого раздела нет; возможно, имелось в виду «recommendations»"),
    ],
    ids=["key", "section"],
)
def test_a_misspelt_setting_is_pointed_at_the_right_one(sample: tuple[Path, Path], tmp_path: Path, edit: tuple[str, str], expected: str) -> None:
    _, settings = sample
    misspelt = tmp_path / "settings.toml"
    misspelt.write_text(settings.read_text(encoding="utf-8").replace(*edit, 1), encoding="utf-8")
    result = runner.invoke(app, ["build", "--config", str(misspelt), "--output", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")])
    text = flat(result.output)
    assert result.exit_code == 2, text
    assert "Ошибка в настройках." in text and expected in text
    assert not (tmp_path / "out").exists() and not (tmp_path / "cache").exists()


def test_a_misspelt_command_is_pointed_at_the_right_one() -> None:
    result = runner.invoke(app, ["biuld", "--no-profile"])
    assert result.exit_code == 2
    assert "нет такой команды: biuld; возможно, имелось в виду build" in flat(result.output)


def test_the_quarter_from_sqlite_reuses_the_cached_stages_of_its_csv_build(analyst_quarter: AnalystQuarter) -> None:
    cached = {t["stage"]: t["cached"] for t in summary(analyst_quarter.from_database)["timings"]}
    assert {s: cached[s] for s in ANALYSIS} == dict.fromkeys(ANALYSIS, True)
    assert not cached["validated"] and not cached["data"]  # they name the database's tables and rows
    from_database, from_files = summary(analyst_quarter.from_database), summary(analyst_quarter.current)
    assert [s["file"] for s in from_database["data"]["sources"]] == [f"{t} (таблица)" for t in ("market_file", "market_money", "market_time", "money")]
    assert [s["file"] for s in from_files["data"]["sources"]] == [f"{t}.csv" for t in ("market_file", "market_money", "market_time", "money")]
    for key in ("models", "segments", "actions", "totals", "drivers", "comparison", "backtest"):
        assert from_database[key] == from_files[key], key
    assert "(из кэша)" in analyst_quarter.outputs["from_database"]


def test_send_delivers_the_pdf_with_the_quarter_in_the_subject(analyst_quarter: AnalystQuarter, smtp) -> None:
    folder = analyst_quarter.from_database
    before = {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
    result = runner.invoke(app, ["send", str(folder), "--config", str(analyst_quarter.settings)])
    assert result.exit_code == 0, result.output
    delivered = smtp.mailbox.delivered[-1]
    assert delivered.recipients == ("director@shop.ru",)
    assert delivered.message["Subject"] == f"[Аналитика] Покупательская активность: {period_label(analyst_quarter.period)}"
    files = {part.get_filename(): part.get_content() for part in delivered.message.iter_attachments()}
    assert files == {"report.pdf": before["report.pdf"]}
    body = delivered.message.get_body(("plain",)).get_content().replace("\u00a0", " ")
    assert "покупателей в анализе: 1 296" in body and "прибыль под риском:" in body and " ед." in body
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()} == before


def test_what_changed_names_the_changed_setting_in_words(analyst_quarter: AnalystQuarter) -> None:
    page = (analyst_quarter.current / "report.html").read_text(encoding="utf-8")
    start = page.index('id="changes"')
    section = flat(re.sub(r"<[^>]+>", " ", page[start : page.index("<h2", page.index("<h2", start) + 1)]))
    cart = next(rule.title for rule in Config().recommendations.rules if rule.name == "cart")
    assert f"цена одного контакта в единицах прибыли (предложение «{cart}»): не задано → 0,05" in section, section
    assert "recommendations." not in section  # the main text names a setting by what it means, not by its key
