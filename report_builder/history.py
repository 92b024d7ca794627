"""The run history: every successful build recorded in a database (SQLite by default, PostgreSQL for a team).

SQLAlchemy Core, one transaction per build. A period is kept once per data set: rebuilding it
replaces its run. A schema version table gates every open: an older schema is migrated forward,
a newer one is refused.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from report_builder.databases import create_engine, is_url, shown_url
from report_builder.errors import InputError
from report_builder.results.history import FeatureReference, Point, Reference, Snapshot

SCHEMA_VERSION = 1
TRAIL = 8  # quarters on a sparkline

metadata = sa.MetaData()
schema_version = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(200), nullable=False),
    sa.Column("period", sa.String(40), nullable=False),
    sa.Column("built_at", sa.String(40), nullable=False),
    sa.Column("package_version", sa.String(40), nullable=False),
    sa.Column("config_hash", sa.String(64), nullable=False),
    sa.Column("data_hashes", sa.Text, nullable=False),
    sa.Column("library_versions", sa.Text, nullable=False),
    sa.Column("feature_set", sa.Text, nullable=False),
    sa.Column("customers", sa.Integer, nullable=False),
    sa.Column("declined_share", sa.Float, nullable=False),
    sa.Column("at_risk", sa.Integer, nullable=False),
    sa.Column("profit_at_risk", sa.Float, nullable=False),
    sa.Column("quarter_profit", sa.Float, nullable=False),
    sa.Column("best_model", sa.String(60), nullable=False),
    sa.Column("best_cv_auc", sa.Float, nullable=False),
    sa.Column("threshold", sa.Float, nullable=False),
    sa.UniqueConstraint("dataset", "period", name="one_run_per_period"),
)
segments = sa.Table(
    "run_segments",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("customers", sa.Integer, nullable=False),
    sa.Column("profit_at_risk", sa.Float, nullable=False),
)
drivers = sa.Table(
    "run_drivers",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("feature", sa.String(200), nullable=False),
)
people = sa.Table(
    "run_customers",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("customer_id", sa.BigInteger, nullable=False),
    sa.Column("probability", sa.Float, nullable=False),
    sa.Column("segment", sa.String(200), nullable=False),
    sa.Column("profit", sa.Float, nullable=False),
    sa.Column("profit_at_risk", sa.Float, nullable=False),
    sa.Column("declined", sa.Integer, nullable=False),
    sa.Column("control", sa.Integer, nullable=False),
    sa.Column("offers", sa.Text, nullable=False),
)
features = sa.Table(
    "run_features",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("feature", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # edges, counts, categories, mean, std
)
CHILDREN = (segments, drivers, people, features)
# Forward migrations: version -> the statements that bring a database of that version to the next one.
MIGRATIONS: dict[int, tuple[str, ...]] = {}


def history_url(location: str) -> str:
    """A plain path means an SQLite file; anything with «://» is an SQLAlchemy URL."""
    return location if is_url(location) else f"sqlite:///{Path(location).expanduser().resolve()}"


class History:
    """An open history database."""

    def __init__(self, url: str) -> None:
        self.url = url
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
                if found is None:
                    metadata.create_all(connection)
                    connection.execute(schema_version.insert().values(version=SCHEMA_VERSION))
                    return
                if found > SCHEMA_VERSION:
                    raise InputError(
                        f"история {shown_url(self.url)} записана более новой версией программы (схема {found}, "
                        f"эта версия знает схему {SCHEMA_VERSION})",
                        hint="Обновите report-builder или укажите другую историю в --history",
                    )
                for version in range(found, SCHEMA_VERSION):
                    for statement in MIGRATIONS.get(version, ()):
                        connection.execute(sa.text(statement))
                connection.execute(schema_version.update().values(version=SCHEMA_VERSION))
        except sa.exc.SQLAlchemyError as exc:
            raise _unusable(self.url, exc) from None
        self.prepared = True

    @contextlib.contextmanager
    def recording(self, snapshots: Sequence[Snapshot], library_versions: dict[str, str]) -> Iterator[None]:
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
                _write(connection, snapshot, library_versions)
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
        """The latest earlier period of the data set (by label), or the one asked for, with its trail."""
        if not self.prepared:
            if compare_with is not None:
                raise InputError(f"истории {shown_url(self.url)} ещё нет, сравнивать с «{compare_with}» не с чем")
            return Reference(None, ())
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    sa.select(runs).where(runs.c.dataset == dataset, runs.c.period != period).order_by(runs.c.period)
                ).mappings().all()
                earlier = [r for r in rows if r["period"] < period] if compare_with is None else [r for r in rows if r["period"] <= compare_with]
                if compare_with is not None and not any(r["period"] == compare_with for r in rows):
                    raise InputError(
                        f"в истории нет периода «{compare_with}» для сравнения",
                        hint="Есть: " + (", ".join(r["period"] for r in rows) or "ни одного"),
                    )
                if not earlier:
                    return Reference(None, ())
                chosen = earlier[-1]
                trail = tuple(_point(r) for r in earlier[-TRAIL:])
                return Reference(_snapshot(connection, chosen), trail)
        except sa.exc.SQLAlchemyError as exc:
            raise _unusable(self.url, exc) from None

    def runs(self) -> list[dict[str, object]]:
        """Every recorded run, by data set and period."""
        if not self.prepared:
            return []
        try:
            with self.engine.connect() as connection:
                found = connection.execute(sa.select(runs).order_by(runs.c.dataset, runs.c.period)).mappings().all()
                return [dict(r) for r in found]
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
    value = connection.execute(sa.select(schema_version.c.version)).scalar()
    return int(value) if value is not None else None


def _write(connection: Connection, snapshot: Snapshot, library_versions: dict[str, str]) -> None:
    old = connection.execute(
        sa.select(runs.c.id).where(runs.c.dataset == snapshot.dataset, runs.c.period == snapshot.period)
    ).scalar()
    if old is not None:
        for child in CHILDREN:
            connection.execute(child.delete().where(child.c.run_id == old))
        connection.execute(runs.delete().where(runs.c.id == old))
    run_id = connection.execute(
        runs.insert().values(
            dataset=snapshot.dataset,
            period=snapshot.period,
            built_at=snapshot.built_at,
            package_version=snapshot.package_version,
            config_hash=snapshot.config_hash,
            data_hashes=json.dumps(list(snapshot.data_hashes)),
            library_versions=json.dumps(library_versions, sort_keys=True),
            feature_set=json.dumps(list(snapshot.feature_set), ensure_ascii=False),
            customers=snapshot.customers,
            declined_share=snapshot.declined_share,
            at_risk=snapshot.at_risk,
            profit_at_risk=snapshot.profit_at_risk,
            quarter_profit=snapshot.quarter_profit,
            best_model=snapshot.best_model,
            best_cv_auc=snapshot.best_cv_auc,
            threshold=snapshot.threshold,
        )
    ).inserted_primary_key[0]
    if snapshot.segments:
        connection.execute(segments.insert(), [{"run_id": run_id, "name": n, "customers": c, "profit_at_risk": p} for n, c, p in snapshot.segments])
    if snapshot.drivers:
        connection.execute(drivers.insert(), [{"run_id": run_id, "rank": i + 1, "feature": f} for i, f in enumerate(snapshot.drivers)])
    frame = snapshot.people
    if len(frame):
        records = [
            {
                "run_id": run_id, "customer_id": int(i), "probability": float(r.probability), "segment": str(r.segment),
                "profit": float(r.profit), "profit_at_risk": float(r.profit_at_risk), "declined": int(r.declined),
                "control": int(r.control), "offers": str(r.offers),
            }
            for i, r in zip(frame.index, frame.itertuples(index=False))
        ]
        for start in range(0, len(records), 20_000):
            connection.execute(people.insert(), records[start : start + 20_000])
    connection.execute(
        features.insert(),
        [
            {"run_id": run_id, "feature": f.feature, "kind": f.kind, "payload": json.dumps(
                {"edges": f.edges, "counts": f.counts, "categories": f.categories, "mean": f.mean, "std": f.std}, ensure_ascii=False)}
            for f in snapshot.features
        ],
    )


def _point(row: sa.RowMapping) -> Point:
    return Point(row["period"], row["customers"], row["declined_share"], row["at_risk"], row["profit_at_risk"])


def _snapshot(connection: Connection, row: sa.RowMapping) -> Snapshot:
    run_id = row["id"]
    segment_rows = connection.execute(sa.select(segments).where(segments.c.run_id == run_id)).mappings().all()
    driver_rows = connection.execute(sa.select(drivers).where(drivers.c.run_id == run_id).order_by(drivers.c.rank)).mappings().all()
    people_frame = pd.read_sql(
        sa.select(people.c.customer_id, people.c.probability, people.c.segment, people.c.profit, people.c.profit_at_risk,
                  people.c.declined, people.c.control, people.c.offers).where(people.c.run_id == run_id),
        connection,
    ).set_index("customer_id")
    people_frame.index.name = "id"
    feature_rows = connection.execute(sa.select(features).where(features.c.run_id == run_id)).mappings().all()
    references = []
    for f in feature_rows:
        payload = json.loads(f["payload"])
        references.append(
            FeatureReference(f["feature"], f["kind"], tuple(payload["edges"]), tuple(payload["counts"]),
                             tuple(payload["categories"]), float(payload["mean"]), float(payload["std"]))
        )
    return Snapshot(
        period=row["period"],
        built_at=row["built_at"],
        dataset=row["dataset"],
        package_version=row["package_version"],
        config_hash=row["config_hash"],
        data_hashes=tuple(json.loads(row["data_hashes"])),
        feature_set=tuple(json.loads(row["feature_set"])),
        customers=row["customers"],
        declined_share=row["declined_share"],
        at_risk=row["at_risk"],
        profit_at_risk=row["profit_at_risk"],
        quarter_profit=row["quarter_profit"],
        best_model=row["best_model"],
        best_cv_auc=row["best_cv_auc"],
        threshold=row["threshold"],
        segments=tuple((r["name"], r["customers"], r["profit_at_risk"]) for r in segment_rows),
        drivers=tuple(r["feature"] for r in driver_rows),
        people=people_frame,
        features=tuple(references),
    )
