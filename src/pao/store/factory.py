"""Opening the store and the cache from configuration URLs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .cache import Cache
from .cache_memory import MemoryCache
from .database import Database
from .store import Store

__all__ = ["DEFAULT_DATABASE_FILE", "open_cache", "open_database", "open_store"]

DEFAULT_DATABASE_FILE = "pao.db"

_POSTGRES_SCHEMES = ("postgresql", "postgres", "postgresql+psycopg")


def open_store(
    database_url: str | None,
    *,
    data_dir: Path,
    clock: Callable[[], datetime] | None = None,
) -> Store:
    """Open the store at *database_url* (migrations are not run here).

    ``None`` means SQLite at ``<data_dir>/pao.db``; ``sqlite:///path``
    (relative) or ``sqlite:////abs/path`` names another file;
    ``postgresql://…`` (or ``postgres://``) opens PostgreSQL. Call
    :meth:`Store.migrate` before first use.
    """
    db = open_database(database_url, data_dir=data_dir)
    return Store(db) if clock is None else Store(db, clock=clock)


def open_database(database_url: str | None, *, data_dir: Path) -> Database:
    """The :class:`Database` engine for *database_url* (see :func:`open_store`)."""
    if database_url is None or not database_url.strip():
        from .sqlite import SqliteDatabase

        return SqliteDatabase(data_dir / DEFAULT_DATABASE_FILE)
    scheme = urlsplit(database_url).scheme.lower()
    if scheme == "sqlite":
        from .sqlite import SqliteDatabase

        return SqliteDatabase(_sqlite_path(database_url))
    if scheme in _POSTGRES_SCHEMES:
        from .postgres import PostgresDatabase

        return PostgresDatabase(database_url.replace("+psycopg", "", 1))
    message = (
        "database URL must start with sqlite:/// or postgresql://,"
        f" got scheme {scheme or '(none)'!r}"
    )
    raise ValueError(message)


def open_cache(redis_url: str | None, *, prefix: str = "pao:") -> Cache:
    """An in-process cache for ``None``, else Redis at *redis_url*."""
    if redis_url is None or not redis_url.strip():
        return MemoryCache()
    from .cache_redis import RedisCache

    return RedisCache(redis_url, prefix=prefix)


def _sqlite_path(url: str) -> Path:
    # sqlite:///relative/path and sqlite:////absolute/path, as SQLAlchemy.
    rest = url.split(":", 1)[1]
    if not rest.startswith("///"):
        message = f"SQLite URL must look like sqlite:///path, got {url!r}"
        raise ValueError(message)
    path = unquote(rest[3:].split("?", 1)[0])
    if not path or path == ":memory:":
        message = f"SQLite URL must name a file (shared by threads), got {url!r}"
        raise ValueError(message)
    return Path(path)
