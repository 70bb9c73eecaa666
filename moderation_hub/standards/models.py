"""The standards file's rows: the authority's rule for candidates, the school's permission and never-publish flags,
the second person's page checks, and each exemplar with its provenance, published revisions and copied images.

An exemplar names its sample only to find the live permission and the pages to check; what readers get (its
revisions' text and its images) is a copy made at publication from redacted derivatives, and never changes: a
change of commentary is a new revision.
"""

import datetime as dt
import enum
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation_hub.accounts.models import User
from moderation_hub.db import Base, created_at, int_pk, short_text, utcnow
from moderation_hub.education import enum_column
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.rounds.models import ModerationRound
from moderation_hub.samples.models import Page, WorkSample


class PublicationScope(enum.StrEnum):
    """Who may read an exemplar, as the school's permission says: each reaches further than the one before."""

    AUTHORITY = "authority"
    INSTALLATION = "installation"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return {
            "authority": "Users in this local authority",
            "installation": "Every user of this site",
            "public": "The public",
        }[self.value]


class ExemplarSource(enum.StrEnum):
    ROUND = "round"  # promoted from a revealed round, with its figures
    OUTSIDE = "outside"  # moderated outside the platform, added by an LA lead

    @property
    def label(self) -> str:
        return {"round": "Moderated on this platform", "outside": "Moderated outside the platform"}[self.value]


class ExemplarState(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"  # the school withdrew its permission: the published copy is gone

    @property
    def label(self) -> str:
        return self.value.capitalize()


class StandardsRule(Base):
    """What makes a revealed sample a candidate in one authority; an authority without a row has the defaults."""

    __tablename__ = "standards_rule"
    __table_args__ = (
        sa.CheckConstraint("min_moderators BETWEEN 2 AND 20", name="moderators_in_range"),
        sa.CheckConstraint("min_overall_percent BETWEEN 0 AND 100", name="overall_in_range"),
        sa.CheckConstraint("min_criterion_percent BETWEEN 0 AND 100", name="criterion_in_range"),
    )

    id: Mapped[int_pk]
    authority_id: Mapped[int] = mapped_column(
        sa.ForeignKey("local_authority.id", ondelete="CASCADE"), unique=True, index=True
    )
    min_moderators: Mapped[int] = mapped_column(default=2)
    # Share of the moderators' overall judgements that must equal the agreed standard.
    min_overall_percent: Mapped[int] = mapped_column(default=100)
    # Each criterion judged by two or more moderators must reach this percent agreement.
    min_criterion_percent: Mapped[int] = mapped_column(default=80)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    def snapshot(self) -> dict[str, int]:
        return {
            "min_moderators": self.min_moderators,
            "min_overall_percent": self.min_overall_percent,
            "min_criterion_percent": self.min_criterion_percent,
        }


class PublicationPermission(Base):
    """The school's permission to publish one sample: who gave it, when, for whom, until when. Rows are history:
    a new permission closes the one before (``withdrawn_at``), and withdrawing closes the live one."""

    __tablename__ = "publication_permission"
    __table_args__ = (sa.CheckConstraint("expires_on IS NULL OR expires_on >= given_on", name="expires_after_given"),)

    id: Mapped[int_pk]
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("work_sample.id", ondelete="CASCADE"), index=True)
    given_by: Mapped[short_text]  # who gave it, in the school's words: "Parent (signed form)"
    given_on: Mapped[dt.date]
    scope: Mapped[PublicationScope] = mapped_column(enum_column(PublicationScope))
    expires_on: Mapped[dt.date | None]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[created_at]
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))

    sample: Mapped[WorkSample] = relationship()
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    def live_on(self, day: dt.date) -> bool:
        return self.withdrawn_at is None and (self.expires_on is None or self.expires_on >= day)


class NeverPublish(Base):
    """A pupil of the school whose work is never published (a looked-after or adopted child, say): no reason kept."""

    __tablename__ = "never_publish"
    __table_args__ = (sa.UniqueConstraint("school_id", "pupil_code"),)

    id: Mapped[int_pk]
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"), index=True)
    pupil_code: Mapped[str] = mapped_column(sa.String(20))
    set_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    set_at: Mapped[created_at]

    school: Mapped[School] = relationship()


def new_exemplar_code() -> str:
    """What a reader's URL calls an exemplar: random, so it tells nothing of how many there are or their order."""
    return secrets.token_hex(8)


class Exemplar(Base):
    __tablename__ = "exemplar"

    id: Mapped[int_pk]
    code: Mapped[str] = mapped_column(sa.String(16), unique=True, default=new_exemplar_code)
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id", ondelete="RESTRICT"), index=True)
    sample_id: Mapped[int] = mapped_column(
        sa.ForeignKey("work_sample.id", ondelete="RESTRICT"), unique=True, index=True
    )
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="RESTRICT"), index=True)
    standard_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_standard.id", ondelete="RESTRICT"))
    year_group: Mapped[int]
    state: Mapped[ExemplarState] = mapped_column(enum_column(ExemplarState), default=ExemplarState.DRAFT)
    # Provenance: the round whose blind judgements it rests on and their figures, or a note on outside moderation.
    source: Mapped[ExemplarSource] = mapped_column(enum_column(ExemplarSource))
    round_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderation_round.id", ondelete="SET NULL"))
    round_name: Mapped[str] = mapped_column(sa.String(200), default="")  # kept should the round be deleted
    moderator_count: Mapped[int | None]
    overall_agreement: Mapped[float | None]  # share of moderators whose standard was the agreed one
    # [{"code", "statement", "agreement", "raters"}] per criterion judged by two or more moderators
    criterion_agreement: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    outside_note: Mapped[str] = mapped_column(sa.Text, default="")
    draft_commentary: Mapped[str] = mapped_column(sa.Text, default="")
    # The draft's commentary on each of its framework's statements (criterion code -> text, blank ones left out)
    # and why it is this standard and not the next: copied into a revision's content when published.
    draft_statements: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    draft_why_not_next: Mapped[str] = mapped_column(sa.Text, default="")
    revisions_made: Mapped[int] = mapped_column(default=0)  # numbers the next revision, even after a withdrawal
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    authority: Mapped[LocalAuthority] = relationship()
    sample: Mapped[WorkSample] = relationship()
    framework: Mapped[Framework] = relationship()
    standard: Mapped[Standard] = relationship()
    round: Mapped[ModerationRound | None] = relationship()
    revisions: Mapped[list["ExemplarRevision"]] = relationship(
        back_populates="exemplar", cascade="all, delete-orphan", order_by="ExemplarRevision.number"
    )
    images: Mapped[list["ExemplarImage"]] = relationship(
        back_populates="exemplar", cascade="all, delete-orphan", order_by="ExemplarImage.position"
    )
    checks: Mapped[list["PageCheck"]] = relationship(back_populates="exemplar", cascade="all, delete-orphan")

    @property
    def current(self) -> "ExemplarRevision | None":
        return self.revisions[-1] if self.revisions else None


class ExemplarRevision(Base):
    """One published state of an exemplar, never changed: its commentary and the copy of the work it shows."""

    __tablename__ = "exemplar_revision"
    __table_args__ = (sa.UniqueConstraint("exemplar_id", "number"),)

    id: Mapped[int_pk]
    exemplar_id: Mapped[int] = mapped_column(sa.ForeignKey("exemplar.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    commentary: Mapped[str] = mapped_column(sa.Text)
    # The work as published: pieces, pages (redacted text, numbered annotations) and the evidence grid.
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    published_at: Mapped[created_at]

    exemplar: Mapped[Exemplar] = relationship(back_populates="revisions")


class ExemplarImage(Base):
    """A copy of one page's redacted display image and thumbnail, metadata stripped, under keys of its own."""

    __tablename__ = "exemplar_image"
    __table_args__ = (sa.UniqueConstraint("exemplar_id", "position"),)

    id: Mapped[int_pk]
    exemplar_id: Mapped[int] = mapped_column(sa.ForeignKey("exemplar.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]  # from 1, as the reader's URL names it
    width: Mapped[int]
    height: Mapped[int]
    display_key: Mapped[str] = mapped_column(sa.String(64))
    thumbnail_key: Mapped[str] = mapped_column(sa.String(64))

    exemplar: Mapped[Exemplar] = relationship(back_populates="images")


class PageCheck(Base):
    """A second person confirmed that one page, as its display image then was, shows no name, face or school
    identifier. A later redaction re-makes the image under a new key, so the check no longer counts."""

    __tablename__ = "exemplar_page_check"
    __table_args__ = (sa.UniqueConstraint("exemplar_id", "page_id"),)

    id: Mapped[int_pk]
    exemplar_id: Mapped[int] = mapped_column(sa.ForeignKey("exemplar.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("work_page.id", ondelete="CASCADE"))
    display_key: Mapped[str] = mapped_column(sa.String(64))
    checked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    checked_at: Mapped[created_at]

    exemplar: Mapped[Exemplar] = relationship(back_populates="checks")
    page: Mapped[Page] = relationship()


class ExemplarStatement(Base):
    """One annotation of a published exemplar that evidences one statement (criterion), as its evidence grid says.

    Derived from the published revision's content, so that "this statement at each standard" is one indexed query
    on either database rather than a scan of every revision's JSON: filled at publication, deleted with the copy.
    """

    __tablename__ = "exemplar_statement"
    __table_args__ = (
        sa.UniqueConstraint("exemplar_id", "criterion_id", "annotation_number"),
        sa.Index("ix_exemplar_statement_criterion_standard", "criterion_id", "standard_id"),
    )

    id: Mapped[int_pk]
    exemplar_id: Mapped[int] = mapped_column(sa.ForeignKey("exemplar.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_criterion.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_standard.id", ondelete="CASCADE"))
    piece: Mapped[str | None] = mapped_column(sa.String(8))  # its letter, None for a page filed under no piece
    page_position: Mapped[int]  # from 1, as the exemplar page numbers its pages
    annotation_number: Mapped[int]
    annotation_text: Mapped[str] = mapped_column(sa.Text)


class BoundaryPair(Base):
    """Two exemplars of one framework and year group, one just at a standard and one just below it, marked by an
    LA lead so that readers can see where the line falls."""

    __tablename__ = "boundary_pair"
    __table_args__ = (
        sa.UniqueConstraint("at_id", "below_id"),
        sa.CheckConstraint("at_id <> below_id", name="two_exemplars"),
    )

    id: Mapped[int_pk]
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id", ondelete="CASCADE"), index=True)
    at_id: Mapped[int] = mapped_column(sa.ForeignKey("exemplar.id", ondelete="CASCADE"), index=True)
    below_id: Mapped[int] = mapped_column(sa.ForeignKey("exemplar.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(sa.Text, default="")
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    marked_at: Mapped[created_at]

    at: Mapped[Exemplar] = relationship(foreign_keys=[at_id])
    below: Mapped[Exemplar] = relationship(foreign_keys=[below_id])
