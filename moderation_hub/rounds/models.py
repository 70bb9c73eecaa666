"""Moderation rounds: who takes part, which samples are entered, who judges them, and the agreed outcomes.

A round moves set-up -> collecting -> judging -> reveal -> closed. Samples enter as ``RoundEntry`` rows,
each known to moderators only by its random ``blind_code``; each allocation of an entry to a moderator is
a ``Judgement`` row, created empty at allocation and filled in by the moderator.
"""

import datetime as dt
import enum
import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation_hub.accounts.models import User
from moderation_hub.db import Base, created_at, int_pk, short_text, utcnow
from moderation_hub.education import Phase, SchoolPhase, enum_column
from moderation_hub.frameworks.models import Criterion, Framework, Standard
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.samples.models import Page, WorkSample


class RoundKind(enum.StrEnum):
    CLUSTER_MEETING = "cluster_meeting"
    LA_MODERATION = "la_moderation"
    CROSS_PHASE = "cross_phase"

    @property
    def label(self) -> str:
        return {
            "cluster_meeting": "Cluster moderation meeting",
            "la_moderation": "Local authority moderation",
            "cross_phase": "Cross-phase meeting",
        }[self.value]


class RoundState(enum.StrEnum):
    SETUP = "setup"
    COLLECTING = "collecting"
    JUDGING = "judging"
    REVEAL = "reveal"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        # Each reads in "The round is ...": a state, never the action that reached it ("Reveal").
        labels = {"setup": "Setting up", "collecting": "Collecting samples", "reveal": "Revealed"}
        return labels.get(self.value, self.value.capitalize())


class SampleRequestKind(enum.StrEnum):
    """What the round asks a school for."""

    COUNT = "count"  # a number of pupils of the school's choosing
    NAMED = "named"  # pupil codes chosen by the LA
    SPREAD = "spread"  # a number of pupils covering every standard of the scale the school has used

    @property
    def label(self) -> str:
        return {"count": "A number of pupils", "named": "Named pupils"}.get(self.value, "Spread across the scale")


class EntryReason(enum.StrEnum):
    REQUESTED = "requested"
    WIDENED = "widened"  # the round widened the school's sample to every pupil at a standard


class JudgementState(enum.StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"  # the moderator dropped out before finishing; someone else judges it instead

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Verdict(enum.StrEnum):
    """A moderator's finding on one criterion."""

    MET = "met"
    NOT_MET = "not_met"
    INSUFFICIENT = "insufficient"

    @property
    def label(self) -> str:
        return {"met": "Met", "not_met": "Not met"}.get(self.value, "Insufficient evidence")


def coarse_phase(phase: SchoolPhase) -> Phase | None:
    """The phase that counts for cross-phase rules; an all-through school is neither, so never 'the other'."""
    return {
        SchoolPhase.NURSERY: Phase.EARLY_YEARS,
        SchoolPhase.PRIMARY: Phase.PRIMARY,
        SchoolPhase.MIDDLE_DEEMED_PRIMARY: Phase.PRIMARY,
        SchoolPhase.MIDDLE_DEEMED_SECONDARY: Phase.SECONDARY,
        SchoolPhase.SECONDARY: Phase.SECONDARY,
        SchoolPhase.SIXTEEN_PLUS: Phase.POST_16,
    }.get(phase)


round_framework = sa.Table(
    "round_framework",
    Base.metadata,
    sa.Column("round_id", sa.ForeignKey("moderation_round.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("framework_id", sa.ForeignKey("framework.id", ondelete="RESTRICT"), primary_key=True),
)


# The settings that hide something from moderators until reveal.
HIDING_RULES = ("hide_school", "hide_teacher", "hide_teacher_judgement", "hide_evidence", "hide_annotations")


def new_seed() -> int:
    return secrets.randbelow(2**31)


class ModerationRound(Base):
    __tablename__ = "moderation_round"
    __table_args__ = (sa.CheckConstraint("judgements_per_sample BETWEEN 1 AND 5", name="k_in_range"),)

    id: Mapped[int_pk]
    authority_id: Mapped[int] = mapped_column(sa.ForeignKey("local_authority.id", ondelete="RESTRICT"), index=True)
    cluster_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cluster.id", ondelete="RESTRICT"))
    name: Mapped[short_text]
    kind: Mapped[RoundKind] = mapped_column(enum_column(RoundKind))
    state: Mapped[RoundState] = mapped_column(enum_column(RoundState), default=RoundState.SETUP)
    academic_year: Mapped[int]
    judgements_per_sample: Mapped[int] = mapped_column(default=2)
    submission_deadline: Mapped[dt.date | None]
    judging_opens: Mapped[dt.date | None]
    judging_closes: Mapped[dt.date | None]
    # What moderators cannot see until reveal. Hiding the school also hides the pupil code and the files' names.
    hide_school: Mapped[bool] = mapped_column(default=True)
    hide_teacher: Mapped[bool] = mapped_column(default=True)
    hide_teacher_judgement: Mapped[bool] = mapped_column(default=True)  # with the teacher's commentary
    hide_evidence: Mapped[bool] = mapped_column(default=True)
    hide_annotations: Mapped[bool] = mapped_column(default=True)
    show_moderator_names: Mapped[bool] = mapped_column(default=False)  # to schools, with their outcomes
    exclude_own_cluster: Mapped[bool] = mapped_column(default=False)
    require_other_phase: Mapped[bool] = mapped_column(default=False)
    auto_agree: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[int] = mapped_column(default=new_seed)
    lead_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    authority: Mapped[LocalAuthority] = relationship()
    cluster: Mapped[Cluster | None] = relationship()
    lead: Mapped[User | None] = relationship()
    frameworks: Mapped[list[Framework]] = relationship(secondary=round_framework, order_by="Framework.title")
    schools: Mapped[list["RoundSchool"]] = relationship(back_populates="round", cascade="all, delete-orphan")
    moderators: Mapped[list["RoundModerator"]] = relationship(back_populates="round", cascade="all, delete-orphan")
    entries: Mapped[list["RoundEntry"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundEntry.blind_code"
    )

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"

    @hybrid_property
    def is_blind(self) -> bool:
        """Whether moderators judge without seeing something the round hides."""
        return any(getattr(self, rule) for rule in HIDING_RULES)

    @is_blind.inplace.expression
    @classmethod
    def _is_blind_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(*(getattr(cls, rule) for rule in HIDING_RULES))

    @property
    def active_moderators(self) -> list["RoundModerator"]:
        return [m for m in self.moderators if m.active]


class RoundChangeCounter(Base):
    """How many times anything a round's board or reports show has changed: one row per round, raised by one in the
    transaction of every such write (``rounds.changes``), so "has this changed?" is one read by primary key, whatever
    the round's size. A table of its own, not a column of ``moderation_round``: a judge's save then locks this row,
    never the round's, whose optimistic ``version`` the lead's edits check; no round a session holds goes stale."""

    __tablename__ = "round_change_counter"

    round_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderation_round.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    changes: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class RoundSchool(Base):
    """A participating school and what the round asks it to submit."""

    __tablename__ = "round_school"
    __table_args__ = (sa.UniqueConstraint("round_id", "school_id"),)

    id: Mapped[int_pk]
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_round.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    request_kind: Mapped[SampleRequestKind] = mapped_column(
        enum_column(SampleRequestKind), default=SampleRequestKind.COUNT
    )
    requested_count: Mapped[int] = mapped_column(default=3)
    requested_codes: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # Standards the school must submit every pupil at, after moderation raised a concern (widening).
    widened_standard_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)

    round: Mapped[ModerationRound] = relationship(back_populates="schools")
    school: Mapped[School] = relationship()


class RoundModerator(Base):
    __tablename__ = "round_moderator"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int_pk]
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_round.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    # Their phase for cross-phase rounds: a teacher's school's, or chosen by the lead for an LA moderator.
    phase: Mapped[Phase | None] = mapped_column(enum_column(Phase))
    active: Mapped[bool] = mapped_column(default=True)  # False once they drop out
    added_at: Mapped[created_at]

    round: Mapped[ModerationRound] = relationship(back_populates="moderators")
    user: Mapped[User] = relationship()


class ModeratorConflict(Base):
    """A moderator's declared conflict of interest with a school (a relative works there, a former post...)."""

    __tablename__ = "moderator_conflict"
    __table_args__ = (sa.UniqueConstraint("user_id", "school_id"),)

    id: Mapped[int_pk]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    declared_at: Mapped[created_at]

    school: Mapped[School] = relationship()


def new_blind_code() -> str:
    """A code that tells a moderator nothing: no school, pupil or order of entry."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I, which read alike on a projector
    return "".join(secrets.choice(alphabet) for _ in range(6))


class RoundEntry(Base):
    """A sample entered into a round, with the agreed outcome once the panel has decided it."""

    __tablename__ = "round_entry"
    __table_args__ = (sa.UniqueConstraint("round_id", "sample_id"), sa.UniqueConstraint("round_id", "blind_code"))

    id: Mapped[int_pk]
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_round.id", ondelete="CASCADE"), index=True)
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("work_sample.id", ondelete="RESTRICT"), index=True)
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    blind_code: Mapped[str] = mapped_column(sa.String(12), default=new_blind_code)
    reason: Mapped[EntryReason] = mapped_column(enum_column(EntryReason), default=EntryReason.REQUESTED)
    added_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    added_at: Mapped[created_at]
    agreed_standard_id: Mapped[int | None] = mapped_column(sa.ForeignKey("framework_standard.id", ondelete="RESTRICT"))
    agreed_rationale: Mapped[str] = mapped_column(sa.Text, default="")
    agreed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    agreed_at: Mapped[dt.datetime | None]
    auto_agreed: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    round: Mapped[ModerationRound] = relationship(back_populates="entries")
    sample: Mapped[WorkSample] = relationship()
    school: Mapped[School] = relationship()
    agreed_standard: Mapped[Standard | None] = relationship()
    judgements: Mapped[list["Judgement"]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="Judgement.id"
    )

    @property
    def live_judgements(self) -> list["Judgement"]:
        return [j for j in self.judgements if j.state is not JudgementState.WITHDRAWN]

    @property
    def submitted_judgements(self) -> list["Judgement"]:
        return [j for j in self.judgements if j.state is JudgementState.SUBMITTED]


class Judgement(Base):
    """One moderator's judgement of one entry: created empty when allocated, locked once submitted."""

    __tablename__ = "judgement"
    __table_args__ = (sa.UniqueConstraint("entry_id", "moderator_id"),)

    id: Mapped[int_pk]
    entry_id: Mapped[int] = mapped_column(sa.ForeignKey("round_entry.id", ondelete="CASCADE"), index=True)
    moderator_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="RESTRICT"), index=True)
    state: Mapped[JudgementState] = mapped_column(enum_column(JudgementState), default=JudgementState.NOT_STARTED)
    standard_id: Mapped[int | None] = mapped_column(sa.ForeignKey("framework_standard.id", ondelete="RESTRICT"))
    rationale: Mapped[str] = mapped_column(sa.Text, default="")
    allocated_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    entry: Mapped[RoundEntry] = relationship(back_populates="judgements")
    moderator: Mapped[User] = relationship()
    standard: Mapped[Standard | None] = relationship()
    criteria: Mapped[list["CriterionJudgement"]] = relationship(
        back_populates="judgement", cascade="all, delete-orphan"
    )
    comments: Mapped[list["JudgementComment"]] = relationship(
        back_populates="judgement", cascade="all, delete-orphan", order_by="JudgementComment.id"
    )

    def verdicts(self) -> dict[int, "CriterionJudgement"]:
        return {row.criterion_id: row for row in self.criteria}

    def snapshot(self) -> dict[str, Any]:
        """What the audit log keeps as 'before' and 'after': codes and text, never names."""
        return {
            "state": self.state.value,
            "standard": self.standard.code if self.standard else None,
            "rationale": self.rationale,
            "criteria": {str(row.criterion_id): row.verdict.value for row in self.criteria},
        }


class CriterionJudgement(Base):
    __tablename__ = "criterion_judgement"
    __table_args__ = (sa.UniqueConstraint("judgement_id", "criterion_id"),)

    id: Mapped[int_pk]
    judgement_id: Mapped[int] = mapped_column(sa.ForeignKey("judgement.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_criterion.id", ondelete="RESTRICT"))
    verdict: Mapped[Verdict] = mapped_column(enum_column(Verdict))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    judgement: Mapped[Judgement] = relationship(back_populates="criteria")
    criterion: Mapped[Criterion] = relationship()


class JudgementComment(Base):
    """A moderator's comment pinned to one page of the sample."""

    __tablename__ = "judgement_comment"

    id: Mapped[int_pk]
    judgement_id: Mapped[int] = mapped_column(sa.ForeignKey("judgement.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("work_page.id", ondelete="CASCADE"))
    comment: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[created_at]

    judgement: Mapped[Judgement] = relationship(back_populates="comments")
    page: Mapped[Page] = relationship()
