"""Read the four tables, and the contacts when there are any, from a folder, whatever their separator, decimal mark and
encoding."""

from __future__ import annotations

import codecs
import csv
import errno
import hashlib
import io
import re
import struct
import zipfile
from pathlib import Path

import pandas as pd
from charset_normalizer import from_bytes

from report_builder.config import LimitsConfig, SourceConfig
from report_builder.errors import InputError
from report_builder.labels import CONTACTS, TABLE_FILES
from report_builder.results.data import SourceFile, Tables
from report_builder.databases import is_url

SUFFIXES = (".csv", ".xlsx", ".parquet", ".txt")

# The limits that refuse hostile or absurd files before they are read are settings: `[limits]`.
MIB = 1024 * 1024
_DECIMAL_COMMA = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")
_LOWER_CYRILLIC = re.compile("[а-яё]")
_LINE_END = re.compile(rb"\r\n|\r|\n")
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # a byte order mark alone is no content
_MANGLED = re.compile(r"(.+)\.(\d+)")  # how pandas renames a repeated column name


def load_tables(source: Path | str, mapping: SourceConfig = SourceConfig(), limits: LimitsConfig = LimitsConfig()) -> Tables:
    """market_file, market_money, market_time and money from a folder, or from a database URL via `mapping`; the
    optional contacts too (a file `contacts.*` in the folder, or `mapping.contacts`).

    Files beyond `limits` are refused before they are read.
    """
    if isinstance(source, str) and is_url(source):
        from report_builder.sources import read_database  # SQLAlchemy only for a database

        read = read_database(source, mapping)
        frames = {s.table: frame for frame, s in read}
        return Tables(**frames, sources=tuple(s for _, s in read))
    data_dir = Path(source)
    if data_dir.is_file():
        raise InputError(
            f"{data_dir} — это файл, а --data ожидает папку с четырьмя таблицами"
            " (market_file, market_money, market_time, money) или адрес базы данных",
            hint=f"Укажите папку, в которой лежит {data_dir.name}: --data {data_dir.parent}",
        )
    if not data_dir.is_dir():
        raise InputError(f"папка с данными не найдена: {data_dir}")
    frames: dict[str, pd.DataFrame] = {}
    sources: list[SourceFile] = []
    for table in (*TABLE_FILES, CONTACTS):
        path = _find(data_dir, table) if table != CONTACTS else _find_optional(data_dir, table)
        if path is None:
            continue
        try:
            frame, read = _read(path, limits)
        except OSError as exc:  # no permission, a broken disk or network share
            raise InputError(_os_problem(exc), file=path.name) from exc
        frames[table] = frame
        sources.append(read)
    return Tables(**frames, sources=tuple(sources))


def _os_problem(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "нет прав на чтение"
    return f"не читается: ошибка системы {exc.errno or exc.__class__.__name__}"


def _find_optional(data_dir: Path, table: str) -> Path | None:
    try:
        by_name = {p.name.lower(): p for p in data_dir.iterdir() if p.is_file()}
    except OSError as exc:
        raise InputError(f"папка с данными {data_dir}: {_os_problem(exc)}") from exc
    return next((found for suffix in SUFFIXES if (found := by_name.get(table + suffix)) is not None), None)


def _find(data_dir: Path, table: str) -> Path:
    if (found := _find_optional(data_dir, table)) is not None:
        return found
    raise InputError(
        "таблица не найдена",
        file=f"{table}.csv, {table}.xlsx или {table}.parquet",
        hint=f"В папке {data_dir} должны лежать market_file, market_money, market_time и money",
    )


def _limit(setting: str) -> str:
    """Where a user changes a limit: the setting, never the program's source."""
    return f"Предел задаёт настройка limits.{setting} (раздел [limits] файла настроек)"


def _read_parquet(path: Path, limits: LimitsConfig) -> tuple[pd.DataFrame, SourceFile]:
    """A Parquet file: typed columns, no separators or encodings to guess; rows are numbered from 1."""
    raw = path.read_bytes()
    try:
        frame = pd.read_parquet(io.BytesIO(raw))
    except Exception as exc:  # pyarrow raises its own error types for a broken file
        raise InputError(f"файл Parquet не читается ({exc.__class__.__name__})", file=path.name) from exc
    if len(frame.columns) > limits.max_columns:
        raise _too_many_columns(len(frame.columns), path.name, limits)
    frame = frame.reset_index(drop=True)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    frame.columns = [" ".join(str(c).split()) for c in frame.columns]
    if frame.empty:
        raise InputError("в файле нет ни одной строки данных", file=path.name)
    return frame, SourceFile(path.name, len(frame), hashlib.sha256(raw).hexdigest(), "parquet", "", "")


def _read(path: Path, limits: LimitsConfig) -> tuple[pd.DataFrame, SourceFile]:
    excel = path.suffix.lower() == ".xlsx"
    _check_size(path, limits)
    if path.suffix.lower() == ".parquet":
        return _read_parquet(path, limits)
    if not excel:
        _check_header(path, limits)
    raw = path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if not next((raw[len(bom) :] for bom in _BOMS if raw.startswith(bom)), raw).strip():
        raise InputError("файл пуст", file=path.name)
    if excel:
        _check_workbook(raw, path.name, limits)
        try:
            frame = pd.read_excel(io.BytesIO(raw), sheet_name=0, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many types for corrupt files
            raise InputError(f"файл Excel не читается ({exc.__class__.__name__})", file=path.name) from exc
        encoding, separator, decimal = "xlsx", "", ""  # a binary format: no encoding, separator or decimal mark to guess
        first_line = 1
    else:
        text, encoding = _decode(raw, path.name)
        body = text.lstrip("\r\n")
        if not body.strip():
            raise InputError("файл пуст", file=path.name)
        first_line = 1 + len(text[: len(text) - len(body)].splitlines())  # blank lines above the header
        separator = _separator(body, path.name)
        decimal = "," if separator != "," and _DECIMAL_COMMA.search(body) else "."
        try:
            # Blank lines are kept (and dropped below) so that rows keep their line numbers.
            frame = pd.read_csv(io.StringIO(body), sep=separator, decimal=decimal, skip_blank_lines=False)
        except (pd.errors.ParserError, ValueError) as exc:
            raise _unparsable(exc, path.name, first_line) from exc
        if decimal == ",":
            frame = _decimal_commas(frame)
    if all(str(c).startswith("Unnamed: ") for c in frame.columns):
        raise InputError(
            f"в строке {first_line} нет названий столбцов",
            file=path.name,
            hint="Названия столбцов должны стоять в первой строке листа или файла, над данными",
        )
    frame.index = pd.RangeIndex(first_line + 1, len(frame) + first_line + 1)  # rows are named by their line
    frame = frame.dropna(how="all")
    if frame.empty:
        raise InputError("в файле нет ни одной строки данных", file=path.name)
    if len(frame.columns) > limits.max_columns:
        raise _too_many_columns(len(frame.columns), path.name, limits)
    frame.columns = _column_names(frame.columns, path.name)
    return frame, SourceFile(path.name, len(frame), digest, encoding, separator, decimal)


_FIELDS = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _unparsable(exc: Exception, name: str, first_line: int) -> InputError:
    """pandas' parser errors, in Russian; the line is counted in the file."""
    if fields := _FIELDS.search(str(exc)):
        expected, line, saw = (int(g) for g in fields.groups())
        return InputError(
            f"в строке {line + first_line - 1} значений {saw}, а в заголовке {expected}",
            file=name,
            rows=[line + first_line - 1],
            hint="Проверьте разделитель и кавычки в этой строке: лишний разделитель внутри значения"
            " нужно заключить в кавычки",
        )
    if "EOF inside string" in str(exc):
        return InputError(
            "кавычка в файле открыта и не закрыта до конца файла",
            file=name,
            hint="Проверьте парность кавычек в значениях",
        )
    return InputError(f"файл не разбирается как таблица ({exc.__class__.__name__})", file=name)


def _column_names(columns: pd.Index, name: str) -> list[str]:
    """Names with spaces tidied; a name given twice is refused, as either column could be meant.

    pandas renames the second of two equal names «X» to «X.1», so that counts as a repeat too.
    """
    names = [" ".join(str(c).split()) for c in columns]
    seen: set[str] = set()
    for column in names:
        mangled = _MANGLED.fullmatch(column)
        original = mangled.group(1) if mangled and mangled.group(1) in names else column
        if original in seen:
            raise InputError(
                "столбец с этим именем встречается в заголовке несколько раз",
                file=name,
                column=original,
                hint="Оставьте один столбец с этим именем, остальные удалите или переименуйте",
            )
        seen.add(original)
    return names


def _megabytes(size: float) -> str:
    value = size / MIB
    text = f"{value:,.0f}" if value >= 10 else f"{value:.3g}"  # a limit below a megabyte keeps its digits
    return text.replace(",", " ").replace(".", ",") + " МБ"


def _count(number: int) -> str:
    return f"{number:,}".replace(",", " ")


def _check_size(path: Path, limits: LimitsConfig) -> None:
    """Refuse a file too large to read, before reading it."""
    size = path.stat().st_size
    if size > limits.max_file_mb * MIB:
        raise InputError(
            f"размер {_megabytes(size)} больше допустимых {_megabytes(limits.max_file_mb * MIB)}",
            file=path.name,
            hint="Проверьте, что выгружена нужная таблица и только за один квартал. " + _limit("max_file_mb"),
        )


def _too_many_columns(columns: int, name: str, limits: LimitsConfig) -> InputError:
    return InputError(
        f"столбцов в таблице: {_count(columns)}, допустимо не больше {_count(limits.max_columns)}",
        file=name,
        hint="В таблицах отчёта не больше 13 столбцов; проверьте, что выгружена нужная таблица"
        " и что столбцы разделены одним знаком (запятой, точкой с запятой или табуляцией). " + _limit("max_columns"),
    )


def _check_header(path: Path, limits: LimitsConfig) -> None:
    """Refuse a CSV with an absurdly wide header, reading only its beginning.

    The separator is not known yet, so every candidate is counted: an upper bound on the columns.
    """
    probe = int(limits.max_header_mb * MIB)
    with path.open("rb") as handle:
        head = handle.read(probe + 1)
    header, *rest = _LINE_END.split(head, maxsplit=1)
    if not rest and len(head) > probe:
        raise InputError(
            f"первая строка (заголовок) длиннее {_megabytes(probe)}",
            file=path.name,
            hint="Похоже, это не таблица или в ней нет переводов строк. " + _limit("max_header_mb"),
        )
    columns = max(header.count(sep) for sep in (b",", b";", b"\t", b"|")) + 1
    if columns > limits.max_columns:
        raise _too_many_columns(columns, path.name, limits)


_EOCD = b"PK\x05\x06"  # end of a zip archive's central directory
_EOCD_FORMAT = "<4s4H2LH"  # signature, disk numbers, entries on this disk, entries, sizes, comment


def _check_workbook(raw: bytes, name: str, limits: LimitsConfig) -> None:
    """Refuse a zip bomb by the sizes the archive declares, before anything is unzipped.

    Python's zip reader never inflates a part beyond its declared size, so the declared sizes
    bound the memory openpyxl can be made to use. The number of parts is read from the end
    record first, as listing millions of parts would itself exhaust memory.
    """
    hint = (
        "Книга Excel повреждена или собрана так, чтобы переполнить память при распаковке; "
        "откройте её в Excel и сохраните заново или выгрузите таблицу в CSV. "
    )
    end = raw.rfind(_EOCD, max(0, len(raw) - 65_535 - struct.calcsize(_EOCD_FORMAT)))
    if end >= 0 and end + struct.calcsize(_EOCD_FORMAT) <= len(raw):
        members = struct.unpack_from(_EOCD_FORMAT, raw, end)[4]
        if members > limits.max_xlsx_parts:  # 0xFFFF marks a zip64 archive with even more parts
            raise _too_many_parts(members, name, hint, limits)
    try:
        infos = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except Exception as exc:  # a corrupt archive fails in many ways: BadZipFile, OSError, ValueError, ...
        raise InputError(f"файл Excel не читается ({exc.__class__.__name__})", file=name) from exc
    if len(infos) > limits.max_xlsx_parts:
        raise _too_many_parts(len(infos), name, hint, limits)
    total = sum(info.file_size for info in infos)
    if total > limits.max_xlsx_unpacked_mb * MIB:
        raise InputError(
            f"после распаковки книга Excel заняла бы {_megabytes(total)}, "
            f"больше допустимых {_megabytes(limits.max_xlsx_unpacked_mb * MIB)}",
            file=name,
            hint=hint + _limit("max_xlsx_unpacked_mb"),
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.xlsx_ratio_from_mb * MIB and ratio > limits.max_xlsx_ratio:
            raise InputError(
                f"часть «{info.filename[:80]}» книги Excel сжата в {ratio:,.0f} раз".replace(",", " ")
                + f", допустимо не больше {limits.max_xlsx_ratio:g}",
                file=name,
                hint=hint + _limit("max_xlsx_ratio"),
            )


def _too_many_parts(parts: int, name: str, hint: str, limits: LimitsConfig) -> InputError:
    return InputError(
        f"частей в архиве книги Excel: {_count(parts)}, допустимо не больше {_count(limits.max_xlsx_parts)}",
        file=name,
        hint=hint + _limit("max_xlsx_parts"),
    )


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "utf-8"):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text, "utf-8" if not raw.startswith(b"\xef\xbb\xbf") else "utf-8-sig"
    candidates = ["cp1251", "koi8_r", "cp866", "utf_16"]
    matches = list(from_bytes(raw, cp_isolation=candidates))
    if not matches:
        # The detector rejects some genuine Windows-1251 tables as too chaotic (Cyrillic words right
        # next to tabs and digits); accept any chaos and let the letters below decide.
        matches = list(from_bytes(raw, cp_isolation=candidates, threshold=1.0))
    # The detector may rank a wrong Cyrillic code page first on short texts; decoded with the right
    # one, Russian text is mostly lowercase letters, with a wrong one mostly capitals or symbols.
    best = max(matches, key=lambda m: len(_LOWER_CYRILLIC.findall(str(m))), default=None)
    if best is None or not _LOWER_CYRILLIC.search(str(best)):
        raise InputError("не удалось определить кодировку (ожидается UTF-8 или Windows-1251)", file=name)
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
