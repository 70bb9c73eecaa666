"""Every page of a sample shows where it stands: processing, failed with the reason, or ready (or what
it still waits for) on the sample page, in the page viewer's strip and in the status the scripts poll."""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.samples.models import FileStatus, SourceFile, WorkSample
from tests.conftest import sign_in
from tests.factories import World

_STRIP_ITEM = re.compile(r'<li class="mh-page-strip__item" data-page-status="([^"]+)"[^>]*>(.*?)</li>', re.S)
_TAG = re.compile(r"<[^>]+>")


def strip_entries(html: str) -> dict[str, str]:
    """Each entry of the page strip, by its key ("<file id>-<page index>"), as the words it shows."""
    return {key: " ".join(_TAG.sub(" ", body).split()) for key, body in _STRIP_ITEM.findall(html)}


def add_unplaced_file(session: Session, sample: WorkSample, **fields: object) -> SourceFile:
    """A file whose pages the worker has not placed (yet): as the upload leaves it, with ``fields``."""
    values = {"school_file_name": "scan.pdf", "kind": "pdf", "byte_size": 1000, "sha256": "0" * 64, "page_count": 3}
    source = SourceFile(sample_id=sample.id, **(values | fields))
    session.add(source)
    session.flush()
    return source


def test_a_file_still_processing_shows_a_processing_placeholder_for_each_of_its_pages(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = add_unplaced_file(session, sample_a, attempts=1)
    sign_in(client, "teacher.a@example.org")

    entries = strip_entries(client.get(f"/samples/{sample_a.id}").get_data(as_text=True))

    assert entries == {f"{source.id}-{index}": f"scan.pdf, page {index + 1} of 3 Processing" for index in range(3)}
    status = client.get(f"/samples/{sample_a.id}/status.json").get_json()
    assert [(entry["key"], entry["in_progress"]) for entry in status["page_statuses"]] == [
        (f"{source.id}-{index}", True) for index in range(3)
    ]
    assert {entry["tags"][0]["text"] for entry in status["page_statuses"]} == {"Processing"}


def test_a_file_being_tried_again_says_which_attempt(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    source = add_unplaced_file(session, sample_a, page_count=1, attempts=2)
    sign_in(client, "teacher.a@example.org")

    html = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)

    assert strip_entries(html) == {f"{source.id}-0": "scan.pdf, page 1 of 1 Retrying (attempt 2)"}
    assert "Retrying (attempt 2)" in html.split('id="pages"')[0]  # in the files table too


def test_a_failed_file_shows_each_of_its_pages_as_failed_with_the_reason(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    reason = "“scan.pdf” could not be processed: the file made the page renderer crash."
    source = add_unplaced_file(session, sample_a, page_count=2, status=FileStatus.FAILED, failure_reason=reason)
    sign_in(client, "teacher.a@example.org")

    entries = strip_entries(client.get(f"/samples/{sample_a.id}").get_data(as_text=True))

    assert entries == {
        f"{source.id}-0": f"scan.pdf, page 1 of 2 Failed {reason}",
        f"{source.id}-1": f"scan.pdf, page 2 of 2 Failed {reason}",
    }
    status = client.get(f"/samples/{sample_a.id}/status.json").get_json()
    assert [(entry["failure"], entry["in_progress"]) for entry in status["page_statuses"]] == [(reason, False)] * 2


def test_ready_pages_say_whether_they_need_redaction_or_wait_for_new_images(
    client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    first, second = essay.pages
    first.images_outdated = True
    second.needs_redaction = True
    session.flush()
    source_id = essay.files[0].id

    entries = strip_entries(client.get(f"/samples/{essay.id}").get_data(as_text=True))

    assert entries == {f"{source_id}-0": "Page 1 Updating redactions", f"{source_id}-1": "Page 2 Needs redaction"}
    first.images_outdated = False
    session.flush()
    entries = strip_entries(client.get(f"/samples/{essay.id}").get_data(as_text=True))
    assert entries[f"{source_id}-0"] == "Page 1 Ready"


def test_the_viewers_strip_shows_every_page_and_the_pages_still_to_come(
    client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    essay.pages[1].needs_redaction = True
    pending = add_unplaced_file(session, essay, school_file_name="photo.jpg", kind="jpeg", page_count=1)
    source_id = essay.files[0].id

    entries = strip_entries(client.get(f"/pages/{essay.pages[0].id}").get_data(as_text=True))

    assert entries == {
        f"{source_id}-0": "Page 1 Ready",
        f"{source_id}-1": "Page 2 Needs redaction",
        f"{pending.id}-0": "photo.jpg, page 1 of 1 Processing",
    }


@pytest.mark.parametrize("outdated", [True, False], ids=["waiting", "burned in"])
def test_the_polled_status_gives_a_pages_current_thumbnail(
    client: FlaskClient, essay: WorkSample, session: Session, outdated: bool
) -> None:
    page = essay.pages[0]
    page.images_outdated = outdated
    session.flush()

    first = client.get(f"/samples/{essay.id}/status.json").get_json()["page_statuses"][0]

    assert first["in_progress"] is outdated
    expected = {"text": "Updating redactions", "colour": "purple"} if outdated else {"text": "Ready", "colour": "green"}
    assert first["tags"] == [expected]
    assert first["thumbnail"] == _image_url(client.get(f"/pages/{page.id}").text, "thumbnail")
    # Versioned by the image's name in the school's view (its ETag), never by a piece of its key.
    name = client.get(first["thumbnail"]).headers["ETag"].strip('"')
    assert first["thumbnail"] == f"/pages/{page.id}/thumbnail.jpg?v={name}"
    assert page.thumbnail_key[:8] not in first["thumbnail"]


# Where a page's images are on its own page: the first page's thumbnail in the strip, and the viewer's image.
_IMAGE_SOURCES = {
    "thumbnail": re.compile(r'class="mh-page-strip__thumbnail" src="([^"]+)"'),
    "display": re.compile(r'class="mh-viewer__image" src="([^"]+)"'),
}


def _image_url(html: str, variant: str) -> str:
    match = _IMAGE_SOURCES[variant].search(html)
    assert match, variant
    return match.group(1)


@pytest.mark.parametrize("variant", ["thumbnail", "display"])
def test_a_remade_image_gets_a_new_url_that_carries_no_piece_of_its_key(
    client: FlaskClient, essay: WorkSample, session: Session, variant: str
) -> None:
    page = essay.pages[0]
    before = _image_url(client.get(f"/pages/{page.id}").text, variant)
    old_key = getattr(page, f"{variant}_key")
    setattr(page, f"{variant}_key", page.master_key)  # as a redaction re-makes the image under a new key
    session.flush()

    after = _image_url(client.get(f"/pages/{page.id}").text, variant)

    assert after != before  # so no browser shows its cached copy of the unredacted image
    assert old_key[:8] not in before and page.master_key[:8] not in after


def test_a_page_whose_redactions_are_being_tried_again_says_which_attempt_and_a_failed_one_says_why(
    client: FlaskClient, essay: WorkSample, session: Session
) -> None:
    first, second = essay.pages
    first.images_outdated, first.remake_attempts = True, 2
    second.images_outdated, second.remake_attempts, second.remake_failure = True, 3, "it took too long"
    session.flush()
    source_id = essay.files[0].id

    entries = strip_entries(client.get(f"/samples/{essay.id}").get_data(as_text=True))

    assert entries == {
        f"{source_id}-0": "Page 1 Retrying redactions (attempt 2)",
        f"{source_id}-1": "Page 2 Redactions not applied",
    }
    status = client.get(f"/samples/{essay.id}/status.json").get_json()
    assert [(entry["in_progress"], entry["failure"]) for entry in status["page_statuses"]] == [
        (True, None),
        (False, "Its redactions could not be applied: it took too long."),
    ]
    assert status["pages_outdated"] == 1  # the failed page is not waited for
