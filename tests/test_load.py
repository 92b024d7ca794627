"""Reading the four tables whatever their separator, decimal mark, encoding and file type."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import TABLE_FORMATS, read_table
from report_builder.errors import InputError
from report_builder.labels import TABLE_FILES
from report_builder.stages.load import load_tables
from report_builder.stages.validate import validate_tables
from report_builder.results.data import Tables

# One numeric column per table whose sum must survive any re-encoding.
CHECKED = {
    "market_file": ("Длительность", "Акционные_покупки", "Маркет_актив_6_мес"),
    "market_money": ("Выручка",),
    "market_time": ("минут",),
    "money": ("Прибыль",),
}


def read_numbers(folder: Path, table: str) -> pd.DataFrame:
    sep, decimal = TABLE_FORMATS[table]
    return pd.read_csv(folder / f"{table}.csv", sep=sep, decimal=decimal)


def rewrite(source: Path, target: Path, write: Callable[[pd.DataFrame, Path], None], suffix: str = ".csv") -> None:
    target.mkdir()
    for table in TABLE_FILES:
        write(read_numbers(source, table), target / f"{table}{suffix}")


def assert_same_numbers(expected: Tables, actual: Tables) -> None:
    for table, columns in CHECKED.items():
        want, got = getattr(expected, table), getattr(actual, table)
        assert len(got) == len(want), table
        for column in columns:
            assert pd.api.types.is_numeric_dtype(got[column]), (table, column, got[column].dtype)
            assert np.isclose(got[column].sum(), want[column].sum()), (table, column)
        assert sorted(got["id"].tolist()) == sorted(want["id"].tolist()), table


VARIANTS: dict[str, tuple[Callable[[pd.DataFrame, Path], None], str, str, str]] = {
    # name: (writer, expected encoding, separator, decimal mark of market_money)
    "semicolon_decimal_comma": (lambda f, p: f.to_csv(p, sep=";", decimal=",", index=False), "utf-8", ";", ","),
    "tab": (lambda f, p: f.to_csv(p, sep="\t", index=False), "utf-8", "\t", "."),
    "utf8_bom": (lambda f, p: f.to_csv(p, index=False, encoding="utf-8-sig"), "utf-8-sig", ",", "."),
    "cp1251": (lambda f, p: f.to_csv(p, index=False, encoding="cp1251"), "cp1251", ",", "."),
    "cp1251_semicolon": (
        lambda f, p: f.to_csv(p, sep=";", decimal=",", index=False, encoding="cp1251", lineterminator="\r\n"),
        "cp1251",
        ";",
        ",",
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_csv_variants_load_to_the_same_numbers(variant: str, tiny_tables, tmp_path: Path) -> None:
    write, encoding, separator, decimal = VARIANTS[variant]
    source = tiny_tables()
    target = tmp_path / variant
    rewrite(source, target, write)

    loaded = load_tables(target)

    assert_same_numbers(load_tables(source), loaded)
    sources = {s.file: s for s in loaded.sources}
    for table in TABLE_FILES:
        assert sources[f"{table}.csv"].encoding == encoding, table
        assert sources[f"{table}.csv"].separator == separator, table
    assert sources["market_money.csv"].decimal == decimal
    # Text survives the encoding: the Russian column names and values are readable.
    assert "Период" in loaded.market_time.columns
    assert set(loaded.market_money["Период"]) == {"препредыдущий_месяц", "предыдущий_месяц", "текущий_месяц"}
    assert "Прежний уровень" in set(loaded.market_file["Покупательская активность"])


def test_decimal_comma_file_really_has_commas(tiny_tables, tmp_path: Path) -> None:
    write = VARIANTS["semicolon_decimal_comma"][0]
    rewrite(tiny_tables(), tmp_path / "x", write)
    text = (tmp_path / "x" / "market_money.csv").read_text(encoding="utf-8")
    assert ";" in text.splitlines()[1] and "," in text and "." not in text


def test_xlsx_loads_to_the_same_numbers(tiny_tables, tmp_path: Path) -> None:
    source = tiny_tables()
    target = tmp_path / "xlsx"
    rewrite(source, target, lambda f, p: f.to_excel(p, index=False, engine="openpyxl"), suffix=".xlsx")

    loaded = load_tables(target)

    assert_same_numbers(load_tables(source), loaded)
    assert [s.file for s in loaded.sources] == [f"{t}.xlsx" for t in TABLE_FILES]
    assert {s.encoding for s in loaded.sources} == {"xlsx"}
    # Rows are still named by their line (Excel row) in the file.
    assert loaded.market_file.index[0] == 2


def test_shuffled_columns_and_extra_column(tiny_tables, tmp_path: Path) -> None:
    source = tiny_tables()
    target = tmp_path / "shuffled"

    def write(frame: pd.DataFrame, path: Path) -> None:
        extra = frame.assign(Комментарий="проверено")
        extra[list(reversed(extra.columns))].to_csv(path, index=False)

    rewrite(source, target, write)
    loaded = load_tables(target)

    assert list(loaded.market_file.columns)[:2] == ["Комментарий", "Страниц_за_визит"]
    assert_same_numbers(load_tables(source), loaded)
    valid = validate_tables(loaded)
    assert list(valid.market_file.columns)[0] == "id"
    assert "Комментарий" not in valid.market_file.columns
    assert_same_numbers(validate_tables(load_tables(source)), valid)
    noted = [f for f in valid.fixes if "Комментарий" in f.what]
    assert len(noted) == 4 and {f.action for f in noted} == {"отмечено"}


def test_file_names_are_case_insensitive(tiny_tables) -> None:
    folder = tiny_tables()
    (folder / "money.csv").rename(folder / "Money.CSV")
    loaded = load_tables(folder)
    assert len(loaded.money) == 200
    assert loaded.source_name("money") == "Money.CSV"
    valid = validate_tables(loaded)
    assert len(valid.money) == 200


def test_sources_record_sha256_and_rows(tiny_tables) -> None:
    folder = tiny_tables()
    loaded = load_tables(folder)
    expected_rows = {"market_file": 200, "market_money": 600, "market_time": 400, "money": 200}
    assert [s.file for s in loaded.sources] == [f"{t}.csv" for t in TABLE_FILES]
    for source in loaded.sources:
        raw = (folder / source.file).read_bytes()
        assert source.sha256 == hashlib.sha256(raw).hexdigest()
        assert source.rows == expected_rows[source.file.removesuffix(".csv")]
        assert source.rows == raw.count(b"\n") - 1
    assert {s.file: (s.separator, s.decimal) for s in loaded.sources}["money.csv"] == (";", ",")


def test_rows_are_named_by_their_line_in_the_file(tiny_tables) -> None:
    folder = tiny_tables()
    loaded = load_tables(folder)
    text = read_table(folder, "market_file")
    assert loaded.market_file.index[0] == 2
    assert loaded.market_file.loc[2 + 57, "id"] == int(text.loc[57, "id"])


def test_text_round_trip_of_the_test_helpers_is_exact(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    before = {t: (folder / f"{t}.csv").read_bytes() for t in TABLE_FILES}
    for table in TABLE_FILES:
        edit_table(folder, table, lambda frame: None)
    assert {t: (folder / f"{t}.csv").read_bytes() for t in TABLE_FILES} == before


def test_missing_file_names_the_file(tiny_tables) -> None:
    folder = tiny_tables()
    (folder / "market_time.csv").unlink()
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert "market_time" in caught.value.file
    assert "market_time" in caught.value.message
    assert "не найдена" in caught.value.message


def test_missing_folder() -> None:
    with pytest.raises(InputError, match="Папка с данными не найдена"):
        load_tables(Path("/nonexistent/folder/for/report"))


@pytest.mark.parametrize("content", [b"", b"   \r\n\r\n"], ids=["zero_bytes", "blank_lines"])
def test_empty_file(tiny_tables, content: bytes) -> None:
    folder = tiny_tables()
    (folder / "money.csv").write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "money.csv"
    assert "«money.csv»" in caught.value.message
    assert "пуст" in caught.value.message


def test_header_only_file(tiny_tables) -> None:
    folder = tiny_tables()
    (folder / "market_money.csv").write_bytes("id,Период,Выручка\r\n".encode())
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "market_money.csv"
    assert "нет ни одной строки данных" in caught.value.message


def test_corrupt_xlsx(tiny_tables) -> None:
    folder = tiny_tables()
    (folder / "money.csv").unlink()
    (folder / "money.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "money.xlsx"
    assert "Excel" in caught.value.message


@pytest.mark.parametrize(
    "second",
    ["Покупательская активность", " Покупательская активность", "Покупательская  активность"],
    ids=["same", "leading_space", "double_space"],
)
def test_repeated_column_name_is_refused(tiny_tables, edit_table, second: str) -> None:
    # Found by fuzzing: a repeated name (after spaces are tidied) reached validation as two
    # columns under one name and failed with ValueError / AttributeError instead of a message.
    folder = tiny_tables()

    def repeat(frame: pd.DataFrame) -> pd.DataFrame:
        frame.insert(len(frame.columns), "copy", frame["Покупательская активность"])
        return frame.set_axis([*frame.columns[:-1], second], axis=1)

    edit_table(folder, "market_file", repeat)
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    error = caught.value
    assert (error.file, error.column) == ("market_file.csv", "Покупательская активность")
    assert "встречается в заголовке несколько раз" in error.message
    assert "«Покупательская активность»" in error.message


def test_column_name_with_a_dot_and_number_is_not_a_repeat(tiny_tables, edit_table) -> None:
    folder = tiny_tables()
    edit_table(folder, "market_file", lambda f: f.assign(**{"Версия 2.1": "x"}))
    assert "Версия 2.1" in load_tables(folder).market_file.columns


def test_row_with_an_extra_value_is_named_in_russian(tiny_tables) -> None:
    folder = tiny_tables()
    path = folder / "market_money.csv"
    lines = path.read_bytes().decode().split("\r\n")
    lines[5] += ",лишнее"  # line 6
    path.write_bytes("\r\n".join(lines).encode())
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    error = caught.value
    assert (error.file, error.rows) == ("market_money.csv", [6])
    assert "в строке 6 значений 4, а в заголовке 3" in error.message
    assert "Expected" not in error.message and "C error" not in error.message


def test_unclosed_quote_is_named_in_russian(tiny_tables) -> None:
    folder = tiny_tables()
    path = folder / "market_money.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n100002,", b'\r\n"100002,', 1))
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "market_money.csv"
    assert "кавычка" in caught.value.message and "EOF" not in caught.value.message


def test_unreadable_file_is_named(tiny_tables, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tiny_tables()
    real = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "market_time.csv":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "market_time.csv"
    assert caught.value.message == "Файл «market_time.csv»: нет прав на чтение"


def test_workbook_whose_header_is_not_in_the_first_row(tiny_tables, tmp_path: Path) -> None:
    # A header lower on the sheet was read as columns «Unnamed: 0», «Unnamed: 1», … and reported
    # as missing columns with those names.
    folder = tiny_tables()
    frame = read_numbers(folder, "money")
    (folder / "money.csv").unlink()
    with pd.ExcelWriter(folder / "money.xlsx", engine="openpyxl") as writer:
        frame.to_excel(writer, index=False, startrow=2)
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "money.xlsx"
    assert caught.value.message.startswith("Файл «money.xlsx»: в строке 1 нет названий столбцов")
    assert "Unnamed" not in caught.value.message


def test_windows_1251_tab_separated_file_the_detector_called_chaotic(tmp_path: Path) -> None:
    # Found by fuzzing: this valid Windows-1251 file (tabs, Cyrillic words next to digits) scored
    # above charset_normalizer's chaos threshold, no encoding matched and the table was refused.
    from report_builder.demo_data import write_demo

    folder = tmp_path / "d"
    write_demo(folder, customers=100, seed=11)
    frame = read_numbers(folder, "market_file")
    frame = frame[frame["id"] < 100_061]
    columns = list(frame.columns)
    columns[3], columns[4] = columns[4], columns[3]
    content = frame[columns].to_csv(sep="\t", index=False, lineterminator="\n").encode("cp1251")
    (folder / "market_file.csv").write_bytes(content)

    loaded = load_tables(folder)

    source = next(s for s in loaded.sources if s.file == "market_file.csv")
    assert (source.encoding, source.separator) == ("cp1251", "\t")
    assert "Покупательская активность" in loaded.market_file.columns
    assert len(loaded.market_file) == 60


@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n\r\n", b"\xff\xfe"], ids=["bom", "bom_blank", "utf16_bom"])
def test_byte_order_mark_alone_is_an_empty_file(tiny_tables, content: bytes) -> None:
    # Found by fuzzing: a file holding only a UTF-8 byte order mark decoded to no text at all and
    # the separator guess failed with an IndexError.
    folder = tiny_tables()
    (folder / "money.csv").write_bytes(content)
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "money.csv"
    assert "пуст" in caught.value.message


def test_binary_file_named_csv_is_an_encoding_error(tiny_tables) -> None:
    # The detector's chaos threshold is lifted when nothing matched (see the Windows-1251 test
    # above); binary data must still be told apart from text: an old-style .xls under a .csv name.
    folder = tiny_tables()
    rng = np.random.default_rng(3)
    (folder / "money.csv").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.bytes(4000))
    with pytest.raises(InputError) as caught:
        load_tables(folder)
    assert caught.value.file == "money.csv"
    assert "не удалось определить кодировку" in caught.value.message
