"""The optional contacts table: what was sent to customers, checked, named by the settings, and set beside last quarter's plan."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import small_results as make
from conftest import read_table
from histories import clean, people as plan_people, snapshot as quarter
from report_builder.config import BacktestConfig, Config, SourceConfig
from report_builder.errors import InputError
from report_builder.labels import CHANNEL, DATE, ID, OFFER
from report_builder.report.narrative import backtest as say
from report_builder.results.backtest import Compliance
from report_builder.results.data import Contacts
from report_builder.results.history import Reference
from report_builder.stages.backtest import backtest
from report_builder.stages.clean import clean_tables
from report_builder.stages.contacts import contacts
from report_builder.stages.load import load_tables
from report_builder.stages.validate import validate_tables
from report_builder.uplift import per_contacted

NB = "\u00a0"
RULES = Config().recommendations.rules
CYRILLIC = re.compile("[а-яё]{4,}", re.IGNORECASE)


def write_contacts(folder: Path, lines: list[str], header: str = "id,offer,channel,date") -> None:
    (folder / "contacts.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")


def ids(folder: Path) -> list[str]:
    return read_table(folder, "market_file")["id"].tolist()


def checked(folder: Path, period: str = "2026-Q3") -> Contacts | None:
    return contacts(validate_tables(load_tables(folder)), RULES, period)


def stop(folder: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        checked(folder)
    error = caught.value
    assert CYRILLIC.search(error.message) and "Traceback" not in error.message
    assert error.file == "contacts.csv" and "«contacts.csv»" in error.message
    assert error.column is not None and f"«{error.column}»" in error.message
    return error


# --- reading and checking ---------------------------------------------------------------------------------------------


def test_without_the_table_everything_is_as_before(tiny_tables) -> None:
    folder = tiny_tables()
    tables = validate_tables(load_tables(folder))
    assert tables.contacts is None and [s.file for s in tables.sources][-1] == "money.csv"
    assert contacts(tables, RULES, "2026-Q3") is None


def test_titles_and_names_in_any_case_and_spacing_name_one_offer(tiny_tables) -> None:
    folder = tiny_tables()
    first, second = ids(folder)[:2]
    write_contacts(folder, [
        f"{first},cart,email,2026-07-03",
        f"{first}, НАПОМИНАНИЕ  о корзине и скидка на неё ,Push,03.07.2026",
        f"{second},Персональные подборки товаров,Сайт,2026-08-01 10:15:00",
        f"{second},pages,e-mail,2026-08-02",
    ])
    found = checked(folder)
    assert found is not None
    assert found.sent[[ID, OFFER, CHANNEL]].values.tolist() == [
        [int(first), "cart", "email"], [int(first), "cart", "push"], [int(second), "pages", "сайт"], [int(second), "pages", "email"]]
    assert list(found.sent[DATE].dt.date) == [dt.date(2026, 7, 3)] * 2 + [dt.date(2026, 8, 1), dt.date(2026, 8, 2)]
    assert (found.rows, found.customers, found.first_day, found.last_day, found.outside_quarter) == (4, 2, "2026-07-03", "2026-08-02", 0)
    assert [(c.name, c.contacts, c.customers) for c in found.by_offer] == [("cart", 2, 1), ("pages", 2, 1)]
    assert [c.name for c in found.by_channel] == ["сайт", "email", "push"]  # in the order the rules name them


def test_contacts_dated_outside_the_quarter_are_counted(tiny_tables) -> None:
    folder = tiny_tables()
    customer = ids(folder)[0]
    write_contacts(folder, [f"{customer},cart,email,2026-06-30", f"{customer},cart,push,2026-07-01", f"{customer},cart,сайт,2026-10-01"])
    assert checked(folder, "2026-Q3").outside_quarter == 2
    assert checked(folder, "осень").outside_quarter is None  # a label that is not a quarter says nothing about days


def test_repeated_rows_are_dropped_and_listed_without_touching_the_analysis(tiny_tables) -> None:
    folder = tiny_tables()
    customer = ids(folder)[0]
    before = clean_tables(validate_tables(load_tables(folder)), Config().cleaning)
    write_contacts(folder, [f"{customer},cart,email,2026-07-03", f"{customer},Cart,email,03.07.2026", f"{customer},cart,push,2026-07-03"],
                   header="id,offer,channel,date,status")
    tables = validate_tables(load_tables(folder))
    assert len(tables.contacts) == 2
    mine = [f for f in tables.fixes if f.file == "contacts.csv"]
    assert [(f.rows, f.action) for f in mine if "повторяющиеся" in f.what] == [(1, "удалено")]
    assert any("лишние столбцы не используются: status" in f.what for f in mine)
    after = clean_tables(tables, Config().cleaning)
    assert after.fingerprint == before.fingerprint  # the models of this quarter are reused
    assert [s.file for s in after.sources][-1] == "contacts.csv"


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        ("{id},cart,email,32.07.2026", DATE, "даты не читаются: «32.07.2026»"),
        ("{id},cart,email,", DATE, "пустые значения"),
        ("{id},,email,2026-07-03", OFFER, "пустые значения"),
        ("{id},cart,,2026-07-03", CHANNEL, "пустые значения"),
        ("abc,cart,email,2026-07-03", ID, "значения не являются числами: «abc»"),
        ("{id},Скидка на всё,email,2026-07-03", OFFER, "неизвестные предложения: «Скидка на всё»"),
        ("{id},cart,telegram,2026-07-03", CHANNEL, "неизвестные каналы: «telegram»"),
    ],
)
def test_a_bad_row_stops_with_its_file_column_and_line(tiny_tables, line: str, column: str, words: str) -> None:
    folder = tiny_tables()
    customer = ids(folder)[0]
    write_contacts(folder, [f"{customer},cart,email,2026-07-03", line.format(id=customer), f"{customer},cart,push,2026-07-04"])
    error = stop(folder)
    assert error.column == column
    assert words in error.message
    assert error.rows == [3]  # the header is line 1, the good row line 2
    assert "(строки: 3)" in error.message


def test_the_contacts_of_customers_gone_from_this_quarter_are_left_out_and_listed(tiny_tables) -> None:
    """A shop's export names everyone contacted, also those who are no longer among this quarter's customers: their
    rows cannot be measured and are left out, listed with the other fixes, without stopping the build."""
    folder = tiny_tables()
    first, second = ids(folder)[:2]
    write_contacts(folder, [f"{first},cart,email,2026-07-03", "999,cart,email,2026-07-03", "999,cart,push,2026-07-04",
                            f"{second},pages,email,2026-07-05"])
    tables = validate_tables(load_tables(folder))
    assert sorted(tables.contacts[ID].astype(str).unique()) == sorted([str(first), str(second)])
    gone = [f for f in tables.fixes if f.file == "contacts.csv" and "нет в market_file" in f.what]
    assert [(f.column, f.rows, f.action) for f in gone] == [(ID, 2, "удалено")]
    assert contacts(tables, RULES, "2026-Q3").customers == 2


def test_a_contacts_table_without_a_customer_of_the_quarter_stops(tiny_tables) -> None:
    """Not one customer known: another shop's export or a wrong column, not customers who left."""
    folder = tiny_tables()
    write_contacts(folder, ["998,cart,email,2026-07-03", "999,cart,email,2026-07-04"])
    error = stop(folder)
    assert error.column == ID and error.rows == [2, 3]
    assert "ни одного покупателя таблицы контактов нет в market_file (id 998, 999)" in error.message


def test_an_unknown_offer_lists_what_the_settings_allow(tiny_tables) -> None:
    folder = tiny_tables()
    write_contacts(folder, [f"{ids(folder)[0]},Скидка,email,2026-07-03"])
    message = stop(folder).message
    assert "«Напоминание о корзине и скидка на неё» (cart)" in message and "recommendations.rules" in message


def test_a_build_with_a_bad_contacts_table_fails_before_any_model(tmp_path: Path, tiny_tables) -> None:
    from typer.testing import CliRunner

    from report_builder.cli import app

    folder = tiny_tables()
    write_contacts(folder, [f"{ids(folder)[0]},cart,email,2026-07-03", f"{ids(folder)[1]},cart,почтовый голубь,2026-07-03"])
    result = CliRunner().invoke(app, ["build", "--data", str(folder), "--output", str(tmp_path / "out"), "--format", "html",
                                      "--no-history", "--cache-dir", str(tmp_path / "cache")])
    text = " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert result.exit_code == 2, text
    assert "Ошибка во входных данных." in text and "«contacts.csv»" in text and "«channel»" in text and "строки: 3" in text


# --- files, workbooks and databases -----------------------------------------------------------------------------------


def sample(folder: Path) -> pd.DataFrame:
    customers = ids(folder)[:3]
    return pd.DataFrame({"id": [int(c) for c in customers] * 2, "offer": ["cart", "Персональные подборки товаров", "promo"] * 2,
                         "channel": ["email"] * 3 + ["сайт"] * 3,
                         "date": [dt.date(2026, 7, 1) + dt.timedelta(days=k) for k in range(6)]})


def test_the_table_reads_the_same_from_csv_and_from_excel(tiny_tables) -> None:
    folder = tiny_tables()
    frame = sample(folder)
    frame.assign(date=frame["date"].map(lambda d: d.strftime("%d.%m.%Y"))).to_csv(folder / "contacts.csv", sep=";", index=False)
    from_csv = checked(folder)
    (folder / "contacts.csv").unlink()
    frame.assign(date=pd.to_datetime(frame["date"])).to_excel(folder / "contacts.xlsx", index=False, engine="openpyxl")
    from_excel = checked(folder)
    pd.testing.assert_frame_equal(from_csv.sent, from_excel.sent)
    assert from_excel.file == "contacts.xlsx" and from_excel.rows == 6 and from_excel.customers == 3
    assert list(from_excel.sent[OFFER]) == ["cart", "pages", "promo"] * 2


def test_the_table_reads_from_parquet(tiny_tables) -> None:
    folder = tiny_tables()
    sample(folder).assign(date=lambda f: pd.to_datetime(f["date"])).to_parquet(folder / "contacts.parquet", index=False)
    assert checked(folder).rows == 6


def test_a_database_gives_the_table_only_when_the_settings_name_it(tiny_tables, tmp_path: Path) -> None:
    from test_sources import fill, raw_tables

    folder = tiny_tables()
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    fill(url, {**raw_tables(folder), "crm_sent": sample(folder).assign(date=lambda f: f["date"].astype(str))})
    assert load_tables(url).contacts is None  # a table the settings do not name is never read
    tables = validate_tables(load_tables(url, SourceConfig(contacts="SELECT * FROM crm_sent WHERE channel = 'email'")))
    found = contacts(tables, RULES, "2026-Q3")
    assert (found.file, found.rows) == ("contacts (запрос)", 3)
    with pytest.raises(InputError, match="нет таблицы «nothing»"):
        load_tables(url, SourceConfig(contacts="nothing"))


# --- last quarter's plan as it was carried out ------------------------------------------------------------------------


def sent_to(customers: pd.Index | list[int], offer: str = "cart") -> Contacts:
    frame = pd.DataFrame({ID: list(customers), OFFER: offer, CHANNEL: "email", DATE: pd.Timestamp("2026-08-01")})
    return Contacts(frame, "contacts.csv", len(frame), len(set(customers)), "2026-08-01", "2026-08-01", 0, (), ())


def planned_quarter(control_declines: int = 60, offered_declines: int = 40) -> tuple[Reference, pd.Series]:
    """400 at-risk customers all planned the cart offer; the first 100 held back. Of every 100, the control group loses
    `control_declines`, the offered group `offered_declines`."""
    customers = pd.Index(np.arange(400))
    control = customers < 100
    assigned = plan_people(customers, in_plan=True, control=control, rules="cart",
                           offers=np.where(control, "", "Напоминание о корзине и скидка на неё (email)"))
    declined = pd.Series(np.where(control, customers % 100 < control_declines, customers % 100 < offered_declines).astype(int),
                         index=customers)
    return Reference((quarter("2026-Q2", clean(pd.Series(0, index=customers)), assigned),)), declined


def test_the_effect_per_contacted_customer_is_the_difference_over_the_share_contacted() -> None:
    """A fifth of the offered customers were never sent anything: the 20 п. п. by assignment is 25 п. п. per contact."""
    reference, declined = planned_quarter()
    reached = [i for i in range(100, 400) if i % 5 != 0]  # 240 of the 300 offered
    result = backtest(reference, clean(declined), BacktestConfig(), 200, 0, contacts=sent_to(reached))
    c = result.compliance
    assert (c.assigned, c.contacted, c.control, c.control_contacted, c.other_offer) == (300, 240, 100, 0, 0)
    assert c.contacted_share == pytest.approx(0.8) and c.control_contacted_share == 0
    assert result.uplift == pytest.approx(0.2)
    assert c.per_contacted == pytest.approx(0.25)
    low, high = result.uplift_ci95
    assert c.per_contacted_ci95 == pytest.approx((low / 0.8, high / 0.8))


def test_contacts_to_the_control_group_are_a_breach_and_come_off_the_share() -> None:
    reference, declined = planned_quarter()
    reached = [*range(100, 400)][:240] + list(range(10))  # 240 offered (80 %) and 10 of the control group (10 %)
    c = backtest(reference, clean(declined), BacktestConfig(), 200, 0, contacts=sent_to(reached)).compliance
    assert (c.contacted, c.control_contacted) == (240, 10) and c.control_contacted_share == pytest.approx(0.1)
    assert c.per_contacted == pytest.approx(0.2 / 0.7)


def test_another_offer_than_the_one_assigned_is_counted() -> None:
    reference, declined = planned_quarter()
    other = sent_to(range(100, 130), offer="promo")
    same = sent_to(range(120, 400))  # 120–129 got both: they did get theirs
    both = Contacts(pd.concat([other.sent, same.sent], ignore_index=True), "contacts.csv", 0, 0, "", "", 0, (), ())
    c = backtest(reference, clean(declined), BacktestConfig(), 200, 0, contacts=both).compliance
    assert (c.contacted, c.other_offer) == (300, 20)


def test_nobody_contacted_leaves_no_effect_per_contact() -> None:
    reference, declined = planned_quarter()
    c = backtest(reference, clean(declined), BacktestConfig(), 200, 0, contacts=sent_to([5])).compliance
    assert (c.contacted, c.per_contacted, c.per_contacted_ci95) == (0, None, None)
    assert per_contacted(0.2, (0.1, 0.3), 0.05, 0.05) is None
    effect, ci = per_contacted(0.2, (0.1, 0.3), 0.5)
    assert effect == pytest.approx(0.4) and ci == pytest.approx((0.2, 0.6))


def test_without_the_table_the_back_test_has_no_compliance() -> None:
    reference, declined = planned_quarter()
    result = backtest(reference, clean(declined), BacktestConfig(), 200, 0)
    assert result.compliance is None
    assert "в данных этого квартала её нет" in say.assigned_or_sent(result)


# --- the report's words and summary.json ------------------------------------------------------------------------------


def compliance(**update: object) -> Compliance:
    values: dict[str, object] = dict(assigned=300, contacted=240, other_offer=6, control=40, control_contacted=2,
                                     per_contacted=0.0658, per_contacted_ci95=(-0.1316, 0.2632))
    values.update(update)
    return Compliance(**values)  # type: ignore[arg-type]


def test_the_report_tells_assigned_from_sent() -> None:
    c = compliance()
    assert say.compliance_sent(c) == (
        f"По таблице контактов из 300{NB}покупателей зоны риска, которым были назначены предложения, отправлены они "
        f"240{NB}покупателям (80{NB}%), остальным 60 — нет. Из получивших 6{NB}покупателям отправлено не то предложение, "
        f"которое было назначено. В контрольной группе (40{NB}покупателей) предложения всё же отправлены 2{NB}покупателям "
        f"(5{NB}%) — это нарушение эксперимента: контрольная группа должна оставаться без предложений, иначе разница между "
        "группами занижает эффект предложений."
    )
    assert say.compliance_sent(compliance(control_contacted=0, other_offer=0, contacted=300)).endswith(
        f"отправлены они 300{NB}покупателям (100{NB}%). В контрольной группе (40{NB}покупателей) предложений не отправлено никому, "
        "как и должно быть.")
    bt = make.backtest(compliance=c)
    effect = say.per_contacted_effect(bt)
    assert "Разница выше — эффект назначения" in effect
    assert f"приходится +6,6 п.{NB}п. (95{NB}% ДИ от −13,2 до +26,3{NB}п.{NB}п.)" in effect
    assert f"делённая на разницу долей получивших: 80{NB}% в группе с предложениями и 5{NB}% в контрольной" in effect
    assert effect.endswith("Это оценка в предположении, что на тех, кому предложение не отправили, оно не действует.")
    alone = say.per_contacted_effect(make.backtest(compliance=compliance(control_contacted=0)))
    assert f"делённая на долю получивших (80{NB}%)" in alone
    assert "не оценить" in say.per_contacted_effect(make.backtest(compliance=compliance(per_contacted=None, per_contacted_ci95=None)))
    assert "показывает таблица контактов этого квартала — её итог ниже" in say.assigned_or_sent(bt)


def test_the_data_section_says_what_the_table_holds() -> None:
    from report_builder.report.narrative import data
    from report_builder.results.data import ContactCount

    found = Contacts(pd.DataFrame(), "contacts.csv", 410, 250, "2026-07-03", "2026-09-27", 3,
                     (ContactCount("сайт", 200, 150), ContactCount("email", 210, 180)), ())
    text = data.contacts_read(found, make.backtest())
    assert text.startswith(f"Таблица контактов contacts.csv — что на самом деле отправлено покупателям за квартал: 410{NB}контактов "
                           f"250{NB}покупателям с 3 июля по 27 сентября 2026{NB}г. (по каналам: сайт — 200{NB}контактов, "
                           f"email — 210{NB}контактов). Её итог — в разделе «Проверка прошлого прогноза».")
    assert f"3{NB}контакта датированы не этим кварталом" in text
    assert "Сопоставить её не с чем" in data.contacts_read(found, None)


def test_summary_json_carries_the_contacts_and_the_compliance() -> None:
    from test_structure import _report_results

    from report_builder.report.summary_json import summary

    found = Contacts(pd.DataFrame(), "contacts.csv", 410, 250, "2026-07-03", "2026-09-27", 0, (), ())
    out = json.loads(json.dumps(summary(_report_results(backtest=make.backtest(compliance=compliance()), contacts=found))))
    assert out["contacts"] == {"file": "contacts.csv", "rows": 410, "customers": 250, "first_day": "2026-07-03",
                               "last_day": "2026-09-27", "outside_quarter": 0, "by_channel": [], "by_offer": []}
    assert out["backtest"]["compliance"] == {
        "assigned": 300, "contacted": 240, "other_offer": 6, "control": 40, "control_contacted": 2, "per_contacted": 0.0658,
        "per_contacted_ci95": [-0.1316, 0.2632], "contacted_share": 0.8, "control_contacted_share": 0.05}
    empty = summary(_report_results(backtest=make.backtest()))
    assert empty["contacts"] is None and empty["backtest"]["compliance"] is None


# --- the demo -----------------------------------------------------------------------------------------------------------


def test_the_demo_sends_most_of_a_plan_and_a_little_to_the_control_group(tiny_tables) -> None:
    from report_builder.build import _offers
    from report_builder.demo_data import write_contacts as demo_contacts

    folder = tiny_tables(customers=1000)
    customers = pd.Index([int(i) for i in ids(folder)[:900]] + [1, 2, 3])  # three who have left since
    control = np.arange(len(customers)) % 5 == 0
    assigned = plan_people(customers, in_plan=True, control=control, rules="cart",
                           offers=np.where(control, "", "Напоминание о корзине и скидка на неё (сайт, email)"))
    demo_contacts(folder, assigned, _offers(Config()), "2026-Q3", 7)
    found = checked(folder)  # the demo's own file passes every check
    reached = found.sent[ID].unique()
    offered = customers[~control & (customers > 3)]
    share = np.isin(offered, reached).mean()
    breaches = np.isin(customers[control], reached).sum()
    assert 0.75 < share < 0.85 and 2 <= breaches <= 20
    assert found.outside_quarter == 0 and not np.isin([1, 2, 3], reached).any()
    assert {c.name for c in found.by_channel} == {"сайт", "email"}
    assert {c.name for c in found.by_offer} > {"cart"}  # a few got another offer
