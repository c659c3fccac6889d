"""exchange: offers, requests, clearing runs, matches (encrypted); PostgreSQL row-level security

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 15:19:41.888212
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("pricing", sa.String(length=20), nullable=False),
        sa.Column("gap", sa.Float(), nullable=True),
        sa.Column("offers", sa.Integer(), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.Column("matches", sa.Integer(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["period_key"],
            ["reporting_periods.key"],
            name=op.f("fk_exchange_runs_period_key_reporting_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_runs")),
        sa.UniqueConstraint("period_key", "week", name="uq_exchange_runs_week"),
    )
    with op.batch_alter_table("exchange_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_runs_period_key"), ["period_key"], unique=False
        )

    op.create_table(
        "exchange_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("process_key", sa.String(length=40), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("capacity_ct", sa.LargeBinary(), nullable=False),
        sa.Column("unit_price_ct", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'withdrawn', 'cleared')", name=op.f("ck_exchange_offers_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_exchange_offers_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["period_key"],
            ["reporting_periods.key"],
            name=op.f("fk_exchange_offers_period_key_reporting_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["process_key"],
            ["process_families.key"],
            name=op.f("fk_exchange_offers_process_key_process_families"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["exchange_runs.id"], name=op.f("fk_exchange_offers_run_id_exchange_runs")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_exchange_offers_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_offers")),
    )
    with op.batch_alter_table("exchange_offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_offers_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_offers_period_key"), ["period_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_offers_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchange_offers_week"), ["week"], unique=False)

    op.create_table(
        "exchange_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("process_key", sa.String(length=40), nullable=False),
        sa.Column("earliest_week", sa.String(length=8), nullable=True),
        sa.Column("due_week", sa.String(length=8), nullable=True),
        sa.Column("splittable", sa.Boolean(), nullable=False),
        sa.Column("requires", sa.String(length=300), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("quantity_ct", sa.LargeBinary(), nullable=False),
        sa.Column("max_price_ct", sa.LargeBinary(), nullable=False),
        sa.Column("min_split_ct", sa.LargeBinary(), nullable=False),
        sa.Column("penalty_ct", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'withdrawn', 'cleared')", name=op.f("ck_exchange_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_exchange_requests_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["period_key"],
            ["reporting_periods.key"],
            name=op.f("fk_exchange_requests_period_key_reporting_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["process_key"],
            ["process_families.key"],
            name=op.f("fk_exchange_requests_process_key_process_families"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["exchange_runs.id"], name=op.f("fk_exchange_requests_run_id_exchange_runs")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_exchange_requests_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_requests")),
    )
    with op.batch_alter_table("exchange_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_requests_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_exchange_requests_period_key"), ["period_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_requests_run_id"), ["run_id"], unique=False)

    op.create_table(
        "exchange_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=10), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("counterparty_id", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("quantity_ct", sa.LargeBinary(), nullable=False),
        sa.Column("price_ct", sa.LargeBinary(), nullable=False),
        sa.Column("logistics_ct", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("side IN ('requester', 'host')", name=op.f("ck_exchange_matches_side")),
        sa.ForeignKeyConstraint(
            ["counterparty_id"],
            ["members.id"],
            name=op.f("fk_exchange_matches_counterparty_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_exchange_matches_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["exchange_offers.id"],
            name=op.f("fk_exchange_matches_offer_id_exchange_offers"),
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["exchange_requests.id"],
            name=op.f("fk_exchange_matches_request_id_exchange_requests"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["exchange_runs.id"],
            name=op.f("fk_exchange_matches_run_id_exchange_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_matches")),
        sa.UniqueConstraint("run_id", "side", "request_id", "offer_id", name="uq_exchange_matches"),
    )
    with op.batch_alter_table("exchange_matches", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_matches_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_exchange_matches_run_id"), ["run_id"], unique=False)

    if op.get_bind().dialect.name == "postgresql":
        _row_level_security()


# A member's session (osatnet.member_id) sees its own rows; the server-side clearing and the
# aggregates for the secretariat run in the 'aggregate' scope and see all. Written out here
# rather than imported from 0002: a migration never imports code that may change later.
_POLICY = (
    "member_id = current_setting('osatnet.member_id', true) "
    "OR current_setting('osatnet.scope', true) = 'aggregate'"
)
_MEMBER_TABLES = ("exchange_offers", "exchange_requests", "exchange_matches")


def _row_level_security() -> None:
    """PostgreSQL's second wall under the service's checks (FORCE: the owner too)."""
    for table in _MEMBER_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY member_isolation ON {table} USING ({_POLICY})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _MEMBER_TABLES:
            op.execute(f"DROP POLICY IF EXISTS member_isolation ON {table}")
    with op.batch_alter_table("exchange_matches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_matches_run_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_matches_member_id"))

    op.drop_table("exchange_matches")
    with op.batch_alter_table("exchange_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_requests_run_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_requests_period_key"))
        batch_op.drop_index(batch_op.f("ix_exchange_requests_member_id"))

    op.drop_table("exchange_requests")
    with op.batch_alter_table("exchange_offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_offers_week"))
        batch_op.drop_index(batch_op.f("ix_exchange_offers_run_id"))
        batch_op.drop_index(batch_op.f("ix_exchange_offers_period_key"))
        batch_op.drop_index(batch_op.f("ix_exchange_offers_member_id"))

    op.drop_table("exchange_offers")
    with op.batch_alter_table("exchange_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_runs_period_key"))

    op.drop_table("exchange_runs")
