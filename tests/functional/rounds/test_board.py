"""The meeting board: progress by moderator and by sample, blind codes only, updated from board.json."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import User
from moderation_hub.rounds import board as meeting_board
from moderation_hub.rounds.judging import JudgementInput, submit
from moderation_hub.rounds.models import Judgement
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld, selects_on


def judge(session: Session, judgement: Judgement, standard_code: str) -> None:
    moderator = session.get_one(User, judgement.moderator_id)
    problems = submit(
        judgement, JudgementInput(standard_code, "Secure across the pieces."), judgement.version, moderator
    )
    assert problems == []
    session.flush()


def board_url(round_world: RoundWorld, suffix: str = "") -> str:
    return f"/rounds/{round_world.round.id}/board{suffix}"


def test_the_lead_sees_every_sample_by_its_blind_code_and_never_its_school_or_pupil(
    client: FlaskClient, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")

    response = client.get(board_url(judging_round))

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'class="mh-board"' in html
    for entry in judging_round.round.entries:
        assert entry.blind_code in html
    for hidden in ("Alder Primary School", "Birch Primary School", "Y6-001", "Y6-002", "B6-001"):
        assert hidden not in html
    assert '<span data-board="submitted">0</span>' in html
    assert '<span data-board="total">6</span>' in html
    assert "Mo Derr" in html and "Second Moderator" in html


def test_the_numbers_change_once_a_moderator_submits(
    client: FlaskClient, session: Session, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    before = client.get(board_url(judging_round, ".json")).get_json()
    assert (before["submitted"], before["total"], before["left"]) == (0, 6, 6)
    assert before["announcement"] == "Board updated: 0 of 6 judgements submitted"

    entry = judging_round.round.entries[0]
    judge(session, entry.live_judgements[0], "EXS")

    after = client.get(board_url(judging_round, ".json")).get_json()
    assert (after["submitted"], after["left"]) == (1, 5)
    assert after["announcement"] == "Board updated: 1 of 6 judgements submitted"
    sample = next(s for s in after["samples"] if s["code"] == entry.blind_code)
    assert sorted(j["state"] for j in sample["judgements"]) == ["not_started", "submitted"]
    assert sample["status"]["text"] == "Being judged"
    moderator = entry.live_judgements[0].moderator.display_name
    assert next(m for m in after["moderators"] if m["name"] == moderator)["submitted"] == 1


def test_a_sample_is_flagged_only_once_every_moderator_has_submitted_and_never_shows_a_standard(
    client: FlaskClient, session: Session, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    disagreed, agreed = judging_round.round.entries[:2]
    judge(session, disagreed.live_judgements[0], "EXS")
    judge(session, agreed.live_judgements[0], "WTS")
    judge(session, agreed.live_judgements[1], "WTS")
    partly = client.get(board_url(judging_round, ".json")).get_json()
    assert partly["disagreeing"] == []

    judge(session, disagreed.live_judgements[1], "GDS")

    data = client.get(board_url(judging_round, ".json")).get_json()
    statuses = {sample["code"]: (sample["status"]["text"], sample["disagree"]) for sample in data["samples"]}
    assert statuses[disagreed.blind_code] == ("Moderators disagree", True)
    assert statuses[agreed.blind_code] == ("Moderators agree", False)
    assert data["disagreeing"] == [disagreed.blind_code]
    html = client.get(board_url(judging_round)).get_data(as_text=True)
    assert f"Moderators disagree on: {disagreed.blind_code}" in html
    for standard in ("EXS", "GDS", "WTS", "Working towards", "Greater depth"):
        assert standard not in html
        assert standard not in str(data)


def test_an_unchanged_board_answers_304_to_its_etag(
    client: FlaskClient, session: Session, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    first = client.get(board_url(judging_round, ".json"))
    etag = first.headers["ETag"]
    assert f'data-etag="{etag.replace(chr(34), "&#34;")}"' in client.get(board_url(judging_round)).get_data(
        as_text=True
    )

    unchanged = client.get(board_url(judging_round, ".json"), headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.get_data() == b""

    judge(session, judging_round.round.entries[0].live_judgements[0], "EXS")
    changed = client.get(board_url(judging_round, ".json"), headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


@pytest.mark.parametrize("email", ["moderator@example.org", "teacher.a@example.org", "south.lead@example.org"])
def test_only_those_who_manage_the_round_see_its_board(
    client: FlaskClient, judging_round: RoundWorld, email: str
) -> None:
    sign_in(client, email)

    assert client.get(board_url(judging_round)).status_code == 404
    assert client.get(board_url(judging_round, ".json")).status_code == 404


def test_signed_out_the_board_sends_you_to_sign_in(client: FlaskClient, judging_round: RoundWorld) -> None:
    assert client.get(board_url(judging_round)).status_code == 302
    assert client.get(board_url(judging_round, ".json")).status_code == 302


def test_the_board_is_built_from_three_queries_not_one_per_sample_or_moderator(
    session: Session, connection: Connection, world: World, judging_round: RoundWorld
) -> None:
    session.expire_all()
    round_ = judging_round.round
    assert round_.id  # loaded before counting

    with selects_on(connection) as selects:
        board = meeting_board.board_of(round_)

    assert len(selects) <= 3
    assert len(board.samples) == len(round_.entries)
