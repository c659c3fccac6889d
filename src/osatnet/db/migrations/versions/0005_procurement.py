"""procurement: rounds, encrypted demand, quotes, award lines, encrypted results

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-25 15:17:32.140035

Branches from 0003 (see docs/migrations.md). Demand and results hold ciphertext only, and on
PostgreSQL row-level security limits them to the member's own rows or the aggregate scope.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "procurement_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("max_supplier_share", sa.Float(), nullable=True),
        sa.Column("max_country_share", sa.Float(), nullable=True),
        sa.Column("min_suppliers", sa.Integer(), nullable=False),
        sa.Column("savings_target", sa.Float(), nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column(
            "opened_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.Column("closed_by", sa.String(length=100), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'closed', 'awarded')", name=op.f("ck_procurement_rounds_status")
        ),
        sa.CheckConstraint("min_suppliers >= 1", name=op.f("ck_procurement_rounds_min_suppliers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_rounds")),
        sa.UniqueConstraint("key", name=op.f("uq_procurement_rounds_key")),
    )
    op.create_table(
        "procurement_award_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_award_lines_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_award_lines")),
    )
    with op.batch_alter_table("procurement_award_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_award_lines_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "procurement_quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("discount", sa.String(length=12), nullable=False),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.Column("country", sa.String(length=40), nullable=True),
        sa.Column("lead_time_weeks", sa.Float(), nullable=True),
        sa.Column("entered_by", sa.String(length=100), nullable=False),
        sa.CheckConstraint(
            "discount IN ('all_units', 'incremental')", name=op.f("ck_procurement_quotes_discount")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_quotes_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_quotes")),
        sa.UniqueConstraint(
            "round_id", "supplier_id", "category", name="uq_procurement_quotes_row"
        ),
    )
    with op.batch_alter_table("procurement_quotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_quotes_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "procurement_demands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.LargeBinary(), nullable=False),
        sa.Column("current_unit_price", sa.LargeBinary(), nullable=True),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column(
            "submitted_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_procurement_demands_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_demands_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_demands")),
        sa.UniqueConstraint("round_id", "member_id", "category", name="uq_procurement_demands_row"),
    )
    with op.batch_alter_table("procurement_demands", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_demands_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_demands_round_id"), ["round_id"], unique=False
        )

    op.create_table(
        "procurement_price_breaks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("min_qty", sa.Float(), nullable=False),
        sa.Column("unit_price", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"],
            ["procurement_quotes.id"],
            name=op.f("fk_procurement_price_breaks_quote_id_procurement_quotes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_price_breaks")),
    )
    with op.batch_alter_table("procurement_price_breaks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_price_breaks_quote_id"), ["quote_id"], unique=False
        )

    op.create_table(
        "procurement_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("cost", sa.LargeBinary(), nullable=False),
        sa.Column("solo_cost", sa.LargeBinary(), nullable=False),
        sa.Column("std_error", sa.LargeBinary(), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_procurement_results_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["procurement_rounds.id"],
            name=op.f("fk_procurement_results_round_id_procurement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement_results")),
        sa.UniqueConstraint("round_id", "member_id", name="uq_procurement_results_row"),
    )
    with op.batch_alter_table("procurement_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procurement_results_member_id"), ["member_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procurement_results_round_id"), ["round_id"], unique=False
        )

    if op.get_bind().dialect.name == "postgresql":
        _row_level_security()


# Member-owned rows: the member's own session, or the server-side award (aggregate scope).
# Rounds, quotes and award lines are not member data and carry no policy. Written out here
# rather than imported from 0002: a migration never imports code that may change later.
_MEMBER_ROWS = (
    "member_id = current_setting('osatnet.member_id', true) "
    "OR current_setting('osatnet.scope', true) = 'aggregate'"
)
_POLICIES = ("procurement_demands", "procurement_results")


def _row_level_security() -> None:
    """PostgreSQL's second wall under the application's checks (FORCE: owners too)."""
    for table in _POLICIES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY member_isolation ON {table} USING ({_MEMBER_ROWS})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _POLICIES:
            op.execute(f"DROP POLICY IF EXISTS member_isolation ON {table}")
    with op.batch_alter_table("procurement_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_results_round_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_results_member_id"))

    op.drop_table("procurement_results")
    with op.batch_alter_table("procurement_price_breaks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_price_breaks_quote_id"))

    op.drop_table("procurement_price_breaks")
    with op.batch_alter_table("procurement_demands", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_demands_round_id"))
        batch_op.drop_index(batch_op.f("ix_procurement_demands_member_id"))

    op.drop_table("procurement_demands")
    with op.batch_alter_table("procurement_quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_quotes_round_id"))

    op.drop_table("procurement_quotes")
    with op.batch_alter_table("procurement_award_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procurement_award_lines_round_id"))

    op.drop_table("procurement_award_lines")
    op.drop_table("procurement_rounds")
