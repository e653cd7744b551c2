"""The index and execution log: catalog, repos, requests, runs, audit, webhooks.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
TIME = sa.DateTime(timezone=True)

# Spelled out rather than imported: a migration must keep meaning what it
# meant when it was written, whatever the code's enums become later.
REQUEST_STATUSES = [
    "submitted",
    "validating",
    "awaiting_approval",
    "queued",
    "in_progress",
    "completed",
    "failed",
    "aborted",
    "escalated",
    "cancelled",
]
RUN_STATUSES = [
    "pending",
    "started",
    "waiting",
    "succeeded",
    "failed",
    "skipped",
    "interrupted",
]
DELIVERY_STATUSES = ["pending", "processing", "done", "failed"]


def _one_of(column: str, values: list[str]) -> sa.CheckConstraint:
    allowed = ", ".join(f"'{value}'" for value in values)
    return sa.CheckConstraint(f"{column} IN ({allowed})")


def upgrade() -> None:
    _create_catalog()
    _create_repo_states()
    _create_requests()
    _create_action_runs()
    _create_audit_log()
    _create_webhook_deliveries()
    _create_named_locks()


def _create_catalog() -> None:
    # Versions carry their own descriptive columns (for filters and text
    # search), so the current pointer can move back to an older version
    # without losing what that version said.
    op.create_table(
        "catalog_item_versions",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("version", sa.String(64)),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("valid", sa.Boolean, nullable=False),
        sa.Column("data", JSON),
        sa.Column("diagnostics", JSON, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("category", sa.String(128), nullable=False),
        sa.Column("tags", JSON, nullable=False),
        sa.Column("lifecycle_status", sa.String(32), nullable=False),
        sa.Column("owner_team", sa.String(256)),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.Column("indexed_at", TIME, nullable=False),
        sa.UniqueConstraint("item_id", "content_sha256"),
    )
    op.create_index(
        "ix_catalog_item_versions_item_version",
        "catalog_item_versions",
        ["item_id", "version"],
    )
    op.create_table(
        "catalog_version_tags",
        sa.Column(
            "version_id",
            ID,
            sa.ForeignKey("catalog_item_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("tag", sa.String(128), primary_key=True),
    )
    op.create_index("ix_catalog_version_tags_tag", "catalog_version_tags", ["tag"])
    op.create_table(
        "catalog_items",
        sa.Column("item_id", sa.String(128), primary_key=True),
        sa.Column("current_version_id", ID, sa.ForeignKey("catalog_item_versions.id")),
        sa.Column(
            "newest_version_id",
            ID,
            sa.ForeignKey("catalog_item_versions.id"),
            nullable=False,
        ),
        sa.Column("stale", sa.Boolean, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )


def _create_repo_states() -> None:
    op.create_table(
        "repo_states",
        sa.Column("repo", sa.String(64), primary_key=True),
        sa.Column("indexed_sha", sa.String(64)),
        sa.Column("fetched_at", TIME),
        sa.Column("last_error", sa.Text),
        sa.Column("updated_at", TIME, nullable=False),
    )


def _create_requests() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(255), primary_key=True),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("team", sa.String(256), nullable=False),
        sa.Column("owner_team", sa.String(256)),
        sa.Column("requester", sa.String(320)),
        sa.Column(
            "status", sa.String(32), _one_of("status", REQUEST_STATUSES), nullable=False
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("revision_sha", sa.String(64), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
        sa.Column("escalation", JSON),
        sa.Column("failure", JSON),
        sa.Column("pr_number", sa.Integer),
        sa.Column("lease_owner", sa.String(256)),
        sa.Column("lease_expires_at", TIME),
    )
    for name, columns in {
        "created": ["created_at", "id"],
        "status": ["status", "created_at", "id"],
        "item": ["item_id", "created_at", "id"],
        "team": ["team", "created_at", "id"],
    }.items():
        op.create_index(f"ix_requests_{name}", "requests", columns)
    # Claims walk the few claimable requests oldest first; the store spells
    # these statuses as literals so that both engines match the predicate.
    claimable = sa.text("status IN ('in_progress', 'queued')")
    op.create_index(
        "ix_requests_claimable",
        "requests",
        ["created_at", "id"],
        sqlite_where=claimable,
        postgresql_where=claimable,
    )
    op.create_table(
        "request_revisions",
        sa.Column(
            "request_id",
            sa.String(255),
            sa.ForeignKey("requests.id"),
            primary_key=True,
        ),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("content_sha256", sa.String(64), nullable=False),
        sa.Column("data", JSON, nullable=False),
        sa.Column("author", sa.String(320)),
        sa.Column("created_at", TIME, nullable=False),
    )


def _create_action_runs() -> None:
    op.create_table(
        "action_runs",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column(
            "request_id", sa.String(255), sa.ForeignKey("requests.id"), nullable=False
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("action_id", sa.String(128), nullable=False),
        sa.Column("run_number", sa.Integer, nullable=False),
        sa.Column("idempotency_key", sa.String(256), nullable=False, unique=True),
        sa.Column(
            "status", sa.String(32), _one_of("status", RUN_STATUSES), nullable=False
        ),
        sa.Column("worker", sa.String(256)),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("started_at", TIME),
        sa.Column("finished_at", TIME),
        sa.Column("outputs", JSON),
        sa.Column("error", sa.Text),
        sa.Column("external_ref", JSON),
        sa.Column("context", JSON),
    )
    op.create_index("ix_action_runs_request", "action_runs", ["request_id", "id"])
    op.create_index("ix_action_runs_status", "action_runs", ["status"])


def _create_audit_log() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(255)),
        sa.Column("at", TIME, nullable=False),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("event", sa.String(128), nullable=False),
        sa.Column("from_status", sa.String(32)),
        sa.Column("to_status", sa.String(32)),
        sa.Column("details", JSON, nullable=False),
        sa.Column("correlation_id", sa.String(128)),
    )
    op.create_index("ix_audit_log_request", "audit_log", ["request_id", "id"])
    _forbid_audit_changes()


def _forbid_audit_changes() -> None:
    # The log is append-only for every client, not just for this API.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger"
            " LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE"
            " ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log"
            " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )


def _create_webhook_deliveries() -> None:
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("delivery_id", sa.String(128), nullable=False),
        sa.Column("event", sa.String(128), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("payload", JSON),
        sa.Column(
            "status",
            sa.String(32),
            _one_of("status", DELIVERY_STATUSES),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("processed_at", TIME),
        sa.Column("error", sa.Text),
        sa.Column("meaning_key", sa.String(512)),
        sa.UniqueConstraint("source", "delivery_id"),
    )
    op.create_index(
        "ix_webhook_deliveries_meaning", "webhook_deliveries", ["meaning_key"]
    )
    op.create_index(
        "ix_webhook_deliveries_status", "webhook_deliveries", ["status", "id"]
    )


def _create_named_locks() -> None:
    op.create_table(
        "named_locks",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("owner", sa.String(256), nullable=False),
        sa.Column("acquired_at", TIME, nullable=False),
        sa.Column("expires_at", TIME, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "named_locks",
        "webhook_deliveries",
        "audit_log",
        "action_runs",
        "request_revisions",
        "requests",
        "repo_states",
        "catalog_items",
        "catalog_version_tags",
        "catalog_item_versions",
    ):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
