"""The demo pupils' work: samples of handwritten, photographed, scanned and typed pages, loaded by ``flask demo``.

Every sample is made through the services a teacher's clicks go through: created, its pieces added, each file
checked and stored by ``accept_upload``, its pages redacted where the pupil's name is written, annotated, its
evidence claimed, and submitted when the manifest says so. The worker's jobs (turning a file into pages,
burning redactions into the page images) are run here, inside the command's transaction, so the demo is
complete when ``flask demo`` ends, whether or not a worker is running. The upload and the redactions have
also queued the same jobs for after the commit; a worker that picks them up finds the work done and returns,
as both jobs are written to do.

``manifest.yaml`` and ``files/`` are made by ``scripts/make_demo_work.py``.
"""

import datetime as dt
from pathlib import Path
from typing import NotRequired, TypedDict

import yaml
from sqlalchemy import select

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Criterion, Framework
from moderation_hub.frameworks.services import find_framework
from moderation_hub.ingestion.geometry import Box
from moderation_hub.organisations.models import School
from moderation_hub.samples import pages, services, uploads
from moderation_hub.samples.models import EvidenceStatus, FileStatus, Independence, Page, SourceFile, WorkSample
from moderation_hub.samples.processing import process_source_file, remake_page_images

FOLDER = Path(__file__).parent
MANIFEST = FOLDER / "manifest.yaml"


class AnnotationSpec(TypedDict):
    box: list[float]  # x0, y0, x1, y1 as fractions of the upright page
    comment: str
    criteria: list[str]


class PageSpec(TypedDict):
    annotations: list[AnnotationSpec]
    redactions: NotRequired[list[list[float]]]  # where the pupil's name is written
    needs_redaction: NotRequired[bool]  # a name left for the teacher to find in the text layer


class FileSpec(TypedDict):
    file: str  # in files/
    upload_as: str  # the name the school's scanner or camera gave it
    pages: list[PageSpec]


class PieceSpec(TypedDict):
    title: str
    purpose: str
    written_on: str  # MM-DD in the sample's academic year
    independence: str
    files: list[FileSpec]


class ClaimSpec(TypedDict):
    criterion: str
    status: str
    note: str


class SampleSpec(TypedDict):
    pupil_code: str
    school_urn: str
    teacher: str  # the email of the demo person who makes the sample
    year_group: int
    framework: str  # slug; the latest version is used
    judgement: str
    submitted: bool
    commentary: str
    pieces: list[PieceSpec]
    evidence: list[ClaimSpec]


def load_demo_samples() -> list[WorkSample]:
    """Make the demo samples missing from this academic year; returns those made. The caller commits.

    A school's sample for the same pupil code and year is left as it is, so running the demo again adds
    nothing, and a demo loaded last year gains this year's samples. Needs the demo schools, people and
    frameworks (``demo.load_demo`` makes them first).
    """
    year = clock.current_academic_year()
    specs: list[SampleSpec] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["samples"]
    return [_make_sample(spec, year) for spec in specs if not _exists(spec, year)]


def _exists(spec: SampleSpec, year: int) -> bool:
    found = select(WorkSample.id).join(WorkSample.school)
    found = found.where(
        School.urn == spec["school_urn"], WorkSample.academic_year == year, WorkSample.pupil_code == spec["pupil_code"]
    )
    return db.session.scalar(found) is not None


def _make_sample(spec: SampleSpec, year: int) -> WorkSample:
    school = db.session.scalars(select(School).where(School.urn == spec["school_urn"])).one()
    author = db.session.scalars(select(User).where(User.email == spec["teacher"])).one()
    framework = find_framework(spec["framework"])
    if framework is None:
        raise LookupError(f"the demo framework {spec['framework']} has not been imported")
    details = services.SampleDetails(
        spec["pupil_code"], spec["year_group"], year, spec["judgement"], spec["commentary"]
    )
    sample = services.create_sample(school, framework, details, author)
    for piece in spec["pieces"]:
        _add_piece(sample, piece, year, author)
    criteria = _criteria_by_code(framework)
    for claim in spec["evidence"]:
        status = EvidenceStatus(claim["status"])
        services.set_evidence(sample, criteria[claim["criterion"]], status, claim["note"], author)
    if spec["submitted"]:
        services.submit(sample, sample.version, author)
    return sample


def _add_piece(sample: WorkSample, spec: PieceSpec, year: int, author: User) -> None:
    month, day = (int(part) for part in spec["written_on"].split("-"))
    written_on = dt.date(year if month >= 9 else year + 1, month, day)  # the academic year starts in September
    details = services.PieceDetails(spec["title"], spec["purpose"], written_on, Independence(spec["independence"]))
    piece = services.add_piece(sample, details, author)
    for file in spec["files"]:
        source = _upload(sample, file, author)
        source.piece_id = piece.id  # no service links a file to its piece yet: the upload form has no such choice
        for page, page_spec in zip(source.pages, file["pages"], strict=True):
            _mark_up(page, page_spec, author)
    db.session.flush()


def _upload(sample: WorkSample, spec: FileSpec, author: User) -> SourceFile:
    data = (FOLDER / "files" / spec["file"]).read_bytes()
    source = uploads.accept_upload(sample, spec["upload_as"], data, author)
    process_source_file.function(source.id)
    if source.status is not FileStatus.READY:
        raise RuntimeError(f"demo file {spec['file']} was not processed: {source.failure_reason}")
    # The job adds pages by their ids, not through these relationships: read them afresh.
    db.session.expire(sample, ["pages"])
    db.session.expire(source, ["pages"])
    return source


def _mark_up(page: Page, spec: PageSpec, author: User) -> None:
    boxes = [Box(*box) for box in spec.get("redactions", [])]
    if boxes:
        pages.add_redactions(page, boxes, author)
        remake_page_images.function(page.id)
    if spec.get("needs_redaction"):
        pages.set_needs_redaction(page, True, author)
    criteria = _criteria_by_code(page.sample.framework)
    for note in spec["annotations"]:
        linked = [criteria[code] for code in note["criteria"]]
        pages.add_annotation(page, Box(*note["box"]), note["comment"], linked, author)


def _criteria_by_code(framework: Framework) -> dict[str, Criterion]:
    return {criterion.code: criterion for criterion in framework.criteria}
