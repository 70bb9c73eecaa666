"""Local authorities (or trusts), their clusters of schools, and the schools themselves."""

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation_hub.db import Base, created_at, int_pk, short_text
from moderation_hub.education import KeyStage, SchoolPhase, SchoolType, enum_column


class AuthorityKind(enum.StrEnum):
    LOCAL_AUTHORITY = "local_authority"
    TRUST = "trust"


class LocalAuthority(Base):
    """The body that runs moderation: a local authority or a multi-academy trust."""

    __tablename__ = "local_authority"

    id: Mapped[int_pk]
    name: Mapped[short_text] = mapped_column(unique=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    kind: Mapped[AuthorityKind] = mapped_column(enum_column(AuthorityKind), default=AuthorityKind.LOCAL_AUTHORITY)
    created_at: Mapped[created_at]

    clusters: Mapped[list["Cluster"]] = relationship(back_populates="authority", order_by="Cluster.name")
    schools: Mapped[list["School"]] = relationship(back_populates="authority", order_by="School.name")


class Cluster(Base):
    """A group of schools that moderate together."""

    __tablename__ = "cluster"
    __table_args__ = (sa.UniqueConstraint("authority_id", "name"),)

    id: Mapped[int_pk]
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id", ondelete="RESTRICT"), index=True)
    name: Mapped[short_text]
    created_at: Mapped[created_at]

    authority: Mapped[LocalAuthority] = relationship(back_populates="clusters")
    schools: Mapped[list["School"]] = relationship(back_populates="cluster", order_by="School.name")


class School(Base):
    __tablename__ = "school"

    id: Mapped[int_pk]
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id", ondelete="RESTRICT"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cluster.id", ondelete="SET NULL"), index=True)
    urn: Mapped[str] = mapped_column(sa.String(8), unique=True)
    name: Mapped[short_text]
    phase: Mapped[SchoolPhase] = mapped_column(enum_column(SchoolPhase))
    school_type: Mapped[SchoolType] = mapped_column(enum_column(SchoolType))
    # Whether uploaded files are kept as sent (in private storage, for the school only) after pages are made.
    keep_originals: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[created_at]

    authority: Mapped[LocalAuthority] = relationship(back_populates="schools")
    cluster: Mapped[Cluster | None] = relationship(back_populates="schools")
    key_stage_rows: Mapped[list["SchoolKeyStage"]] = relationship(
        cascade="all, delete-orphan", order_by="SchoolKeyStage.key_stage"
    )

    @property
    def key_stages(self) -> list[KeyStage]:
        return sorted((row.key_stage for row in self.key_stage_rows), key=list(KeyStage).index)

    @key_stages.setter
    def key_stages(self, stages: list[KeyStage]) -> None:
        wanted = set(stages)
        self.key_stage_rows = [row for row in self.key_stage_rows if row.key_stage in wanted] + [
            SchoolKeyStage(key_stage=stage) for stage in wanted - {row.key_stage for row in self.key_stage_rows}
        ]


class SchoolKeyStage(Base):
    """A key stage a school teaches."""

    __tablename__ = "school_key_stage"

    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), primary_key=True)
    key_stage: Mapped[KeyStage] = mapped_column(enum_column(KeyStage), primary_key=True)
