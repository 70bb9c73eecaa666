"""the standards file: candidates' rule, publication permissions, never-publish flags, exemplars, their revisions,
copied images and second-person page checks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 19:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standards_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("min_moderators", sa.Integer(), nullable=False),
        sa.Column("min_overall_percent", sa.Integer(), nullable=False),
        sa.Column("min_criterion_percent", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "min_criterion_percent BETWEEN 0 AND 100", name=op.f("ck_standards_rule_criterion_in_range")
        ),
        sa.CheckConstraint("min_moderators BETWEEN 2 AND 20", name=op.f("ck_standards_rule_moderators_in_range")),
        sa.CheckConstraint("min_overall_percent BETWEEN 0 AND 100", name=op.f("ck_standards_rule_overall_in_range")),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["local_authority.id"],
            name=op.f("fk_standards_rule_authority_id_local_authority"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["user_account.id"],
            name=op.f("fk_standards_rule_updated_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standards_rule")),
    )
    op.create_index(op.f("ix_standards_rule_authority_id"), "standards_rule", ["authority_id"], unique=True)
    op.create_table(
        "never_publish",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.Integer(), nullable=False),
        sa.Column("pupil_code", sa.String(length=20), nullable=False),
        sa.Column("set_by_id", sa.Integer(), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_never_publish_school_id_school"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["set_by_id"],
            ["user_account.id"],
            name=op.f("fk_never_publish_set_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_never_publish")),
        sa.UniqueConstraint("school_id", "pupil_code", name=op.f("uq_never_publish_school_id_pupil_code")),
    )
    op.create_index(op.f("ix_never_publish_school_id"), "never_publish", ["school_id"], unique=False)
    op.create_table(
        "exemplar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("authority_id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("framework_id", sa.Integer(), nullable=False),
        sa.Column("standard_id", sa.Integer(), nullable=False),
        sa.Column("year_group", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "published",
                "withdrawn",
                name="exemplarstate",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum("round", "outside", name="exemplarsource", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("round_name", sa.String(length=200), nullable=False),
        sa.Column("moderator_count", sa.Integer(), nullable=True),
        sa.Column("overall_agreement", sa.Float(), nullable=True),
        sa.Column("criterion_agreement", sa.JSON(), nullable=False),
        sa.Column("outside_note", sa.Text(), nullable=False),
        sa.Column("draft_commentary", sa.Text(), nullable=False),
        sa.Column("revisions_made", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["authority_id"],
            ["local_authority.id"],
            name=op.f("fk_exemplar_authority_id_local_authority"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_exemplar_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["framework_id"], ["framework.id"], name=op.f("fk_exemplar_framework_id_framework"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["moderation_round.id"],
            name=op.f("fk_exemplar_round_id_moderation_round"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"], ["work_sample.id"], name=op.f("fk_exemplar_sample_id_work_sample"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["framework_standard.id"],
            name=op.f("fk_exemplar_standard_id_framework_standard"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplar")),
        sa.UniqueConstraint("code", name=op.f("uq_exemplar_code")),
    )
    op.create_index(op.f("ix_exemplar_authority_id"), "exemplar", ["authority_id"], unique=False)
    op.create_index(op.f("ix_exemplar_framework_id"), "exemplar", ["framework_id"], unique=False)
    op.create_index(op.f("ix_exemplar_sample_id"), "exemplar", ["sample_id"], unique=True)
    op.create_table(
        "publication_permission",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sample_id", sa.Integer(), nullable=False),
        sa.Column("given_by", sa.String(length=200), nullable=False),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column(
            "scope",
            sa.Enum(
                "authority",
                "installation",
                "public",
                name="publicationscope",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "expires_on IS NULL OR expires_on >= given_on", name=op.f("ck_publication_permission_expires_after_given")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_publication_permission_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sample_id"],
            ["work_sample.id"],
            name=op.f("fk_publication_permission_sample_id_work_sample"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["user_account.id"],
            name=op.f("fk_publication_permission_withdrawn_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_permission")),
    )
    op.create_index(op.f("ix_publication_permission_sample_id"), "publication_permission", ["sample_id"], unique=False)
    op.create_table(
        "exemplar_image",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exemplar_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("display_key", sa.String(length=64), nullable=False),
        sa.Column("thumbnail_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["exemplar_id"], ["exemplar.id"], name=op.f("fk_exemplar_image_exemplar_id_exemplar"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplar_image")),
        sa.UniqueConstraint("exemplar_id", "position", name=op.f("uq_exemplar_image_exemplar_id_position")),
    )
    op.create_index(op.f("ix_exemplar_image_exemplar_id"), "exemplar_image", ["exemplar_id"], unique=False)
    op.create_table(
        "exemplar_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exemplar_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("commentary", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exemplar_id"], ["exemplar.id"], name=op.f("fk_exemplar_revision_exemplar_id_exemplar"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["user_account.id"],
            name=op.f("fk_exemplar_revision_published_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplar_revision")),
        sa.UniqueConstraint("exemplar_id", "number", name=op.f("uq_exemplar_revision_exemplar_id_number")),
    )
    op.create_index(op.f("ix_exemplar_revision_exemplar_id"), "exemplar_revision", ["exemplar_id"], unique=False)
    op.create_table(
        "exemplar_page_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exemplar_id", sa.Integer(), nullable=False),
        sa.Column("page_id", sa.Integer(), nullable=False),
        sa.Column("display_key", sa.String(length=64), nullable=False),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["user_account.id"],
            name=op.f("fk_exemplar_page_check_checked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["exemplar_id"],
            ["exemplar.id"],
            name=op.f("fk_exemplar_page_check_exemplar_id_exemplar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["page_id"], ["work_page.id"], name=op.f("fk_exemplar_page_check_page_id_work_page"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exemplar_page_check")),
        sa.UniqueConstraint("exemplar_id", "page_id", name=op.f("uq_exemplar_page_check_exemplar_id_page_id")),
    )
    op.create_index(op.f("ix_exemplar_page_check_exemplar_id"), "exemplar_page_check", ["exemplar_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_exemplar_page_check_exemplar_id"), table_name="exemplar_page_check")
    op.drop_table("exemplar_page_check")
    op.drop_index(op.f("ix_exemplar_revision_exemplar_id"), table_name="exemplar_revision")
    op.drop_table("exemplar_revision")
    op.drop_index(op.f("ix_exemplar_image_exemplar_id"), table_name="exemplar_image")
    op.drop_table("exemplar_image")
    op.drop_index(op.f("ix_publication_permission_sample_id"), table_name="publication_permission")
    op.drop_table("publication_permission")
    op.drop_index(op.f("ix_exemplar_sample_id"), table_name="exemplar")
    op.drop_index(op.f("ix_exemplar_framework_id"), table_name="exemplar")
    op.drop_index(op.f("ix_exemplar_authority_id"), table_name="exemplar")
    op.drop_table("exemplar")
    op.drop_index(op.f("ix_never_publish_school_id"), table_name="never_publish")
    op.drop_table("never_publish")
    op.drop_index(op.f("ix_standards_rule_authority_id"), table_name="standards_rule")
    op.drop_table("standards_rule")
