"""A round's long lists a page at a time: its schools and moderators on the lead's page, the schools and people who
may join (found by name), the schools' outcomes at reveal and a moderator's queue."""

import html
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import judging, overview, reveal, views
from moderation_hub.rounds.models import ModerationRound, ModeratorConflict, RoundModerator, RoundState
from tests.conftest import post_form, sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_school, make_user, take_part


def text_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.get_data(as_text=True))


def table(page: str, caption: str) -> str:
    return page.split(f"{caption}</caption>")[1].split("</table>", maxsplit=1)[0]


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', page, re.S)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0)) if select else []


@pytest.fixture
def collecting(session: Session, world: World, ks2_writing: Framework) -> ModerationRound:
    round_ = make_round(session, world.authority, ks2_writing, RoundState.COLLECTING, lead=world.la_lead)
    take_part(session, round_, world.school_a, world.school_b)
    return round_


def test_the_round_page_lists_its_schools_and_moderators_a_page_at_a_time(
    client: FlaskClient,
    session: Session,
    world: World,
    collecting: ModerationRound,
    ks2_writing: Framework,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(overview, "SCHOOLS_PER_PAGE", 1)
    monkeypatch.setattr(overview, "MODERATORS_PER_PAGE", 1)
    sample = make_ready_sample(session, world.school_b, world.teacher_b, ks2_writing, "B6-001", "EXS")
    make_entry(session, collecting, sample, {world.moderator: None, world.teacher_a: None})
    sign_in(client, world.la_lead.email)
    base = f"/rounds/{collecting.id}"

    first, second = text_of(client, base), text_of(client, f"{base}?schools=2&moderators=2")

    assert world.school_a.name in table(first, "Participating schools")
    assert world.school_b.name not in table(first, "Participating schools")
    assert world.school_b.name in table(second, "Participating schools")
    assert "2 schools taking part; showing 2 to 2, page 2 of 2." in second
    assert [world.moderator.display_name in table(page, "Moderators") for page in (first, second)] == [True, False]
    assert world.teacher_a.display_name in table(second, "Moderators")
    assert f'href="{base}?moderators=2#schools"' in second  # each list's pages keep the other's
    assert f'href="{base}?schools=2#moderators"' in second
    assert client.get(f"{base}?schools=3").status_code == 404


def test_a_school_is_found_by_name_and_added_from_a_page_of_its_own(
    client: FlaskClient, session: Session, world: World, collecting: ModerationRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "CHOICES_PER_PAGE", 2)
    for name in ("Elm Primary School", "Fir Academy", "Gorse Primary School"):
        make_school(session, world.authority, name)
    sign_in(client, world.la_lead.email)
    adding = f"/rounds/{collecting.id}/schools/add"

    everyone = text_of(client, adding)
    found = text_of(client, f"{adding}?q=PRIMARY")

    assert [choice.split(" (URN")[0] for choice in options(everyone, "school")] == ["Elm Primary School", "Fir Academy"]
    assert "3 schools can join; showing 1 to 2, page 1 of 2." in everyone
    assert world.school_c.name not in text_of(client, f"{adding}?page=2")  # another authority's
    assert [choice.split(" (URN")[0] for choice in options(found, "school")] == [
        "Elm Primary School",
        "Gorse Primary School",
    ]
    assert "No school that can join was found for 'Birch'." in text_of(client, f"{adding}?q=Birch")  # taking part
    refused = text_of(client, f"{adding}?q=a%00b")
    assert "What you search for" in refused and 'class="govuk-error-message"' in refused

    assert post_form(
        client, f"/rounds/{collecting.id}/schools", {"school": world.school_c.id}, page=adding
    ).location == (adding)
    gorse = options(found, "school")[1]
    school_id = re.search(rf'<option value="(\d+)">{re.escape(gorse)}</option>', found).group(1)
    added = post_form(client, f"/rounds/{collecting.id}/schools", {"school": school_id}, page=adding)
    assert "Gorse Primary School" in table(text_of(client, added.location.split("#")[0]), "Participating schools")


def test_a_moderator_is_found_by_email_and_the_moderating_are_not_offered_again(
    client: FlaskClient, session: Session, world: World, collecting: ModerationRound
) -> None:
    person = make_user(session, (Role.MODERATOR, world.authority), email="quentin@example.org", name="Quentin Quill")
    sign_in(client, world.la_lead.email)
    adding = f"/rounds/{collecting.id}/moderators/add"

    assert options(text_of(client, f"{adding}?q=QUENTIN@"), "moderator") == ["Quentin Quill (quentin@example.org)"]
    post_form(client, f"/rounds/{collecting.id}/moderators", {"moderator": person.id, "phase": ""}, page=adding)

    assert options(text_of(client, f"{adding}?q=quentin"), "moderator") == []
    assert "Quentin Quill" in table(text_of(client, f"/rounds/{collecting.id}"), "Moderators")


def test_the_reveal_index_sums_up_every_school_and_lists_them_a_page_at_a_time(
    client: FlaskClient, session: Session, world: World, ks2_writing: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reveal, "SCHOOLS_PER_PAGE", 1)
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, lead=world.la_lead)
    elm = make_school(session, world.authority, "Elm Primary School")
    take_part(session, round_, world.school_a, world.school_b, elm)
    judges = {world.moderator: "EXS", world.teacher_b: "EXS"}
    for code, school, teacher, agreed in (
        ("A-1", world.school_a, world.teacher_a, "EXS"),  # agreed
        ("A-2", world.school_a, world.teacher_a, "GDS"),  # differs: school A not agreed
        ("B-1", world.school_b, world.teacher_b, None),  # school B not decided yet
    ):
        sample = make_ready_sample(session, school, teacher, ks2_writing, code, "EXS")
        make_entry(session, round_, sample, judges, agreed=agreed)
    sign_in(client, world.la_lead.email)
    index = f"/rounds/{round_.id}/reveal"

    pages = [text_of(client, f"{index}?schools={number}") for number in (1, 2, 3)]

    summary = "Of 3 schools, moderation agreed with 1, reached a different outcome for 1 and has not decided 1 yet."
    assert all(summary in page for page in pages)
    rows = [re.sub(r"<[^>]+>|\s+", " ", table(page, "Outcome per school")) for page in pages]
    assert world.school_a.name in rows[0] and "Not agreed" in rows[0] and "A-2" in rows[0] and "A-1" not in rows[0]
    assert world.school_b.name in rows[1] and "Not decided yet" in rows[1]
    assert "Elm Primary School" in rows[2] and "Agreed" in rows[2]  # nothing entered, nothing differs
    assert f'href="{index}?schools=3#schools"' in pages[1]
    assert client.get(f"{index}?schools=4").status_code == 404


def test_a_moderators_queue_lists_unfinished_samples_first_a_page_at_a_time(
    client: FlaskClient, session: Session, world: World, ks2_writing: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(judging, "QUEUE_PER_PAGE", 2)
    round_ = make_round(session, world.authority, ks2_writing, RoundState.JUDGING, lead=world.la_lead)
    take_part(session, round_, world.school_a)
    entries = [
        make_entry(
            session,
            round_,
            make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, f"Q-{number}", "EXS"),
            {world.moderator: "EXS" if number % 2 else None},
        )
        for number in range(5)
    ]
    sign_in(client, world.moderator.email)
    queue = f"/rounds/{round_.id}/judging"

    pages = [text_of(client, f"{queue}?page={number}") for number in (1, 2, 3)]

    listed = [code for page in pages for code in re.findall(r"Sample ([A-Z0-9]{6})</a>", page)]
    unfinished = sorted(entry.blind_code for number, entry in enumerate(entries) if not number % 2)
    submitted = sorted(entry.blind_code for number, entry in enumerate(entries) if number % 2)
    assert listed == unfinished + submitted
    assert all("You have submitted 2 of 5." in page for page in pages)
    assert client.get(f"{queue}?page=4").status_code == 404


def test_a_samples_moderators_are_chosen_from_a_page_at_a_time_of_those_the_rules_let_judge_it(
    client: FlaskClient, session: Session, world: World, ks2_writing: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(overview, "CHOICES_PER_PAGE", 2)
    round_ = make_round(session, world.authority, ks2_writing, RoundState.JUDGING, lead=world.la_lead)
    take_part(session, round_, world.school_a, world.school_b)
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "A6-001", "EXS")
    entry = make_entry(session, round_, sample, {world.moderator: None, world.teacher_b: "EXS"})
    free = [
        make_user(session, (Role.MODERATOR, world.authority), name=name, email=f"{name.split()[0].lower()}@example.org")
        for name in ("Ann Ash", "Quentin Quill", "Rhea Rowan")
    ]
    own_school = make_user(session, (Role.TEACHER, world.school_a), name="Olly Own")
    conflicted = make_user(session, (Role.MODERATOR, world.authority), name="Cora Conflict")
    session.add(ModeratorConflict(user_id=conflicted.id, school_id=world.school_a.id))
    seer = make_user(session, (Role.MODERATOR, world.authority), name="Sam Seen")
    revealed = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, lead=world.la_lead)
    make_entry(session, revealed, sample, {seer: "EXS"})
    round_.moderators += [RoundModerator(user_id=person.id) for person in (*free, own_school, conflicted, seer)]
    session.flush()
    sign_in(client, world.la_lead.email)
    page_url = f"/rounds/{round_.id}/entries/{entry.id}/allocation"

    pages = [text_of(client, f"{page_url}?page={number}") for number in (1, 2)]

    chosen = table(pages[0], f"Moderators chosen for sample {entry.blind_code}")
    assert "Mo Derr" in chosen and "Tom Birch" in chosen and "Submitted: stays" in chosen
    offered = [re.findall(r"<td[^>]*>([^<(]+) \(", table(page, "Moderators who can be added")) for page in pages]
    assert offered == [["Ann Ash", "Quentin Quill"], ["Rhea Rowan"]]
    assert all(name not in page for page in pages for name in ("Olly Own", "Cora Conflict", "Sam Seen"))
    assert "3 of the round's moderators are never offered for this sample" in pages[0]
    assert ">Add<" not in pages[0]  # two chosen, and the sample needs two: one must go first
    assert client.get(f"{page_url}?page=3").status_code == 404
    assert client.get(f"{page_url}?chosen=1,x").status_code == 400

    found = text_of(client, f"{page_url}?q=QUENTIN@")
    assert re.findall(r"<td[^>]*>([^<(]+) \(", table(found, "Moderators who can be added")) == ["Quentin Quill"]
    removed = text_of(client, f"{page_url}?chosen={world.teacher_b.id}")
    assert "Mo Derr" not in table(removed, f"Moderators chosen for sample {entry.blind_code}")
    quentin = free[1]
    offered_now = table(removed, "Moderators who can be added")
    assert "Mo Derr" in offered_now and f'href="{page_url}?chosen={world.teacher_b.id},{free[0].id}"' in offered_now
    staged = text_of(client, f"{page_url}?chosen={world.teacher_b.id},{quentin.id}")
    assert "These changes are not saved yet." in staged
    assert "Quentin Quill" in table(staged, f"Moderators chosen for sample {entry.blind_code}")

    picked = {"moderators": [world.teacher_b.id, quentin.id]}
    assert post_form(client, page_url, picked, page=page_url).status_code == 302
    session.expire_all()
    assert sorted(judgement.moderator_id for judgement in entry.live_judgements) == sorted(picked["moderators"])

    refused = post_form(client, page_url, {"moderators": [world.teacher_b.id, own_school.id]}, page=page_url)
    assert refused.status_code == 400
    assert f"Olly Own works at the school of sample {entry.blind_code}." in html.unescape(
        refused.get_data(as_text=True)
    )


def test_the_rounds_index_lists_the_rounds_one_may_read_a_page_at_a_time_newest_first(
    client: FlaskClient, session: Session, world: World, ks2_writing: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "ROUNDS_PER_PAGE", 2)
    mine = [
        make_round(session, world.authority, ks2_writing, RoundState.JUDGING, lead=world.la_lead, name=f"Round {n}")
        for n in (1, 2, 3)
    ]
    make_round(session, world.other_authority, ks2_writing, RoundState.JUDGING, name="Southshire round")
    for round_ in mine:
        take_part(session, round_, world.school_a)
    sign_in(client, world.lead_a.email)

    pages = [text_of(client, f"/rounds?page={number}") for number in (1, 2)]

    listed = [re.findall(r">(Round \d|Southshire round)</a>", table(page, "Rounds you take part in")) for page in pages]
    assert listed == [["Round 3", "Round 2"], ["Round 1"]]
    assert "3 rounds; showing 3 to 3, page 2 of 2." in pages[1]
    assert 'href="/rounds?page=2"' in pages[0]
    assert client.get("/rounds?page=3").status_code == 404
