"""The leak test: a moderator fetches everything they can reach in a round and finds nothing the round hides.

The samples of ``judging_round`` carry a teacher's name, judgement and commentary, evidence claims,
annotations with telling comments, and an uploaded file named after the pupil and school. The moderator
signs in, follows every link and image from their pages, saves a draft (the JSON the page's script
receives), and every body, header and URL is searched for any of those.
"""

import io
import re

from flask import Flask
from PIL import Image
from sqlalchemy.orm import Session

from moderation_hub.rounds.models import Judgement
from tests.conftest import csrf_token_from, https_client, sign_in
from tests.factories import World
from tests.functional.rounds.conftest import (
    ANNOTATION_COMMENT,
    COMMENTARY,
    ORIGINAL_FILE_NAME,
    RoundWorld,
    crawl,
    judging_url,
    leaks,
)

# What a moderator reaches "in a round". Elsewhere (the list of schools to declare a conflict with, say)
# school names are public: what must stay hidden is which school a sample comes from.
FOLLOWED = ("/rounds",)


def hidden_values(world: World, round_world: RoundWorld) -> list[str]:
    samples = [*round_world.samples_a, round_world.sample_b]
    return [
        world.school_a.name,
        world.school_b.name,
        world.school_a.urn,
        world.school_b.urn,
        world.teacher_a.display_name,
        world.teacher_a.email,
        ORIGINAL_FILE_NAME,
        ORIGINAL_FILE_NAME.rsplit(".", 1)[0],
        ANNOTATION_COMMENT,
        COMMENTARY,
        "Claim note",
        "school's judgement",
        *(sample.pupil_code for sample in samples),
    ]


def test_a_moderator_reaches_nothing_the_round_hides(
    app: Flask, session: Session, world: World, judging_round: RoundWorld
) -> None:
    round_ = judging_round.round
    judgement = session.query(Judgement).filter_by(moderator_id=world.moderator.id).first()
    assert judgement is not None
    client = https_client(app)
    sign_in(client, world.moderator.email)
    fetched = crawl(client, ["/rounds", f"/rounds/{round_.id}", f"/rounds/{round_.id}/judging"], FOLLOWED)

    # The crawl really reached the judging pages and every page image of the moderator's samples.
    judged = [j for e in round_.entries for j in e.live_judgements if j.moderator_id == world.moderator.id]
    for mine in judged:
        assert judging_url(mine) in fetched
        for number in range(1, len(mine.entry.sample.pages) + 1):
            for variant in ("display", "thumbnail"):
                body, headers = fetched[f"{judging_url(mine)}/pages/{number}/{variant}.jpg"]
                assert headers["Content-Type"] == "image/jpeg"
                image = Image.open(io.BytesIO(body))
                assert not image.info.get("exif") and not image.getexif(), "page images carry no metadata"

    # The JSON the autosave script receives.
    page = client.get(judging_url(judgement)).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    saved = client.post(
        judging_url(judgement),
        data={"csrf_token": csrf_token_from(page), "version": version, "standard": "EXS", "action": "save"},
        headers={"Accept": "application/json"},
    )
    assert saved.status_code == 200 and saved.is_json
    fetched["autosave"] = (saved.get_data(), dict(saved.headers))

    assert leaks(fetched, hidden_values(world, judging_round)) == []


def test_nothing_of_other_moderators_judgements_before_reveal(
    app: Flask, session: Session, world: World, judging_round: RoundWorld
) -> None:
    """A moderator never sees a fellow moderator's judgement of the same sample, nor the reveal pages."""
    round_ = judging_round.round
    shared = next(e for e in round_.entries if world.moderator.id in {j.moderator_id for j in e.live_judgements})
    other = next(j for j in shared.live_judgements if j.moderator_id != world.moderator.id)
    other.rationale = "A fellow moderator's rationale, not to be seen"
    session.flush()
    client = https_client(app)
    sign_in(client, world.moderator.email)
    fetched = crawl(client, [f"/rounds/{round_.id}/judging"], FOLLOWED)
    assert all(b"fellow moderator" not in body for body, _ in fetched.values())
    assert "fellow moderator" not in client.get(judging_url(other)).get_data(as_text=True)  # their own there
    assert client.get(f"/rounds/{round_.id}/reveal").status_code == 404
    assert client.get(f"/rounds/{round_.id}/reveal/{shared.blind_code}").status_code == 404


def test_a_round_that_shows_the_school_shows_it(
    app: Flask, session: Session, world: World, judging_round: RoundWorld
) -> None:
    """The hiding is the round's choice: with nothing hidden, the same page shows what the leak test forbids."""
    round_ = judging_round.round
    for rule in ("hide_school", "hide_teacher", "hide_teacher_judgement", "hide_evidence", "hide_annotations"):
        setattr(round_, rule, False)
    session.flush()
    judgement = next(
        j
        for e in round_.entries
        for j in e.live_judgements
        if j.moderator_id == world.moderator.id and e.school_id == world.school_a.id
    )
    client = https_client(app)
    sign_in(client, world.moderator.email)
    page = client.get(judging_url(judgement)).get_data(as_text=True)
    for shown in (world.school_a.name, world.teacher_a.display_name, COMMENTARY, ANNOTATION_COMMENT, "Claim note"):
        assert shown in page


def test_the_judging_page_says_what_the_round_shows_in_sentences(
    app: Flask, session: Session, world: World, judging_round: RoundWorld
) -> None:
    """Hiding the school leaves no stray full stop ('... (demo)..'); showing it reads as a sentence."""
    judgement = next(
        j
        for e in judging_round.round.entries
        for j in e.live_judgements
        if j.moderator_id == world.moderator.id and e.school_id == world.school_a.id
    )
    client = https_client(app)
    sign_in(client, world.moderator.email)
    hidden = re.sub(r"<[^>]+>", "", client.get(judging_url(judgement)).get_data(as_text=True))
    assert f"{judgement.entry.sample.framework.title}." in hidden and ".." not in hidden

    judging_round.round.hide_school = judging_round.round.hide_teacher = False
    session.flush()
    shown = re.sub(r"<[^>]+>", "", client.get(judging_url(judgement)).get_data(as_text=True))
    pupil = judgement.entry.sample.pupil_code
    assert f"{world.school_a.name}, pupil {pupil}, taught by {world.teacher_a.display_name}." in shown
