"""Schema migrations, run by the store itself at startup.

Alembic keeps one linear history under ``migrations/versions`` for both
engines. :func:`upgrade` applies what is missing while holding the
database's migration lock, so replicas starting together migrate once;
:func:`is_current` backs the readiness probe without touching Alembic's
machinery on every call.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy.exc
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from .database import Database
from .errors import StoreError, StoreUnavailable

__all__ = ["applied_revisions", "head_revisions", "is_current", "upgrade"]

MIGRATIONS = Path(__file__).with_name("migrations")


def upgrade(db: Database) -> None:
    """Bring the schema of *db* to the newest revision (idempotent)."""
    config = _config()
    engine = db.migration_engine()
    try:
        with _translated(), db.migration_lock(), engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def is_current(db: Database) -> bool:
    """Tell whether *db* has exactly the newest schema revision."""
    return applied_revisions(db) == head_revisions()


def applied_revisions(db: Database) -> frozenset[str]:
    """The revisions recorded in *db* (empty before the first migration)."""
    try:
        with db.transaction(write=False) as tx:
            rows = tx.fetch("SELECT version_num FROM alembic_version")
    except StoreUnavailable:
        raise
    except StoreError:
        # No alembic_version table yet: nothing was ever migrated.
        return frozenset()
    return frozenset(str(row["version_num"]) for row in rows)


@functools.cache
def head_revisions() -> frozenset[str]:
    """The newest revisions the package ships."""
    return frozenset(ScriptDirectory.from_config(_config()).get_heads())


def _config() -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sqlalchemy.exc.OperationalError as exc:
        raise StoreUnavailable(f"migration failed: {exc}") from exc
    except (sqlalchemy.exc.SQLAlchemyError, CommandError) as exc:
        raise StoreError(f"migration failed: {exc}") from exc
