"""A whole round through the web pages: set-up, collecting, allocation, judging, reveal, outcomes, closing."""

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import JudgementState, ModerationRound, RoundState
from tests.conftest import https_client, post_form, sign_in
from tests.factories import World, make_user
from tests.functional.rounds.conftest import judging_url, submitted_sample


def _version(client: FlaskClient, url: str) -> str:
    match = re.search(r'name="version" type="hidden" value="(\d+)"', client.get(url).get_data(as_text=True))
    assert match, f"no version on {url}"
    return match.group(1)


def _advance(client: FlaskClient, round_id: int, target: str) -> str:
    url = f"/rounds/{round_id}"
    data = {"version": _version(client, url), "target": target}
    response = post_form(client, f"{url}/advance", data, page=url, follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_round_runs_from_set_up_to_closed_in_the_browser_pages(
    app: Flask, session: Session, world: World, ks2_writing: Framework
) -> None:
    lead = https_client(app)
    sign_in(lead, "la.lead@example.org")
    response = post_form(
        lead,
        "/rounds/new",
        {
            "name": "Summer Year 6 writing",
            "kind": "la_moderation",
            "cluster": "0",
            "frameworks": str(ks2_writing.id),
            "academic_year": "2025",
            "judgements_per_sample": "2",
            "hide_school": "y",
            "hide_teacher": "y",
            "hide_teacher_judgement": "y",
            "hide_evidence": "y",
            "hide_annotations": "y",
            "auto_agree": "y",
        },
    )
    assert response.status_code == 302
    round_ = session.query(ModerationRound).one()
    base = f"/rounds/{round_.id}"
    for school in (world.school_a, world.school_b):
        assert post_form(lead, f"{base}/schools", {"school": school.id}, page=base).status_code == 302
    second_moderator = make_user(session, (Role.MODERATOR, world.authority), name="Second Moderator")
    for person in (world.moderator, world.teacher_b, second_moderator):
        assert (
            post_form(lead, f"{base}/moderators", {"moderator": person.id, "phase": ""}, page=base).status_code == 302
        )
    # The lead sees every sample's school on the round's page, so is not offered as a moderator of the blind round.
    adding = lead.get(f"{base}/moderators/add").get_data(as_text=True)
    offered = re.search(r'<select[^>]*name="moderator".*?</select>', adding, re.S)
    assert offered is not None and world.la_lead.display_name not in offered.group(0)
    refused = post_form(lead, f"{base}/moderators", {"moderator": world.la_lead.id, "phase": ""}, page=base)
    assert "Choose someone who can moderate" in lead.get(refused.location).get_data(as_text=True)
    assert "The round is now &#39;Collecting samples&#39;" in _advance(lead, round_.id, "collecting")
    session.expire_all()
    assert round_.state is RoundState.COLLECTING

    # Judging cannot open before samples are entered and allocated.
    page = _advance(lead, round_.id, "judging")
    assert "No samples have been entered yet" in page
    session.expire_all()
    assert round_.state is RoundState.COLLECTING

    # The schools' assessment leads see what is missing and enter their samples.
    sample_a = submitted_sample(app, session, world.school_a, world.teacher_a, "Y6-010", ks2_writing, "EXS")
    sample_b = submitted_sample(app, session, world.school_b, world.teacher_b, "B6-010", ks2_writing, "GDS")
    school_lead = https_client(app)
    sign_in(school_lead, "lead.a@example.org")
    part_a = next(t for t in round_.schools if t.school_id == world.school_a.id)
    samples_page = f"{base}/schools/{part_a.id}/samples"
    assert "3 more pupils" in school_lead.get(samples_page).get_data(as_text=True)
    assert post_form(school_lead, samples_page, {"sample": sample_a.id}).status_code == 302
    assert "2 more pupils" in school_lead.get(samples_page).get_data(as_text=True)
    part_b = next(t for t in round_.schools if t.school_id == world.school_b.id)
    # A lead cannot enter another school's sample, even by posting its id.
    assert (
        post_form(
            school_lead, f"{base}/schools/{part_b.id}/samples", {"sample": sample_b.id}, page=samples_page
        ).status_code
        == 404
    )
    from moderation_hub.rounds import services  # noqa: PLC0415

    services.enter_sample(part_b, sample_b, world.la_lead)
    session.flush()

    page = _advance(lead, round_.id, "judging")
    assert "not allocated to 2 moderators yet" in page
    assert post_form(lead, f"{base}/allocate", {"version": _version(lead, base)}, page=base).status_code == 302
    session.expire_all()
    assert all(len(entry.live_judgements) == 2 for entry in round_.entries)
    for entry in round_.entries:
        own = {m.school_id for j in entry.live_judgements for m in j.moderator.memberships}
        assert entry.school_id not in own, "nobody judges their own school's work"
    _advance(lead, round_.id, "judging")
    session.expire_all()
    assert round_.state is RoundState.JUDGING

    # Each moderator judges through the judging page: a draft first, then submission.
    for judgement in [j for entry in round_.entries for j in entry.live_judgements]:
        moderator = https_client(app)
        sign_in(moderator, judgement.moderator.email)
        url = judging_url(judgement)
        assert f"Sample {judgement.entry.blind_code}" in moderator.get(f"/rounds/{round_.id}/judging").get_data(
            as_text=True
        )
        teacher_standard = judgement.entry.sample.teacher_judgement.code
        data = {"version": _version(moderator, url), "standard": teacher_standard, "rationale": "", "action": "save"}
        assert post_form(moderator, url, data).status_code == 302
        # Submitting without a rationale keeps the draft and says what is missing.
        data = {"version": _version(moderator, url), "standard": teacher_standard, "rationale": "", "action": "submit"}
        refused = post_form(moderator, url, data)
        assert "Explain your judgement in the rationale" in refused.get_data(as_text=True)
        criterion = ks2_writing.criteria[0]
        data |= {
            "version": _version(moderator, url),
            "rationale": "Secure across the collection",
            f"verdict-{criterion.id}": "met",
        }
        assert post_form(moderator, url, data).status_code == 302
    session.expire_all()
    assert all(j.state is JudgementState.SUBMITTED for e in round_.entries for j in e.live_judgements)

    # Reveal: every moderator agreed with the school, so the round's rule agreed the outcomes itself.
    _advance(lead, round_.id, "reveal")
    session.expire_all()
    assert round_.state is RoundState.REVEAL
    assert all(entry.auto_agreed and entry.agreed_standard for entry in round_.entries)
    reveal = lead.get(f"{base}/reveal").get_data(as_text=True)
    assert "Agreed" in reveal and "Alder Primary School" in reveal

    # The lead changes one outcome with the panel's rationale; school A is then "not agreed".
    entry_a = next(e for e in round_.entries if e.school_id == world.school_a.id)
    url = f"{base}/reveal/{entry_a.blind_code}"
    data = {"version": _version(lead, url), "standard": "WTS", "rationale": "Spelling not secure in independent work"}
    assert post_form(lead, url, data).status_code == 302
    _advance(lead, round_.id, "closed")
    session.expire_all()
    assert round_.state is RoundState.CLOSED

    outcome = school_lead.get(f"{base}/schools/{part_a.id}/outcome").get_data(as_text=True)
    assert "Not agreed" in outcome and "Y6-010" in outcome
    assert "Spelling not secure in independent work" in outcome
    assert "Secure across the collection" in outcome  # the moderators' rationale
    assert world.moderator.display_name not in outcome  # names are not shown unless the round says so
