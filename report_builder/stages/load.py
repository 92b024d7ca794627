"""Read the four tables from a folder, whatever their separator, decimal mark and encoding."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from report_builder.errors import InputError
from report_builder.labels import TABLE_FILES
from report_builder.results.data import SourceFile, Tables

SUFFIXES = (".csv", ".xlsx", ".txt")
_DECIMAL_COMMA = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")
_LOWER_CYRILLIC = re.compile("[а-яё]")


def load_tables(source: Path) -> Tables:
    """Find and read market_file, market_money, market_time and money in the folder `source`."""
    data_dir = source
    if not data_dir.is_dir():
        raise InputError(f"папка с данными не найдена: {data_dir}")
    frames: dict[str, pd.DataFrame] = {}
    sources: list[SourceFile] = []
    for table in TABLE_FILES:
        path = _find(data_dir, table)
        frame, source = _read(path)
        frames[table] = frame
        sources.append(source)
    return Tables(**frames, sources=tuple(sources))


def _find(data_dir: Path, table: str) -> Path:
    by_name = {p.name.lower(): p for p in data_dir.iterdir() if p.is_file()}
    for suffix in SUFFIXES:
        if (found := by_name.get(table + suffix)) is not None:
            return found
    raise InputError(
        "таблица не найдена",
        file=f"{table}.csv или {table}.xlsx",
        hint=f"В папке {data_dir} должны лежать market_file, market_money, market_time и money",
    )


def _read(path: Path) -> tuple[pd.DataFrame, SourceFile]:
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if not raw.strip():
        raise InputError("файл пуст", file=path.name)
    if path.suffix.lower() == ".xlsx":
        try:
            frame = pd.read_excel(io.BytesIO(raw), sheet_name=0, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise InputError(f"файл Excel не читается ({exc.__class__.__name__})", file=path.name) from exc
        encoding, separator, decimal = "xlsx", "", "."
    else:
        text, encoding = _decode(raw, path.name)
        separator = _separator(text, path.name)
        decimal = "," if separator != "," and _DECIMAL_COMMA.search(text) else "."
        try:
            frame = pd.read_csv(io.StringIO(text), sep=separator, decimal=decimal)
        except (pd.errors.ParserError, ValueError) as exc:
            raise InputError(f"файл не разбирается как таблица: {exc}", file=path.name) from exc
        if decimal == ",":
            frame = _decimal_commas(frame)
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # rows are named by their line in the file
    frame = frame.dropna(how="all")
    if frame.empty:
        raise InputError("в файле нет ни одной строки данных", file=path.name)
    frame.columns = [" ".join(str(c).split()) for c in frame.columns]
    return frame, SourceFile(path.name, len(frame), digest, encoding, separator, decimal)


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "utf-8"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if not raw.startswith(b"\xef\xbb\xbf") else "utf-8-sig"
    matches = list(from_bytes(raw, cp_isolation=["cp1251", "koi8_r", "cp866", "utf_16"]))
    if not matches:
        raise InputError("не удалось определить кодировку (ожидается UTF-8 или Windows-1251)", file=name)
    # The detector may rank a wrong Cyrillic code page first on short texts; decoded with the right
    # one, Russian text is mostly lowercase letters, with a wrong one mostly capitals or symbols.
    best = max(matches, key=lambda m: len(_LOWER_CYRILLIC.findall(str(m))))
    return str(best), best.encoding


def _decimal_commas(frame: pd.DataFrame) -> pd.DataFrame:
    """A numeric column with one stray text value is read as text; keep its numbers readable."""
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values):
            continue
        commas = values.astype(str).str.fullmatch(r"\s*[-+]?\d+,\d+\s*")
        if commas.any():
            frame[column] = values.mask(commas, values.astype(str).str.replace(",", ".", regex=False))
    return frame


def _separator(text: str, name: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        header = text.splitlines()[0]
        counts = {sep: header.count(sep) for sep in ",;\t|"}
        best = max(counts, key=counts.__getitem__)
        if counts[best] == 0:
            raise InputError("не удалось определить разделитель столбцов", file=name) from None
        return best
