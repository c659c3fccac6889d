"""blind: compute nodes, sealed share bundles, jobs and node results; sealed-bid auctions,
their sealed orders and node results; row-level security

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25 18:00:00.000000
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0003"
branch_labels = None
depends_on = None


def _now() -> sa.Column[datetime]:
    return sa.Column(
        "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "blind_nodes",
        sa.Column("index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("port", sa.Integer(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "registered_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("index", name=op.f("pk_blind_nodes")),
    )  # fmt: skip
    op.create_table(
        "blind_share_bundles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("node_index", sa.Integer(), nullable=False),
        sa.Column("bundle", sa.Text(), nullable=False),
        sa.Column("values", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_blind_share_bundles_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["period_key"], ["reporting_periods.key"],
            name=op.f("fk_blind_share_bundles_period_key_reporting_periods"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_share_bundles")),
        sa.UniqueConstraint("period_key", "member_id", "node_index", name="uq_blind_bundle"),
    )  # fmt: skip
    with op.batch_alter_table("blind_share_bundles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blind_share_bundles_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_blind_share_bundles_period_key"), ["period_key"], unique=False
        )
    op.create_table(
        "blind_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("measure", sa.String(length=80), nullable=False),
        sa.Column("stat", sa.String(length=20), nullable=False),
        sa.Column("dims", sa.String(length=200), nullable=False),
        sa.Column("job", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("release_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _now(),
        sa.CheckConstraint(
            "status IN ('pending', 'done', 'failed')", name=op.f("ck_blind_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["period_key"], ["reporting_periods.key"],
            name=op.f("fk_blind_jobs_period_key_reporting_periods"),
        ),
        sa.ForeignKeyConstraint(
            ["release_id"], ["releases.id"], name=op.f("fk_blind_jobs_release_id_releases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_jobs")),
    )  # fmt: skip
    with op.batch_alter_table("blind_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_blind_jobs_period_key"), ["period_key"], unique=False)
    op.create_table(
        "blind_results",
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("node_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column(
            "posted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["blind_jobs.id"], name=op.f("fk_blind_results_job_id_blind_jobs")
        ),
        sa.PrimaryKeyConstraint("job_id", "node_index", name=op.f("pk_blind_results")),
    )
    op.create_table(
        "blind_auctions",
        sa.Column("auction_id", sa.String(length=64), nullable=False),
        sa.Column("period_key", sa.String(length=10), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("auction", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("prices", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        _now(),
        sa.CheckConstraint(
            "status IN ('open', 'clearing', 'done', 'failed')",
            name=op.f("ck_blind_auctions_status"),
        ),
        sa.ForeignKeyConstraint(
            ["period_key"], ["reporting_periods.key"],
            name=op.f("fk_blind_auctions_period_key_reporting_periods"),
        ),
        sa.PrimaryKeyConstraint("auction_id", name=op.f("pk_blind_auctions")),
    )  # fmt: skip
    with op.batch_alter_table("blind_auctions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blind_auctions_period_key"), ["period_key"], unique=False
        )
    op.create_table(
        "blind_auction_orders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("auction_id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("node_index", sa.Integer(), nullable=False),
        sa.Column("bundle", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=100), nullable=False),
        sa.Column(
            "uploaded_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["auction_id"], ["blind_auctions.auction_id"],
            name=op.f("fk_blind_auction_orders_auction_id_blind_auctions"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_blind_auction_orders_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blind_auction_orders")),
        sa.UniqueConstraint("auction_id", "member_id", "node_index", name="uq_blind_orders"),
    )  # fmt: skip
    with op.batch_alter_table("blind_auction_orders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blind_auction_orders_auction_id"), ["auction_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_blind_auction_orders_member_id"), ["member_id"], unique=False
        )
    op.create_table(
        "blind_auction_results",
        sa.Column("auction_id", sa.String(length=64), nullable=False),
        sa.Column("node_index", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column(
            "posted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["auction_id"],
            ["blind_auctions.auction_id"],
            name=op.f("fk_blind_auction_results_auction_id_blind_auctions"),
        ),
        sa.PrimaryKeyConstraint("auction_id", "node_index", name=op.f("pk_blind_auction_results")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # A member's session sees its own bundles only (ciphertext, but its metadata says
        # where the member reports); the nodes' downloads run in the 'aggregate' scope.
        op.execute("ALTER TABLE blind_share_bundles ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE blind_share_bundles FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY member_isolation ON blind_share_bundles USING ("
            "member_id = current_setting('osatnet.member_id', true) "
            "OR current_setting('osatnet.scope', true) = 'aggregate')"
        )
        # The same wall for sealed orders: whether a member takes part in an auction is its
        # own business; the nodes' downloads and the clearing's count run in 'aggregate'.
        op.execute("ALTER TABLE blind_auction_orders ENABLE ROW LEVEL SECURITY")
        op.execute("ALTER TABLE blind_auction_orders FORCE ROW LEVEL SECURITY")
        op.execute(
            "CREATE POLICY member_isolation ON blind_auction_orders USING ("
            "member_id = current_setting('osatnet.member_id', true) "
            "OR current_setting('osatnet.scope', true) = 'aggregate')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP POLICY IF EXISTS member_isolation ON blind_auction_orders")
        op.execute("DROP POLICY IF EXISTS member_isolation ON blind_share_bundles")
    op.drop_table("blind_auction_results")
    with op.batch_alter_table("blind_auction_orders", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_auction_orders_member_id"))
        batch_op.drop_index(batch_op.f("ix_blind_auction_orders_auction_id"))
    op.drop_table("blind_auction_orders")
    with op.batch_alter_table("blind_auctions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_auctions_period_key"))
    op.drop_table("blind_auctions")
    op.drop_table("blind_results")
    with op.batch_alter_table("blind_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_jobs_period_key"))
    op.drop_table("blind_jobs")
    with op.batch_alter_table("blind_share_bundles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blind_share_bundles_period_key"))
        batch_op.drop_index(batch_op.f("ix_blind_share_bundles_member_id"))
    op.drop_table("blind_share_bundles")
    op.drop_table("blind_nodes")
