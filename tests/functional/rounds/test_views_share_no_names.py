"""Nothing a browser is given ties one view of a sample to another, or counts other schools' work: an image's
ETag differs between the school's, a moderator's and the panel's views; a moderator's judging pages carry no
row ids; and samples entered by widening during judging are mixed into the queue, not listed as a batch."""

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import services
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundEntry, RoundKind, RoundState
from moderation_hub.samples.models import Independence, Piece, WorkSample
from tests.conftest import https_client, sign_in
from tests.factories import World, make_ready_sample
from tests.functional.rounds.conftest import judging_url

# Row ids no test world reaches by counting, so finding one in a page can only mean the page shows it.
ENTRY_ID, JUDGEMENT_ID, PIECE_ID = 7_301_117, 7_302_229, 7_303_331


def _judging_round(world: World, framework: Framework) -> ModerationRound:
    round_ = services.create_round(
        world.authority,
        services.RoundSettings("Year 6 writing", RoundKind.LA_MODERATION, 2025, [framework.id]),
        world.la_lead,
    )
    services.add_school(round_, world.school_a, world.la_lead)
    services.add_moderator(round_, world.moderator, None, world.la_lead)
    round_.state = RoundState.JUDGING
    return round_


def _allocate(
    session: Session, round_: ModerationRound, sample: WorkSample, moderator_id: int, code: str, **ids: int
) -> Judgement:
    """Enter and allocate directly, with the row ids the test chooses."""
    entry = RoundEntry(id=ids.get("entry_id"), round=round_, sample=sample, school_id=sample.school_id, blind_code=code)
    judgement = Judgement(id=ids.get("judgement_id"), entry=entry, moderator_id=moderator_id)
    session.add_all([entry, judgement])
    session.flush()
    return judgement


@pytest.fixture
def judged(session: Session, world: World, ks2_writing: Framework) -> Judgement:
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "Y6-001", "EXS")
    session.add(Piece(id=PIECE_ID, sample=sample, position=0, title="Letter", independence=Independence.INDEPENDENT))
    round_ = _judging_round(world, ks2_writing)
    return _allocate(
        session, round_, sample, world.moderator.id, "QX7K2M", entry_id=ENTRY_ID, judgement_id=JUDGEMENT_ID
    )


def _etag(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.headers["Cache-Control"].startswith("private")
    etag = response.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304  # its own tag still caches
    return etag


def test_one_image_has_a_different_etag_and_url_in_each_view(
    app: Flask, session: Session, world: World, judged: Judgement
) -> None:
    page = judged.entry.sample.pages[0]
    school, moderator, panel = (https_client(app) for _ in range(3))
    sign_in(school, world.teacher_a.email)
    sign_in(moderator, world.moderator.email)
    sign_in(panel, world.la_lead.email)
    urls = [f"/pages/{page.id}/display.jpg", f"{judging_url(judged)}/pages/1/display.jpg"]
    tags = [_etag(school, urls[0]), _etag(moderator, urls[1])]
    judged.entry.round.state = RoundState.REVEAL
    session.flush()
    urls.append(f"/rounds/{judged.entry.round_id}/reveal/{judged.entry.blind_code}/pages/1/display.jpg")
    tags.append(_etag(panel, urls[2]))

    assert len(set(urls)) == len(set(tags)) == 3
    assert not any(page.display_key in tag for tag in tags)
    # One view's tag is not another's: the moderator's browser gets the whole image for the school's tag.
    assert moderator.get(urls[1], headers={"If-None-Match": tags[0]}).status_code == 200


def test_the_judging_pages_show_no_row_ids(app: Flask, session: Session, world: World, judged: Judgement) -> None:
    client = https_client(app)
    sign_in(client, world.moderator.email)
    url = judging_url(judged)
    queue = client.get(f"/rounds/{judged.entry.round_id}/judging").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    commented = client.post(
        f"{url}/comments",
        data={"page": "1", "comment": "Strong openers", "csrf_token": _csrf(page)},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "Strong openers" in commented and 'name="page" value="1"' in commented
    for body in (queue, page, commented):
        for row_id in (ENTRY_ID, JUDGEMENT_ID, PIECE_ID):
            assert str(row_id) not in body
        # Every number in a link is the round's or a page's: never the sample's, its page's or a comment's row.
        links = re.findall(r'(?:href|src|action)="(/rounds/[^"]*)"', body)
        assert links
        numbers = {int(n) for link in links for n in re.findall(r"(?<=[/=])\d+(?=[/?&.]|$)", link)}
        assert numbers <= {judged.entry.round_id, 1}, numbers


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_a_comment_is_removed_by_its_name_and_a_made_up_name_is_not_found(
    app: Flask, session: Session, world: World, judged: Judgement
) -> None:
    client = https_client(app)
    sign_in(client, world.moderator.email)
    url = judging_url(judged)
    client.post(
        f"{url}/comments", data={"page": "1", "comment": "Look here", "csrf_token": _csrf(client.get(url).text)}
    )
    page = client.get(url).text
    remove = re.search(r'action="([^"]+/comments/[0-9a-f]{32}/remove)"', page)
    assert remove

    made_up = f"{url}/comments/{'0' * 32}/remove"
    form = {"csrf_token": _csrf(page), "version": str(judged.version)}
    assert client.post(made_up, data=form).status_code == 404
    assert (
        client.post(f"{url}/comments", data={"page": "0", "comment": "x", "csrf_token": _csrf(page)}).status_code == 404
    )
    assert client.post(remove.group(1), data=form).status_code == 302
    session.expire_all()
    assert judged.comments == []


def test_a_sample_widened_during_judging_is_mixed_into_the_queue(
    app: Flask, session: Session, world: World, ks2_writing: Framework
) -> None:
    round_ = _judging_round(world, ks2_writing)
    for code, pupil in (("BBBBBB", "Y6-001"), ("DDDDDD", "Y6-002")):
        sample = make_ready_sample(session, world.school_b, world.teacher_b, ks2_writing, pupil, "EXS")
        _allocate(session, round_, sample, world.moderator.id, code)
    # Entered last, as widening enters them: allocated after the others, with the highest ids.
    for code, pupil in (("AAAAAA", "W6-001"), ("CCCCCC", "W6-002")):
        sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, pupil, "WTS")
        _allocate(session, round_, sample, world.moderator.id, code)
    client = https_client(app)
    sign_in(client, world.moderator.email)

    queue = client.get(f"/rounds/{round_.id}/judging").text

    assert re.findall(r"Sample ([A-Z]{6})</a>", queue) == ["AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"]
