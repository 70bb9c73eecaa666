"""Creating, editing and submitting work samples; who may see them before moderation."""

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.audit.models import AuditEvent
from moderation_hub.clock import current_academic_year
from moderation_hub.frameworks.models import Framework
from moderation_hub.ingestion.geometry import Box
from moderation_hub.samples.models import SampleState, WorkSample
from moderation_hub.samples.pages import add_annotation
from tests.conftest import https_client, post_form, sign_in
from tests.factories import World


def _new_sample_form(framework: Framework, **overrides: object) -> dict[str, object]:
    return {
        "pupil_code": "y6-014",
        "year_group": "6",
        "academic_year": str(current_academic_year()),
        "framework": str(framework.id),
        **overrides,
    }


def test_teacher_creates_a_sample_for_their_school(
    client: FlaskClient, world: World, ks2_writing: Framework, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    url = f"/schools/{world.school_a.id}/samples/new"
    response = post_form(client, url, _new_sample_form(ks2_writing))
    assert response.status_code == 302
    sample = session.scalar(select(WorkSample).where(WorkSample.pupil_code == "Y6-014"))
    assert sample is not None
    assert sample.state is SampleState.DRAFT
    assert sample.school_id == world.school_a.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sample Y6-014" in page
    events = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_id == sample.id)).all()
    assert "sample.created" in events


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pupil_code": "AMYJONES"}, "including a digit"),
        ({"pupil_code": "Y6 014"}, "letters, digits or hyphens"),
        ({"pupil_code": ""}, "Enter the pupil code"),
        ({"year_group": "2"}, "is for Year 6"),
    ],
)
def test_a_bad_sample_is_refused_with_a_reason_and_nothing_stored(
    client: FlaskClient, world: World, ks2_writing: Framework, session: Session, overrides: dict, message: str
) -> None:
    sign_in(client, "teacher.a@example.org")
    response = post_form(
        client, f"/schools/{world.school_a.id}/samples/new", _new_sample_form(ks2_writing, **overrides)
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert session.scalar(select(WorkSample)) is None


def test_the_new_sample_forms_lists_ask_the_teacher_to_choose_rather_than_refusing_their_defaults(
    client: FlaskClient, world: World, ks2_writing: Framework, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    url = f"/schools/{world.school_a.id}/samples/new"
    page = client.get(url).get_data(as_text=True)
    # What a browser sends for a list left as it is: the option marked selected, else the first.
    as_shown = {}
    for name in ("year_group", "framework"):
        options = re.search(rf'<select[^>]* name="{name}"[^>]*>(.*?)</select>', page, re.DOTALL).group(1)
        selected = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', options)
        as_shown[name] = (selected or re.search(r'<option[^>]*value="([^"]*)"', options)).group(1)

    response = post_form(client, url, {**_new_sample_form(ks2_writing), **as_shown})

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose the pupil&#39;s year group" in html
    assert "Choose the framework the work is judged against" in html
    assert "is for Year 6" not in html
    assert session.scalar(select(WorkSample)) is None


def test_a_pupil_code_is_unique_within_school_and_year(
    client: FlaskClient, world: World, ks2_writing: Framework, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    form = _new_sample_form(ks2_writing, pupil_code="y6-001", academic_year="2025")
    response = post_form(client, f"/schools/{world.school_a.id}/samples/new", form)
    assert response.status_code == 400
    assert "already has a sample for pupil Y6-001" in response.get_data(as_text=True)
    # Another school may use the same code.
    sign_in_b = https_client(client.application)
    sign_in(sign_in_b, "teacher.b@example.org")
    response = post_form(sign_in_b, f"/schools/{world.school_b.id}/samples/new", form)
    assert response.status_code == 302


def test_only_the_schools_own_staff_see_a_draft(
    app: object, world: World, sample_a: WorkSample, client: FlaskClient
) -> None:
    url = f"/samples/{sample_a.id}"
    expected = {
        "teacher.a@example.org": 200,
        "lead.a@example.org": 200,
        "teacher.b@example.org": 404,
        "moderator@example.org": 404,
        "la.lead@example.org": 404,
        "admin@example.org": 404,
    }
    actual = {}
    for email in expected:
        visitor = https_client(client.application)
        sign_in(visitor, email)
        actual[email] = visitor.get(url).status_code
    assert actual == expected


def test_teacher_of_another_school_cannot_create_samples_there(
    client: FlaskClient, world: World, ks2_writing: Framework
) -> None:
    sign_in(client, "teacher.b@example.org")
    response = post_form(
        client, f"/schools/{world.school_a.id}/samples/new", _new_sample_form(ks2_writing), page="/account"
    )
    assert response.status_code == 404


def test_editing_records_the_judgement_and_commentary(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    url = f"/samples/{sample_a.id}/edit"
    form = {
        "pupil_code": "Y6-001",
        "year_group": "6",
        "academic_year": "2025",
        "teacher_judgement": "EXS",
        "commentary": "Secure across the collection.",
        "version": str(sample_a.version),
    }
    assert post_form(client, url, form).status_code == 302
    session.refresh(sample_a)
    assert sample_a.teacher_judgement is not None
    assert sample_a.teacher_judgement.code == "EXS"
    assert sample_a.commentary == "Secure across the collection."


def test_a_refused_edit_shows_everything_typed_and_the_error_by_its_field(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    commentary = "Secure <cohesion>.\n" + "x" * 10_000
    form = {
        "pupil_code": "Y6-002",
        "year_group": "6",
        "academic_year": "2025",
        "teacher_judgement": "GDS",
        "commentary": commentary,
        "version": str(sample_a.version),
    }
    refused = post_form(client, f"/samples/{sample_a.id}/edit", form)
    page = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert f">{html.escape(commentary)}</textarea>" in page
    assert 'value="Y6-002"' in page and re.search(r'value="GDS"\s+checked', page)
    assert '<a href="#commentary">Overall commentary must be 10,000 characters or fewer</a>' in page
    assert 'id="commentary-error"' in page and "commentary-info commentary-hint commentary-error" in page
    session.refresh(sample_a)
    assert (sample_a.pupil_code, sample_a.commentary, sample_a.teacher_judgement) == ("Y6-001", "", None)


def test_the_commentary_counts_against_its_limit_and_warns_before_leaving_unsaved(
    client: FlaskClient, world: World, sample_a: WorkSample
) -> None:
    sign_in(client, "teacher.a@example.org")
    page = client.get(f"/samples/{sample_a.id}/edit").get_data(as_text=True)

    assert 'data-module="govuk-character-count" data-maxlength="10000"' in page
    assert "You can enter up to 10,000 characters" in page
    assert 'data-module="mh-unsaved-warning"' in page


def test_a_refused_piece_shows_everything_typed(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    form = {
        "title": "",
        "purpose": "persuasive letter",
        "written_on": ["3", "10", "2025"],  # GOV.UK's three date boxes share one name
        "independence": "independent",
    }
    refused = post_form(client, f"/samples/{sample_a.id}/pieces", form, page=f"/samples/{sample_a.id}")
    page = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert '<a href="#title">Enter a title</a>' in page and 'value="persuasive letter"' in page
    for part, value in (("day", "3"), ("month", "10"), ("year", "2025")):
        assert re.search(rf'id="written_on-{part}" name="written_on" type="text" value="{value}"', page)
    assert re.search(r'value="independent"\s+checked', page)
    session.refresh(sample_a)
    assert sample_a.pieces == []


def test_two_people_editing_at_once_never_overwrite_each_other_silently(
    app: object, client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    lead = https_client(client.application)
    sign_in(lead, "lead.a@example.org")
    sign_in(client, "teacher.a@example.org")
    seen = str(sample_a.version)
    form = {"pupil_code": "Y6-001", "year_group": "6", "academic_year": "2025", "version": seen}
    first = post_form(client, f"/samples/{sample_a.id}/edit", {**form, "commentary": "Teacher's words"})
    second = post_form(lead, f"/samples/{sample_a.id}/edit", {**form, "commentary": "Lead's words"})
    assert first.status_code == 302
    assert second.status_code == 400
    assert "Someone else changed this sample" in second.get_data(as_text=True)
    session.refresh(sample_a)
    assert sample_a.commentary == "Teacher's words"


def test_a_sample_without_pages_or_judgement_cannot_be_submitted(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    page = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
    assert "Record your overall judgement" in page
    assert "Upload at least one page of work" in page
    response = post_form(client, f"/samples/{sample_a.id}/submit", {"version": sample_a.version}, page="/account")
    assert response.status_code == 409
    session.refresh(sample_a)
    assert sample_a.state is SampleState.DRAFT


def test_pieces_of_work_are_added_and_removed(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    form = {
        "title": "Letter to the council",
        "purpose": "persuasive letter",
        "written_on-day": "3",
        "written_on-month": "10",
        "written_on-year": "2025",
        "independence": "independent",
    }
    response = post_form(client, f"/samples/{sample_a.id}/pieces", form, page=f"/samples/{sample_a.id}")
    assert response.status_code == 302
    session.refresh(sample_a)
    assert [piece.title for piece in sample_a.pieces] == ["Letter to the council"]
    piece = sample_a.pieces[0]
    url = f"/samples/{sample_a.id}/pieces/{piece.id}/remove"
    assert post_form(client, url, {"version": sample_a.version}, page="/account").status_code == 302
    session.refresh(sample_a)
    assert sample_a.pieces == []


def test_evidence_claims_are_recorded_per_criterion(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    first, second = sample_a.framework.criteria[:2]
    form = {f"status-{first.id}": "met", f"note-{first.id}": "Pieces 1 and 2", f"status-{second.id}": "not_evidenced"}
    url = f"/samples/{sample_a.id}/evidence"
    assert post_form(client, url, {**form, "version": sample_a.version}).status_code == 302
    session.refresh(sample_a)
    claims = {claim.criterion_id: (claim.status.value, claim.note) for claim in sample_a.evidence}
    assert claims == {first.id: ("met", "Pieces 1 and 2"), second.id: ("not_evidenced", "")}


def test_a_refused_evidence_note_is_shown_again_as_typed_by_its_count(
    client: FlaskClient, world: World, sample_a: WorkSample, session: Session
) -> None:
    sign_in(client, "teacher.a@example.org")
    first, second = sample_a.framework.criteria[:2]
    note = "Pieces <1> and 2 " + "x" * 2_000
    form = {f"status-{first.id}": "met", f"note-{first.id}": note, f"note-{second.id}": "Piece 3"}
    refused = post_form(client, f"/samples/{sample_a.id}/evidence", {**form, "version": sample_a.version})
    page = refused.get_data(as_text=True)

    assert refused.status_code == 400
    assert f'value="{html.escape(note)}"' in page and 'value="Piece 3"' in page
    assert f'<a href="#note-{first.id}">Note on {first.code} must be 2,000 characters or fewer</a>' in page
    assert f'aria-describedby="note-{first.id}-info note-{first.id}-error"' in page
    assert 'data-maxlength="2000" data-threshold="75"' in page and " maxlength=" not in page
    session.refresh(sample_a)
    assert sample_a.evidence == []


def test_an_annotation_backs_the_claims_on_its_criteria_whether_made_before_or_after_them(
    client: FlaskClient, world: World, essay: WorkSample, session: Session
) -> None:
    first, second = essay.framework.criteria[:2]
    page = essay.pages[0]
    before = add_annotation(page, Box(0.1, 0.1, 0.3, 0.2), "Before the claim", [first], world.teacher_a)
    url = f"/samples/{essay.id}/evidence"
    form = {f"status-{first.id}": "met", f"status-{second.id}": "met", "version": essay.version}
    assert post_form(client, url, form).status_code == 302
    session.expire_all()  # the claims the request saved, as the next request would read them
    after = add_annotation(page, Box(0.1, 0.3, 0.3, 0.4), "After the claim", [first, second], world.teacher_a)
    unrelated = add_annotation(page, Box(0.1, 0.5, 0.3, 0.6), "Another criterion", [], world.teacher_a)

    session.expire_all()
    backing = {claim.criterion_id: sorted(a.number for a in claim.annotations) for claim in essay.evidence}
    assert backing == {first.id: [before.number, after.number], second.id: [after.number]}
    assert unrelated.number not in backing[first.id] + backing[second.id]
    shown = " ".join(client.get(url).get_data(as_text=True).split())
    assert f"Annotations {before.number}, {after.number}" in shown


def test_the_sample_page_links_to_its_framework(client: FlaskClient, world: World, sample_a: WorkSample) -> None:
    sign_in(client, "teacher.a@example.org")
    page = client.get(f"/samples/{sample_a.id}").get_data(as_text=True)
    assert f'<a class="govuk-link" href="/frameworks/ks2-writing-ta/v{sample_a.framework.version}">' in page
    assert "&lt;a class" not in page
