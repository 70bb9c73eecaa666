"""``flask samples import``: an authority's archive comes in from a CSV manifest, checked whole first,
one sample per school and pupil, and a second run finishes what the first left."""

import csv
import dataclasses
import errno
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click import _termui_impl as click_progress_bars
from click.testing import Result
from flask import Flask
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from moderation_hub import create_app
from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import find_framework, import_demo_frameworks
from moderation_hub.jobs import Job
from moderation_hub.samples import bulk_import
from moderation_hub.samples.cli import samples_cli
from moderation_hub.samples.models import FileStatus, Page, SourceFile, WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.conftest import build_test_app, scratch_postgresql_database
from tests.factories import World, build_world
from tests.unit.ingestion import samples as files
from tests.unit.ingestion.samples import PUPIL_NAME

HEADER = "school_urn,pupil_code,year_group,framework,teacher_judgement,file"
KS2 = "ks2-writing-ta"


def write_manifest(folder: Path, rows: list[list[str]], header: str = HEADER) -> Path:
    manifest = folder / "manifest.csv"
    with manifest.open("w", encoding="utf-8", newline="") as output:
        output.write(header + "\r\n")
        csv.writer(output).writerows(rows)
    return manifest


def put(folder: Path, relative: str, content: bytes) -> str:
    path = folder / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return relative


def run_import(app: Flask, manifest: Path, *options: str, jobs: str = "1") -> Result:
    # One sample at a time by default: the test app's sessions all share the test's one connection.
    args = ["import", str(manifest), "--as", "la.lead@example.org", "--academic-year", "2025", "--jobs", jobs]
    return app.test_cli_runner().invoke(samples_cli, [*args, *options])


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def stored_objects(app: Flask) -> list[Path]:
    root = Path(app.config["STORAGE_URL"].removeprefix("file://"))
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def archive(folder: Path, world: World) -> list[list[str]]:
    """Two schools, three pupils, five files: a PDF and photos."""
    urn_a, urn_b = world.school_a.urn, world.school_b.urn
    return [
        [urn_a, "y6-001", "6", KS2, "EXS", put(folder, "alder/y6-001/essay.pdf", files.essay_pdf())],
        [urn_a, "Y6-001", "6", KS2, "EXS", put(folder, "alder/y6-001/photo.jpg", files.landscape_photo())],
        [urn_a, "Y6-002", "6", KS2, "", put(folder, "alder/y6-002/scan.png", files.png_with_metadata())],
        [urn_b, "Y6-001", "6", KS2, "GDS", put(folder, "birch/story.pdf", files.name_across_lines_pdf())],
        [urn_b, "Y6-001", "6", KS2, "GDS", put(folder, "birch/phone.heic", files.heic_photo())],
    ]


def pages_of(session: Session, school_id: int, pupil_code: str) -> list[tuple[int, str, int]]:
    sample = session.scalars(
        select(WorkSample).where(WorkSample.school_id == school_id, WorkSample.pupil_code == pupil_code)
    ).one()
    return [(page.position, page.source_file.school_file_name, page.index_in_file) for page in sample.pages]


def test_a_manifest_makes_one_sample_per_pupil_with_its_pages_in_row_order(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    result = run_import(app, write_manifest(tmp_path, archive(tmp_path, world)))

    assert result.exit_code == 0, result.output
    assert "Samples: 3 created, 0 already there." in result.output
    assert "Files: 5 imported, 0 already imported, 0 failed." in result.output
    session.expire_all()
    samples = session.scalars(select(WorkSample).order_by(WorkSample.id)).all()
    assert [(s.school_id, s.pupil_code, s.year_group, s.academic_year) for s in samples] == [
        (world.school_a.id, "Y6-001", 6, 2025),
        (world.school_a.id, "Y6-002", 6, 2025),
        (world.school_b.id, "Y6-001", 6, 2025),
    ]
    assert [s.teacher_judgement.code if s.teacher_judgement else None for s in samples] == ["EXS", None, "GDS"]
    assert {s.framework_id for s in samples} == {ks2_writing.id}
    assert pages_of(session, world.school_a.id, "Y6-001") == [
        (0, "essay.pdf", 0),
        (1, "essay.pdf", 1),
        (2, "photo.jpg", 0),
    ]
    assert pages_of(session, world.school_a.id, "Y6-002") == [(0, "scan.png", 0)]
    assert pages_of(session, world.school_b.id, "Y6-001") == [(0, "story.pdf", 0), (1, "phone.heic", 0)]
    assert {f.status for f in session.scalars(select(SourceFile))} == {FileStatus.READY}
    # The person named by --as is the author in the samples and the audit log.
    assert {s.created_by_id for s in samples} == {world.la_lead.id}
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == world.la_lead.id)).all()
    assert sorted(actions) == ["sample.created"] * 3 + ["sample.file_uploaded"] * 5


def test_running_the_same_manifest_again_changes_nothing(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, archive(tmp_path, world))
    assert run_import(app, manifest).exit_code == 0
    session.expire_all()
    before = [count(session, model) for model in (WorkSample, SourceFile, Page, AuditEvent)]
    objects = stored_objects(app)

    again = run_import(app, manifest)

    assert again.exit_code == 0, again.output
    assert "Samples: 0 created, 3 already there." in again.output
    assert "Files: 0 imported, 5 already imported, 0 failed." in again.output
    session.expire_all()
    assert [count(session, model) for model in (WorkSample, SourceFile, Page, AuditEvent)] == before
    assert stored_objects(app) == objects


def test_every_problem_is_listed_by_row_and_nothing_is_stored(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    ks1 = find_framework("ks1-writing-ta")
    assert ks1 is not None
    create_sample(world.school_a, ks1, SampleDetails("Y2-030", 2, 2025), world.teacher_a)
    folder = tmp_path / "archive"
    good = put(folder, "good.pdf", files.essay_pdf())
    photo = put(folder, "photo.jpg", files.landscape_photo())
    outside = put(tmp_path, "outside.pdf", files.essay_pdf())
    (folder / "link.pdf").symlink_to(tmp_path / outside)
    urn_a, urn_b = world.school_a.urn, world.school_b.urn
    rows = [
        ["999999", "Y6-001", "6", KS2, "EXS", good],  # 2
        [urn_a, PUPIL_NAME, "6", KS2, "EXS", good],  # 3
        [urn_a, "Y6-003", "6", "ks2-reading", "EXS", good],  # 4
        [urn_a, "Y6-004", "6", KS2, "Secure", good],  # 5
        [urn_a, "Y6-005", "4", KS2, "EXS", good],  # 6
        [urn_a, "Y6-006", "six", KS2, "EXS", good],  # 7
        [urn_a, "Y6-007", "6", KS2, "EXS", "missing.pdf"],  # 8
        [urn_a, "Y6-008", "6", KS2, "EXS", "../outside.pdf"],  # 9
        [urn_a, "Y6-009", "6", KS2, "EXS", str(tmp_path / outside)],  # 10
        [urn_a, "Y6-010", "6", KS2, "EXS", "link.pdf"],  # 11
        [urn_b, "Y6-011", "6", KS2, "EXS", good],  # 12
        [urn_b, "Y6-011", "5", "app-writing", "", photo],  # 13: right alone, but not for the pupil of row 12
        [],  # 14: a blank line is no row, but it is a line
        [urn_a, "Y6-012", "6", KS2, "EXS"],  # 15
        [urn_a, "Y2-030", "6", KS2, "EXS", good],  # 16: the school has this pupil's sample for KS1
        [urn_a, "Y6-013", "6", KS2, "", good],  # 17: right, but not imported with the rest wrong
        [urn_b, "Y6-011", "6", KS2, "EXS", good],  # 18: the file of row 12 again
    ]
    session.commit()  # the command shares the test's session: its rollback must not take the arrangements

    result = run_import(app, write_manifest(folder, rows))

    assert result.exit_code != 0
    listed = [line for line in result.output.splitlines() if line.startswith("row ")]
    assert [line.split(":")[:2] for line in listed] == [
        ["row 2", " school_urn"],
        ["row 3", " pupil_code"],
        ["row 4", " framework"],
        ["row 5", " teacher_judgement"],
        ["row 6", " year_group"],
        ["row 7", " year_group"],
        ["row 8", " file"],
        ["row 9", " file"],
        ["row 10", " file"],
        ["row 11", " file"],
        ["row 13", " year_group"],
        ["row 13", " framework"],
        ["row 13", " teacher_judgement"],
        ["row 15", " row"],
        ["row 16", " pupil_code"],
        ["row 18", " file"],
    ]
    assert "row 3: pupil_code: Pupil code must be 2 to 20 letters" in result.output
    assert "row 5: teacher_judgement: 'Secure' is not a standard of" in result.output
    assert "row 6: year_group: Key stage 2 writing teacher assessment (demo) is for Year 6" in result.output
    assert "row 9: file: '../outside.pdf' is outside the manifest's folder" in result.output
    assert "row 13: year_group: 5 differs from row 12 (6) for the same pupil" in result.output
    assert "row 15: row: has 5 values; the header has 6" in result.output
    assert "row 16: pupil_code: Alder Primary School already has a sample for pupil Y2-030 in 2025/26" in result.output
    assert "row 18: file: is already listed for this pupil on row 12" in result.output
    assert "nothing was imported: 16 problems" in result.output
    session.expire_all()
    assert count(session, WorkSample) == 1  # only the KS1 sample made before
    assert count(session, SourceFile) == 0
    assert stored_objects(app) == []


def test_a_manifest_with_another_header_is_refused_with_the_expected_one(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    rows = [[world.school_a.urn, "Y6-001", "6", KS2, "EXS", put(tmp_path, "essay.pdf", files.essay_pdf())]]
    manifest = write_manifest(tmp_path, rows, header="urn,pupil,year,framework,judgement,file")

    session.commit()

    result = run_import(app, manifest)

    assert result.exit_code != 0
    assert f"row 1: header: must be {HEADER} (found urn,pupil,year,framework,judgement,file)" in result.output
    assert count(session, WorkSample) == 0


def test_the_author_must_be_an_existing_person(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    manifest = write_manifest(tmp_path, archive(tmp_path, world))
    session.commit()
    result = app.test_cli_runner().invoke(samples_cli, ["import", str(manifest), "--as", "nobody@example.org"])
    assert result.exit_code != 0
    assert "there is no active account for nobody@example.org" in result.output
    assert count(session, WorkSample) == 0


def test_a_refused_file_is_reported_by_row_and_the_others_are_imported(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    urn_a = world.school_a.urn
    rows = [
        [urn_a, "Y6-001", "6", KS2, "EXS", put(tmp_path, "essay.pdf", files.essay_pdf())],
        [urn_a, "Y6-001", "6", KS2, "EXS", put(tmp_path, "locked.pdf", files.encrypted_pdf())],
        [urn_a, "Y6-002", "6", KS2, "WTS", put(tmp_path, "page.html.pdf", files.html_page())],
        [urn_a, "Y6-003", "6", KS2, "GDS", put(tmp_path, "photo.jpg", files.landscape_photo())],
    ]

    result = run_import(app, write_manifest(tmp_path, rows))

    assert result.exit_code == 1
    assert 'row 3: file: "locked.pdf" is protected by a password' in result.output
    assert 'row 4: file: "page.html.pdf" is not a PDF, JPEG, PNG or HEIC' in result.output
    assert "Files: 2 imported, 0 already imported, 2 failed." in result.output
    assert "2 files were not imported" in result.output
    assert "Samples: 2 created, 0 already there." in result.output
    session.expire_all()
    assert pages_of(session, world.school_a.id, "Y6-001") == [(0, "essay.pdf", 0), (1, "essay.pdf", 1)]
    assert pages_of(session, world.school_a.id, "Y6-003") == [(0, "photo.jpg", 0)]
    assert count(session, SourceFile) == 2
    # Y6-002's only file was refused: no sample, and no record of one, is left behind.
    assert sorted(session.scalars(select(WorkSample.pupil_code))) == ["Y6-001", "Y6-003"]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == world.la_lead.id)).all()
    assert sorted(actions) == ["sample.created"] * 2 + ["sample.file_uploaded"] * 2


def test_a_sample_is_created_with_its_first_accepted_file_and_a_run_again_adds_no_empty_one(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    urn_a = world.school_a.urn
    rows = [
        [urn_a, "Y6-001", "6", KS2, "EXS", put(tmp_path, "page.html.pdf", files.html_page())],
        [urn_a, "Y6-001", "6", KS2, "EXS", put(tmp_path, "photo.jpg", files.landscape_photo())],
        [urn_a, "Y6-002", "6", KS2, "WTS", put(tmp_path, "archive.zip", files.zip_archive())],
    ]
    manifest = write_manifest(tmp_path, rows)

    first = run_import(app, manifest)
    again = run_import(app, manifest)

    assert "Samples: 1 created, 0 already there." in first.output
    assert "Samples: 0 created, 1 already there." in again.output
    session.expire_all()
    assert pages_of(session, world.school_a.id, "Y6-001") == [(0, "photo.jpg", 0)]
    assert session.scalars(select(WorkSample.pupil_code)).all() == ["Y6-001"]


@pytest.fixture
def queued_app(connection: Connection, database_url: str, tmp_path: Path, app: Flask) -> Iterator[Flask]:
    """The test app as deployed: jobs go to the queue, and no worker is running to take them.

    It comes after ``app``, so its app context is the current one, which the command uses.
    """
    queued = build_test_app(connection, database_url, tmp_path, JOB_IMMEDIATE=False)
    with queued.app_context():
        yield queued


def test_an_interrupted_import_is_finished_by_running_it_again(
    queued_app: Flask,
    world: World,
    ks2_writing: Framework,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = archive(tmp_path, world)
    manifest = write_manifest(tmp_path, rows)
    # First run: the disk fails reading one file, and the process dies while rendering another.
    monkeypatch.setattr(Path, "read_bytes", failing_to_read((tmp_path / "alder/y6-002/scan.png").resolve()))
    monkeypatch.setattr(bulk_import, "process_source_file", dying_on(bulk_import.process_source_file, "photo.jpg"))

    first = run_import(queued_app, manifest)

    assert first.exit_code == 1
    assert 'row 3: file: "photo.jpg" was not imported (RuntimeError: the server restarted)' in first.output
    assert 'row 4: file: "scan.png" could not be read: Input/output error' in first.output
    assert "Files: 3 imported, 0 already imported, 2 failed." in first.output
    assert "Samples: 2 created, 0 already there." in first.output
    session.expire_all()
    assert {f.school_file_name: f.status for f in session.scalars(select(SourceFile))} == {
        "essay.pdf": FileStatus.READY,
        "photo.jpg": FileStatus.PENDING,  # accepted and queued, its pages never made
        "story.pdf": FileStatus.READY,
        "phone.heic": FileStatus.READY,
    }

    monkeypatch.undo()
    second = run_import(queued_app, manifest)

    assert second.exit_code == 0, second.output
    assert "Samples: 1 created, 2 already there." in second.output  # Y6-002, whose one file could not be read
    assert "Files: 2 imported, 3 already imported, 0 failed." in second.output
    session.expire_all()
    assert count(session, SourceFile) == 5
    assert pages_of(session, world.school_a.id, "Y6-001") == [
        (0, "essay.pdf", 0),
        (1, "essay.pdf", 1),
        (2, "photo.jpg", 0),
    ]
    assert pages_of(session, world.school_a.id, "Y6-002") == [(0, "scan.png", 0)]


def test_ctrl_c_stops_the_import_and_running_it_again_finishes(
    queued_app: Flask,
    world: World,
    ks2_writing: Framework,
    session: Session,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    manifest = write_manifest(tmp_path, archive(tmp_path, world))

    def ctrl_c(_summary: bulk_import.ImportSummary, _outcome: bulk_import.FileOutcome) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(bulk_import.ImportSummary, "add", ctrl_c)  # as the first file is counted
        first = run_import(queued_app, manifest)

    assert first.exit_code == 1
    assert "Stopped: run the same command again to finish the import." in first.output
    session.expire_all()
    # The file in progress when Ctrl-C came is finished; no other is started.
    assert {f.status for f in session.scalars(select(SourceFile))} == {FileStatus.READY}
    assert 1 <= count(session, SourceFile) <= 2

    second = run_import(queued_app, manifest)

    assert second.exit_code == 0, second.output
    assert "Samples: 2 created, 1 already there." in second.output  # the two the first run never started
    session.expire_all()
    assert count(session, SourceFile) == 5
    assert count(session, Page) == 6


def failing_to_read(unreadable: Path) -> Callable[[Path], bytes]:
    read_bytes = Path.read_bytes

    def read(path: Path) -> bytes:
        if path == unreadable:
            raise OSError(errno.EIO, "Input/output error")
        return read_bytes(path)

    return read


def dying_on(job: Job, file_name: str) -> Job:
    """The processing job, failing as a killed process would while it renders the file named ``file_name``."""

    def process(source_file_id: int) -> None:
        if db.session.get_one(SourceFile, source_file_id).school_file_name == file_name:
            raise RuntimeError("the server restarted")
        job.function(source_file_id)

    return dataclasses.replace(job, function=process)


@contextmanager
def database_of_its_own(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.config.getoption("--database") == "sqlite":
        yield f"sqlite:///{tmp_path / 'import.sqlite3'}"
        return
    with scratch_postgresql_database(os.environ["TEST_DATABASE_URL"]) as url:
        yield url


@pytest.fixture
def deployed_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app on a migrated database of its own (committed to for real, by several threads at once), with
    jobs queued for a worker that is not running."""
    with database_of_its_own(request, tmp_path) as url:
        app = create_app(
            {
                "ENVIRONMENT": "testing",
                "SECRET_KEY": "import-test",
                "DATABASE_URL": url,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "STORAGE_URL": f"file://{tmp_path / 'uploads'}",
                "JOB_IMMEDIATE": False,
            }
        )
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        yield app
        app.extensions["database"]["engine"].dispose()


class Overlap:
    """Wraps a function to count how many calls of it run at once, at most."""

    def __init__(self, function: Callable[..., object]) -> None:
        self.function = function
        self.running = self.most = 0
        self.lock = threading.Lock()

    def __call__(self, *args: object) -> object:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        try:
            return self.function(*args)
        finally:
            with self.lock:
                self.running -= 1


def test_an_import_on_a_deployed_database_finishes_without_a_worker(
    deployed_app: Flask, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    with deployed_app.app_context(), db.transaction():
        world = build_world(db.session)
        import_demo_frameworks()
        rows = archive(tmp_path, world)
        school_ids = world.school_a.id, world.school_b.id
    manifest = write_manifest(tmp_path, rows)
    overlap = Overlap(bulk_import._import_file)
    monkeypatch.setattr(bulk_import, "_import_file", overlap)

    result = run_import(deployed_app, manifest, jobs="3")

    assert result.exit_code == 0, result.output
    assert "Files: 5 imported, 0 already imported, 0 failed." in result.output
    if request.config.getoption("--database") == "sqlite":
        assert "The database is SQLite, so samples are imported one at a time." in result.output
        assert overlap.most == 1
    else:
        assert overlap.most > 1  # three samples, three threads: files of different samples are made at once
    with deployed_app.app_context():
        assert pages_of(db.session, school_ids[0], "Y6-001") == [
            (0, "essay.pdf", 0),
            (1, "essay.pdf", 1),
            (2, "photo.jpg", 0),
        ]
        assert pages_of(db.session, school_ids[1], "Y6-001") == [(0, "story.pdf", 0), (1, "phone.heic", 0)]
        assert {f.status for f in db.session.scalars(select(SourceFile))} == {FileStatus.READY}


def three_files(folder: Path, world: World) -> list[list[str]]:
    """Two pupils, three files; the last a web page saved as a PDF, which is refused."""
    urn_a = world.school_a.urn
    return [
        [urn_a, "Y6-001", "6", KS2, "EXS", put(folder, "y6-001/photo.jpg", files.landscape_photo())],
        [urn_a, "Y6-001", "6", KS2, "EXS", put(folder, "y6-001/scan.png", files.png_with_metadata())],
        [urn_a, "Y6-002", "6", KS2, "", put(folder, "y6-002/page.html.pdf", files.html_page())],
    ]


def test_the_import_shows_its_progress_in_a_log_once_and_ends_with_the_summary(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path
) -> None:
    """Where the output is no terminal (a log file, CI), click writes the progress bar's label once, not a
    line per file, so the summary stays easy to find."""
    result = run_import(app, write_manifest(tmp_path, three_files(tmp_path, world)))

    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "2 samples, 3 files for 2025/26.",
        "Importing files",
        "Samples: 1 created, 0 already there.",  # Y6-002's one file was refused: no sample is left for it
        "Files: 2 imported, 0 already imported, 1 failed.",
        'row 4: file: "page.html.pdf" is not a PDF, JPEG, PNG or HEIC file (it looks like HTML)',
        "Error: 1 file was not imported (listed above)",
    ]


# What click writes around a redrawn progress bar on a terminal: carriage returns and cursor controls.
_TERMINAL_CONTROLS = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_on_a_terminal_the_progress_bar_counts_each_file_as_it_is_done(
    app: Flask, world: World, ks2_writing: Framework, session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # click draws the bar only on a terminal, which the CLI runner's output is not: have it believe it is.
    monkeypatch.setattr(click_progress_bars, "isatty", lambda stream: True)

    result = run_import(app, write_manifest(tmp_path, three_files(tmp_path, world)))

    assert result.exit_code == 1
    frames = [_TERMINAL_CONTROLS.sub("", frame).strip() for frame in result.output.split("\r")[1:]]
    assert all(frame.startswith("Importing files") for frame in frames)
    shown = [re.findall(r"\d+%|\d+ imported, \d+ skipped, \d+ failed", frame) for frame in frames]
    assert shown == [
        ["0%"],
        ["33%", "1 imported, 0 skipped, 0 failed"],
        ["66%", "2 imported, 0 skipped, 0 failed"],
        ["100%", "2 imported, 0 skipped, 1 failed"],
    ]
    after_the_bar = frames[-1].splitlines()[1:]
    assert after_the_bar[:2] == [
        "Samples: 1 created, 0 already there.",
        "Files: 2 imported, 0 already imported, 1 failed.",
    ]
