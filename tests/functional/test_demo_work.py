"""The demo pupils' work, loaded by ``flask demo`` through the real upload, processing and redaction, and the
standards file the demo publishes from it.

The demo is loaded once for the module (it processes about forty pages); the tests only read it.
"""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import func, select

from moderation_hub import create_app
from moderation_hub.db import db
from moderation_hub.demo import DEMO_PASSWORD, NEW_TEACHER
from moderation_hub.ingestion.geometry import Box
from moderation_hub.samples.models import (
    Annotation,
    FileStatus,
    Page,
    Redaction,
    SampleState,
    SourceFile,
    WorkSample,
)
from moderation_hub.samples.pages import propose_redactions
from moderation_hub.standards.demo import EXEMPLARS
from moderation_hub.standards.models import (
    BoundaryPair,
    Exemplar,
    ExemplarImage,
    ExemplarRevision,
    ExemplarSource,
    ExemplarState,
)
from moderation_hub.storage import storage
from tests.conftest import https_client, sign_in

COUNTED = (WorkSample, SourceFile, Page, Redaction, Annotation, Exemplar, ExemplarRevision, ExemplarImage, BoundaryPair)


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app on its own SQLite file, migrated and given the demo by the CLI, as the Quick-start does."""
    folder = tmp_path_factory.mktemp("demo")
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "demo-work-test",
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        }
    )
    runner = app.test_cli_runner()
    for command in (["db", "upgrade"], ["demo"]):
        result = runner.invoke(args=command)
        assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def demo(demo_app: Flask) -> Iterator[Flask]:
    with demo_app.app_context():
        yield demo_app


def _samples() -> dict[str, WorkSample]:
    return {sample.pupil_code: sample for sample in db.session.scalars(select(WorkSample))}


def _counts() -> dict[type, int]:
    return {model: db.session.scalar(select(func.count()).select_from(model)) for model in COUNTED}


def _stored_files(app: Flask) -> set[Path]:
    return set(Path(app.config["STORAGE_URL"].removeprefix("file://")).rglob("*"))


def _image(key: str) -> Image.Image:
    with Image.open(io.BytesIO(storage().get(key))) as image:
        image.load()
        return image


def _brightest_inside(image: Image.Image, box: Box) -> int:
    """The brightest channel value inside the box, a few pixels in from its edges (JPEG blurs them)."""
    left, top, right, bottom = box.to_pixels(*image.size)
    inner = image.convert("RGB").crop((left + 3, top + 3, right - 3, bottom - 3))
    return max(high for _low, high in inner.getextrema())


def test_the_demo_has_samples_at_each_standard_in_three_key_stages(demo: Flask) -> None:
    samples = _samples()
    judgements = {code: (s.year_group, s.framework.slug, s.teacher_judgement.code) for code, s in samples.items()}
    assert judgements == {
        "Y6-014": (6, "ks2-writing-ta", "WTS"),
        "Y6-022": (6, "ks2-writing-ta", "EXS"),
        "Y6-031": (6, "ks2-writing-ta", "GDS"),
        "Y2-007": (2, "ks1-writing-ta", "WTS"),
        "Y2-012": (2, "ks1-writing-ta", "EXS"),
        "Y7-105": (7, "ks3-writing-steps", "w+"),
        "Y9-218": (9, "ks3-writing-steps", "s"),
        # The standards file's exemplars (standards/demo.py)
        "Y2-003": (2, "ks1-writing-ta", "WTS"),
        "Y2-015": (2, "ks1-writing-ta", "EXS"),
        "Y2-024": (2, "ks1-writing-ta", "EXS"),
        "Y2-019": (2, "ks1-writing-ta", "GDS"),
        "Y6-040": (6, "ks2-writing-ta", "WTS"),
        "Y6-047": (6, "ks2-writing-ta", "EXS"),
        "Y6-044": (6, "ks2-writing-ta", "GDS"),
        "Y4-051": (4, "app-writing", "3b"),
        "Y5-058": (5, "app-writing", "4b"),
        "Y7-108": (7, "ks3-writing-steps", "w"),
    }
    assert {code for code, s in samples.items() if s.state is not SampleState.SUBMITTED} == {"Y2-012", "Y9-218"}
    for sample in samples.values():
        assert sample.pieces
        assert sample.commentary
        assert sample.evidence
        assert all(source.status is FileStatus.READY and source.piece_id for source in sample.files)
        assert sum(source.page_count for source in sample.files) == len(sample.pages) > 0
    kinds = {source.kind for sample in samples.values() for source in sample.files}
    assert kinds == {"jpeg", "pdf"}


def test_the_name_on_every_handwritten_page_is_blacked_out_in_what_readers_see(demo: Flask) -> None:
    handwritten = [page for sample in _samples().values() for page in sample.pages if not page.words]
    assert len(handwritten) >= 15
    for page in handwritten:
        assert page.redactions, f"page {page.id} has no redaction"
        assert not page.images_outdated
        display, master = _image(page.display_key), _image(page.master_key)
        for redaction in page.redactions:
            assert _brightest_inside(display, redaction.box) <= 40
            assert _brightest_inside(master, redaction.box) > 150  # the private master keeps the pixels


def test_photos_are_shown_upright_without_their_camera_metadata(demo: Flask) -> None:
    photo_pages = [page for s in _samples().values() for page in s.pages if page.source_file.kind == "jpeg"]
    assert len(photo_pages) >= 8
    for page in photo_pages:
        assert page.height > page.width  # the EXIF orientation was applied, whichever way the camera was held
        for key in (page.display_key, page.thumbnail_key, page.master_key):
            assert not _image(key).getexif()  # no camera, no GPS


def test_teachers_annotations_point_at_criteria_and_back_the_evidence(demo: Flask) -> None:
    for sample in _samples().values():
        annotations = [annotation for page in sample.pages for annotation in page.annotations]
        assert annotations, sample.pupil_code
        assert [a.number for a in annotations] == list(range(1, len(annotations) + 1))
        assert all(a.criteria and a.comment for a in annotations)
        assert all(a.criteria[0].framework_id == sample.framework_id for a in annotations)
        assert any(claim.annotations for claim in sample.evidence), sample.pupil_code


def test_the_typed_essay_names_the_pupil_for_the_name_search_to_find(demo: Flask) -> None:
    essay = _samples()["Y9-218"]
    typed = [page for page in essay.pages if page.words]
    assert len(typed) == 2
    assert all(page.needs_redaction and not page.redactions for page in typed)
    found = propose_redactions(essay, "leo marchetti")
    assert [page.id for page, _box in found] == [page.id for page in typed]


def test_running_the_demo_again_adds_nothing(demo_app: Flask) -> None:
    with demo_app.app_context():
        before = _counts()
    files_before = _stored_files(demo_app)

    result = demo_app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        assert _counts() == before
    assert _stored_files(demo_app) == files_before


def test_the_jobs_the_demo_queued_find_their_work_done(demo_app: Flask) -> None:
    """Uploads and redactions queue their jobs for after the commit; the demo ran them already."""
    huey = demo_app.extensions["jobs"].huey
    with demo_app.app_context():
        keys_before = sorted(db.session.execute(select(Page.id, Page.display_key, Page.thumbnail_key)))
    files_before = _stored_files(demo_app)
    queued = huey.pending()
    assert queued

    for task in queued:
        huey.execute(task)

    with demo_app.app_context():
        assert sorted(db.session.execute(select(Page.id, Page.display_key, Page.thumbnail_key))) == keys_before
    assert _stored_files(demo_app) == files_before


def _published() -> dict[str, Exemplar]:
    found = select(Exemplar).where(Exemplar.state == ExemplarState.PUBLISHED)
    return {exemplar.sample.pupil_code: exemplar for exemplar in db.session.scalars(found)}


def test_the_demo_standards_file_publishes_each_standard_across_the_phase_boundary(demo: Flask) -> None:
    published = _published()

    assert set(published) == {spec.pupil_code for spec in EXEMPLARS}
    assert len(published) >= 12
    shown = {(e.year_group, e.framework.slug, e.standard.code) for e in published.values()}
    for year, slug, codes in ((2, "ks1-writing-ta", "WTS EXS GDS"), (6, "ks2-writing-ta", "WTS EXS GDS")):
        assert {(year, slug, code) for code in codes.split()} <= shown
    assert any(year == 7 and slug == "ks3-writing-steps" for year, slug, _code in shown)
    app_style = [e for e in published.values() if e.framework.slug == "app-writing"]
    assert any(len(e.sample.pieces) >= 2 for e in app_style)  # a collection, reviewed across a range
    # The boundary pair: Year 6 just below and just at the expected standard, each pointing at the other.
    assert published["Y6-040"].standard.code == "WTS" and published["Y6-047"].standard.code == "EXS"
    assert "Boundary pair" in published["Y6-040"].current.commentary
    assert "Boundary pair" in published["Y6-047"].current.commentary
    pairs = db.session.scalars(select(BoundaryPair)).all()
    assert [(pair.at.sample.pupil_code, pair.below.sample.pupil_code) for pair in pairs] == [("Y6-047", "Y6-040")]
    for exemplar in published.values():
        revision = exemplar.current
        assert revision is not None and revision.number == 1 and revision.commentary.strip()
        written = revision.content["commentary"]  # statement by statement, citing the pieces, and why not the next
        assert len(written["statements"]) >= 3 and written["why_not_next"].strip()
        assert any(statement["citations"] for statement in written["statements"]), exemplar.sample.pupil_code
        assert len(exemplar.images) == len(exemplar.sample.pages) > 0
        assert {check.page_id for check in exemplar.checks} == {page.id for page in exemplar.sample.pages}


def test_the_revealed_rounds_agreed_samples_are_real_candidates_and_the_others_came_from_outside(demo: Flask) -> None:
    published = _published()
    from_round = {code for code, e in published.items() if e.source is ExemplarSource.ROUND}

    assert from_round == {"Y6-022", "Y6-040", "Y6-044", "Y6-047"}
    for code in from_round:
        exemplar = published[code]
        assert exemplar.moderator_count == 2 and exemplar.overall_agreement == 1.0
        assert exemplar.criterion_agreement and all(c["agreement"] == 1.0 for c in exemplar.criterion_agreement)
    for code in set(published) - from_round:
        assert published[code].source is ExemplarSource.OUTSIDE and published[code].outside_note


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = https_client(app)
    sign_in(client, email, DEMO_PASSWORD)
    return client


def test_the_demo_new_teachers_dashboard_leads_to_the_library_and_its_exemplars(demo_app: Flask) -> None:
    client = _signed_in(demo_app, NEW_TEACHER)

    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/standards"' in dashboard
    library = client.get("/standards")
    assert library.status_code == 200
    with demo_app.app_context():
        codes = [exemplar.code for exemplar in _published().values()]
    body = library.get_data(as_text=True)
    assert all(code in body for code in codes)  # every scope reaches a teacher in the authority
    page = client.get(f"/standards/{codes[0]}")
    assert page.status_code == 200 and "Pupil A" in page.get_data(as_text=True)
    image = client.get(f"/standards/{codes[0]}/pages/1/display.jpg")
    assert image.status_code == 200 and image.get_data()[:2] == b"\xff\xd8"
    image.close()
