"""The run history: every successful build recorded in a database (SQLite by default, PostgreSQL for a team).

SQLAlchemy Core, one transaction per build. A period is kept once per data set: rebuilding it
replaces its run. The tables are derived from the results' declarations (`history_schema`). The
schema version table gates every open: a database of the first layout is migrated forward, one of a
newer layout is refused, and one whose derived tables lack what the declarations now record gets
the missing tables and (empty) columns.
"""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from report_builder.databases import create_engine, is_url, shown_url
from report_builder.errors import InputError
from report_builder.history_schema import ChildRows, HistorySchema, column_name
from report_builder.labels import DECLINED, PROFIT, STABLE, TARGET
from report_builder.results.history import Reference

SCHEMA_VERSION = 2  # the layout's generation: 2 derives every table from the results' declarations
# What `report-builder history` lists of each run.
LISTED = {
    "dataset": "run__dataset", "period": "run__period", "built_at": "run__built_at", "money_unit": "run__money_unit",
    "customers": "data__customers_used", "declined_share": "data__decline_share",
    "at_risk": "segmentation__at_risk_customers", "profit_at_risk": "segmentation__totals__profit_at_risk_all",
    "best_model": "search__best", "best_cv_auc": "search__best_cv_auc", "realised_auc": "backtest__roc_auc",
}
V1_TABLES = ("run_features", "run_customers", "run_drivers", "run_segments", "runs")


@dataclass(frozen=True)
class ListedRun:
    """One line of `report-builder history`: a run's headline and how its forecast held up."""

    dataset: str
    period: str
    built_at: str
    customers: int | None
    declined_share: float | None
    at_risk: int | None
    profit_at_risk: float | None
    money_unit: str
    best_model: str | None
    promised_auc: float | None  # the chosen model's cross-validated ROC-AUC when it was built
    realised_auc: float | None  # what the next quarter's back-test measured for this run's forecast; None: not checked yet


def listing(runs: Sequence[dict[str, object]]) -> list[ListedRun]:
    """The runs (as `History.runs` gives them) by data set and period, each with the ROC-AUC its forecast reached.

    A quarter's back-test checks the forecast of the run it is compared with, the latest earlier one by default,
    so a run's realised ROC-AUC is the one recorded by the next run of its data set.
    """
    ordered = sorted(runs, key=lambda r: (str(r["dataset"]), str(r["period"])))
    found: list[ListedRun] = []
    for _, group in itertools.groupby(ordered, key=lambda r: str(r["dataset"])):
        rows = list(group)
        for run, following in itertools.zip_longest(rows, rows[1:]):
            found.append(ListedRun(
                str(run["dataset"]), str(run["period"]), str(run["built_at"]), _int(run["customers"]),
                _float(run["declined_share"]), _int(run["at_risk"]), _float(run["profit_at_risk"]),
                str(run["money_unit"] or "ед."), None if run["best_model"] is None else str(run["best_model"]),
                _float(run["best_cv_auc"]), None if following is None else _float(following["realised_auc"]),
            ))
    return found


def _int(value: object) -> int | None:
    return None if value is None else int(value)  # type: ignore[call-overload]


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def history_url(location: str) -> str:
    """A plain path means an SQLite file; anything with «://» is an SQLAlchemy URL."""
    return location if is_url(location) else f"sqlite:///{Path(location).expanduser().resolve()}"


class History:
    """An open history database."""

    def __init__(self, url: str, schema: HistorySchema | None = None) -> None:
        if schema is None:
            from report_builder.pipeline import HISTORY  # the schema the stage table declares

            schema = HISTORY
        self.url = url
        self.schema = schema
        self.engine: Engine = _engine(url)
        self.prepared = False
        if not self._sqlite_file() or self._sqlite_file().exists():  # type: ignore[union-attr]
            self._prepare()  # an unusable history stops the build before any work

    def _sqlite_file(self) -> Path | None:
        return Path(self.url.removeprefix("sqlite:///")) if self.url.startswith("sqlite:///") else None

    def _prepare(self) -> None:
        file = self._sqlite_file()
        if file is not None:
            file.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.engine.begin() as connection:
                found = _version(connection)
                if found is None and sa.inspect(connection).get_table_names():
                    raise InputError(
                        f"база {shown_url(self.url)} уже содержит чужие таблицы и не похожа на историю отчётов",
                        hint="Укажите для истории отдельный файл или базу в --history",
                    )
                if found is not None and found > SCHEMA_VERSION:
                    raise InputError(
                        f"история {shown_url(self.url)} записана более новой версией программы (схема {found}, "
                        f"эта версия знает схему {SCHEMA_VERSION})",
                        hint="Обновите report-builder или укажите другую историю в --history",
                    )
                old_runs = migrate_v1(connection, self.schema) if found == 1 else None
                self._complete(connection)
                connection.execute(self.schema.version.delete())
                connection.execute(self.schema.version.insert().values(version=SCHEMA_VERSION, fingerprint=self.schema.fingerprint))
                if old_runs:
                    for run, children in old_runs:
                        _insert(connection, self.schema, run, children)
        except sa.exc.SQLAlchemyError as exc:
            raise _unusable(self.url, exc) from None
        self.prepared = True

    def _complete(self, connection: Connection) -> None:
        """Create the derived tables, and add the columns a newer declaration records to existing ones."""
        self.schema.metadata.create_all(connection)
        inspector = sa.inspect(connection)
        for table in self.schema.metadata.sorted_tables:
            present = {c["name"] for c in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name not in present:
                    kind = column.type.compile(dialect=connection.dialect)
                    name = connection.dialect.identifier_preparer.quote(column.name)
                    connection.execute(sa.text(f"ALTER TABLE {table.name} ADD COLUMN {name} {kind}"))

    @contextlib.contextmanager
    def recording(self, snapshots: Sequence[object]) -> Iterator[None]:
        """Replace each snapshot's period run; committed only if the block (publishing the files) succeeds."""
        if not self.prepared:
            self._prepare()
        try:
            connection = self.engine.connect()
            transaction = connection.begin()
        except sa.exc.SQLAlchemyError as exc:
            raise _unusable(self.url, exc) from None
        try:
            for snapshot in snapshots:
                run, children = self.schema.rows(snapshot)
                _insert(connection, self.schema, run, children)
            yield
            transaction.commit()
        except sa.exc.SQLAlchemyError as exc:
            transaction.rollback()
            raise _unusable(self.url, exc) from None
        except BaseException:
            transaction.rollback()
            raise
        finally:
            connection.close()

    def reference(self, dataset: str, period: str, compare_with: str | None = None) -> Reference:
        """Every earlier period of the data set (by label), oldest first; the latest, or the one asked for, is compared with."""
        if not self.prepared:
            if compare_with is not None:
                raise InputError(f"истории {shown_url(self.url)} ещё нет, сравнивать с «{compare_with}» не с чем")
            return Reference(())
        runs = self.schema.runs
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    sa.select(runs).where(runs.c.run__dataset == dataset, runs.c.run__period != period).order_by(runs.c.run__period)
                ).mappings().all()
                if compare_with is not None and not any(r["run__period"] == compare_with for r in rows):
                    raise InputError(
                        f"в истории нет периода «{compare_with}» для сравнения",
                        hint="Есть: " + (", ".join(r["run__period"] for r in rows) or "ни одного"),
                    )
                last = compare_with or period
                earlier = [r for r in rows if (r["run__period"] <= last if compare_with else r["run__period"] < last)]
                return Reference(tuple(self._snapshot(connection, r) for r in earlier))
        except sa.exc.SQLAlchemyError as exc:
            raise _unusable(self.url, exc) from None

    def _snapshot(self, connection: Connection, row: sa.RowMapping) -> object:
        children: dict[str, object] = {}
        for child in self.schema.children:
            query = sa.select(child.table).where(child.table.c.run_id == row["id"])
            if child.element is None:
                children[child.table.name] = pd.read_sql(query, connection)
            else:
                children[child.table.name] = [dict(r) for r in connection.execute(query).mappings()]
        return self.schema.read(row, children)  # type: ignore[arg-type]

    def runs(self) -> list[dict[str, object]]:
        """Every recorded run's headline, by data set and period (LISTED: name -> column of `runs`)."""
        if not self.prepared:
            return []
        runs = self.schema.runs
        try:
            with self.engine.connect() as connection:
                found = connection.execute(sa.select(runs).order_by(runs.c.run__dataset, runs.c.run__period)).mappings().all()
                return [{name: row.get(column) for name, column in LISTED.items()} for row in found]
        except sa.exc.SQLAlchemyError as exc:
            raise _unusable(self.url, exc) from None

    def close(self) -> None:
        self.engine.dispose()


def _engine(url: str) -> Engine:
    if not url.startswith("sqlite:///"):
        return create_engine(url, "истории", pool_pre_ping=True)
    path = Path(url.removeprefix("sqlite:///"))
    if path.exists() and (not path.is_file() or (path.stat().st_size and not _head(path).startswith(b"SQLite format 3"))):
        raise InputError(f"файл истории {path} повреждён или это не база SQLite", hint="Укажите другой файл в --history или уберите этот")
    engine = create_engine(url, "истории", connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _foreign_keys(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    return engine


def _head(path: Path) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(16)


def _unusable(url: str, exc: Exception) -> InputError:
    detail = str(getattr(exc, "orig", exc)).splitlines()[0][:200]
    if "password" in detail.lower():
        detail = "ошибка входа (пароль не показан)"
    return InputError(
        f"история {shown_url(url)} недоступна: {detail}",
        hint="Проверьте адрес и доступность базы или запустите с --no-history; отчёт не построен",
    )


def _version(connection: Connection) -> int | None:
    if not sa.inspect(connection).has_table("schema_version"):
        return None
    value = connection.execute(sa.text("SELECT version FROM schema_version")).scalar()
    return int(value) if value is not None else None


def _insert(connection: Connection, schema: HistorySchema, run: dict[str, object], children: list[tuple[sa.Table, ChildRows]]) -> None:
    """One run with its child rows, replacing the period's earlier run of the same data set."""
    runs = schema.runs
    old = connection.execute(
        sa.select(runs.c.id).where(runs.c.run__dataset == run["run__dataset"], runs.c.run__period == run["run__period"])
    ).scalar()
    if old is not None:
        for child in schema.children:
            connection.execute(child.table.delete().where(child.table.c.run_id == old))
        connection.execute(runs.delete().where(runs.c.id == old))
    run_id = connection.execute(runs.insert().values(**run)).inserted_primary_key[0]
    for table, rows in children:
        _insert_rows(connection, table, run_id, rows)


def _insert_rows(connection: Connection, table: sa.Table, run_id: object, rows: ChildRows) -> None:
    """A run's child rows (plain values: int, float, str, bool or None) by the driver's own executemany, with the
    statement compiled once for the database. Through SQLAlchemy's execute every row's parameters would be built and
    type-processed again: three quarters of the time of writing a quarter's customers."""
    if not rows.values:
        return
    keys = ("run_id", *rows.names)
    statement = table.insert().compile(dialect=connection.dialect, column_keys=list(keys))
    sql = str(statement)
    # "?" or "%s" (SQLite): the values in the statement's order, which is the table's; usually the rows' own
    order = [keys.index(name) for name in statement.positiontup or []] if statement.positional else []
    same = order == list(range(len(keys)))
    for start in range(0, len(rows.values), 20_000):
        chunk = rows.values[start : start + 20_000]
        if not statement.positional:  # named: each row as a mapping, with the run
            params: list[object] = [{"run_id": run_id, **dict(zip(rows.names, row))} for row in chunk]
        elif same:
            params = [(run_id, *row) for row in chunk]
        else:
            params = [tuple((run_id, *row)[i] for i in order) for row in chunk]
        connection.exec_driver_sql(sql, params)  # type: ignore[arg-type]


def migrate_v1(connection: Connection, schema: HistorySchema) -> list[tuple[dict[str, object], list[tuple[sa.Table, ChildRows]]]]:
    """Read a first-layout history (fixed tables) into rows of the derived layout, then drop the old tables.

    The first layout kept no feature rows, so those runs feed comparisons and back-tests, not the forward model.
    """
    old = {name: pd.read_sql(sa.text(f"SELECT * FROM {name}"), connection) for name in V1_TABLES}
    tables = {child.table.name: child.table for child in schema.children}
    moved = []
    for run in old["runs"].to_dict("records"):
        mine = lambda name: old[name][old[name]["run_id"] == run["id"]]  # noqa: E731
        versions = {**json.loads(run["library_versions"]), "report-builder": run["package_version"]}
        row: dict[str, object] = {f"{part}__present": False for part in schema.parts}
        row.update({
            "run__present": True, "run__period": run["period"], "run__built_at": run["built_at"], "run__dataset": run["dataset"],
            "run__config_hash": run["config_hash"], "run__versions": json.dumps(versions, sort_keys=True),
            "data__present": True, "data__customers_used": int(run["customers"]), "data__decline_share": float(run["declined_share"]),
            "search__present": True, "search__best": run["best_model"], "search__best_cv_auc": float(run["best_cv_auc"]),
            "evaluation__present": True, "evaluation__threshold": float(run["threshold"]),
            "segmentation__present": True, "segmentation__at_risk_customers": int(run["at_risk"]),
            "segmentation__totals__profit_at_risk_all": float(run["profit_at_risk"]),
            "segmentation__totals__quarter_profit": float(run["quarter_profit"]),
            "explanation__present": bool(len(mine("run_drivers"))),
            "customer_list__present": True,
        })
        row = {k: v for k, v in row.items() if k in schema.runs.c}
        people = mine("run_customers")
        children = [
            (tables["segmentation__segments"], [{"position": k, "name": r["name"], "customers": int(r["customers"]),
                                                  "profit_at_risk": float(r["profit_at_risk"])}
                                                 for k, r in enumerate(mine("run_segments").to_dict("records"))]),
            (tables["explanation__drivers"], [{"position": int(r["rank"]) - 1, "feature": r["feature"]}
                                               for r in mine("run_drivers").to_dict("records")]),
            (tables["customer_list__people"], [{"customer_id": int(r["customer_id"]), "probability": float(r["probability"]),
                                                "segment": r["segment"], "profit": float(r["profit"]),
                                                "profit_at_risk": float(r["profit_at_risk"]), "control": bool(r["control"]),
                                                "offers": r["offers"]} for r in people.to_dict("records")]),
            (tables["data__customers"], [{"customer_id": int(r["customer_id"]), column_name(TARGET):
                                          DECLINED if r["declined"] else STABLE, column_name(PROFIT): float(r["profit"])}
                                         for r in people.to_dict("records")]),
        ]
        moved.append((row, [(table, ChildRows.of(rows)) for table, rows in children]))
    for name in V1_TABLES:
        connection.execute(sa.text(f"DROP TABLE {name}"))
    connection.execute(sa.text("DROP TABLE schema_version"))
    return moved
