"""vault: member keys, encrypted submissions, audit log, releases, privacy ledger

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:02:28.851769
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=300), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_log_hash")),
    )
    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_keys", sa.String(length=200), nullable=False),
        sa.Column("measure", sa.String(length=80), nullable=False),
        sa.Column("stat", sa.String(length=20), nullable=False),
        sa.Column("dims", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("epsilon", sa.Float(), nullable=True),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
    )
    op.create_table(
        "privacy_ledger",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("release_id", sa.Integer(), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["period_key"],
            ["reporting_periods.key"],
            name=op.f("fk_privacy_ledger_period_key_reporting_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_privacy_ledger_release_id_releases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_privacy_ledger")),
    )
    with op.batch_alter_table("privacy_ledger", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_privacy_ledger_period_key"), ["period_key"], unique=False
        )

    op.create_table(
        "member_keys",
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("master_key_id", sa.String(length=16), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_keys_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_keys")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("source", sa.String(length=300), nullable=True),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'superseded', 'withdrawn')", name=op.f("ck_submissions_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_submissions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["period_key"],
            ["reporting_periods.key"],
            name=op.f("fk_submissions_period_key_reporting_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("member_id", "period_key", "version", name="uq_submissions_version"),
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_submissions_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_submissions_period_key"), ["period_key"], unique=False)

    op.create_table(
        "submission_values",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("process_key", sa.String(length=40), nullable=True),
        sa.Column("measure", sa.String(length=80), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_submission_values_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["process_key"],
            ["process_families.key"],
            name=op.f("fk_submission_values_process_key_process_families"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_submission_values_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_values_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submission_values")),
    )
    with op.batch_alter_table("submission_values", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submission_values_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_submission_values_submission_id"), ["submission_id"], unique=False
        )

    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("privacy_budget", sa.Float(), server_default="1.0", nullable=False)
        )

    _append_only_audit_log()
    if op.get_bind().dialect.name == "postgresql":
        _row_level_security()


def _append_only_audit_log() -> None:
    """The database itself refuses to edit or delete audit entries."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION osatnet_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION osatnet_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION osatnet_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )


# Which rows a session may touch, from the settings the application sets per transaction:
# its member (osatnet.member_id) or a server-side scope (osatnet.scope).
_MEMBER = "member_id = current_setting('osatnet.member_id', true)"
_SCOPE = "current_setting('osatnet.scope', true)"
_POLICIES = {
    "submissions": f"{_MEMBER} OR {_SCOPE} IN ('aggregate', 'metadata')",
    "submission_values": f"{_MEMBER} OR {_SCOPE} = 'aggregate'",
    "member_keys": f"{_MEMBER} OR {_SCOPE} = 'aggregate'",
}


def _row_level_security() -> None:
    """PostgreSQL's second wall under the application's checks (FORCE: owners too)."""
    for table, condition in _POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY member_isolation ON {table} USING ({condition})")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in _POLICIES:
            op.execute(f"DROP POLICY IF EXISTS member_isolation ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS osatnet_audit_append_only()")
    with op.batch_alter_table("alliances", schema=None) as batch_op:
        batch_op.drop_column("privacy_budget")

    with op.batch_alter_table("submission_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submission_values_submission_id"))
        batch_op.drop_index(batch_op.f("ix_submission_values_member_id"))

    op.drop_table("submission_values")
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_submissions_period_key"))
        batch_op.drop_index(batch_op.f("ix_submissions_member_id"))

    op.drop_table("submissions")
    op.drop_table("member_keys")
    with op.batch_alter_table("privacy_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_privacy_ledger_period_key"))

    op.drop_table("privacy_ledger")
    op.drop_table("releases")
    op.drop_table("audit_log")
