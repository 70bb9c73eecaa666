"""A class teacher reads the outcome of their own pupils' work on the sample, once the round is revealed and the
outcome agreed: the agreed standard, whether it matched, the panel's and moderators' feedback, named only where the
round shows names. Nobody else's samples, and nothing before then."""

import html

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.permissions import Permission, can, readable_outcomes
from moderation_hub.rounds.models import RoundState
from tests.conftest import https_client, sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_user, take_part
from tests.functional.rounds.conftest import ks2_writing  # noqa: F401 - a fixture used here


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = https_client(app)
    sign_in(client, email)
    return client


def sample_page(app: Flask, email: str, sample_id: int) -> str:
    response = signed_in(app, email).get(f"/samples/{sample_id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_teacher_reads_the_agreed_outcome_and_feedback_without_moderators_names(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "GDS")
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, name="Summer moderation")
    take_part(session, round_, world.school_a)
    make_entry(session, round_, sample, {world.moderator: "EXS", world.teacher_b: "GDS"}, agreed="EXS")

    page = sample_page(app, world.teacher_a.email, sample.id)

    assert 'id="outcomes"' in page and "Summer moderation" in page
    assert "EXS: Working at the expected standard" in page and "Differs from your judgement" in page
    assert "Panel: agreed" in page
    assert "Moderator 1: Working at the expected standard" in page
    assert "Moderator 2: Working at greater depth" in page
    assert "Moderator 1's rationale" in page and "Moderator 2's rationale" in page
    assert world.moderator.display_name not in page and world.teacher_b.display_name not in page


def test_moderators_are_named_where_the_round_shows_names(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "EXS")
    round_ = make_round(session, world.authority, ks2_writing, RoundState.CLOSED, show_moderator_names=True)
    make_entry(session, round_, sample, {world.moderator: "EXS"}, agreed="EXS")

    page = sample_page(app, world.teacher_a.email, sample.id)

    assert f"{world.moderator.display_name}: Working at the expected standard" in page
    assert "Matches your judgement" in page and "Moderator 1:" not in page


@pytest.mark.parametrize(
    ("state", "agreed"),
    [(RoundState.JUDGING, None), (RoundState.REVEAL, None), (RoundState.JUDGING, "EXS")],
    ids=["judging", "revealed but not agreed", "agreed before reveal"],
)
def test_nothing_is_shown_before_the_round_is_revealed_and_the_outcome_agreed(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
    state: RoundState,
    agreed: str | None,
) -> None:
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "GDS")
    round_ = make_round(session, world.authority, ks2_writing, state)
    make_entry(session, round_, sample, {world.moderator: "EXS"}, agreed=agreed)

    page = sample_page(app, world.teacher_a.email, sample.id)

    assert 'id="outcomes"' not in page and "Moderator 1" not in page


def test_another_teacher_of_the_school_reads_the_sample_but_not_its_outcome_and_the_lead_reads_both(
    app: Flask,
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    colleague = make_user(session, (Role.TEACHER, world.school_a))
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "GDS")
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL)
    part = take_part(session, round_, world.school_a)[0]
    make_entry(session, round_, sample, {world.moderator: "EXS"}, agreed="EXS")

    assert 'id="outcomes"' not in sample_page(app, colleague.email, sample.id)
    assert 'id="outcomes"' in sample_page(app, world.lead_a.email, sample.id)
    # The assessment lead still reads the school's view of the round; a teacher does not.
    school_view = f"/rounds/{round_.id}/schools/{part.id}/outcome"
    assert signed_in(app, world.lead_a.email).get(school_view).status_code == 200
    assert signed_in(app, world.teacher_a.email).get(school_view).status_code == 404


def test_the_rule_and_its_query_admit_the_same_outcomes(
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> None:
    """``readable_outcomes`` (for lists) is ``OUTCOME_READ`` (for one entry) as a query."""
    colleague = make_user(session, (Role.TEACHER, world.school_a))
    lead_and_moderator = make_user(session, (Role.ASSESSMENT_LEAD, world.school_b), (Role.MODERATOR, world.authority))
    entries = []
    for state in (RoundState.JUDGING, RoundState.REVEAL, RoundState.CLOSED):
        round_ = make_round(session, world.authority, ks2_writing, state)
        for school, teacher, agreed in (
            (world.school_a, world.teacher_a, "EXS"),
            (world.school_a, colleague, None),
            (world.school_b, world.teacher_b, "GDS"),
        ):
            sample = make_ready_sample(session, school, teacher, ks2_writing, f"P{len(entries)}", "EXS")
            entries.append(make_entry(session, round_, sample, {world.moderator: "EXS"}, agreed=agreed))
    people = [world.teacher_a, colleague, world.lead_a, world.teacher_b, lead_and_moderator, world.moderator]
    people += [world.teacher_c, world.la_lead, world.admin]

    for person in people:
        by_query = set(db.session.scalars(readable_outcomes(person)))
        assert by_query == {entry for entry in entries if can(person, Permission.OUTCOME_READ, entry)}
    assert {entry.sample.pupil_code for entry in db.session.scalars(readable_outcomes(world.teacher_a))} == {
        "P3",
        "P6",
    }
