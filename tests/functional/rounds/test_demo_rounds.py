"""The demo's moderation rounds: one open for judging, one revealed with agreed outcomes, made by ``flask demo``.

The demo is loaded once for the module (its samples go through the real pipeline); the tests only read it,
except the last, which loads it again.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from moderation_hub import create_app
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.db import db
from moderation_hub.demo import DEMO_PASSWORD, ROUND_MODERATORS
from moderation_hub.permissions import blind_holds
from moderation_hub.rounds.demo import OPEN, REVEALED
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound, RoundState
from moderation_hub.rounds.reveal import school_outcomes
from moderation_hub.samples.models import WorkSample
from tests.conftest import https_client, sign_in
from tests.functional.rounds.conftest import crawl, judging_url, leaks

DEMO_MODERATOR = "moderator@demo.moderation-hub.test"


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app on its own SQLite file, migrated and given the demo by the CLI, as the Quick start does."""
    folder: Path = tmp_path_factory.mktemp("demo-rounds")
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "demo-rounds-test",
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


def _round(name: str) -> ModerationRound:
    return db.session.scalars(select(ModerationRound).where(ModerationRound.name == name)).one()


def _school_lead(school_id: int) -> User:
    leads = select(User).join(Membership).where(Membership.school_id == school_id)
    return db.session.scalars(leads.where(Membership.role == Role.ASSESSMENT_LEAD).order_by(User.id).limit(1)).one()


def _signed_in(app: Flask, email: str) -> FlaskClient:
    """A client signed in as a demo person; outside any app context, so that each request has its own."""
    client = https_client(app)
    sign_in(client, email, DEMO_PASSWORD)
    return client


def test_the_open_round_gives_every_sample_to_two_moderators_from_other_schools(demo: Flask) -> None:
    round_ = _round(OPEN.name)

    assert round_.state is RoundState.JUDGING
    assert round_.judgements_per_sample == 2
    assert len({entry.school_id for entry in round_.entries}) >= 2
    for entry in round_.entries:
        moderators = [judgement.moderator for judgement in entry.live_judgements]
        assert len({moderator.id for moderator in moderators}) == 2
        for moderator in moderators:
            assert entry.school_id not in {membership.school_id for membership in moderator.memberships}
    states = {judgement.state for entry in round_.entries for judgement in entry.judgements}
    assert {JudgementState.NOT_STARTED, JudgementState.SUBMITTED} <= states


def test_the_demo_moderator_has_samples_to_judge_and_can_open_them(demo_app: Flask) -> None:
    with demo_app.app_context():
        round_ = _round(OPEN.name)
        round_id = round_.id
        mine = [j for entry in round_.entries for j in entry.judgements if j.moderator.email == DEMO_MODERATOR]
        waiting = [judging_url(judgement) for judgement in mine if judgement.state is JudgementState.NOT_STARTED]
    assert waiting

    client = _signed_in(demo_app, DEMO_MODERATOR)
    assert client.get(f"/rounds/{round_id}/judging").status_code == 200
    page = client.get(waiting[0])
    assert page.status_code == 200
    assert "Submit" in page.get_data(as_text=True)


def test_the_revealed_round_has_an_agreed_outcome_for_every_sample_and_a_school_not_agreed(demo: Flask) -> None:
    round_ = _round(REVEALED.name)

    assert round_.state is RoundState.REVEAL
    for entry in round_.entries:
        assert entry.agreed_standard is not None and entry.agreed_rationale
        assert [j.state for j in entry.judgements] == [JudgementState.SUBMITTED] * 2
        assert all(judgement.rationale and judgement.criteria for judgement in entry.judgements)
    assert any(len({j.standard_id for j in entry.judgements}) > 1 for entry in round_.entries)
    assert sorted(outcome.agreed for outcome in school_outcomes(round_)) == [False, True, True, True]


def test_each_school_lead_reads_its_outcome(demo_app: Flask) -> None:
    with demo_app.app_context():
        round_ = _round(REVEALED.name)
        pages = {}
        for outcome in school_outcomes(round_):
            taking_part = next(t for t in round_.schools if t.school_id == outcome.school.id)
            url = f"/rounds/{round_.id}/schools/{taking_part.id}/outcome"
            pages[outcome.agreed] = (_school_lead(outcome.school.id).email, url)

    for agreed, (email, url) in pages.items():
        page = _signed_in(demo_app, email).get(url)
        assert page.status_code == 200
        assert ("Not agreed" in page.get_data(as_text=True)) is not agreed


def test_the_la_lead_sees_the_revealed_round_side_by_side(demo_app: Flask) -> None:
    with demo_app.app_context():
        round_id = _round(REVEALED.name).id

    page = _signed_in(demo_app, "la.lead@demo.moderation-hub.test").get(f"/rounds/{round_id}/reveal")

    assert page.status_code == 200
    assert "Not agreed" in page.get_data(as_text=True)


def _telling_values(sample: WorkSample) -> set[str]:
    """What would tell a blind moderator whose work a sample is: its pupil, the school's commentary, the teacher's
    annotations and evidence notes."""
    notes = {claim.note for claim in sample.evidence}
    comments = {annotation.comment for page in sample.pages for annotation in page.annotations}
    return {sample.pupil_code, sample.commentary, *notes, *comments} - {""}


@pytest.mark.parametrize("email", ROUND_MODERATORS)
def test_no_moderator_reaches_anything_of_a_sample_they_judge_blind_across_the_demo(
    demo_app: Flask, email: str
) -> None:
    """Each demo moderator follows every link they can reach, in both rounds and beyond: nothing that tells who a
    sample they judge blind comes from appears anywhere (values shared with a sample they may see do not count)."""
    with demo_app.app_context():
        held = blind_holds(db.session.scalars(select(User).where(User.email == email)).one())
        samples = db.session.scalars(select(WorkSample)).all()
        secrets = set().union(*(_telling_values(s) for s in samples if s.id in held))
        secrets -= set().union(*(_telling_values(s) for s in samples if s.id not in held))
        revealed_id = _round(REVEALED.name).id
    assert held and secrets

    fetched = crawl(_signed_in(demo_app, email), ["/"])

    assert f"/rounds/{revealed_id}/reveal" in fetched and any("/judging/" in url for url in fetched)
    assert leaks(fetched, sorted(secrets)) == []


def test_loading_the_demo_again_makes_no_second_round(demo_app: Flask) -> None:
    with demo_app.app_context():
        before = db.session.scalar(select(func.count()).select_from(Judgement))

    result = demo_app.test_cli_runner().invoke(args=["demo"])

    assert result.exit_code == 0, result.output
    with demo_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ModerationRound)) == 2
        assert db.session.scalar(select(func.count()).select_from(Judgement)) == before
