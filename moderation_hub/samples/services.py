"""Work samples: creating and editing them, their pieces and evidence claims, and submission.

Functions flush and never commit. A sample can change only while it is a draft; ``SampleLockedError``
says so otherwise. Edits carry the version the editor saw, so two people saving at once never
overwrite each other silently.
"""

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Criterion, Framework, Standard
from moderation_hub.organisations.models import School
from moderation_hub.samples.models import (
    Annotation,
    EvidenceClaim,
    EvidenceStatus,
    FileStatus,
    Independence,
    Piece,
    SampleState,
    WorkSample,
)
from moderation_hub.text_rules import TextKind, text_problem
from moderation_hub.wording import counted, plural

# Letters, digits and hyphens with at least one digit: "Y4-120" or "P2231", never a name like "AMYJONES".
PUPIL_CODE = re.compile(r"(?=.*\d)[A-Z0-9][A-Z0-9-]{1,19}")
PUPIL_CODE_RULE = (
    "Pupil code must be 2 to 20 letters, digits or hyphens, including a digit, like Y4-120. Never use a name."
)


class SampleError(ValueError):
    """A change to a sample that cannot be made; the message is safe to show. ``field`` names the input."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SampleLockedError(SampleError):
    def __init__(self) -> None:
        super().__init__("This sample has been submitted, so it can no longer be changed.")


class EditConflictError(SampleError):
    def __init__(self) -> None:
        super().__init__(
            "Someone else changed this sample while you were editing it. Reload the page to see their changes, "
            "then make yours again."
        )


@dataclass(frozen=True)
class SampleDetails:
    """What the teacher may edit while the sample is a draft. The framework is fixed at creation."""

    pupil_code: str
    year_group: int
    academic_year: int
    teacher_judgement_code: str = ""  # empty while the teacher has not judged yet
    commentary: str = ""


def normalise_pupil_code(code: str) -> str:
    normalised = code.strip().upper()
    if not PUPIL_CODE.fullmatch(normalised):
        raise SampleError(PUPIL_CODE_RULE, "pupil_code")
    return normalised


def create_sample(school: School, framework: Framework, details: SampleDetails, author: User) -> WorkSample:
    sample = WorkSample(school=school, framework=framework, created_by_id=author.id)
    _apply_details(sample, details)
    db.session.add(sample)
    _flush_unique(sample)
    record(author.id, "sample.created", sample, school_id=school.id)
    return sample


def update_sample(sample: WorkSample, details: SampleDetails, seen_version: int, author: User) -> None:
    _require_draft(sample)
    if seen_version != sample.version:
        raise EditConflictError
    _apply_details(sample, details)
    _flush_unique(sample)
    record(author.id, "sample.updated", sample)


def _apply_details(sample: WorkSample, details: SampleDetails) -> None:
    framework = sample.framework
    if framework.year_groups and details.year_group not in framework.year_groups:
        raise SampleError(f"{framework.title} is for {framework.year_groups_label}", "year_group")
    sample.pupil_code = normalise_pupil_code(details.pupil_code)
    sample.year_group = details.year_group
    sample.academic_year = details.academic_year
    sample.teacher_judgement = _standard(framework, details.teacher_judgement_code)
    sample.commentary = details.commentary.strip()


def _standard(framework: Framework, code: str) -> Standard | None:
    if not code:
        return None
    for standard in framework.standards:
        if standard.code == code:
            return standard
    raise SampleError(f"Choose a standard from {framework.title}", "teacher_judgement")


def _flush_unique(sample: WorkSample) -> None:
    """Flush, refusing a second sample for the same pupil in the same school and year with a clear error.

    The check runs first for the message; the savepoint catches a concurrent duplicate the check missed.
    """
    with db.session.no_autoflush:
        clash = select(WorkSample.id).where(
            WorkSample.school_id == sample.school.id,
            WorkSample.academic_year == sample.academic_year,
            WorkSample.pupil_code == sample.pupil_code,
        )
        if sample.id is not None:
            clash = clash.where(WorkSample.id != sample.id)
        duplicate = db.session.scalar(clash) is not None
    try:
        if not duplicate:
            with db.session.begin_nested():
                db.session.flush()
            return
    except IntegrityError:
        pass
    raise SampleError(
        f"Your school already has a sample for pupil {sample.pupil_code} in {sample.academic_year_label}", "pupil_code"
    )


def _require_draft(sample: WorkSample) -> None:
    if sample.state is not SampleState.DRAFT:
        raise SampleLockedError


# Pieces of work


@dataclass(frozen=True)
class PieceDetails:
    title: str
    purpose: str
    written_on: dt.date | None
    independence: Independence


def add_piece(sample: WorkSample, details: PieceDetails, author: User) -> Piece:
    _require_draft(sample)
    if not details.title.strip():
        raise SampleError("Enter a title for the piece of work", "title")
    piece = Piece(
        position=len(sample.pieces),
        title=details.title.strip(),
        purpose=details.purpose.strip(),
        written_on=details.written_on,
        independence=details.independence,
    )
    sample.pieces.append(piece)
    db.session.flush()
    record(author.id, "sample.piece_added", sample, piece_id=piece.id)
    return piece


def remove_piece(sample: WorkSample, piece: Piece, author: User) -> None:
    _require_draft(sample)
    sample.pieces.remove(piece)
    for position, remaining in enumerate(sample.pieces):
        remaining.position = position
    db.session.flush()
    record(author.id, "sample.piece_removed", sample, piece_id=piece.id)


# Evidence claims


MAX_NOTE_LENGTH = 2_000  # one line beside a claim: what the evidence page's note box holds


def note_problem(note: str) -> str | None:
    """Why a claim cannot have ``note``, in words to follow the field's name; None when it can."""
    if len(note.strip()) > MAX_NOTE_LENGTH:
        return f"must be {MAX_NOTE_LENGTH:,} characters or fewer"
    return text_problem(note, TextKind.LINE)


def set_evidence(
    sample: WorkSample, criterion: Criterion, status: EvidenceStatus | None, note: str, author: User
) -> EvidenceClaim | None:
    """Record the teacher's claim for a criterion; ``None`` clears it."""
    _require_draft(sample)
    if criterion.framework_id != sample.framework_id:
        raise SampleError("That criterion belongs to another framework", "criterion")
    claim = next((c for c in sample.evidence if c.criterion_id == criterion.id), None)
    if status is None:
        if claim is not None:
            sample.evidence.remove(claim)
        db.session.flush()
        return None
    if claim is None:
        claim = EvidenceClaim(criterion=criterion, status=status)
        sample.evidence.append(claim)
    if problem := note_problem(note):
        raise SampleError(f"Note on {criterion.code} {problem}", f"note-{criterion.id}")
    claim.status = status
    claim.note = note.strip()
    # An annotation backs the claim on each criterion it is linked to; ``back_claims_with`` adds later ones.
    claim.annotations = [a for page in sample.pages for a in page.annotations if criterion in a.criteria]
    db.session.flush()
    record(author.id, "sample.evidence_set", sample, criterion_id=criterion.id, status=status.value)
    return claim


def back_claims_with(annotation: Annotation, sample: WorkSample) -> None:
    """Link a new annotation to the sample's claims on its criteria, as ``set_evidence`` links earlier ones."""
    for claim in sample.evidence:
        if claim.criterion in annotation.criteria:
            claim.annotations.append(annotation)


# Submission


def submission_problems(sample: WorkSample) -> list[str]:
    """Why the sample cannot be submitted yet, in words the teacher can act on; empty when it can."""
    problems = []
    if sample.teacher_judgement is None:
        problems.append("Record your overall judgement")
    if not sample.pages:
        problems.append("Upload at least one page of work")
    waiting = [f for f in sample.files if f.status is FileStatus.PENDING]
    if waiting:
        unprocessed = counted(len(waiting), "uploaded file has", "uploaded files have")
        problems.append(f"Wait until {unprocessed} been processed")
    failed = [f for f in sample.files if f.status is FileStatus.FAILED]
    if failed:
        problems.append(f"Remove the {counted(len(failed), 'file')} that could not be processed")
    flagged = [page.position + 1 for page in sample.pages if page.needs_redaction]
    if flagged:
        problems.append(f"Finish redacting {_pages(flagged)}")
    outdated = [page.position + 1 for page in sample.pages if page.images_outdated and not page.remake_failed]
    if outdated:
        problems.append(f"Wait while redactions are applied to {_pages(outdated)}")
    problems += [
        f"Redactions could not be applied to page {page.position + 1}: {page.remake_failure}"
        for page in sample.pages
        if page.remake_failed
    ]
    return problems


def _pages(numbers: list[int]) -> str:
    """Page numbers as the teacher reads them: "page 2", "pages 1, 3"."""
    return f"{plural(len(numbers), 'page')} {', '.join(map(str, numbers))}"


def submit(sample: WorkSample, seen_version: int, author: User) -> None:
    _require_draft(sample)
    if seen_version != sample.version:
        raise EditConflictError
    problems = submission_problems(sample)
    if problems:
        raise SampleError(problems[0])
    sample.state = SampleState.SUBMITTED
    sample.submitted_at = utcnow()
    db.session.flush()
    record(author.id, "sample.submitted", sample)


def samples_of_schools(school_ids: list[int]) -> list[WorkSample]:
    statement = (
        select(WorkSample)
        .where(WorkSample.school_id.in_(school_ids))
        .order_by(WorkSample.academic_year.desc(), WorkSample.year_group, WorkSample.pupil_code)
    )
    return list(db.session.scalars(statement))
