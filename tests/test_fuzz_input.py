"""Property-based fuzzing of the input layer: load → validate → clean.

The property: whatever the four files contain, the input layer either succeeds or stops with an
`InputError` whose Russian message names the file, never with another exception. Valid tables
re-written in any supported CSV dialect, column order or file type must even succeed unchanged.

The normal suite runs about 2,000 generated inputs. Set FUZZ_EXAMPLES to run more (for example
FUZZ_EXAMPLES=20000), and FUZZ_RANDOM=1 to draw new inputs on every run instead of the fixed ones.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis.control import currently_in_test_context
from hypothesis import strategies as st

from conftest import TABLE_FORMATS
from report_builder.config import Config
from report_builder.demo_data import write_demo
from report_builder.errors import InputError
from report_builder.labels import (
    CATEGORICAL,
    KNOWN_VALUES,
    NUMERIC,
    PERIODS_MONEY,
    PERIODS_TIME,
    PROFIT,
    TABLE_FILES,
    TARGET,
    TARGET_CLASSES,
)
from report_builder.results.data import CleanData
from report_builder.stages.clean import clean_tables
from report_builder.stages.load import load_tables
from report_builder.stages.validate import validate_tables

DEFAULT_TOTAL = 2000
TOTAL = int(os.environ.get("FUZZ_EXAMPLES", DEFAULT_TOTAL))
CLEANING = Config().cleaning
CYRILLIC = re.compile("[а-яё]{3,}", re.IGNORECASE)
OUTCOMES: Counter[str] = Counter()


def fuzz(examples: int) -> settings:
    """Settings for one fuzz test: `examples` inputs out of DEFAULT_TOTAL, scaled to FUZZ_EXAMPLES.

    The shares follow the cost: an input refused while loading takes a few milliseconds, one that
    reaches cleaning about 60 ms (most of it in the pandera schema checks).
    """
    return settings(
        max_examples=max(1, round(examples * TOTAL / DEFAULT_TOTAL)),
        deadline=None,
        derandomize=not os.environ.get("FUZZ_RANDOM"),
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


# --- The base data set, written once per process -----------------------------------------------


CUSTOMERS = 60  # few rows keep every run cheap; the costs are mostly per column and per check


@functools.cache
def base_dir() -> Path:
    """A demo data set cut to its first CUSTOMERS customers, in the demo files' own formats."""
    folder = Path(tempfile.mkdtemp(prefix="fuzz-base-"))
    write_demo(folder, customers=100, seed=11)  # the generator's smallest set
    for table in TABLE_FILES:
        path = folder / f"{table}.csv"
        frame = pd.read_csv(path, sep=TABLE_FORMATS[table][0], dtype=str, keep_default_na=False)
        frame = frame[frame["id"].astype(int) < 100_001 + CUSTOMERS]
        path.write_bytes(frame.to_csv(sep=TABLE_FORMATS[table][0], index=False, lineterminator="\r\n").encode())
    return folder


@functools.cache
def base_text() -> dict[str, pd.DataFrame]:
    """Every table as text, exactly as in the file."""
    return {
        t: pd.read_csv(base_dir() / f"{t}.csv", sep=TABLE_FORMATS[t][0], dtype=str, keep_default_na=False)
        for t in TABLE_FILES
    }


@functools.cache
def base_numbers() -> dict[str, pd.DataFrame]:
    """Every table with its numbers parsed, ready to be written in another dialect."""
    return {
        t: pd.read_csv(base_dir() / f"{t}.csv", sep=TABLE_FORMATS[t][0], decimal=TABLE_FORMATS[t][1])
        for t in TABLE_FILES
    }


@functools.cache
def base_result() -> CleanData:
    return clean_tables(validate_tables(load_tables(base_dir())), CLEANING)


# --- Running one generated input -------------------------------------------------------------------


# Latin words a Russian message may hold outside «quotes»: table names, formats, the limits' place.
LATIN_ALLOWED = {"id", "csv", "xlsx", "txt", "CSV", "Excel", "UTF", "Windows", "report_builder", "stages", "load", "py"}
LATIN_ALLOWED |= set(TABLE_FILES)


def check_message(error: InputError, files: dict[str, bytes]) -> None:
    message = error.message
    assert message and CYRILLIC.search(message), message
    assert "Traceback" not in message
    # No English from a library: a Latin word outside «» and outside an exception's class name in
    # parentheses must be an allowed one or come from the input itself (a name or a value).
    bare = re.sub(r"\(\w+\)", "", re.sub(r"«[^»]*»", "", message))
    english = set(re.findall(r"[A-Za-z_]{2,}", bare)) - LATIN_ALLOWED
    if english:
        given = " ".join(c.decode(e, "ignore") for c in files.values() for e in ("utf-8", "cp1251", "utf-16"))
        english = {word for word in english if word not in given}
    assert not english, message
    if error.file:
        assert f"«{error.file}»" in message
    if error.column:
        assert f"«{error.column}»" in message


def check_rows(error: InputError, files: dict[str, bytes]) -> None:
    """Rows named in a message are lines of the file: below the header, not past the end."""
    content = files.get(error.file or "")
    if content is None or not error.rows or not (error.file or "").endswith(".csv"):
        return
    lines = len(re.split(rb"\r\n|\r|\n", content.rstrip(b"\r\n")))
    assert all(2 <= row <= lines for row in error.rows), (error.rows, lines, error.message)


def check_accepted(data: CleanData) -> None:
    """What the analysis stages rely on in data the input layer accepted."""
    customers = data.customers
    assert customers.index.is_unique
    assert not customers.isna().any().any()
    for column in (*NUMERIC, PROFIT):
        assert pd.api.types.is_numeric_dtype(customers[column]), column
        assert np.isfinite(customers[column]).all() and (customers[column] >= 0).all(), column
    for column in CATEGORICAL:
        assert customers[column].map(type).eq(str).all(), column
    assert set(customers[TARGET]) == set(TARGET_CLASSES)
    assert data.customers_used >= CLEANING.min_customers


def run(files: dict[str, bytes]) -> CleanData | None:
    """Write `files` (name → content) into a fresh folder, run the input layer, tally the outcome.

    Returns the cleaned data, or None when the input was refused with an InputError. Any other
    exception escapes: that is what the fuzzing looks for.
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        for name, content in files.items():
            (folder / name).write_bytes(content)
        stage = "load"
        try:
            tables = load_tables(folder)
            stage = "validate"
            valid = validate_tables(tables)
            stage = "clean"
            data = clean_tables(valid, CLEANING)
        except InputError as error:
            check_message(error, files)
            check_rows(error, files)
            OUTCOMES[f"refused at {stage}"] += 1
            if currently_in_test_context():
                event(f"refused at {stage}")
            return None
    check_accepted(data)
    OUTCOMES["accepted"] += 1
    if currently_in_test_context():
        event("accepted")
    return data


def base_files() -> dict[str, bytes]:
    return {f"{t}.csv": (base_dir() / f"{t}.csv").read_bytes() for t in TABLE_FILES}


def with_table(table: str, name: str, content: bytes) -> dict[str, bytes]:
    files = base_files()
    del files[f"{table}.csv"]
    files[name] = content
    return files


def csv_bytes(frame: pd.DataFrame, table: str, **options: object) -> bytes:
    """A text frame written in the table's own demo format unless `options` say otherwise."""
    sep, _ = TABLE_FORMATS[table]
    kwargs: dict[str, object] = {"sep": sep, "index": False, "lineterminator": "\r\n"}
    kwargs.update(options)
    encoding = str(kwargs.pop("encoding", "utf-8"))
    return frame.to_csv(**kwargs).encode(encoding, errors="replace")


@pytest.fixture(scope="module", autouse=True)
def outcome_summary(request: pytest.FixtureRequest):
    """After the module: the base data set removed, one line with how many inputs ran and how they ended."""
    OUTCOMES.clear()
    yield
    shutil.rmtree(base_dir(), ignore_errors=True)
    base_dir.cache_clear()
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    total = sum(OUTCOMES.values())
    line = f"fuzz: {total} generated inputs; " + ", ".join(f"{k}: {v}" for k, v in sorted(OUTCOMES.items()))
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(line)


# --- Strategies ---------------------------------------------------------------------------------------

tables = st.sampled_from(TABLE_FILES)
suffixes = st.sampled_from([".csv", ".xlsx", ".txt", ".CSV"])

CSV_ALPHABET = ",;\t|\"' \r\n0123456789.-+eE" + "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВ" + "idПериодВыручка_"
csv_like_text = st.text(alphabet=CSV_ALPHABET, max_size=400)

SPECIAL_VALUES = [
    "", " ", "   ", "nan", "NaN", "NA", "N/A", "#N/A", "None", "null", "NULL", "-", "—", "?",
    "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400", "-0", "0", "0.0", "00012", "+5",
    "1e3", "1E3", "0x1A", "1_000", "1 000", "1 000", "1,5", "1.5.5", "1,000,000", "−5", "٣",
    "½", "True", "false", "да", "'", '"', '""', "\\", "=1+1", "\x00", "\x1a", "\ufeff", "\u200b",
    "9" * 25, "-" + "9" * 25, "4.4e+308", "2024-01-31", "31.01.2024", "12:00", "Снизилась ",
    "снизилась", "Прежний  уровень", "премиум", "ПРЕМИУМ", "текущий_месяц", "предыдущий_месяц",
    "препредыдущий_месяц", "100001", "100001.0", "100001.5", "1e5", "-100001",
]
# Numbers a spreadsheet may write that are still numbers, some of them absurd.
numberish = st.one_of(
    st.integers(0, 10**6).map(str),
    st.floats(0, 1e6).map(str),
    st.floats(0, 1e6).map(lambda x: f"{x:.2f}"),
    st.sampled_from(["inf", "Infinity", "1e400", "4.4e+308", "1e3", "+5", "00012", "0", "-0", "1e-400", " 7 ", "5."]),
)
VOCABULARY = sorted({*PERIODS_MONEY, *PERIODS_TIME, *(v for vs in KNOWN_VALUES.values() for v in vs)})
cell_values = st.one_of(
    st.sampled_from(SPECIAL_VALUES),
    st.text(max_size=15),
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.floats(-1e6, 1e6).map(lambda x: f"{x:.3f}".replace(".", ",")),
)


def typo(name: str, draw: Callable) -> str:
    """A plausible misspelling, re-casing or re-spacing of a column name, or junk."""
    kind = draw(st.sampled_from(["upper", "lower", "spaces", "underscores", "yo", "delete", "insert", "swap", "junk", "empty"]))
    if kind == "upper":
        return name.upper()
    if kind == "lower":
        return name.lower()
    if kind == "spaces":
        return f" {name}  "
    if kind == "underscores":
        return name.replace("_", " ") if "_" in name else name.replace(" ", "_")
    if kind == "yo":
        return name.replace("е", "ё")
    if kind == "empty":
        return ""
    if kind == "junk":
        return draw(st.text(max_size=10))
    i = draw(st.integers(0, max(len(name) - 1, 0)))
    if kind == "delete":
        return name[:i] + name[i + 1 :]
    if kind == "insert":
        return name[:i] + draw(st.characters(codec="utf-8")) + name[i:]
    return name[:i] + name[i + 1 : i + 2] + name[i : i + 1] + name[i + 2 :]  # swap two neighbours


# --- Fuzz tests -------------------------------------------------------------------------------------------


@fuzz(650)
@given(table=tables, suffix=suffixes, content=st.one_of(st.binary(max_size=2000), csv_like_text.map(str.encode)))
def test_random_bytes_as_a_table(table: str, suffix: str, content: bytes) -> None:
    run(with_table(table, table + suffix, content))


@fuzz(350)
@given(table=tables, tail=st.one_of(st.binary(max_size=300), csv_like_text.map(lambda s: s.encode("cp1251", "replace"))))
def test_valid_header_followed_by_junk(table: str, tail: bytes) -> None:
    raw = (base_dir() / f"{table}.csv").read_bytes()
    header = raw.split(b"\n", 1)[0] + b"\n"
    run(with_table(table, f"{table}.csv", header + tail))


@fuzz(250)
@given(table=tables, data=st.data(), encoding=st.sampled_from(["utf-8", "cp1251", "utf-16"]))
def test_truncated_file(table: str, data: st.DataObject, encoding: str) -> None:
    raw = (base_dir() / f"{table}.csv").read_bytes().decode("utf-8").encode(encoding)
    cut = data.draw(st.integers(0, len(raw)), label="cut")
    run(with_table(table, f"{table}.csv", raw[:cut]))


DIALECTS = st.fixed_dictionaries(
    {
        "sep": st.sampled_from([",", ";", "\t", "|"]),
        "decimal_comma": st.booleans(),
        "encoding": st.sampled_from(["utf-8", "utf-8-sig", "cp1251"]),
        "lineterminator": st.sampled_from(["\n", "\r\n"]),
        "quoting": st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
        "shuffle": st.booleans(),
        "excel": st.integers(0, 9).map(lambda n: n == 0),  # one table in ten as a workbook
    }
)


def rewritten(table: str, dialect: dict, order: list[int]) -> tuple[str, bytes]:
    frame = base_numbers()[table]
    if dialect["shuffle"]:
        frame = frame[[frame.columns[i] for i in order if i < len(frame.columns)]]
    if dialect["excel"]:
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, engine="openpyxl")
        return f"{table}.xlsx", buffer.getvalue()
    decimal = "," if dialect["decimal_comma"] and dialect["sep"] != "," else "."
    content = frame.to_csv(
        sep=dialect["sep"],
        decimal=decimal,
        index=False,
        lineterminator=dialect["lineterminator"],
        quoting=dialect["quoting"],
    ).encode(dialect["encoding"])
    return f"{table}.csv", content


@fuzz(60)
@given(dialects=st.tuples(DIALECTS, DIALECTS, DIALECTS, DIALECTS), order=st.permutations(range(13)))
def test_valid_tables_in_any_dialect_and_column_order_give_the_same_customers(dialects, order) -> None:
    files = dict(rewritten(t, d, list(order)) for t, d in zip(TABLE_FILES, dialects))
    data = run(files)
    assert data is not None, "valid tables re-written in a supported dialect must be accepted"
    want = base_result()
    assert data.customers_used == want.customers_used
    assert data.target_counts == want.target_counts
    pd.testing.assert_frame_equal(data.customers.sort_index(), want.customers.sort_index(), check_exact=False)


@fuzz(150)
@given(table=tables, data=st.data())
def test_columns_renamed_dropped_or_repeated(table: str, data: st.DataObject) -> None:
    frame = base_text()[table].copy()
    columns = list(frame.columns)
    picked = data.draw(st.lists(st.sampled_from(columns), min_size=1, max_size=min(4, len(columns)), unique=True), label="columns")
    new = {c: typo(c, data.draw) for c in picked}
    frame.columns = [new.get(c, c) for c in columns]
    action = data.draw(st.sampled_from(["rename", "drop", "repeat"]), label="action")
    if action == "drop":
        frame = frame.drop(columns=frame.columns[data.draw(st.integers(0, len(columns) - 1))])
    elif action == "repeat":  # the same name twice, as a spreadsheet lets one type it
        i = data.draw(st.integers(0, len(columns) - 1))
        frame.insert(len(frame.columns), "\x00dup", frame.iloc[:, i])
        names = list(frame.columns)
        names[-1] = data.draw(st.sampled_from([names[i], f" {names[i]}", names[i].upper(), f"{names[i]}.1"]))
        frame.columns = names
    run(with_table(table, f"{table}.csv", csv_bytes(frame, table)))


TEXT_COLUMNS = {TARGET, *CATEGORICAL, "Период"}


def plausible(frame: pd.DataFrame, column: int) -> st.SearchStrategy[str]:
    """Values that stay valid cell by cell, so the input gets past validation and can still clash
    with other rows: another row's value, a known category, a number in some spelling."""
    own = st.sampled_from(sorted(set(frame.iloc[:, column])))
    if frame.columns[column] in TEXT_COLUMNS:
        return st.one_of(own, st.sampled_from(VOCABULARY))
    if frame.columns[column] == "id":
        return st.one_of(own, st.integers(100_000, 100_200).map(str))
    return st.one_of(own, numberish)


def cells_of(frame: pd.DataFrame, max_size: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    cell = st.tuples(st.integers(0, len(frame) - 1), st.integers(0, len(frame.columns) - 1))
    return st.lists(cell, min_size=1, max_size=max_size)


@fuzz(100)
@given(table=tables, data=st.data())
def test_cells_replaced_by_random_values(table: str, data: st.DataObject) -> None:
    frame = base_text()[table].copy()
    for row, column in data.draw(cells_of(frame, 6), label="cells"):
        frame.iat[row, column] = data.draw(st.one_of(cell_values, plausible(frame, column)), label="value")
    if data.draw(st.integers(0, 4), label="whole column") == 0:  # rarer: pandera is slow on many failures
        column = data.draw(st.integers(0, len(frame.columns) - 1), label="column")
        frame.iloc[:, column] = data.draw(cell_values, label="column value")
    encoding = data.draw(st.sampled_from(["utf-8", "cp1251"]), label="encoding")
    run(with_table(table, f"{table}.csv", csv_bytes(frame, table, encoding=encoding)))


@fuzz(100)
@given(table=tables, data=st.data())
def test_cells_replaced_by_plausible_values(table: str, data: st.DataObject) -> None:
    frame = base_text()[table].copy()
    for row, column in data.draw(cells_of(frame, 4), label="cells"):
        frame.iat[row, column] = data.draw(plausible(frame, column), label="value")
    run(with_table(table, f"{table}.csv", csv_bytes(frame, table)))


@fuzz(200)
@given(table=tables, data=st.data())
def test_rows_removed_repeated_or_broken(table: str, data: st.DataObject) -> None:
    raw = (base_dir() / f"{table}.csv").read_bytes().decode("utf-8")
    lines = raw.split("\r\n")
    sep = TABLE_FORMATS[table][0]
    for _ in range(data.draw(st.integers(1, 5), label="edits")):
        i = data.draw(st.integers(0, len(lines) - 1), label="line")
        kind = data.draw(st.sampled_from(["delete", "repeat", "blank", "separators", "extra", "short", "quote", "junk"]))
        if kind == "delete":
            del lines[i]
        elif kind == "repeat":
            lines.insert(i, lines[i])
        elif kind == "blank":
            lines.insert(i, "")
        elif kind == "separators":
            lines.insert(i, sep * data.draw(st.integers(1, 20)))
        elif kind == "extra":
            lines[i] += sep + data.draw(cell_values)
        elif kind == "short":
            lines[i] = lines[i].rsplit(sep, 1)[0]
        elif kind == "quote":
            lines[i] = '"' + lines[i]
        else:
            lines[i] = data.draw(csv_like_text)
        if not lines:
            lines = [""]
    if data.draw(st.booleans(), label="shuffle rows"):
        body = lines[1:]
        order = data.draw(st.permutations(range(len(body))), label="order")
        lines = lines[:1] + [body[j] for j in order]
    run(with_table(table, f"{table}.csv", "\r\n".join(lines).encode("utf-8")))


excel_cells = st.one_of(
    st.none(),
    st.integers(-(2**62), 2**62),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=12).map(lambda s: re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", s)),  # Excel cannot hold these
    st.sampled_from(SPECIAL_VALUES[:40]).map(lambda s: s.replace("\x00", "").replace("\x1a", "")),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.times(),
    st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=1000)),
    st.sampled_from(["=1+1", "=A1", "=SUM(A1:A3)", "=1/0", "=NA()"]),
)


def workbook(rows: list[list[object]], header_row: int = 1) -> bytes:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for values in [[]] * (header_row - 1) + rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@fuzz(100)
@given(table=tables, rows=st.lists(st.lists(excel_cells, max_size=6), max_size=8))
def test_random_workbook(table: str, rows: list[list[object]]) -> None:
    run(with_table(table, f"{table}.xlsx", workbook(rows)))


@fuzz(40)
@given(table=tables, data=st.data())
def test_valid_workbook_with_random_cells(table: str, data: st.DataObject) -> None:
    frame = base_numbers()[table]
    rows: list[list[object]] = [list(frame.columns)] + frame.astype(object).values.tolist()
    cells = data.draw(
        st.lists(st.tuples(st.integers(0, len(rows) - 1), st.integers(0, len(frame.columns) - 1)), min_size=1, max_size=6),
        label="cells",
    )
    for r, c in cells:
        rows[r][c] = data.draw(excel_cells, label="value")
    header_row = data.draw(st.sampled_from([1, 1, 1, 3]), label="header row")
    run(with_table(table, f"{table}.xlsx", workbook(rows, header_row)))


def test_base_data_set_is_accepted() -> None:
    """The fuzzed inputs start from a data set the input layer accepts as it is."""
    data = run(base_files())
    assert data is not None and data.customers_used > 50
