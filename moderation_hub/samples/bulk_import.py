"""Importing an authority's existing archive of pupils' work, listed in a CSV manifest.

The manifest's header is ``school_urn,pupil_code,year_group,framework,teacher_judgement,file``, one row
per file; rows with the same school and pupil code make one sample, whose pages follow the rows' order.
``framework`` is a framework's slug (its latest version is used), ``teacher_judgement`` the code of one
of its standards (or empty) and ``file`` a path relative to the manifest's folder.

The whole manifest is checked before anything is written (``read_manifest``), so a mistake costs
nothing. Then each file goes through the upload pipeline: ``accept_upload`` (checked in the sandbox,
stored, queued) and the ``process_source_file`` job, which the import runs itself so that it finishes
without a worker; a worker that later takes the queued job finds the file done and does nothing. A new
sample is created in the transaction that accepts its first file, so one whose files are all refused
leaves nothing behind.

Running a manifest again is safe: an existing sample is reused, a file whose bytes its sample already
holds is skipped, and a file accepted by a run that stopped before rendering it is rendered.
"""

import csv
import dataclasses
import hashlib
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.education import YEAR_GROUPS, year_group_label
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import find_framework
from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.ingestion.sandbox import JobError
from moderation_hub.jobs import JobFailure
from moderation_hub.logs import logger
from moderation_hub.organisations.models import School
from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from moderation_hub.samples.processing import process_source_file
from moderation_hub.samples.services import SampleDetails, SampleError, create_sample, normalise_pupil_code
from moderation_hub.samples.uploads import accept_upload
from moderation_hub.text_rules import TextKind, text_problem
from moderation_hub.wording import counted

COLUMNS = ("school_urn", "pupil_code", "year_group", "framework", "teacher_judgement", "file")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the manifest; ``row`` is its line in the file, the header being line 1."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.field}: {self.message}"


class ManifestError(Exception):
    """The manifest cannot be imported; ``problems`` lists every reason, in row order."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{counted(len(problems), 'problem')} in the manifest")
        self.problems = sorted(problems, key=lambda problem: problem.row)


@dataclass(frozen=True)
class ManifestFile:
    row: int
    path: Path


@dataclass
class PlannedSample:
    """A sample as the manifest describes it, checked; ``existing`` when an earlier run created it."""

    school: School
    framework: Framework
    details: SampleDetails
    first_row: int
    files: list[ManifestFile] = field(default_factory=list)
    existing: WorkSample | None = None


@dataclass(frozen=True)
class SampleWork:
    """What an import thread needs for one sample: ids, values and paths, never rows of another thread's
    session. ``sample_id`` is None for a sample the manifest adds, until its first file is accepted."""

    school_id: int
    framework_id: int
    details: SampleDetails
    files: tuple[ManifestFile, ...]
    sample_id: int | None


# Reading and checking the manifest


@dataclass(frozen=True)
class _Row:
    line: int
    cells: list[str]

    def __getitem__(self, column: str) -> str:
        return self.cells[COLUMNS.index(column)]

    def problem(self, column: str, message: str) -> Problem:
        return Problem(self.line, column, message)


@dataclass(frozen=True)
class _CheckedRow:
    line: int
    school: School
    framework: Framework
    details: SampleDetails
    path: Path


def read_manifest(path: Path, academic_year: int) -> list[PlannedSample]:
    """The samples the manifest describes, or ``ManifestError`` listing every problem. Writes nothing."""
    rows = _read_rows(path)
    problems: list[Problem] = []
    safe_rows = _safe_rows(rows, problems)
    checker = _RowChecker(path.resolve().parent, academic_year, {row["school_urn"] for row in safe_rows})
    planned: dict[tuple[int, str], PlannedSample] = {}
    for row in safe_rows:
        checked = checker.check(row, problems)
        if checked is not None:
            _add_to_sample(checked, planned, problems)
    for sample in planned.values():
        _check_existing(sample, problems)
    if not rows:
        problems.append(Problem(1, "file", "has no rows after the header"))
    if problems:
        raise ManifestError(problems)
    return list(planned.values())


def _read_rows(path: Path) -> list[_Row]:
    # utf-8-sig: spreadsheet programs start a CSV with a byte-order mark.
    try:
        with path.open(encoding="utf-8-sig", newline="") as manifest:
            reader = csv.reader(manifest)
            header = [name.strip() for name in next(reader, [])]
            if tuple(header) != COLUMNS:
                found = ",".join(header) or "nothing"
                raise ManifestError([Problem(1, "header", f"must be {','.join(COLUMNS)} (found {found})")])
            # line_num after reading a row is its (last) line; blank lines, such as a spreadsheet's trailing
            # ones, are not rows.
            rows = (_Row(reader.line_num, [cell.strip() for cell in cells]) for cells in reader)
            return [row for row in rows if any(row.cells)]
    except UnicodeDecodeError:
        raise ManifestError([Problem(1, "file", 'is not UTF-8 text: save it as "CSV UTF-8"')]) from None


def _safe_rows(rows: list[_Row], problems: list[Problem]) -> list[_Row]:
    """The rows whose every cell is text that may be stored; the others' cells go to ``problems``, and the rows
    are checked no further (a NUL byte cannot even be looked up on PostgreSQL)."""
    safe = []
    for row in rows:
        unsafe = [
            row.problem(column, message)
            for column, cell in zip(COLUMNS, row.cells, strict=False)
            if (message := text_problem(cell, TextKind.LINE))
        ]
        problems += unsafe
        if not unsafe:
            safe.append(row)
    return safe


class _RowChecker:
    """Checks rows against the database and the manifest's folder, looking each school and framework up once."""

    def __init__(self, folder: Path, academic_year: int, urns: set[str]) -> None:
        self.folder = folder
        self.academic_year = academic_year
        self.schools = {school.urn: school for school in db.session.scalars(select(School).where(School.urn.in_(urns)))}
        self.frameworks: dict[str, Framework | None] = {}

    def check(self, row: _Row, problems: list[Problem]) -> _CheckedRow | None:
        """The row's facts when every field is right; otherwise ``None``, each wrong field added to ``problems``."""
        if len(row.cells) != len(COLUMNS):
            problems.append(row.problem("row", f"has {len(row.cells)} values; the header has {len(COLUMNS)}"))
            return None
        found: list[Problem] = []
        school = self._school(row, found)
        pupil_code = _pupil_code(row, found)
        framework = self._framework(row, found)
        year_group = _year_group(row, framework, found)
        judgement = _judgement(row, framework, found)
        path = self._file(row, found)
        problems += found
        if found or school is None or framework is None or pupil_code is None or year_group is None or path is None:
            return None
        details = SampleDetails(pupil_code, year_group, self.academic_year, judgement)
        return _CheckedRow(row.line, school, framework, details, path)

    def _school(self, row: _Row, problems: list[Problem]) -> School | None:
        school = self.schools.get(row["school_urn"])
        if school is None:
            problems.append(row.problem("school_urn", f"there is no school with URN {row['school_urn']!r}"))
        return school

    def _framework(self, row: _Row, problems: list[Problem]) -> Framework | None:
        slug = row["framework"]
        if slug not in self.frameworks:
            self.frameworks[slug] = find_framework(slug)
        framework = self.frameworks[slug]
        if framework is None:
            problems.append(row.problem("framework", f"there is no framework with the code {slug!r}"))
        return framework

    def _file(self, row: _Row, problems: list[Problem]) -> Path | None:
        # Manifests written on Windows separate folders with backslashes.
        written = row["file"].replace("\\", "/")
        path = (self.folder / written).resolve()  # "/abs" replaces the folder; both are caught below
        if not written:
            message = "enter the file's path, relative to the manifest's folder"
        elif not path.is_relative_to(self.folder):
            # Symbolic links are followed first, so none can reach outside the folder either.
            message = f"{written!r} is outside the manifest's folder; give a path relative to it"
        elif not path.is_file():
            message = f"there is no file {written!r} in the manifest's folder"
        else:
            return _readable(row, path, problems)
        problems.append(row.problem("file", message))
        return None


def _readable(row: _Row, path: Path, problems: list[Problem]) -> Path | None:
    try:
        with path.open("rb") as file:
            file.read(1)
    except OSError as error:
        problems.append(row.problem("file", f"{row['file']!r} cannot be read: {error.strerror}"))
        return None
    return path


def _pupil_code(row: _Row, problems: list[Problem]) -> str | None:
    try:
        return normalise_pupil_code(row["pupil_code"])
    except SampleError as error:
        problems.append(row.problem("pupil_code", str(error)))
        return None


def _year_group(row: _Row, framework: Framework | None, problems: list[Problem]) -> int | None:
    try:
        year_group = int(row["year_group"])
    except ValueError:
        year_group = -1
    if year_group not in YEAR_GROUPS:
        problems.append(row.problem("year_group", "must be a whole number from 0 (Reception) to 13"))
        return None
    if framework is not None and framework.year_groups and year_group not in framework.year_groups:
        problems.append(row.problem("year_group", f"{framework.title} is for {framework.year_groups_label}"))
        return None
    return year_group


def _judgement(row: _Row, framework: Framework | None, problems: list[Problem]) -> str:
    code = row["teacher_judgement"]
    codes = [standard.code for standard in framework.standards] if framework is not None else []
    if code and framework is not None and code not in codes:
        choices = ", ".join(codes)
        message = f"{code!r} is not a standard of {framework.title}: use {choices} or nothing"
        problems.append(row.problem("teacher_judgement", message))
    return code


def _add_to_sample(row: _CheckedRow, planned: dict[tuple[int, str], PlannedSample], problems: list[Problem]) -> None:
    """Add the row's file to its pupil's sample; the sample's first row says what every other must agree with."""
    sample = planned.setdefault(
        (row.school.id, row.details.pupil_code), PlannedSample(row.school, row.framework, row.details, row.line)
    )
    disagreements = {
        "year_group": (row.details.year_group, sample.details.year_group),
        "framework": (row.framework.slug, sample.framework.slug),
        "teacher_judgement": (row.details.teacher_judgement_code, sample.details.teacher_judgement_code),
    }
    found = [
        Problem(row.line, column, f"{mine!r} differs from row {sample.first_row} ({theirs!r}) for the same pupil")
        for column, (mine, theirs) in disagreements.items()
        if mine != theirs
    ]
    listed = next((file.row for file in sample.files if file.path == row.path), None)
    if listed is not None:
        found.append(Problem(row.line, "file", f"is already listed for this pupil on row {listed}"))
    problems += found
    sample.files.append(ManifestFile(row.line, row.path))


def _check_existing(sample: PlannedSample, problems: list[Problem]) -> None:
    """Reuse the pupil's sample from an earlier run; one for another framework or year group is a mistake.

    The teacher's judgement is not compared: the school may have changed it in the sample since.
    """
    details = sample.details
    sample.existing = db.session.scalar(
        select(WorkSample).where(
            WorkSample.school_id == sample.school.id,
            WorkSample.academic_year == details.academic_year,
            WorkSample.pupil_code == details.pupil_code,
        )
    )
    existing = sample.existing
    if existing is None:
        return
    if existing.framework.slug == sample.framework.slug and existing.year_group == details.year_group:
        return
    pupil = f"pupil {details.pupil_code} in {existing.academic_year_label}"
    held = f"{existing.framework.title}, {year_group_label(existing.year_group)}"
    message = f"{sample.school.name} already has a sample for {pupil}, for {held}"
    problems.append(Problem(sample.first_row, "pupil_code", message))


def prepare_samples(planned: list[PlannedSample]) -> list[SampleWork]:
    """Each sample's work, in the manifest's order. Writes nothing: new samples come with their first file."""
    return [
        SampleWork(
            sample.school.id,
            sample.framework.id,
            sample.details,
            tuple(sample.files),
            sample.existing.id if sample.existing else None,
        )
        for sample in planned
    ]


# Importing the files


class Outcome(StrEnum):
    IMPORTED = "imported"
    SKIPPED = "skipped"  # its sample already held these bytes, from an earlier run
    FAILED = "failed"


@dataclass(frozen=True)
class FileOutcome:
    row: int
    outcome: Outcome
    reason: str = ""
    created_sample: bool = False  # its sample was created with it

    def __str__(self) -> str:
        return f"row {self.row}: file: {self.reason}"


@dataclass
class _ImportingSample:
    """One thread's sample: ``id`` is None until the first of its files is accepted creates it."""

    work: SampleWork
    id: int | None


@dataclass(frozen=True)
class _HeldFile:
    id: int
    status: FileStatus
    failure_reason: str


# A file whose pages are ready counts over a failed copy of the same bytes.
_STATUS_PREFERENCE = (FileStatus.READY, FileStatus.PENDING, FileStatus.FAILED)


def worker_count(requested: int) -> int:
    """How many samples to import at once.

    SQLite allows one writer, and a transaction that has read cannot write once another has committed
    ("database is locked", at once): rendering a file inside its transaction would fail whenever another
    thread finished a file meanwhile. So on SQLite samples are imported one at a time.
    """
    return 1 if db.engine.dialect.name == "sqlite" else requested


def import_files(work: list[SampleWork], author_id: int, workers: int) -> Iterator[FileOutcome]:
    """Import every file, ``workers`` samples at once, yielding each file's outcome as it comes.

    One thread takes a sample's files in the manifest's order, so the pages keep that order and no two
    threads place pages in one sample. Each thread has an app context, so a database session, of its own.
    Stopping the iteration (Ctrl-C) starts no other file and waits for those in progress.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    outcomes: queue.SimpleQueue[FileOutcome | None] = queue.SimpleQueue()
    stopping = threading.Event()
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sample-import")
    futures = [pool.submit(_import_sample, app, sample, author_id, outcomes.put, stopping) for sample in work]
    for future in futures:
        future.add_done_callback(lambda _future: outcomes.put(None))  # None: that sample is finished
    try:
        for _sample in futures:
            while (outcome := outcomes.get()) is not None:
                yield outcome
    finally:
        stopping.set()
        pool.shutdown(cancel_futures=True)
    for future in futures:
        future.result()  # an error outside any one file's import is raised here, not lost


def _import_sample(
    app: Flask, work: SampleWork, author_id: int, report: Callable[[FileOutcome], None], stopping: threading.Event
) -> None:
    with app.app_context():
        sample = _ImportingSample(work, work.sample_id)
        for file in work.files:
            if stopping.is_set():
                return
            existed = sample.id is not None
            outcome = _import_file(sample, file, author_id, stopping)
            report(dataclasses.replace(outcome, created_sample=not existed and sample.id is not None))


def _import_file(
    sample: _ImportingSample, file: ManifestFile, author_id: int, stopping: threading.Event
) -> FileOutcome:
    """One file, in transactions of its own; whatever goes wrong is its outcome, and the others go on."""
    try:
        data = file.path.read_bytes()
    except OSError as error:
        return FileOutcome(file.row, Outcome.FAILED, f'"{file.path.name}" could not be read: {error.strerror}')
    try:
        return _import_bytes(sample, file, data, author_id, stopping)
    except (RejectedFile, SampleError) as error:
        return FileOutcome(file.row, Outcome.FAILED, str(error))
    except Exception as error:
        # Not the file's fault (storage or database unavailable, a bug): its transaction was rolled back,
        # so running the import again retries it. The log gets the type only, as for a failed job: an
        # error's message may quote the data, and the log never holds pupils' data.
        extra = {"sample_id": sample.id, "row": file.row, "error_type": type(error).__name__}
        logger.error("bulk import of a file failed", extra=extra)
        reason = f'"{file.path.name}" was not imported ({type(error).__name__}: {error}); run the import again'
        return FileOutcome(file.row, Outcome.FAILED, reason)


def _import_bytes(
    sample: _ImportingSample, file: ManifestFile, data: bytes, author_id: int, stopping: threading.Event
) -> FileOutcome:
    held = None if sample.id is None else _held_file(sample.id, hashlib.sha256(data).hexdigest())
    if held is None:
        source_id = _accept(sample, file.path.name, data, author_id)
    elif held.status is FileStatus.PENDING:  # accepted by a run that stopped before rendering it
        source_id = held.id
    elif held.status is FileStatus.READY:
        return FileOutcome(file.row, Outcome.SKIPPED)
    else:
        reason = f"{held.failure_reason} (in an earlier import: remove the file from the sample to try again)"
        return FileOutcome(file.row, Outcome.FAILED, reason)
    return _process(file.row, source_id, stopping)


def _held_file(sample_id: int, sha256: str) -> _HeldFile | None:
    """The sample's file with these bytes, if it has one."""
    with db.transaction():
        files = db.session.scalars(
            select(SourceFile).where(SourceFile.sample_id == sample_id, SourceFile.sha256 == sha256)
        ).all()
        if not files:
            return None
        best = min(files, key=lambda source: _STATUS_PREFERENCE.index(source.status))
        return _HeldFile(best.id, best.status, best.failure_reason or "")


def _accept(sample: _ImportingSample, filename: str, data: bytes, author_id: int) -> int:
    """Check and store the file as an upload, in one transaction with its sample if this creates it: a refused
    file rolls both back. The folders in the file's path are not kept (they may name the pupil)."""
    with db.transaction():
        author = db.session.get_one(User, author_id)
        row = _sample_row(sample.work, sample.id, author)
        sample_id, source_id = row.id, accept_upload(row, filename, data, author).id
    sample.id = sample_id  # only once committed
    return source_id


def _sample_row(work: SampleWork, sample_id: int | None, author: User) -> WorkSample:
    if sample_id is not None:
        return db.session.get_one(WorkSample, sample_id)
    # The school's row is locked before the sample's insert takes a weaker lock on it, which queueing the
    # upload (``start_waiting_files``) would then upgrade: a deadlock with a worker waiting for the same row.
    school = db.session.get_one(School, work.school_id, with_for_update=True)
    return create_sample(school, db.session.get_one(Framework, work.framework_id), work.details, author)


def _process(row: int, source_id: int, stopping: threading.Event) -> FileOutcome:
    """Render the file's pages with the worker's own job, one attempt.

    The job settles a refused file itself. A failure of the sandbox marks the file failed as the queue
    does after the last attempt (the same bytes would fail again), unless the import is stopping: Ctrl-C
    reaches the sandbox too, and that file should be rendered again by the next run.
    """
    try:
        with db.transaction():
            process_source_file.function(source_id)
    except JobError as error:
        if stopping.is_set():
            return FileOutcome(row, Outcome.FAILED, "interrupted before its pages were made; run the import again")
        _give_up(source_id, error)
    with db.transaction():
        source = db.session.get_one(SourceFile, source_id)
        if source.status is FileStatus.READY:
            return FileOutcome(row, Outcome.IMPORTED)
        return FileOutcome(row, Outcome.FAILED, source.failure_reason or "its pages were not made")


def _give_up(source_id: int, error: JobError) -> None:
    on_failure = process_source_file.on_failure
    if on_failure is not None:
        with db.transaction():
            on_failure(JobFailure(process_source_file.name, type(error).__name__, str(error)), source_id)


@dataclass
class ImportSummary:
    samples_reused: int
    samples_created: int = 0
    imported: int = 0
    skipped: int = 0
    failures: list[FileOutcome] = field(default_factory=list)

    def add(self, outcome: FileOutcome) -> None:
        self.samples_created += outcome.created_sample
        if outcome.outcome is Outcome.IMPORTED:
            self.imported += 1
        elif outcome.outcome is Outcome.SKIPPED:
            self.skipped += 1
        else:
            self.failures.append(outcome)

    @property
    def progress(self) -> str:
        return f"{self.imported} imported, {self.skipped} skipped, {len(self.failures)} failed"

    def lines(self) -> list[str]:
        lines = [
            f"Samples: {self.samples_created} created, {self.samples_reused} already there.",
            f"Files: {self.imported} imported, {self.skipped} already imported, {len(self.failures)} failed.",
        ]
        return lines + [str(failure) for failure in sorted(self.failures, key=lambda failure: failure.row)]
