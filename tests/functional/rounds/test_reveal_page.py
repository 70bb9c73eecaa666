"""The reveal index of a large round: its samples a page at a time, in the same few queries whatever its size."""

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import reveal
from moderation_hub.rounds.models import ModerationRound, RoundState
from tests.conftest import sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_user, take_part
from tests.functional.rounds.conftest import selects_on

ROW = re.compile(r'id="sample-([A-Z0-9]+)"')


@pytest.fixture
def second_moderator(session: Session, world: World) -> User:
    return make_user(session, (Role.MODERATOR, world.authority), name="Sol Second")


@pytest.fixture
def revealed(session: Session, world: World, ks2_writing: Framework) -> ModerationRound:
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, lead=world.la_lead)
    take_part(session, round_, world.school_a, world.school_b)
    return round_


def enter(
    session: Session, world: World, round_: ModerationRound, framework: Framework, judges: tuple[User, User], count: int
) -> None:
    """``count`` more samples, alternately from schools A and B, each judged by both moderators and agreed."""
    for _ in range(count):
        number = len(round_.entries)
        school, teacher = (world.school_a, world.teacher_a) if number % 2 else (world.school_b, world.teacher_b)
        sample = make_ready_sample(session, school, teacher, framework, f"RV{number:03d}", "EXS")
        make_entry(session, round_, sample, {judges[0]: "EXS", judges[1]: "WTS"}, agreed="EXS")


def test_the_reveal_index_takes_the_same_queries_for_many_samples_as_for_few(
    client: FlaskClient,
    connection: Connection,
    session: Session,
    world: World,
    revealed: ModerationRound,
    ks2_writing: Framework,
    second_moderator: User,
) -> None:
    judges = (world.moderator, second_moderator)
    enter(session, world, revealed, ks2_writing, judges, 2)
    sign_in(client, world.la_lead.email)
    with selects_on(connection) as few:
        assert client.get(f"/rounds/{revealed.id}/reveal").status_code == 200

    enter(session, world, revealed, ks2_writing, judges, 10)
    with selects_on(connection) as many:
        page = client.get(f"/rounds/{revealed.id}/reveal").get_data(as_text=True)

    assert len(ROW.findall(page)) == 12
    assert len(many) == len(few)


def test_the_reveal_index_lists_each_sample_on_exactly_one_page_in_blind_code_order(
    client: FlaskClient,
    session: Session,
    world: World,
    revealed: ModerationRound,
    ks2_writing: Framework,
    second_moderator: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reveal, "ENTRIES_PER_PAGE", 2)
    enter(session, world, revealed, ks2_writing, (world.moderator, second_moderator), 5)
    sign_in(client, world.la_lead.email)

    pages = [client.get(f"/rounds/{revealed.id}/reveal?page={number}") for number in (1, 2, 3)]

    codes = [ROW.findall(page.get_data(as_text=True)) for page in pages]
    assert [len(on_page) for on_page in codes] == [2, 2, 1]
    assert [code for on_page in codes for code in on_page] == sorted(entry.blind_code for entry in revealed.entries)
    for page in pages:  # the schools' outcomes cover the whole round on every page
        text = page.get_data(as_text=True)
        assert "Outcome per school" in text and world.school_a.name in text and world.school_b.name in text
    assert client.get(f"/rounds/{revealed.id}/reveal?page=4").status_code == 404
    last = codes[2][0]
    back = client.get(f"/rounds/{revealed.id}/reveal/{last}").get_data(as_text=True)
    assert f'/rounds/{revealed.id}/reveal?page=3#sample-{last}"' in back
