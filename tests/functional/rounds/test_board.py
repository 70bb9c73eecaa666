"""The meeting board: progress by moderator and by sample, blind codes only, updated from board.json."""

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import board as meeting_board
from moderation_hub.rounds.judging import JudgementInput, submit
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundState
from tests.conftest import sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_user
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
    sample = next(s for s in after["samples"]["items"] if s["code"] == entry.blind_code)
    assert sorted(j["state"] for j in sample["judgements"]) == ["not_started", "submitted"]
    assert after["states"]["submitted"] == {"text": "Submitted", "colour": "green"}
    assert sample["status"]["text"] == "Being judged"
    moderator = entry.live_judgements[0].moderator.display_name
    assert next(m for m in after["moderators"]["items"] if m["name"] == moderator)["submitted"] == 1
    assert (after["samples_total"], after["samples_complete"]) == (3, 0)


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
    statuses = {sample["code"]: (sample["status"]["text"], sample["disagree"]) for sample in data["samples"]["items"]}
    assert statuses[disagreed.blind_code] == ("Moderators disagree", True)
    assert statuses[agreed.blind_code] == ("Moderators agree", False)
    assert (data["disagreeing"], data["disagreeing_count"], data["samples_complete"]) == ([disagreed.blind_code], 1, 2)
    html = client.get(board_url(judging_round)).get_data(as_text=True)
    assert f"Moderators disagree on: {disagreed.blind_code}" in html
    only = client.get(board_url(judging_round, ".json?show=disagree")).get_json()
    assert [sample["code"] for sample in only["samples"]["items"]] == [disagreed.blind_code]
    judging = client.get(board_url(judging_round, ".json?show=judging")).get_json()
    assert [sample["code"] for sample in judging["samples"]["items"]] == [judging_round.round.entries[2].blind_code]
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


def test_the_etag_changes_when_a_moderator_drops_out_or_a_sample_is_entered_and_with_the_page_asked_for(
    client: FlaskClient, session: Session, world: World, judging_round: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")

    def etag(query: str = "") -> str:
        return client.get(board_url(judging_round, f".json{query}")).headers["ETag"]

    first = etag()
    assert etag() == first
    assert etag("?show=judging") != first
    judging_round.round.moderators[0].active = False
    session.flush()
    dropped = etag()
    assert dropped != first
    framework = judging_round.round.frameworks[0]
    sample = make_ready_sample(session, world.school_a, world.teacher_a, framework, "NEW01", "EXS")
    make_entry(session, judging_round.round, sample, {})
    session.flush()
    assert etag() != dropped


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


def test_another_choice_of_samples_is_not_found(client: FlaskClient, judging_round: RoundWorld) -> None:
    sign_in(client, "la.lead@example.org")

    assert client.get(board_url(judging_round, "?show=school")).status_code == 404
    assert client.get(board_url(judging_round, ".json?show=standards")).status_code == 404


# A larger round, built directly ------------------------------------------------------------------------


@pytest.fixture
def large_round(session: Session, world: World, ks2_writing: Framework) -> ModerationRound:
    """Seven samples, each judged by two of five moderators; the first four submitted (two disagreeing)."""
    round_ = make_round(session, world.authority, ks2_writing, RoundState.JUDGING, lead=world.la_lead)
    moderators = [make_user(session, (Role.MODERATOR, world.authority), name=f"Board {n}") for n in range(5)]
    for number in range(7):
        sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, f"L{number:02d}", "EXS")
        first, second = moderators[number % 5], moderators[(number + 1) % 5]
        judged = {first: "EXS", second: "GDS" if number < 2 else "EXS"} if number < 4 else {first: None, second: "WTS"}
        make_entry(session, round_, sample, judged)
    return round_


def test_the_board_pages_its_samples_and_moderators_each_shown_once(
    client: FlaskClient, large_round: ModerationRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(meeting_board, "SAMPLES_PER_PAGE", 3)
    monkeypatch.setattr(meeting_board, "MODERATORS_PER_PAGE", 2)
    sign_in(client, "la.lead@example.org")
    url = f"/rounds/{large_round.id}/board"

    pages = [client.get(f"{url}.json?page={n}&moderators_page={n}").get_json() for n in (1, 2, 3)]

    codes = [sample["code"] for page in pages for sample in page["samples"]["items"]]
    assert codes == sorted(entry.blind_code for entry in large_round.entries)
    names = [moderator["name"] for page in pages for moderator in page["moderators"]["items"]]
    assert names == [f"Board {n}" for n in range(5)]
    assert [(page["samples"]["page"], page["samples"]["pages"]) for page in pages] == [(1, 3), (2, 3), (3, 3)]
    assert (pages[0]["submitted"], pages[0]["total"], pages[0]["samples_complete"]) == (11, 14, 4)
    assert {choice["show"]: choice["count"] for choice in pages[0]["shows"]} == {"all": 7, "disagree": 2, "judging": 3}
    # Past the last page: the last, so that a list that shrank while shown does not leave the projector blank.
    assert client.get(f"{url}.json?page=9").get_json()["samples"]["page"] == 3

    html = client.get(f"{url}?show=judging&moderators_page=2").get_data(as_text=True)
    assert f'href="{url}?show=judging&amp;page=1&amp;moderators_page=2"' not in html  # page 1 is the plain address
    assert f'href="{url}?show=disagree&amp;moderators_page=2"' in html  # another choice keeps the moderators' page
    assert f'href="{url}?show=judging"' in html  # the moderators' first page, from their pagination
    assert f'data-board-url="{url}.json?show=judging&amp;moderators_page=2"' in html
    assert "Page 2 of 3" in html and "Being judged (3)" in html


def test_the_board_costs_the_same_queries_and_payload_for_a_larger_round(
    client: FlaskClient,
    session: Session,
    connection: Connection,
    world: World,
    judging_round: RoundWorld,
    large_round: ModerationRound,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(meeting_board, "SAMPLES_PER_PAGE", 3)
    monkeypatch.setattr(meeting_board, "MODERATORS_PER_PAGE", 3)
    session.expire_all()
    small, large = judging_round.round, large_round
    assert small.id and large.id  # loaded before counting

    with selects_on(connection) as few:
        small_board = meeting_board.board_of(small)
    with selects_on(connection) as many:
        large_board = meeting_board.board_of(large)

    assert len(many) == len(few) <= 6
    assert (len(small_board.samples), len(large_board.samples)) == (3, 3)
    assert not any("work_sample" in statement or "school" in statement for statement in many)
    sign_in(client, "la.lead@example.org")
    small_json = client.get(f"/rounds/{small.id}/board.json").get_data()
    large_json = client.get(f"/rounds/{large.id}/board.json").get_data()
    assert len(large_json) < 2 * len(small_json) < 8000


def test_the_fingerprint_is_one_read_by_key_and_moves_with_each_write_the_board_shows(
    session: Session, connection: Connection, world: World, judging_round: RoundWorld
) -> None:
    view = meeting_board.BoardView()
    with selects_on(connection) as read:
        first = meeting_board.fingerprint(judging_round.round.id, view)
    assert len(read) == 1
    assert "round_change_counter" in read[0] and "judgement" not in read[0]

    seen = [first]
    judgement = judging_round.round.entries[0].live_judgements[0]
    for write in (
        lambda: setattr(judgement, "rationale", "Half written"),  # an autosave
        lambda: setattr(world.moderator, "display_name", "Morgan Moderator-Jones"),
        lambda: setattr(judging_round.round.moderators[0], "active", False),
    ):
        write()
        session.flush()
        seen.append(meeting_board.fingerprint(judging_round.round.id, view))
    assert len(set(seen)) == len(seen)
    assert meeting_board.fingerprint(judging_round.round.id, view) == seen[-1]  # nothing written: the same
