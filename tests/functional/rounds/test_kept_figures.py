"""What the meeting board and the lead's round page count over the whole round is kept under the round's change
counter (``board.figures_of``, ``overview.figures_of``, stored by ``reports.cache``): a warm request reads the
counter and uses what was kept, and every kind of write either page shows is seen by the next request."""

from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import assign, judging, overview, services
from moderation_hub.rounds import board as meeting_board
from moderation_hub.rounds.models import JudgementState, RoundState
from tests.conftest import sign_in
from tests.factories import World, make_entry, make_ready_sample, make_user
from tests.functional.rounds.conftest import RoundWorld, selects_on


def forget_in_memory(app: Flask) -> None:
    """As a new process: nothing kept in memory, only what is kept in the database."""
    app.extensions.pop("report_figures", None)


def judge(session: Session, world: RoundWorld, standard_code: str = "EXS") -> None:
    judgement = next(
        j for e in world.round.entries for j in e.live_judgements if j.state is not JudgementState.SUBMITTED
    )
    moderator = session.get_one(User, judgement.moderator_id)
    answer = judging.JudgementInput(standard_code, "Secure across the pieces.")
    assert judging.submit(judgement, answer, judgement.version, moderator) == []
    session.flush()


def test_a_warm_board_reads_the_counter_and_its_page_and_groups_nothing(
    app: Flask, client: FlaskClient, connection: Connection, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    url = f"/rounds/{judging_round.round.id}/board.json"
    with selects_on(connection) as cold:
        first = client.get(url).get_json()
    with selects_on(connection) as warm:
        assert client.get(url).get_json() == first
    forget_in_memory(app)
    with selects_on(connection) as other_process:
        assert client.get(url).get_json() == first

    assert sum("GROUP BY" in statement for statement in cold) == 2  # its samples, and its moderators
    assert not any("GROUP BY" in statement for statement in warm + other_process)
    assert sum("round_change_counter" in statement for statement in warm) == 2  # the ETag's, and the figures'
    assert not any("report_figures" in statement for statement in warm)  # kept in this process's memory
    assert sum("report_figures" in statement for statement in other_process) == 1  # kept in the database
    assert len(warm) < len(other_process) < len(cold)


def test_a_warm_round_page_reads_the_counter_and_counts_nothing(
    app: Flask, client: FlaskClient, connection: Connection, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    url = f"/rounds/{judging_round.round.id}"
    with selects_on(connection) as cold:
        first = client.get(url).get_data(as_text=True)
    with selects_on(connection) as warm:
        assert client.get(url).get_data(as_text=True) == first
    forget_in_memory(app)
    with selects_on(connection) as other_process:
        assert client.get(url).get_data(as_text=True) == first

    grouped = [statement for statement in cold if "GROUP BY" in statement]
    assert grouped and not any("GROUP BY" in statement for statement in warm + other_process)
    assert sum("report_figures" in statement for statement in other_process) == 1
    assert len(warm) < len(other_process) < len(cold)


# Each kind of write the board shows, made as the application makes it (or as the factories insert rows, through
# the ORM): each must change the board's figures.
def _nothing(session: Session, world: World, round_world: RoundWorld) -> None:
    pass


def _submit(session: Session, world: World, round_world: RoundWorld) -> None:
    judge(session, round_world)


def _reopen(session: Session, world: World, round_world: RoundWorld) -> None:
    judgement = next(j for e in round_world.round.entries for j in e.judgements if j.state is JudgementState.SUBMITTED)
    judgement.state = JudgementState.DRAFT  # what reopening leaves
    session.flush()


def _withdraw(session: Session, world: World, round_world: RoundWorld) -> None:
    round_world.round.entries[0].live_judgements[0].state = JudgementState.WITHDRAWN
    session.flush()


def _rename(session: Session, world: World, round_world: RoundWorld) -> None:
    world.moderator.display_name = "Aaron Renamed"
    session.flush()


def _join(session: Session, world: World, round_world: RoundWorld) -> None:
    newcomer = make_user(session, (Role.MODERATOR, world.authority), email="new@example.org", name="Aardvark New")
    services.add_moderator(round_world.round, newcomer, None, world.la_lead)
    session.flush()


def _drop_out(session: Session, world: World, round_world: RoundWorld) -> None:
    moderator = next(m for m in round_world.round.moderators if m.user.display_name == "Aardvark New")
    moderator.active = False  # no work left: no longer listed
    session.flush()


def _enter(session: Session, world: World, round_world: RoundWorld) -> None:
    framework = round_world.sample_b.framework
    sample = make_ready_sample(session, world.school_b, world.teacher_b, framework, "B6-099", "EXS")
    moderators = round_world.moderators[0], round_world.moderators[2]  # the two LA moderators
    make_entry(session, round_world.round, sample, dict.fromkeys(moderators))


Write = Callable[[Session, World, RoundWorld], None]
# What is done first (and kept), then the write.
WRITES: dict[str, tuple[Write, Write]] = {
    "a judgement submitted": (_nothing, _submit),
    "a judgement reopened": (_submit, _reopen),
    "a judgement withdrawn": (_nothing, _withdraw),
    "a moderator renamed": (_nothing, _rename),
    "a moderator joining": (_nothing, _join),
    "a moderator dropping out": (_join, _drop_out),
    "a sample entered": (_nothing, _enter),
}


@pytest.mark.parametrize("write", WRITES)
def test_each_write_the_board_shows_is_on_the_next_board(
    app: Flask, session: Session, world: World, judging_round: RoundWorld, write: str
) -> None:
    round_id = judging_round.round.id
    first, then = WRITES[write]
    first(session, world, judging_round)
    before = meeting_board.figures_of(round_id)

    then(session, world, judging_round)
    after = meeting_board.figures_of(round_id)

    assert after == meeting_board._figures(round_id)  # what computing it afresh gives
    assert after != before
    forget_in_memory(app)
    assert meeting_board.figures_of(round_id) == after  # and what another process reads


def test_a_saved_judgement_and_a_rename_show_on_the_board_at_once(
    client: FlaskClient, session: Session, world: World, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    url = f"/rounds/{judging_round.round.id}/board.json"
    before = client.get(url).get_json()
    client.get(url)  # kept

    judge(session, judging_round)
    world.moderator.display_name = "Aaron Renamed"
    session.flush()
    after = client.get(url).get_json()

    assert (before["submitted"], after["submitted"]) == (0, 1)
    assert "Aaron Renamed" in [m["name"] for m in after["moderators"]["items"]]
    assert "Aaron Renamed" not in [m["name"] for m in before["moderators"]["items"]]


def test_each_write_the_round_page_counts_is_on_the_next_page(
    client: FlaskClient, session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework
) -> None:
    round_ = collecting_round.round
    sign_in(client, "la.lead@example.org")
    url = f"/rounds/{round_.id}"
    assert "3 samples are not allocated" in client.get(url).get_data(as_text=True)
    seen = [overview.figures_of(round_)]

    assign.allocate_round(round_, world.la_lead)  # allocated: the next step and the moderators' loads
    session.flush()
    assert "3 samples are not allocated" not in client.get(url).get_data(as_text=True)
    seen.append(overview.figures_of(round_))

    _enter(session, world, collecting_round)  # a sample entered: the count, the school's, the next step
    assert "4 samples entered" in client.get(url).get_data(as_text=True)
    seen.append(overview.figures_of(round_))

    services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    session.flush()
    judge(session, collecting_round)  # submitted: the moderator's load
    client.get(url)
    seen.append(overview.figures_of(round_))

    assert len({repr(figures) for figures in seen}) == len(seen)
    assert seen[-1] == overview._figures(round_)
    assert sum(done for _, done in seen[-1].loads.values()) == 1
