"""The four tables from the shop's database: any SQLAlchemy URL, a table name or a query per table; the contacts too
when the settings name their table or query.

The rows are read as a frame and then validated and cleaned exactly like the rows of a file. The
manifest records the row count and a hash of the rows instead of a file hash, and every message
names the database without its password.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import sqlalchemy as sa

from report_builder.config import SourceConfig
from report_builder.databases import create_engine, shown_url
from report_builder.errors import InputError
from report_builder.labels import CONTACTS, TABLE_FILES
from report_builder.results.data import SourceFile


def read_database(url: str, mapping: SourceConfig) -> list[tuple[pd.DataFrame, SourceFile]]:
    """Each table as a frame (index: row number from 1) with its SourceFile (which names the table)."""
    shown = shown_url(url)
    if url.startswith("sqlite") and not _sqlite_exists(url):
        raise InputError(f"файл базы не найден: {shown}", hint="Проверьте путь: базу SQLite программа не создаёт")
    engine = create_engine(url, "базы")
    found = []
    try:
        with engine.connect() as connection:
            for table in (*TABLE_FILES, CONTACTS):
                if (source := getattr(mapping, table)) is not None:
                    found.append(_read_table(connection, table, source, shown))
    except sa.exc.OperationalError as exc:
        if not found and _connecting(exc):
            raise InputError(f"нет подключения к базе {_where(url)}: {_reason(exc)}",
                             hint="Проверьте адрес, сеть и пароль (PGPASSWORD или ~/.pgpass)") from None
        raise InputError(f"база {shown}: {_reason(exc)}") from None
    finally:
        engine.dispose()
    return found


def _read_table(connection: sa.Connection, table: str, source: str, shown: str) -> tuple[pd.DataFrame, SourceFile]:
    query = source.strip()
    is_query = query.lower().startswith(("select", "with"))
    name = f"{table} (запрос)" if is_query else f"{source} (таблица)"
    if not is_query and not sa.inspect(connection).has_table(source):
        raise InputError(f"в базе {shown} нет таблицы «{source}»", file=name,
                         hint=f"Укажите её имя или запрос в разделе настроек [source] ({table} = …)")
    statement = sa.text(query) if is_query else sa.select(sa.table(source, *[sa.column(c["name"]) for c in sa.inspect(connection).get_columns(source)]))
    try:
        frame = pd.read_sql(statement, connection)
    except sa.exc.ProgrammingError as exc:
        denied = "permission denied" in str(exc).lower()
        problem = "нет прав на чтение" if denied else f"запрос не выполнился: {_reason(exc)}"
        raise InputError(problem, file=name, hint="Проверьте запрос или права пользователя базы") from None
    except sa.exc.DatabaseError as exc:
        raise InputError(f"запрос не выполнился: {_reason(exc)}", file=name) from None
    if frame.empty:
        raise InputError("в таблице нет ни одной строки", file=name)
    frame.index = pd.RangeIndex(1, len(frame) + 1)  # rows are named by their number in the result
    frame.columns = [" ".join(str(c).split()) for c in frame.columns]
    digest = hashlib.sha256(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes()).hexdigest()
    return frame, SourceFile(name, len(frame), digest, "база данных", "", "", table)


def _sqlite_exists(url: str) -> bool:
    from pathlib import Path

    database = sa.engine.make_url(url).database
    return bool(database) and database != ":memory:" and Path(database).is_file()


def _connecting(exc: sa.exc.OperationalError) -> bool:
    text = str(exc.orig).lower()
    return any(word in text for word in ("connect", "connection", "could not translate", "timeout", "refused", "authentication"))


def _reason(exc: Exception) -> str:
    text = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
    return "ошибка входа (пароль не показан)" if "password" in text.lower() else text


def _where(url: str) -> str:
    """«сервер host:port, база db» — never the password."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return f"SQLite {parsed.database}"
    return f"сервер {parsed.host or 'localhost'}:{parsed.port or 5432}, база {parsed.database}"
