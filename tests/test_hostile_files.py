"""Hostile or absurd input files are refused quickly, by their size, before memory runs out."""

from __future__ import annotations

import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from report_builder.config import LimitsConfig, SourceConfig, load_config
from report_builder.errors import InputError
from report_builder.stages.load import load_tables

MIB = 1024 * 1024
FAST = 1.0  # seconds: every refusal below must take well under this


LIMITS = LimitsConfig()


def refuse(folder: Path, limits: LimitsConfig = LIMITS) -> tuple[InputError, float]:
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        load_tables(folder, SourceConfig(), limits)
    return caught.value, time.perf_counter() - start


def causes(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


@pytest.fixture
def openpyxl_never_opens(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Records any attempt to open a workbook, and stops it: a bomb must be refused before."""
    calls: list[object] = []

    def guard(*args: object, **kwargs: object) -> None:
        calls.append(args)
        raise AssertionError("openpyxl opened a workbook that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", guard)
    return calls


def xlsx_folder(tiny_tables: Callable[..., Path], table: str = "market_file") -> Path:
    """A valid data set with `table` as a genuine workbook instead of a CSV."""
    folder = tiny_tables()
    csv = folder / f"{table}.csv"
    pd.read_csv(csv, sep=None, engine="python").to_excel(folder / f"{table}.xlsx", index=False)
    csv.unlink()
    return folder


def bomb(path: Path, sheet_bytes: int, extra_parts: int = 0) -> None:
    """Rewrite a genuine workbook with a sheet of `sheet_bytes` zeros, streamed through deflate."""
    genuine = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    chunk = bytes(MIB)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in genuine.items():
            if name != "xl/worksheets/sheet1.xml":
                archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(sheet_bytes // MIB):
                sheet.write(chunk)
        for i in range(extra_parts):
            archive.writestr(f"xl/media/{i}.bin", b"")


def test_openpyxl_reads_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_entity_expansion_in_a_sheet_is_refused(tiny_tables) -> None:
    folder = xlsx_folder(tiny_tables)
    path = folder / "market_file.xlsx"
    parts = {i.filename: zipfile.ZipFile(path).read(i) for i in zipfile.ZipFile(path).infolist()}
    laughs = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    parts["xl/worksheets/sheet1.xml"] = (
        f'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY l0 "ха">{laughs}]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>'
    ).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)

    error, seconds = refuse(folder)

    assert seconds < FAST
    assert error.file == "market_file.xlsx"
    assert "Файл «market_file.xlsx»: файл Excel не читается" in error.message
    assert any(type(e).__module__.startswith("defusedxml") for e in causes(error))  # defusedxml refused it


def test_zip_bomb_over_the_unpacked_size_limit(tiny_tables, openpyxl_never_opens) -> None:
    folder = xlsx_folder(tiny_tables)
    path = folder / "market_file.xlsx"
    bomb(path, 600 * MIB)
    assert path.stat().st_size < 5 * MIB

    error, seconds = refuse(folder)

    assert seconds < FAST
    assert openpyxl_never_opens == []
    assert error.file == "market_file.xlsx"
    assert error.message.startswith("Файл «market_file.xlsx»: после распаковки книга Excel заняла бы 600 МБ")
    assert "больше допустимых 512 МБ" in error.message
    assert "CSV" in error.message  # the hint says what to do


def test_zip_bomb_with_an_absurd_compression_ratio(tiny_tables, openpyxl_never_opens) -> None:
    folder = xlsx_folder(tiny_tables)
    path = folder / "market_file.xlsx"
    bomb(path, 100 * MIB)  # within the unpacked limit, but zeros compress over 200 times

    error, seconds = refuse(folder)

    assert seconds < FAST
    assert openpyxl_never_opens == []
    assert error.file == "market_file.xlsx"
    assert "часть «xl/worksheets/sheet1.xml» книги Excel сжата в" in error.message
    assert f"допустимо не больше {LIMITS.max_xlsx_ratio:g}" in error.message
    assert "limits.max_xlsx_ratio" in error.message


def test_workbook_with_too_many_parts(tiny_tables, openpyxl_never_opens) -> None:
    folder = xlsx_folder(tiny_tables)
    path = folder / "market_file.xlsx"
    bomb(path, 0, extra_parts=LIMITS.max_xlsx_parts)

    error, seconds = refuse(folder)

    assert seconds < FAST
    assert openpyxl_never_opens == []
    assert "«market_file.xlsx»: частей в архиве книги Excel: 10 0" in error.message
    assert "допустимо не больше 10 000" in error.message


def test_genuine_workbook_passes_the_checks(tiny_tables) -> None:
    folder = xlsx_folder(tiny_tables)
    assert len(load_tables(folder).market_file) == 200


@pytest.mark.parametrize("payload", [b"just text, not a workbook\n", b"PK\x05\x06" + bytes(18)], ids=["text", "empty_zip"])
def test_not_a_zip_keeps_the_unreadable_excel_message(tiny_tables, payload: bytes) -> None:
    folder = xlsx_folder(tiny_tables)
    (folder / "market_file.xlsx").write_bytes(payload)
    error, _ = refuse(folder)
    assert error.file == "market_file.xlsx"
    assert "файл Excel не читается" in error.message


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_file_over_the_size_limit_is_refused_unread(tiny_tables, suffix: str) -> None:
    folder = xlsx_folder(tiny_tables) if suffix == ".xlsx" else tiny_tables()
    path = folder / f"market_file{suffix}"
    with path.open("r+b") as handle:
        handle.truncate(300 * MIB)  # sparse: no disk is used for the zeros

    error, seconds = refuse(folder)

    assert seconds < FAST
    assert error.file == path.name
    assert error.message.startswith(f"Файл «{path.name}»: размер 300 МБ больше допустимых 256 МБ")
    assert "предел задаёт настройка limits.max_file_mb" in error.message.lower()  # the hint names the setting
    assert ".py" not in error.message  # never the program's source


def test_csv_with_thousands_of_columns_is_refused_by_its_header(tiny_tables) -> None:
    folder = tiny_tables()
    path = folder / "market_file.csv"
    header = ",".join(f"c{i}" for i in range(5000))
    path.write_text(header + "\n" + ",".join("1" * 5000) + "\n", encoding="utf-8")
    with path.open("r+b") as handle:
        handle.truncate(200 * MIB)  # a big body below the size limit: only the header may be read

    error, seconds = refuse(folder)

    assert seconds < FAST
    assert error.file == "market_file.csv"
    assert "Файл «market_file.csv»: столбцов в таблице: 5 000, допустимо не больше 200" in error.message


def test_csv_whose_first_line_never_ends(tiny_tables) -> None:
    folder = tiny_tables()
    (folder / "market_file.csv").write_bytes(b"x" * (2 * MIB))
    error, seconds = refuse(folder)
    assert seconds < FAST
    assert "Файл «market_file.csv»: первая строка (заголовок) длиннее 1 МБ" in error.message


def test_wide_workbook_is_refused_after_reading(tiny_tables) -> None:
    folder = xlsx_folder(tiny_tables)
    pd.DataFrame([[1] * 300] * 3, columns=[f"c{i}" for i in range(300)]).to_excel(
        folder / "market_file.xlsx", index=False
    )
    error, _ = refuse(folder)
    assert "Файл «market_file.xlsx»: столбцов в таблице: 300, допустимо не больше 200" in error.message


def test_limits_are_far_above_a_real_quarter() -> None:
    assert LIMITS.max_file_mb == 256
    assert LIMITS.max_xlsx_unpacked_mb >= LIMITS.max_file_mb
    assert 13 < LIMITS.max_columns <= 1000
    assert LIMITS.max_xlsx_ratio >= 50  # genuine sheets compress about 10 times


def test_limits_come_from_the_settings(tiny_tables, tmp_path: Path) -> None:
    """A stricter [limits] section refuses the same genuine files, naming the setting to change."""
    settings = tmp_path / "settings.toml"
    settings.write_text("[limits]\nmax_file_mb = 0.001\nmax_columns = 20\n", encoding="utf-8")
    limits = load_config(settings).limits
    assert (limits.max_file_mb, limits.max_columns) == (0.001, 20)
    folder = tiny_tables()
    assert (folder / "market_file.csv").stat().st_size > 1100
    error, _ = refuse(folder, limits)
    assert "больше допустимых 0,001 МБ" in error.message
    assert "limits.max_file_mb" in error.message
    wide = LimitsConfig(max_columns=20)
    (folder / "market_file.csv").write_text(",".join(f"c{i}" for i in range(30)) + "\n" + ",".join("1" * 30) + "\n")
    error, _ = refuse(folder, wide)
    assert "столбцов в таблице: 30, допустимо не больше 20" in error.message and "limits.max_columns" in error.message
    assert len(load_tables(tiny_tables("b"), SourceConfig(), LIMITS).market_file) == 200  # the defaults let it through


def test_the_build_passes_the_limits_to_the_load_stage() -> None:
    from report_builder.pipeline import STAGES

    (load,) = (s for s in STAGES if s.name == "tables")
    assert load.settings["limits"] == "limits"
