"""Alembic environment: migrates the connection the store hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection


def run_migrations(connection: Connection) -> None:
    """Apply pending migrations inside the caller's transaction."""
    context.configure(
        connection=connection,
        # SQLite alters most tables only by copying them: batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
        # Both engines roll DDL back; a failed migration leaves nothing.
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    message = "offline (--sql) migrations are not supported; run Store.migrate()"
    raise RuntimeError(message)
run_migrations(context.config.attributes["connection"])
