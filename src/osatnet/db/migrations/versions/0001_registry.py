"""registry: alliance, members, sites, process families, capabilities, users, periods

Revision ID: 0001
Revises:
Create Date: 2026-11-25 14:48:23.150707
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alliances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=True),
        sa.Column("trust_model", sa.String(length=20), nullable=False),
        sa.Column("min_contributors", sa.Integer(), nullable=False),
        sa.Column("dominance_n", sa.Integer(), nullable=False),
        sa.Column("dominance_k_pct", sa.Float(), nullable=False),
        sa.Column("p_percent", sa.Float(), nullable=False),
        sa.Column("protection_pct", sa.Float(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "trust_model IN ('operator-trusted', 'blind')", name=op.f("ck_alliances_trust_model")
        ),
        sa.CheckConstraint(
            "dominance_k_pct > 0 AND dominance_k_pct <= 100", name=op.f("ck_alliances_dominance_k")
        ),
        sa.CheckConstraint("dominance_n >= 1", name=op.f("ck_alliances_dominance_n")),
        sa.CheckConstraint("min_contributors >= 1", name=op.f("ck_alliances_min_contributors")),
        sa.CheckConstraint("p_percent >= 0", name=op.f("ck_alliances_p_percent")),
        sa.CheckConstraint("protection_pct >= 0", name=op.f("ck_alliances_protection_pct")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alliances")),
        sa.UniqueConstraint("name", name=op.f("uq_alliances_name")),
    )
    op.create_table(
        "process_families",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("name_ja", sa.String(length=100), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("capacity_unit", sa.String(length=20), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_process_families")),
    )
    op.create_table(
        "reporting_periods",
        sa.Column("key", sa.String(length=10), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_reporting_periods_status")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_reporting_periods")),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("alliance_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("prefecture", sa.String(length=100), nullable=False),
        sa.Column("employee_band", sa.String(length=10), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "employee_band IN ('<50', '50-99', '100-299', '300-999', '1000+')",
            name=op.f("ck_members_employee_band"),
        ),
        sa.CheckConstraint(
            "role IN ('osat', 'materials', 'equipment', 'customer')", name=op.f("ck_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["alliance_id"], ["alliances.id"], name=op.f("fk_members_alliance_id_alliances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_members")),
    )
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_members_alliance_id"), ["alliance_id"], unique=False)

    op.create_table(
        "sites",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ja", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.CheckConstraint("lat BETWEEN -90 AND 90", name=op.f("ck_sites_lat")),
        sa.CheckConstraint("lon BETWEEN -180 AND 180", name=op.f("ck_sites_lon")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_sites_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
    )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sites_member_id"), ["member_id"], unique=False)

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("member_id", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "(role IN ('member_user', 'member_admin')) = (member_id IS NOT NULL)",
            name=op.f("ck_users_member_matches_role"),
        ),
        sa.CheckConstraint(
            "role IN ('member_user', 'member_admin', 'secretariat', 'auditor')",
            name=op.f("ck_users_role"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_users_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_member_id"), ["member_id"], unique=False)

    op.create_table(
        "site_capabilities",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("process_key", sa.String(length=40), nullable=False),
        sa.Column("weekly_capacity", sa.Float(), nullable=False),
        sa.Column("automotive", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "weekly_capacity >= 0", name=op.f("ck_site_capabilities_weekly_capacity")
        ),
        sa.ForeignKeyConstraint(
            ["process_key"],
            ["process_families.key"],
            name=op.f("fk_site_capabilities_process_key_process_families"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_capabilities_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "process_key", name=op.f("pk_site_capabilities")),
    )
    op.create_table(
        "site_certifications",
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("certification", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "certification IN ('ISO 9001', 'IATF 16949', 'ISO 14001', 'AEC-Q100', 'AEC-Q101')",
            name=op.f("ck_site_certifications_certification"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_certifications_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "certification", name=op.f("pk_site_certifications")),
    )

    # The shipped catalog, written out so this migration never changes with later code.
    families = sa.table(
        "process_families",
        sa.column("key", sa.String),
        sa.column("name", sa.String),
        sa.column("name_ja", sa.String),
        sa.column("stage", sa.String),
        sa.column("capacity_unit", sa.String),
        sa.column("sort_order", sa.Integer),
    )
    op.bulk_insert(
        families,
        [
            dict(key=k, name=n, name_ja=j, stage=s, capacity_unit=u, sort_order=i)
            for i, (k, n, j, s, u) in enumerate(_PROCESS_FAMILIES, start=1)
        ],
    )


_PROCESS_FAMILIES = [
    ("wafer_backgrind", "Wafer backgrind", "バックグラインド", "wafer", "wafers"),
    ("dicing", "Dicing", "ダイシング", "wafer", "wafers"),
    ("die_attach", "Die attach", "ダイボンディング", "assembly", "units"),
    ("wire_bond_au", "Wire bond (Au)", "ワイヤボンディング（金）", "assembly", "units"),
    ("wire_bond_cu", "Wire bond (Cu)", "ワイヤボンディング（銅）", "assembly", "units"),
    ("flip_chip_bump", "Flip-chip bump", "フリップチップ・バンプ形成", "wafer", "wafers"),
    ("flip_chip_attach", "Flip-chip attach", "フリップチップ実装", "assembly", "units"),
    ("molding", "Molding", "モールド", "assembly", "units"),
    (
        "leadframe_package",
        "Leadframe packages (QFN/SOP/QFP)",
        "リードフレーム系パッケージ（QFN/SOP/QFP）",
        "package",
        "units",
    ),
    (
        "substrate_package",
        "Substrate packages (BGA/LGA)",
        "基板系パッケージ（BGA/LGA）",
        "package",
        "units",
    ),
    ("wlcsp", "WLCSP", "WLCSP（ウェハレベルCSP）", "wafer", "wafers"),
    ("sip_module", "SiP / module", "SiP・モジュール", "package", "units"),
    ("wafer_sort", "Wafer sort", "ウェハテスト（プローブ）", "test", "wafers"),
    ("final_test", "Final test", "ファイナルテスト", "test", "units"),
    ("burn_in", "Burn-in", "バーンイン", "test", "units"),
    ("tape_and_reel", "Tape & reel", "テーピング", "package", "units"),
]


def downgrade() -> None:
    op.drop_table("site_certifications")
    op.drop_table("site_capabilities")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_member_id"))

    op.drop_table("users")
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sites_member_id"))

    op.drop_table("sites")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_members_alliance_id"))

    op.drop_table("members")
    op.drop_table("reporting_periods")
    op.drop_table("process_families")
    op.drop_table("alliances")
