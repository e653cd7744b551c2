"""Alembic migrations of the store's schema, one for SQLite and PostgreSQL."""
