"""A report's figures are computed once per state of the data they read: the page's charts and downloads reuse
the page's figures, any write the report could show gives fresh ones, and each request is still authorised."""

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import User
from moderation_hub.frameworks.models import Framework
from moderation_hub.reports import data, services
from moderation_hub.rounds import judging, reveal
from moderation_hub.rounds.judging import JudgementInput
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound
from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.conftest import statements_on
from tests.functional.reports.conftest import (
    PLAN,
    RevealedRound,
    build_revealed_round,
    csv_figures,
    figure,
    page_tables,
)
from tests.functional.rounds.conftest import ks2_writing  # noqa: F401 - a fixture used here


@pytest.fixture
def judging_round(
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
    fair_moderator: User,
) -> ModerationRound:
    """The revealed round's samples still at judging, every judgement submitted."""
    moderators = (world.moderator, fair_moderator)
    return build_revealed_round(session, world, ks2_writing, PLAN, moderators, reveal_it=False)


def _submitted(round_: ModerationRound) -> list[Judgement]:
    return [judgement for entry in round_.entries for judgement in entry.submitted_judgements]


def _twice_judged(round_: ModerationRound) -> int:
    """How many samples the round's report counts as judged by two or more moderators."""
    table = services.round_report(round_, None).table("moderators")
    assert table is not None
    return table.rows[0].n


def test_a_page_its_charts_and_its_downloads_compute_the_figures_once(
    client: FlaskClient, world: World, revealed_round: RevealedRound, computed: list[tuple[str, int]]
) -> None:
    base = f"/reports/rounds/{revealed_round.round.id}"
    sign_in(client, world.la_lead.email)
    _, charts = page_tables(client.get(base).get_data(as_text=True))
    assert len(charts) == 5
    for url in [*charts.values(), *charts.values(), f"{base}.csv"]:
        assert client.get(url).status_code == 200

    assert computed == [("round", revealed_round.round.id)]


def test_an_agreed_outcome_recorded_gives_fresh_figures(
    client: FlaskClient, world: World, revealed_round: RevealedRound, computed: list[tuple[str, int]]
) -> None:
    url = f"/reports/rounds/{revealed_round.round.id}.csv"
    sign_in(client, world.la_lead.email)
    before = float(figure(csv_figures(client, url), "overall", "All samples", "exact")["value"])
    entry = next(e for e in revealed_round.round.entries if e.agreed_standard_id == e.sample.teacher_judgement_id)
    other = next(s.code for s in revealed_round.framework.standards if s.id != entry.agreed_standard_id)

    reveal.record_outcome(entry, other, "The panel looked again", entry.version, world.la_lead)
    after = float(figure(csv_figures(client, url), "overall", "All samples", "exact")["value"])

    assert after == pytest.approx(before - 1 / len(PLAN), abs=1e-6)  # one school judgement fewer matches
    assert len(computed) == 2


def test_a_reopened_judgement_leaves_the_figures_until_it_is_submitted_again(
    judging_round: ModerationRound, world: World, computed: list[tuple[str, int]]
) -> None:
    judgement = _submitted(judging_round)[0]
    assert _twice_judged(judging_round) == _twice_judged(judging_round) == 12
    assert len(computed) == 1

    judging.reopen(judgement, "Look at the second piece again", world.la_lead)
    assert _twice_judged(judging_round) == 11

    given = JudgementInput(judgement.standard.code, "Looked again", {})
    assert judging.submit(judgement, given, judgement.version, judgement.moderator) == []
    assert _twice_judged(judging_round) == 12
    assert len(computed) == 3


def _reopen(round_: ModerationRound, world: World) -> None:
    judging.reopen(_submitted(round_)[0], "Look again", world.la_lead)


def _withdraw(round_: ModerationRound, _world: World) -> None:
    # As a moderator's dropping out leaves their unfinished judgements.
    _submitted(round_)[0].state = JudgementState.WITHDRAWN


def _rename_school(_round: ModerationRound, world: World) -> None:
    world.school_a.name = "Alder Church of England Primary School"


def _rename_moderator(_round: ModerationRound, world: World) -> None:
    world.moderator.display_name = "Morgan Moderator-Jones"


def _rename_round(round_: ModerationRound, _world: World) -> None:
    round_.name = "Year 6 writing (moderated again)"


def _change_school_judgement(round_: ModerationRound, world: World) -> None:
    sample = round_.entries[0].sample
    sample.teacher_judgement = next(s for s in sample.framework.standards if s != sample.teacher_judgement)


@pytest.mark.parametrize(
    "write",
    [_reopen, _withdraw, _rename_school, _rename_moderator, _rename_round, _change_school_judgement],
    ids=lambda write: write.__name__.strip("_"),
)
def test_every_write_a_report_reads_changes_the_data_version(
    judging_round: ModerationRound,
    world: World,
    session: Session,
    write: Callable[[ModerationRound, World], None],
) -> None:
    scope = data.round_scope(judging_round)
    framework = judging_round.frameworks[0]
    before = data.version(scope, framework)
    write(judging_round, world)
    session.flush()
    assert data.version(scope, framework) != before


def _person(client: FlaskClient, email: str) -> FlaskClient:
    """A browser of its own, signed in as ``email``."""
    person = https_client(client.application)
    sign_in(person, email)
    return person


def test_cached_figures_still_go_only_to_those_the_report_is_for(
    client: FlaskClient, world: World, revealed_round: RevealedRound
) -> None:
    chart = f"/reports/rounds/{revealed_round.round.id}/charts/severity.svg"
    assert _person(client, world.la_lead.email).get(chart).status_code == 200

    assert _person(client, world.other_la_lead.email).get(chart).status_code == 404
    fair = _person(client, revealed_round.fair.email)
    assert fair.get(chart).status_code == 404
    assert figure(csv_figures(fair, "/reports/me.csv"), "my_overall", "All your judgements", "exact")["value"] == "1.0"
    harsh = csv_figures(_person(client, revealed_round.harsh.email), "/reports/me.csv")
    assert figure(harsh, "my_overall", "All your judgements", "exact")["value"] == str(round(1 / 12, 6))


def test_rounds_scopes_read_their_data_version_in_one_statement_and_a_judgement_moves_every_scope(
    session: Session, connection: Connection, world: World, revealed_round: RevealedRound
) -> None:
    round_ = revealed_round.round
    by_counters = [
        data.round_scope(round_),
        data.authority_scope(world.authority),
        data.moderator_scope(revealed_round.fair),
    ]
    scopes = [*by_counters, data.school_scope(world.school_a)]  # a school's is read from its own rows
    before = []
    for scope in scopes:
        with statements_on(connection, "SELECT") as read:
            before.append(data.version(scope, revealed_round.framework))
        if scope in by_counters:
            assert len(read) == 1, scope.key
            assert "round_change_counter" in read[0] and "criterion_judgement" not in read[0]
            assert "sum(" not in read[0] and "count(" not in read[0]

    judgement = next(
        judgement
        for entry in round_.entries
        if entry.school_id == world.school_a.id  # in the school's scope too
        for judgement in entry.judgements
        if judgement.moderator_id == revealed_round.fair.id
    )
    judgement.rationale = "Corrected after the meeting"
    session.flush()

    after = [data.version(scope, revealed_round.framework) for scope in scopes]
    assert all(new != old for new, old in zip(after, before, strict=True))
