"""Find a pull request's requests without scanning them all.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ix_requests_pr_number", "requests", ["pr_number"])


def downgrade() -> None:
    op.drop_index("ix_requests_pr_number", table_name="requests")
