"""Work samples: a pupil's collection of work, its uploaded files, their page images, and the teacher's
annotations, redactions and evidence claims against the framework's criteria."""

import datetime as dt
import enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation_hub.accounts.models import User
from moderation_hub.db import Base, created_at, int_pk, short_text, utcnow
from moderation_hub.education import enum_column
from moderation_hub.frameworks.models import Criterion, Framework, Standard
from moderation_hub.ingestion.geometry import Box
from moderation_hub.organisations.models import School


class SampleState(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # locked for the teacher; moderation rounds add their states after this

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Independence(enum.StrEnum):
    INDEPENDENT = "independent"
    SOME_SUPPORT = "some_support"
    SUPPORTED = "supported"

    @property
    def label(self) -> str:
        return {"independent": "Independently", "some_support": "With some support"}.get(
            self.value, "With significant support"
        )


class EvidenceStatus(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    NOT_EVIDENCED = "not_evidenced"

    @property
    def label(self) -> str:
        return {"met": "Met", "not_met": "Not met"}.get(self.value, "Not evidenced")


class FileStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its school's turn, queued, or being processed
    READY = "ready"
    FAILED = "failed"


class WorkSample(Base):
    __tablename__ = "work_sample"
    __table_args__ = (
        sa.UniqueConstraint("school_id", "academic_year", "pupil_code"),
        sa.CheckConstraint("year_group BETWEEN 0 AND 13", name="year_in_range"),
    )

    id: Mapped[int_pk]
    school_id: Mapped[int] = mapped_column(sa.ForeignKey("school.id", ondelete="RESTRICT"), index=True)
    framework_id: Mapped[int] = mapped_column(sa.ForeignKey("framework.id", ondelete="RESTRICT"), index=True)
    pupil_code: Mapped[str] = mapped_column(sa.String(20))
    year_group: Mapped[int]
    academic_year: Mapped[int]  # the year it starts: 2025 is 2025/26
    teacher_judgement_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("framework_standard.id", ondelete="RESTRICT")
    )
    commentary: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[SampleState] = mapped_column(enum_column(SampleState), default=SampleState.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    # Optimistic locking: an update that read an older version fails instead of overwriting silently.
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    school: Mapped[School] = relationship()
    framework: Mapped[Framework] = relationship()
    created_by: Mapped[User | None] = relationship()
    teacher_judgement: Mapped[Standard | None] = relationship()
    pieces: Mapped[list["Piece"]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", order_by="Piece.position"
    )
    files: Mapped[list["SourceFile"]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", order_by="SourceFile.id"
    )
    pages: Mapped[list["Page"]] = relationship(
        back_populates="sample", cascade="all, delete-orphan", order_by="Page.position"
    )
    evidence: Mapped[list["EvidenceClaim"]] = relationship(back_populates="sample", cascade="all, delete-orphan")

    @property
    def academic_year_label(self) -> str:
        return f"{self.academic_year}/{(self.academic_year + 1) % 100:02d}"


class Piece(Base):
    """One piece of work in the collection: a story, a letter, a set of calculations..."""

    __tablename__ = "work_piece"

    id: Mapped[int_pk]
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("work_sample.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title: Mapped[short_text]
    purpose: Mapped[str] = mapped_column(sa.String(200), default="")  # genre or purpose, e.g. "persuasive letter"
    written_on: Mapped[dt.date | None]
    independence: Mapped[Independence] = mapped_column(enum_column(Independence))

    sample: Mapped[WorkSample] = relationship(back_populates="pieces")


class SourceFile(Base):
    """An uploaded file. Its name is kept for the school only; pages are made from it by a worker."""

    __tablename__ = "source_file"

    id: Mapped[int_pk]
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("work_sample.id", ondelete="CASCADE"), index=True)
    piece_id: Mapped[int | None] = mapped_column(sa.ForeignKey("work_piece.id", ondelete="SET NULL"))
    school_file_name: Mapped[str] = mapped_column(sa.String(255))
    kind: Mapped[str] = mapped_column(sa.String(8))  # pdf, jpeg, png or heic, decided from the content
    byte_size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    page_count: Mapped[int]
    status: Mapped[FileStatus] = mapped_column(enum_column(FileStatus), default=FileStatus.PENDING)
    failure_reason: Mapped[str | None] = mapped_column(sa.Text)
    # The upload as received, waiting for the worker; removed once pages exist unless the school keeps originals.
    upload_key: Mapped[str | None] = mapped_column(sa.String(64))
    original_key: Mapped[str | None] = mapped_column(sa.String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    # When the file was handed to the job queue; None while it waits for its school's turn (``processing``).
    queued_at: Mapped[dt.datetime | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    sample: Mapped[WorkSample] = relationship(back_populates="files")
    pages: Mapped[list["Page"]] = relationship(back_populates="source_file", order_by="Page.index_in_file")


class Page(Base):
    """A page image. Readers get only the redacted display and thumbnail; the master stays private."""

    __tablename__ = "work_page"

    id: Mapped[int_pk]
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("work_sample.id", ondelete="CASCADE"), index=True)
    source_file_id: Mapped[int] = mapped_column(sa.ForeignKey("source_file.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    index_in_file: Mapped[int]
    width: Mapped[int]
    height: Mapped[int]
    # Unredacted, metadata-free render: only the pipeline reads it, to burn in redactions added later.
    master_key: Mapped[str] = mapped_column(sa.String(64))
    display_key: Mapped[str] = mapped_column(sa.String(64))
    thumbnail_key: Mapped[str] = mapped_column(sa.String(64))
    # Text and word boxes from the PDF's text layer, with every redacted word already removed.
    text: Mapped[str] = mapped_column(sa.Text, default="")
    words: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # The teacher's flag: this page still shows something to black out. Submission waits for it to clear.
    needs_redaction: Mapped[bool] = mapped_column(default=False)
    # True from a change of redactions until the worker has burned them into new display images.
    images_outdated: Mapped[bool] = mapped_column(default=False)
    # Runs of the job that burns them in since the last change (the sweep resumes with the rest), and why
    # it gave up, in the teacher's words (never pupil data). A new change of redactions clears both.
    remake_attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    remake_failure: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[created_at]

    sample: Mapped[WorkSample] = relationship(back_populates="pages")
    source_file: Mapped[SourceFile] = relationship(back_populates="pages")
    redactions: Mapped[list["Redaction"]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="Redaction.id"
    )
    annotations: Mapped[list["Annotation"]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="Annotation.number"
    )

    @property
    def remake_failed(self) -> bool:
        """The worker gave up burning the current redactions in: its images do not show them."""
        return self.images_outdated and self.remake_failure is not None


class _Box:
    """A rectangle in page-relative coordinates, as ``ingestion.geometry.Box``: (0, 0) top left, (1, 1) bottom right."""

    x0: Mapped[float]
    y0: Mapped[float]
    x1: Mapped[float]
    y1: Mapped[float]

    @property
    def box(self) -> Box:
        return Box(self.x0, self.y0, self.x1, self.y1)


BOX_CHECK = "x0 >= 0 AND y0 >= 0 AND x1 <= 1 AND y1 <= 1 AND x0 < x1 AND y0 < y1"


class Redaction(_Box, Base):
    __tablename__ = "redaction"
    __table_args__ = (sa.CheckConstraint(BOX_CHECK, name="box_on_page"),)

    id: Mapped[int_pk]
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("work_page.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    page: Mapped[Page] = relationship(back_populates="redactions")


annotation_criterion = sa.Table(
    "annotation_criterion",
    Base.metadata,
    sa.Column("annotation_id", sa.ForeignKey("annotation.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("criterion_id", sa.ForeignKey("framework_criterion.id", ondelete="CASCADE"), primary_key=True),
)

evidence_annotation = sa.Table(
    "evidence_annotation",
    Base.metadata,
    sa.Column("evidence_id", sa.ForeignKey("evidence_claim.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("annotation_id", sa.ForeignKey("annotation.id", ondelete="CASCADE"), primary_key=True),
)


class Annotation(_Box, Base):
    """A box on a page with the teacher's comment, pointing at evidence for criteria."""

    __tablename__ = "annotation"
    __table_args__ = (sa.CheckConstraint(BOX_CHECK, name="box_on_page"),)

    id: Mapped[int_pk]
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("work_page.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]  # shown on the overlay; numbered through the sample
    comment: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    page: Mapped[Page] = relationship(back_populates="annotations")
    criteria: Mapped[list[Criterion]] = relationship(secondary=annotation_criterion, order_by="Criterion.position")


class EvidenceClaim(Base):
    """The teacher's claim for one criterion: met, not met or not evidenced, with a note and annotations."""

    __tablename__ = "evidence_claim"
    __table_args__ = (sa.UniqueConstraint("sample_id", "criterion_id"),)

    id: Mapped[int_pk]
    sample_id: Mapped[int] = mapped_column(sa.ForeignKey("work_sample.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(sa.ForeignKey("framework_criterion.id", ondelete="RESTRICT"))
    status: Mapped[EvidenceStatus] = mapped_column(enum_column(EvidenceStatus))
    note: Mapped[str] = mapped_column(sa.Text, default="")

    sample: Mapped[WorkSample] = relationship(back_populates="evidence")
    criterion: Mapped[Criterion] = relationship()
    annotations: Mapped[list[Annotation]] = relationship(secondary=evidence_annotation)
