"""Annotations, redaction and what the worker does when a file crashes or hangs its renderer."""

import io
import re
from html import escape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from moderation_hub.ingestion.geometry import Box
from moderation_hub.samples import processing
from moderation_hub.samples.models import FileStatus, WorkSample
from moderation_hub.storage import storage
from tests.conftest import post_form, sign_in
from tests.factories import World
from tests.functional.samples.test_uploads import stored_objects, upload
from tests.unit.ingestion import child_jobs
from tests.unit.ingestion import samples as files


def _darkest_inside(jpeg: bytes, box: Box) -> int:
    """The brightest channel value found inside the box (shrunk by a margin for JPEG's soft edges)."""
    image = Image.open(io.BytesIO(jpeg)).convert("RGB")
    left, top, right, bottom = box.to_pixels(*image.size)
    inner = image.crop((left + 2, top + 2, max(right - 2, left + 3), max(bottom - 2, top + 3)))
    return max(inner.getextrema(), key=lambda band: band[1])[1]


def test_a_found_name_is_redacted_in_every_image_and_gone_from_the_text(
    app: Flask, client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    first_page = essay.pages[0]
    old_keys = {first_page.display_key, first_page.thumbnail_key}
    found = post_form(client, f"/samples/{essay.id}/find-text", {"query": "amy jones"}, page=f"/samples/{essay.id}")
    assert found.status_code == 200
    html = found.get_data(as_text=True)
    assert "2 places found" in html
    values = re.findall(r'name="box" type="checkbox" checked value="([^"]+)"', html)
    response = post_form(client, f"/samples/{essay.id}/redactions", {"box": values}, page=f"/samples/{essay.id}")
    assert response.status_code == 302

    session.expire_all()
    first_page = essay.pages[0]
    assert len(first_page.redactions) == 2
    assert not first_page.images_outdated  # the worker (run at once in tests) has re-made the images
    assert "Amy" not in first_page.text
    assert "Jones" not in first_page.text
    assert all(word["text"] not in ("Amy", "Jones") for word in first_page.words)
    assert "holiday" in first_page.text  # the rest of the text is still searchable
    for key in (first_page.display_key, first_page.thumbnail_key):
        for redaction in first_page.redactions:
            assert _darkest_inside(storage().get(key), redaction.box) <= 40
    # The unredacted images are gone; only the private master keeps the pixels.
    assert not any(storage().exists(key) for key in old_keys)
    assert essay.pages[1].redactions == []


def test_revisiting_the_find_text_results_shows_the_search_again(client: FlaskClient, essay: WorkSample) -> None:
    found = post_form(client, f"/samples/{essay.id}/find-text", {"query": "amy jones"}, page=f"/samples/{essay.id}")
    assert "2 places found" in found.get_data(as_text=True)

    revisited = client.get(f"/samples/{essay.id}/find-text")  # a reload or Back after the results

    assert revisited.status_code == 200
    html = revisited.get_data(as_text=True)
    assert '<label class="govuk-label" for="query">Name to find</label>' in html
    assert "found</h2>" not in html  # the name typed before is not kept, so there are no results to show


def test_a_drawn_redaction_blackens_the_box(client: FlaskClient, essay: WorkSample, session: Session) -> None:
    page = essay.pages[1]
    box = {"x0": "0.1", "y0": "0.1", "x1": "0.6", "y1": "0.2"}
    assert post_form(client, f"/pages/{page.id}/redactions", box).status_code == 302
    session.expire_all()
    page = essay.pages[1]
    assert _darkest_inside(storage().get(page.display_key), Box(0.1, 0.1, 0.6, 0.2)) <= 40


@pytest.mark.parametrize(
    ("box", "refusal"),
    [
        ({"x0": "0.5", "y0": "0.1", "x1": "0.4", "y1": "0.2"}, ("x1", "Right must be more than Left")),
        ({"x0": "-0.1", "y0": "0.1", "x1": "0.4", "y1": "0.2"}, ("x0", "Left must be a number from 0 to 1")),
        ({"x0": "nan", "y0": "0.1", "x1": "0.4", "y1": "0.2"}, ("x0", "Left must be a number from 0 to 1")),
        ({"x0": "0.1", "y0": "0.1", "x1": "0.4"}, ("y1", "Bottom must be a number from 0 to 1")),
    ],
    ids=["reversed", "off the page", "not a number", "missing corner"],
)
def test_a_box_off_the_page_is_refused_naming_the_corner(
    client: FlaskClient, essay: WorkSample, session: Session, box: dict, refusal: tuple[str, str]
) -> None:
    page = essay.pages[0]
    response = post_form(client, f"/pages/{page.id}/redactions", box)
    assert response.status_code == 400
    field, message = refusal
    shown = response.get_data(as_text=True)
    assert f'<a href="#redaction-{field}">{message}' in shown
    assert f'id="redaction-{field}-error"' in shown and f'value="{box.get(field, "")}"' in shown
    session.expire_all()
    assert essay.pages[0].redactions == []


def test_a_refused_annotation_shows_everything_typed_with_each_error_by_its_field(
    client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    page, criterion = essay.pages[0], essay.framework.criteria[1]
    comment = "Varied <openers> " + "x" * 2_000
    form = {"x0": "0.5", "y0": "0.3", "x1": "0.2", "y1": "0.4", "comment": comment, "criteria": [str(criterion.id)]}
    refused = post_form(client, f"/pages/{page.id}/annotations", form)
    shown = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert f">{escape(comment)}</textarea>" in shown and 'data-maxlength="2000"' in shown
    assert re.search(
        rf'id="criterion-{criterion.id}" name="criteria" type="checkbox" value="{criterion.id}" checked', shown
    )
    assert 'id="x0" name="x0" type="text" inputmode="decimal" data-corner="x0" value="0.5"' in shown
    assert '<a href="#comment">Comment must be 2,000 characters or fewer</a>' in shown
    assert '<a href="#x1">Right must be more than Left' in shown
    assert 'id="comment-error"' in shown and 'id="x1-error"' in shown and 'aria-describedby="x1-error"' in shown
    # The redaction form, not refused, stays empty.
    assert 'id="redaction-x0" name="x0" type="text" inputmode="decimal" data-corner="x0" value=""' in shown
    session.expire_all()
    assert essay.pages[0].annotations == []


def test_a_comment_is_shown_as_text_never_run_as_script(
    client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    page = essay.pages[0]
    criterion = essay.framework.criteria[0]
    form = {
        "x0": "0.1",
        "y0": "0.3",
        "x1": "0.5",
        "y1": "0.4",
        "comment": "<script>alert('x')</script> varied openers",
        "criteria": [str(criterion.id)],
    }
    assert post_form(client, f"/pages/{page.id}/annotations", form).status_code == 302
    html = client.get(f"/pages/{page.id}").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; varied openers" in html
    session.expire_all()
    (annotation,) = essay.pages[0].annotations
    assert annotation.number == 1
    assert annotation.criteria == [criterion]
    assert (annotation.x0, annotation.y1) == (0.1, 0.4)


def test_annotations_are_numbered_through_the_sample(client: FlaskClient, essay: WorkSample, session: Session) -> None:
    for page in essay.pages:
        form = {"x0": "0.1", "y0": "0.1", "x1": "0.2", "y1": "0.2", "comment": f"On page {page.position + 1}"}
        post_form(client, f"/pages/{page.id}/annotations", form)
    session.expire_all()
    assert [a.number for page in essay.pages for a in page.annotations] == [1, 2]


def test_a_page_flagged_for_redaction_blocks_submission(
    client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    page = essay.pages[1]
    post_form(client, f"/pages/{page.id}/needs-redaction", {"needed": "yes"})
    session.expire_all()
    assert essay.pages[1].needs_redaction
    assert "Finish redacting page 2" in client.get(f"/samples/{essay.id}").get_data(as_text=True)
    response = post_form(client, f"/samples/{essay.id}/submit", {"version": essay.version}, page="/account")
    assert response.status_code == 409


def test_removing_a_file_removes_its_pages_and_images(
    app: Flask, client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    source = essay.files[0]
    url = f"/samples/{essay.id}/files/{source.id}/remove"
    assert post_form(client, url, {"version": essay.version}, page="/account").status_code == 302
    session.expire_all()
    assert essay.files == []
    assert essay.pages == []
    assert stored_objects(app) == []


# The renderer runs these in its sandboxed child instead of the real one: they stand for a PDF that
# crashes MuPDF outright and one that makes it loop.


@pytest.mark.parametrize(
    ("renderer", "message"),
    # Stand-ins from a light module: the sandbox child imports a job by name, and this test module's
    # imports (the whole app) would not fit in the one second the file is given.
    [
        (child_jobs.abort_while_rendering, "made the page renderer crash"),
        (child_jobs.hang_while_rendering, "its pages took too long to make"),
    ],
    ids=["crash", "hang"],
)
def test_a_file_that_crashes_or_hangs_the_renderer_fails_clearly_and_the_app_carries_on(
    app: Flask,
    client: FlaskClient,
    world: World,
    sample_a: WorkSample,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    renderer: object,
    message: str,
) -> None:
    app.config.update(INGEST_FILE_SECONDS=1, JOB_RETRIES=0)
    sign_in(client, "teacher.a@example.org")
    monkeypatch.setattr(processing, "process_file", renderer)
    assert upload(client, sample_a, ("hostile.pdf", files.essay_pdf())).status_code == 302
    monkeypatch.undo()
    assert upload(client, sample_a, ("fine.jpg", files.landscape_photo())).status_code == 302

    session.expire_all()
    hostile, fine = sample_a.files
    assert hostile.status is FileStatus.FAILED
    assert message in (hostile.failure_reason or "")
    assert "hostile.pdf" in (hostile.failure_reason or "")
    assert fine.status is FileStatus.READY
    assert [page.source_file_id for page in sample_a.pages] == [fine.id]  # no half-made pages of the hostile file
    page = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
    assert message in page
    assert client.get("/healthz").status_code == 200


def test_a_photo_damaged_where_only_decoding_shows_it_is_accepted_then_fails_with_the_reason(
    client: FlaskClient, sample_a: WorkSample, session: Session
) -> None:
    """The upload check reads a JPEG's structure, not its picture: the worker's decoding finds the rest."""
    sign_in(client, "teacher.a@example.org")
    assert upload(client, sample_a, ("photo.jpg", files.jpeg_with_a_bad_table())).status_code == 302

    session.expire_all()
    (photo,) = sample_a.files
    assert photo.status is FileStatus.FAILED
    assert photo.failure_reason == '"photo.jpg" is damaged or incomplete and cannot be read as a JPEG image'
    assert sample_a.pages == []
    assert "cannot be read as a JPEG image" in client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
