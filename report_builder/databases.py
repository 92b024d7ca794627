"""Database addresses, shared by the data source and the run history: what is a URL, how it is shown, how it is opened."""

from __future__ import annotations

from typing import TYPE_CHECKING

from report_builder.errors import InputError

if TYPE_CHECKING:  # SQLAlchemy loads when a database is used: a build from files with no history never imports it
    from sqlalchemy.engine import Engine

CONNECT_TIMEOUT = 10  # seconds before an unreachable PostgreSQL server is reported


def is_url(location: str) -> bool:
    """Anything with «://» is an SQLAlchemy URL; everything else is a path."""
    return "://" in location


def shown_url(url: str) -> str:
    """The URL with any password masked, for messages and the report."""
    import sqlalchemy as sa

    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: say it as given
        return url


def create_engine(url: str, what: str, **options: object) -> Engine:
    """An engine for `url`, or InputError naming what the address was for («базы», «истории»)."""
    import sqlalchemy as sa

    connect = {"connect_timeout": CONNECT_TIMEOUT} if url.startswith("postgresql") else {}
    connect.update(options.pop("connect_args", {}))  # type: ignore[arg-type]
    try:
        return sa.create_engine(url, connect_args=connect, **options)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ValueError) as exc:
        raise InputError(
            f"не понимаю адрес {what} «{shown_url(url)}» ({exc.__class__.__name__})",
            hint="Ожидается путь к файлу SQLite или адрес вида sqlite:///shop.db, postgresql+psycopg://пользователь@сервер/база",
        ) from None
