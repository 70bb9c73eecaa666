"""Assessment frameworks: versioned, each with an ordered outcome scale and criteria attached to standards."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation_hub.db import Base, created_at, int_pk, short_text
from moderation_hub.education import KeyStage, Phase, enum_column, year_group_label


class Framework(Base):
    """One version of a framework; a new version is a new row with the same slug."""

    __tablename__ = "framework"
    __table_args__ = (
        sa.UniqueConstraint("slug", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int_pk]
    slug: Mapped[str] = mapped_column(sa.String(80), index=True)
    version: Mapped[int]
    title: Mapped[short_text]
    subject: Mapped[str] = mapped_column(sa.String(80))
    phase: Mapped[Phase] = mapped_column(enum_column(Phase))
    key_stage: Mapped[KeyStage | None] = mapped_column(enum_column(KeyStage))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[created_at]

    year_group_rows: Mapped[list["FrameworkYearGroup"]] = relationship(
        cascade="all, delete-orphan", order_by="FrameworkYearGroup.year"
    )
    standards: Mapped[list["Standard"]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="Standard.position"
    )
    criterion_groups: Mapped[list["CriterionGroup"]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="CriterionGroup.position"
    )
    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", order_by="Criterion.position"
    )

    @property
    def year_groups(self) -> list[int]:
        return [row.year for row in self.year_group_rows]

    @property
    def year_groups_label(self) -> str:
        return ", ".join(year_group_label(year) for year in self.year_groups)


class FrameworkYearGroup(Base):
    __tablename__ = "framework_year_group"
    __table_args__ = (sa.CheckConstraint("year BETWEEN 0 AND 13", name="year_in_range"),)

    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class Standard(Base):
    """A point on the framework's outcome scale; ``position`` orders the scale from lowest to highest."""

    __tablename__ = "framework_standard"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"), sa.UniqueConstraint("framework_id", "position"))

    id: Mapped[int_pk]
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(32))
    label: Mapped[short_text]
    description: Mapped[str] = mapped_column(sa.Text, default="")

    framework: Mapped[Framework] = relationship(back_populates="standards")
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="standard", order_by="Criterion.position")


class CriterionGroup(Base):
    """An optional grouping of criteria, such as an APP assessment focus."""

    __tablename__ = "framework_criterion_group"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: Mapped[int_pk]
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(32))
    title: Mapped[short_text]

    framework: Mapped[Framework] = relationship(back_populates="criterion_groups")
    criteria: Mapped[list["Criterion"]] = relationship(back_populates="group", order_by="Criterion.position")


class Criterion(Base):
    """A "the pupil can ..." statement attached to a standard."""

    __tablename__ = "framework_criterion"
    __table_args__ = (sa.UniqueConstraint("framework_id", "code"),)

    id: Mapped[int_pk]
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="CASCADE"), index=True)
    standard_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_standard.id", ondelete="CASCADE"), index=True)
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_criterion_group.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(32))
    statement: Mapped[str] = mapped_column(sa.Text)

    framework: Mapped[Framework] = relationship(back_populates="criteria")
    standard: Mapped[Standard] = relationship(back_populates="criteria")
    group: Mapped[CriterionGroup | None] = relationship(back_populates="criteria")
