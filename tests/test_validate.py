"""Schema checks: bad input stops with a Russian message pointing at file, column and lines."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from report_builder.errors import InputError
from report_builder.results.data import Tables
from report_builder.stages.load import load_tables
from report_builder.stages.validate import validate_tables

CYRILLIC = re.compile("[а-яё]{4,}", re.IGNORECASE)


def line(row: int) -> int:
    """Line in the file of the frame row `row` (header = line 1)."""
    return row + 2


def validate(folder: Path) -> Tables:
    return validate_tables(load_tables(folder))


def stop(folder: Path) -> InputError:
    with pytest.raises(InputError) as caught:
        validate(folder)
    error = caught.value
    assert CYRILLIC.search(error.message), error.message
    assert "Traceback" not in error.message and "Error" not in error.message
    if error.file:
        assert f"«{error.file}»" in error.message
    if error.column:
        assert f"«{error.column}»" in error.message
    return error


def set_cell(column: str, row: int, value: str):
    def change(frame: pd.DataFrame) -> None:
        frame.loc[row, column] = value

    return change


def test_valid_tiny_set_passes(tiny_tables) -> None:
    valid = validate(tiny_tables())
    assert len(valid.market_file) == 200
    assert valid.market_file["id"].dtype == "int64"
    assert valid.market_money["Выручка"].dtype == "float64"
    assert not any(f.action == "удалено" for f in valid.fixes)


def test_missing_column(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.drop(columns=["Длительность"]))
    error = stop(folder)
    assert (error.file, error.column, error.rows) == ("market_file.csv", "Длительность", [])
    assert "нет обязательных столбцов" in error.message
    assert "Страниц_за_визит" in error.message  # the columns found are listed


def test_text_in_numeric_column_reports_its_line(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", set_cell("Длительность", 4, "abc"))
    error = stop(folder)
    assert (error.file, error.column, error.rows) == ("market_file.csv", "Длительность", [6])
    assert "не являются числами" in error.message and "«abc»" in error.message
    # Line 6 of the file is indeed the broken one.
    lines = (folder / "market_file.csv").read_bytes().decode().split("\r\n")
    assert ",abc," in lines[6 - 1]


def test_text_in_decimal_comma_column_reports_only_that_line(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "money", set_cell("Прибыль", 7, "нет данных"))
    error = stop(folder)
    assert (error.file, error.column, error.rows) == ("money.csv", "Прибыль", [line(7)])
    assert "«нет данных»" in error.message
    assert not re.search(r"\d,\d", error.message)  # valid numbers like «2,19» are not blamed


def test_rows_after_an_empty_row_keep_their_line_numbers(tiny_tables) -> None:
    folder = tiny_tables()
    path = folder / "market_file.csv"
    lines = path.read_bytes().decode().split("\r\n")
    lines.insert(3, "," * 12)  # a row of separators only, as spreadsheets export it: line 4
    cells = lines[9].split(",")
    cells[6] = "abc"  # Длительность on line 10
    lines[9] = ",".join(cells)
    path.write_bytes("\r\n".join(lines).encode())
    error = stop(folder)
    assert error.rows == [10]


@pytest.mark.parametrize(
    ("table", "column", "row", "value", "words"),
    [
        ("market_file", "Длительность", 10, "-5", "отрицательные значения"),
        ("market_money", "Выручка", 31, "-1", "отрицательные значения"),
        ("market_time", "минут", 0, "-3", "отрицательные значения"),
        ("money", "Прибыль", 199, "-0,5", "отрицательные значения"),
        ("market_file", "Акционные_покупки", 17, "1.5", "вне диапазона от 0 до 1"),
    ],
)
def test_out_of_range_value(tiny_tables, edit_table, table, column, row, value, words) -> None:
    folder = tiny_tables()
    edit_table(folder, table, set_cell(column, row, value))
    error = stop(folder)
    assert (error.file, error.column, error.rows) == (f"{table}.csv", column, [line(row)])
    assert words in error.message


def test_share_above_one_in_several_rows(tiny_tables, edit_table) -> None:
    folder = tiny_tables()

    def change(frame: pd.DataFrame) -> None:
        frame.loc[[3, 50, 120], "Акционные_покупки"] = ["1.01", "2", "95"]

    edit_table(folder, "market_file", change)
    error = stop(folder)
    assert error.column == "Акционные_покупки"
    assert sorted(error.rows) == [5, 52, 122]


def test_one_id_with_two_conflicting_rows(tiny_tables, edit_table) -> None:
    folder = tiny_tables()

    def change(frame: pd.DataFrame) -> pd.DataFrame:
        twin = frame.iloc[[3]].copy()
        twin["Длительность"] = "999"
        return pd.concat([frame, twin], ignore_index=True)

    edit_table(folder, "market_file", change)
    error = stop(folder)
    assert (error.file, error.column) == ("market_file.csv", "id")
    assert error.rows == [line(3), line(200)]
    assert "100004" in error.message and "несколько строк" in error.message


def test_market_file_id_missing_from_money(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "money", lambda f: f.drop(index=[5]))
    error = stop(folder)
    assert (error.file, error.column) == ("money.csv", "id")
    assert "100006" in error.message and "нет данных" in error.message


def test_unknown_ids_in_other_tables_are_dropped_and_recorded(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_money", lambda f: pd.concat([f, f.iloc[:3].assign(id="999999")], ignore_index=True))
    valid = validate(folder)
    assert 999999 not in set(valid.market_money["id"])
    assert len(valid.market_money) == 600
    fix = next(f for f in valid.fixes if f.file == "market_money.csv" and f.action == "удалено")
    assert fix.rows == 3


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("market_file", "Длительность", ""),
        ("market_file", "Тип сервиса", ""),
        ("market_file", "Популярная_категория", "   "),
        ("market_time", "минут", ""),
    ],
    ids=["number", "text", "blank_text", "minutes"],
)
def test_empty_cell(tiny_tables, edit_table, table, column, value) -> None:
    folder = tiny_tables()
    edit_table(folder, table, set_cell(column, 12, value))
    error = stop(folder)
    assert (error.file, error.column, error.rows) == (f"{table}.csv", column, [line(12)])
    assert "пустые значения" in error.message
    assert "nan" not in error.message


def test_repeated_id_and_period(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_money", lambda f: pd.concat([f, f.iloc[[3]].assign(Выручка="1")], ignore_index=True))
    error = stop(folder)
    assert error.file == "market_money.csv"
    assert sorted(error.rows) == [line(3), line(600)]
    pair = pd.read_csv(folder / "market_money.csv").iloc[3]
    assert f"«{pair['id']} — {pair['Период']}»" in error.message and "«id» и «Период»" in error.message
    assert error.hint is None  # its period is one of the table's: nothing more to say


def test_empty_ids_are_reported_as_empty_not_as_repeated_pairs(tiny_tables, edit_table) -> None:
    """Rows whose id is empty also repeat (id, period) pairs; the empty cells are the mistake to name."""
    folder = tiny_tables()
    edit_table(folder, "market_money", set_cell("id", slice(0, 5), ""))
    error = stop(folder)
    assert error.file == "market_money.csv" and error.column == "id" and "пары" not in error.message
    assert error.rows == [line(row) for row in range(6)]


def test_pairs_repeated_because_of_an_unknown_period_say_so(tiny_tables, edit_table) -> None:
    """Every month of the first customers renamed to one unknown period: the pairs repeat, and the message says that
    the period is the likelier mistake, with the table's own periods."""
    folder = tiny_tables()
    edit_table(folder, "market_time", set_cell("Период", slice(0, 3), "позапрошлый"))  # rows 0–3: both months of two
    error = stop(folder)
    assert error.file == "market_time.csv" and error.rows == [line(0), line(1), line(2), line(3)]  # two customers
    assert "Периода «позапрошлый» в этой таблице нет" in error.message
    assert "«предыдущий_месяц», «текущий_месяц»" in error.message and "препредыдущий" not in error.message


def test_misspelt_column_name_is_repaired_and_recorded(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.rename(columns={"Страниц_за_визит": "Страниц_за_визт"}))
    valid = validate(folder)
    assert "Страниц_за_визит" in valid.market_file.columns
    assert "Страниц_за_визт" not in valid.market_file.columns
    fixes = [f for f in valid.fixes if "Страниц_за_визт" in f.what]
    assert len(fixes) == 1
    assert fixes[0].column == "Страниц_за_визит"
    assert fixes[0].action == "исправлено"
    assert fixes[0].file == "market_file.csv"


def test_column_names_differing_in_case_and_spaces_are_accepted(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_money", lambda f: f.rename(columns={"Выручка": " ВЫРУЧКА ", "Период": "период"}))
    valid = validate(folder)
    assert list(valid.market_money.columns) == ["id", "Период", "Выручка"]


def test_exact_duplicate_rows_are_dropped_and_recorded(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: pd.concat([f, f.iloc[[3, 7, 7]]], ignore_index=True))
    valid = validate(folder)
    assert len(valid.market_file) == 200
    assert valid.market_file["id"].is_unique
    fix = next(f for f in valid.fixes if "повторяющиеся строки" in f.what)
    assert (fix.rows, fix.action, fix.file) == (3, "удалено", "market_file.csv")


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("market_file", "Маркет_актив_6_мес"),  # its neighbour «Маркет_актив_тек_мес» is spelt alike
        ("market_file", "Маркет_актив_тек_мес"),
    ],
)
def test_missing_column_with_a_similar_neighbour_is_reported_missing(tiny_tables, edit_table, table, column) -> None:
    # Found by fuzzing: the neighbour was first taken as a misspelling of the missing column, then
    # renamed again to its own name, and the check failed with a KeyError.
    folder = tiny_tables()
    edit_table(folder, table, lambda f: f.drop(columns=[column]))
    error = stop(folder)
    assert (error.file, error.column) == (f"{table}.csv", column)
    assert f"нет обязательных столбцов: «{column}»" in error.message


def test_two_columns_differing_only_in_case_are_refused(tiny_tables, edit_table) -> None:
    # Same family as the repeated names fuzzing found: matching once renamed both «ID» and «id» to
    # «id» (a ValueError about duplicate labels); silently using one of them is no better.
    folder = tiny_tables()
    edit_table(folder, "market_money", lambda f: f.assign(ID=f["id"]))
    error = stop(folder)
    assert (error.file, error.column) == ("market_money.csv", "id")
    assert "два столбца с этим именем: «id» и «ID»" in error.message


def test_empty_text_cell_next_to_another_error_gives_only_the_message(tiny_tables, edit_table) -> None:
    # Found by fuzzing: pandera gathers the failures with pd.concat, which raised a FutureWarning
    # about all-NA entries (an error under the test settings, noise on the console otherwise).
    folder = tiny_tables()

    def change(frame: pd.DataFrame) -> None:
        frame.loc[0, "Тип сервиса"] = ""
        frame.loc[3, "Маркет_актив_6_мес"] = "-1"

    edit_table(folder, "market_file", change)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        error = stop(folder)
    assert error.file == "market_file.csv"
    assert error.column in ("Тип сервиса", "Маркет_актив_6_мес")


def test_failing_rows_are_listed_in_file_order(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.assign(Маркет_актив_6_мес="-1"))
    error = stop(folder)
    assert error.column == "Маркет_актив_6_мес"
    assert error.rows == list(range(2, 202))
    assert "(строки: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 и ещё 190)" in error.message


@pytest.mark.parametrize("value", ["inf", "1e400", "Infinity"])
@pytest.mark.parametrize(("table", "column", "row"), [("market_file", "Длительность", 5), ("money", "Прибыль", 9)])
def test_infinite_number_is_refused(tiny_tables, edit_table, table, column, row, value) -> None:
    # «inf» and numbers beyond the float range were read as infinity, passed every check and
    # reached the cleaned data (the fuzz tests now check that accepted data is finite).
    folder = tiny_tables()
    edit_table(folder, table, set_cell(column, row, value))
    error = stop(folder)
    assert (error.file, error.column, error.rows) == (f"{table}.csv", column, [line(row)])
    assert "бесконечные или слишком большие числа: «inf»" in error.message


@pytest.mark.parametrize("blank_at", [0, 3], ids=["above_header", "among_rows"])
def test_blank_lines_keep_the_line_numbers(tiny_tables, blank_at: int) -> None:
    # Truly empty lines were skipped by the CSV parser, so every later row was reported one line
    # too high (a row of separators only was counted right, see the test above).
    folder = tiny_tables()
    path = folder / "market_file.csv"
    lines = path.read_bytes().decode().split("\r\n")
    cells = lines[8].split(",")
    cells[6] = "abc"  # Длительность on line 9, before the blank lines are added
    lines[8] = ",".join(cells)
    lines[blank_at:blank_at] = ["", ""]
    path.write_bytes("\r\n".join(lines).encode())
    error = stop(folder)
    assert error.rows == [11]
    assert ",abc," in path.read_bytes().decode().split("\r\n")[11 - 1]
