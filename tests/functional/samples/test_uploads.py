"""Uploading pupils' work: accepted files become pages; refused files leave nothing behind."""

import html
import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.ingestion.sandbox import run_isolated
from moderation_hub.samples import uploads
from moderation_hub.samples.models import FileStatus, Page, SourceFile, WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from moderation_hub.storage import storage
from tests.conftest import https_client, post_multipart, sign_in
from tests.factories import World
from tests.unit.ingestion import samples as files


def upload(client: FlaskClient, sample: WorkSample, *named: tuple[str, bytes], **kwargs: object):
    data = {"files": [FileStorage(io.BytesIO(content), name) for name, content in named]}
    return post_multipart(client, f"/samples/{sample.id}/files", data, page=f"/samples/{sample.id}", **kwargs)


def stored_objects(app: Flask) -> list[Path]:
    root = Path(app.config["STORAGE_URL"].removeprefix("file://"))
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_a_pdf_and_a_photo_become_pages_the_teacher_can_see(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    response = upload(client, sample_a, ("essay.pdf", files.essay_pdf()), ("photo.jpg", files.landscape_photo()))
    assert response.status_code == 302

    session.expire_all()
    assert [f.status for f in sample_a.files] == [FileStatus.READY, FileStatus.READY]
    assert [(p.position, p.source_file.kind, p.index_in_file) for p in sample_a.pages] == [
        (0, "pdf", 0),
        (1, "pdf", 1),
        (2, "jpeg", 0),
    ]
    photo_page = sample_a.pages[2]
    assert photo_page.height > photo_page.width  # EXIF orientation 6 applied: stored landscape, shown portrait
    assert "Amy Jones" in sample_a.pages[0].text

    with client.get(f"/pages/{photo_page.id}/display.jpg") as image:
        assert image.status_code == 200
        assert image.mimetype == "image/jpeg"
        assert "private" in image.headers["Cache-Control"]
        assert Image.open(io.BytesIO(image.data)).size == (photo_page.width, photo_page.height)
    with client.get(f"/pages/{photo_page.id}/thumbnail.jpg") as thumbnail:
        assert thumbnail.status_code == 200
    viewed = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == photo_page.id)).all()
    assert {"page.viewed_display", "page.viewed_thumbnail"} <= set(viewed)


def test_the_upload_itself_is_not_kept_unless_the_school_says_so(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    upload(client, sample_a, ("photo.jpg", files.landscape_photo()))
    session.expire_all()
    (source,) = sample_a.files
    assert source.upload_key is None
    assert source.original_key is None
    assert len(stored_objects(app)) == 3  # master, display and thumbnail of the one page

    world.school_a.keep_originals = True
    session.flush()
    upload(client, sample_a, ("photo.png", files.png_with_metadata()))
    session.expire_all()
    kept = sample_a.files[1]
    assert kept.original_key is not None
    assert storage().get(kept.original_key) == files.png_with_metadata()


def test_images_and_pages_of_a_draft_are_for_the_schools_staff_only(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    upload(client, sample_a, ("photo.jpg", files.landscape_photo()))
    session.expire_all()
    page = sample_a.pages[0]
    outsider = https_client(app)
    sign_in(outsider, "teacher.b@example.org")
    for url in (f"/pages/{page.id}", f"/pages/{page.id}/display.jpg", f"/samples/{sample_a.id}/status.json"):
        assert outsider.get(url).status_code == 404
    assert https_client(app).get(f"/pages/{page.id}/display.jpg").status_code == 302  # to sign in


# Each refused file with the start of the sentence that tells the teacher why.
REFUSALS = [
    ("empty.pdf", b"", "is empty"),
    ("essay.pdf", files.html_page(), "is not a PDF, JPEG, PNG or HEIC file (it looks like HTML)"),
    ("archive.jpg", files.zip_archive(), "is not a PDF, JPEG, PNG or HEIC file (it looks like a ZIP archive"),
    ("locked.pdf", files.encrypted_pdf(), "is protected by a password"),
    ("broken.pdf", files.corrupt_pdf(), "is damaged and cannot be read as a PDF"),
    ("cut.pdf", files.truncated(files.essay_pdf()), "is incomplete: the end of the file is missing"),
    ("cut.jpg", files.truncated(files.landscape_photo()), "is incomplete: the end of the file is missing"),
    ("long.pdf", files.blank_pdf(3), "has 3 pages, more than the 2 we accept in one PDF"),
    ("huge.png", files.png_bomb(), "has more pixels than the 40 megapixels we accept"),
]


def refusals_listed(page: str) -> list[str]:
    """The problems in the error summary of a refused upload, as the teacher reads them."""
    summary = page.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [html.unescape(problem) for problem in re.findall(r"<li>(.*?)</li>", summary)]


@pytest.mark.parametrize(("name", "content", "reason"), REFUSALS, ids=[row[0] for row in REFUSALS])
def test_a_refused_file_is_named_with_its_reason_and_leaves_nothing(
    app: Flask,
    client: FlaskClient,
    world: World,
    sample_a: WorkSample,
    session: Session,
    name: str,
    content: bytes,
    reason: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app.config["UPLOAD_MAX_PDF_PAGES"] = 2
    # Started first, as in a web process after its first upload: multiprocessing keeps the forkserver's socket,
    # for the process's life, in a folder of its own among the temporary files.
    run_isolated(abs, 0, timeout_seconds=30, memory_bytes=64 << 20)
    temporary_files = tmp_path / "tmp"
    temporary_files.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary_files))  # where Werkzeug and our code would put any
    sign_in(client, "teacher.a@example.org")
    response = upload(client, sample_a, ("fine.jpg", files.landscape_photo()), (name, content))
    assert response.status_code == 400
    (problem,) = refusals_listed(response.get_data(as_text=True))  # the accepted file is not among them
    assert problem.startswith(f'"{name}" {reason}'), problem
    session.expire_all()
    assert session.scalars(select(SourceFile)).all() == []
    assert session.scalars(select(Page)).all() == []
    assert stored_objects(app) == []  # the accepted file of the same request was removed with the rest
    assert list(temporary_files.iterdir()) == []


def test_a_file_over_the_size_limit_is_refused(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    app.config["UPLOAD_MAX_FILE_MB"] = 1
    sign_in(client, "teacher.a@example.org")
    noise = Image.effect_noise((1400, 1400), 120).convert("RGB")
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 1024 * 1024
    response = upload(client, sample_a, ("big.png", buffer.getvalue()))
    assert response.status_code == 400
    assert "big.png" in response.get_data(as_text=True)
    assert session.scalars(select(SourceFile)).all() == []
    assert stored_objects(app) == []


def test_files_too_large_together_are_refused_before_they_are_read(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    """Without JavaScript one request carries every file chosen; the server stops reading at one file's limit."""
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    sign_in(client, "teacher.a@example.org")
    half_a_megabyte = [Image.effect_noise((700, 700), 120).convert("RGB") for _ in range(2)]
    encoded = []
    for number, picture in enumerate(half_a_megabyte):
        buffer = io.BytesIO()
        picture.save(buffer, "PNG")
        assert 512 * 1024 < len(buffer.getvalue()) < 1024 * 1024
        encoded.append((f"page{number}.png", buffer.getvalue()))
    response = upload(client, sample_a, *encoded)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is too large" in page
    assert "too large together: upload them a few at a time" in " ".join(page.split())
    assert session.scalars(select(SourceFile)).all() == []
    assert stored_objects(app) == []


def duplicate_notes(client: FlaskClient, sample: WorkSample) -> list[str]:
    """The duplicate notes on the sample's page, one per flagged file: where else its bytes were uploaded."""
    page = client.get(f"/samples/{sample.id}").get_data(as_text=True)
    notes = re.findall(r"also uploaded for ([^<]*)<", page)
    assert len(notes) == page.count(">Duplicate<")  # every tag shown comes with its note
    return [html.unescape(note) for note in notes]


def test_the_same_file_twice_in_a_school_is_flagged_as_a_duplicate(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    upload(client, sample_a, ("photo.jpg", files.landscape_photo()))
    upload(client, sample_a, ("photo again.jpg", files.landscape_photo()))
    assert duplicate_notes(client, sample_a) == ["Y6-001 (this sample)"]  # the second upload only


def test_the_same_file_in_another_sample_of_the_school_is_flagged_with_its_pupil_code(
    client: FlaskClient, world: World, sample_a: WorkSample, ks2_writing: Framework, session: Session
) -> None:
    classmate = create_sample(world.school_a, ks2_writing, SampleDetails("Y6-002", 6, 2025), world.teacher_a)
    sign_in(client, "teacher.a@example.org")
    upload(client, sample_a, ("photo.jpg", files.landscape_photo()), ("essay.pdf", files.essay_pdf()))
    upload(client, classmate, ("the same photo.jpg", files.landscape_photo()))
    assert duplicate_notes(client, sample_a) == ["Y6-002"]  # the photo, not the essay
    assert duplicate_notes(client, classmate) == ["Y6-001"]


def test_the_same_file_in_another_schools_sample_is_not_flagged(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, ks2_writing: Framework, session: Session
) -> None:
    """Another school's pupil codes are none of this school's business, even for the very same bytes."""
    elsewhere = create_sample(world.school_b, ks2_writing, SampleDetails("BIRCH-17", 6, 2025), world.teacher_b)
    teacher_b = https_client(app)
    sign_in(teacher_b, "teacher.b@example.org")
    assert upload(teacher_b, elsewhere, ("photo.jpg", files.landscape_photo())).status_code == 302
    sign_in(client, "teacher.a@example.org")
    assert upload(client, sample_a, ("photo.jpg", files.landscape_photo())).status_code == 302
    session.expire_all()
    assert sample_a.files[0].sha256 == elsewhere.files[0].sha256

    page_a = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
    assert "BIRCH-17" not in page_a
    assert duplicate_notes(client, sample_a) == []
    page_b = teacher_b.get(f"/samples/{elsewhere.id}").get_data(as_text=True)
    assert "Y6-001" not in page_b
    assert duplicate_notes(teacher_b, elsewhere) == []


def test_a_submitted_sample_takes_no_more_files(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sample_a.state = sample_a.state.SUBMITTED
    session.flush()
    sign_in(client, "teacher.a@example.org")
    data = {"files": [FileStorage(io.BytesIO(files.landscape_photo()), "photo.jpg")]}
    response = post_multipart(client, f"/samples/{sample_a.id}/files", data, page="/account")
    assert response.status_code == 409
    assert session.scalars(select(SourceFile)).all() == []


def test_a_sample_takes_no_more_files_than_the_limit(
    app: Flask, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    app.config["UPLOAD_MAX_FILES_PER_SAMPLE"] = 1
    sign_in(client, "teacher.a@example.org")
    assert upload(client, sample_a, ("first.jpg", files.landscape_photo())).status_code == 302
    response = upload(client, sample_a, ("second.png", files.png_with_metadata()))
    assert response.status_code == 400
    assert "second.png" in response.get_data(as_text=True)
    assert "at most 1 files" in response.get_data(as_text=True)
    session.expire_all()
    assert [source.school_file_name for source in sample_a.files] == ["first.jpg"]


def test_a_photo_is_checked_in_the_request_and_a_pdf_in_the_sandbox(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A photo's check only reads bytes, so it spares the upload a sandboxed process; a PDF's opens PyMuPDF."""
    checked_in_sandbox: list[str] = []

    def counting(function: Callable[..., Any], filename: str, *args: Any, **kwargs: Any) -> Any:
        checked_in_sandbox.append(filename)
        return run_isolated(function, filename, *args, **kwargs)

    monkeypatch.setattr(uploads, "run_isolated", counting)
    sign_in(client, "teacher.a@example.org")
    response = upload(client, sample_a, ("photo.jpg", files.landscape_photo()), ("essay.pdf", files.essay_pdf()))
    assert response.status_code == 302
    assert checked_in_sandbox == ["essay.pdf"]
    session.expire_all()
    assert [f.status for f in sample_a.files] == [FileStatus.READY, FileStatus.READY]
