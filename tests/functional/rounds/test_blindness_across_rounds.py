"""Blindness across rounds: nobody judges a sample blind whose identity they can see anywhere else.

One sample can sit in several rounds. These tests build rounds directly (samples inserted ready, no uploads) and
check each way its identity could reach someone judging it blind: allocation, a round revealed while they judge,
a sample entering a round they lead, a new role, and every page the moderator can reach.
"""

from dataclasses import replace

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.accounts.services import RoleGrant, grant_role
from moderation_hub.audit.models import AuditEvent
from moderation_hub.db import utcnow
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import School
from moderation_hub.rounds import assign, judging, services
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.models import JudgementState, ModerationRound, RoundEntry, RoundKind, RoundState
from moderation_hub.samples.models import WorkSample
from tests.conftest import https_client, sign_in
from tests.factories import World, make_ready_sample, make_user
from tests.functional.rounds.conftest import crawl, leaks

SEEN_COMMENTARY = "Commentary the panel read: a secure recount with varied openers"


@pytest.fixture
def second_moderator(session: Session, world: World) -> User:
    return make_user(session, (Role.MODERATOR, world.authority), email="moderator2@example.org", name="Second Mod")


def sample_at(session: Session, world: World, framework: Framework, code: str, school: School | None = None):
    school = school or world.school_a
    teacher = world.teacher_a if school is world.school_a else world.teacher_b
    return make_ready_sample(session, school, teacher, framework, code, "EXS", SEEN_COMMENTARY + " " + code)


def collecting(world: World, framework: Framework, name: str, moderators: list[User], k: int = 1, lead=None):
    """A round of schools A and B collecting samples, with these moderators and k judgements per sample."""
    settings = services.RoundSettings(name, RoundKind.LA_MODERATION, 2025, [framework.id], judgements_per_sample=k)
    round_ = services.create_round(world.authority, settings, lead or world.la_lead)
    for school in (world.school_a, world.school_b):
        services.add_school(round_, school, world.la_lead)
    for moderator in moderators:
        services.add_moderator(round_, moderator, None, world.la_lead)
    services.advance(round_, RoundState.COLLECTING, round_.version, world.la_lead)
    return round_


def enter(round_: ModerationRound, *samples: WorkSample) -> list[RoundEntry]:
    parts = {taking_part.school_id: taking_part for taking_part in round_.schools}
    return [services.enter_sample(parts[sample.school_id], sample, round_.lead) for sample in samples]


def judging_of(round_: ModerationRound, allocation: dict[RoundEntry, User] | None = None) -> ModerationRound:
    """Allocate (by hand where ``allocation`` says) and open judging."""
    for entry, moderator in (allocation or {}).items():
        assign.override(entry, [moderator.id], round_.lead)
    assign.allocate_round(round_, round_.lead)
    services.advance(round_, RoundState.JUDGING, round_.version, round_.lead)
    return round_


def revealed(round_: ModerationRound) -> ModerationRound:
    """Every judgement submitted at the school's standard, and the round revealed."""
    for entry in round_.entries:
        for judgement in entry.live_judgements:
            judgement.standard_id = entry.sample.teacher_judgement_id
            judgement.state, judgement.submitted_at = JudgementState.SUBMITTED, utcnow()
    services.advance(round_, RoundState.REVEAL, round_.version, round_.lead)
    return round_


def judges_of(round_: ModerationRound, sample: WorkSample) -> set[int]:
    entry = next(entry for entry in round_.entries if entry.sample_id == sample.id)
    return {judgement.moderator_id for judgement in entry.live_judgements}


def test_a_sample_revealed_to_a_moderator_is_never_given_to_them_blind_in_another_round(
    session: Session, world: World, ks2_writing: Framework, second_moderator: User
) -> None:
    seen = sample_at(session, world, ks2_writing, "A-SEEN")
    earlier = collecting(world, ks2_writing, "Autumn", [world.moderator, second_moderator], k=2)
    enter(earlier, seen)
    revealed(judging_of(earlier))

    fresh = sample_at(session, world, ks2_writing, "A-FRESH")
    later = collecting(world, ks2_writing, "Spring", [world.moderator, second_moderator, world.teacher_b])
    seen_entry, fresh_entry = enter(later, seen, fresh)
    for seed in range(8):  # whatever the seed, only the teacher from school B has not seen it
        later.seed = seed
        for judgement in [*seen_entry.judgements, *fresh_entry.judgements]:
            judgement.state = JudgementState.WITHDRAWN
        assign.allocate_round(later, world.la_lead)
        assert judges_of(later, seen) == {world.teacher_b.id}

    with pytest.raises(RoundError, match="can see elsewhere which school sent sample"):
        assign.override(seen_entry, [world.moderator.id], world.la_lead)
    later.judgements_per_sample = 2
    with pytest.raises(RoundError, match=r"2 can see elsewhere who it is from"):
        assign.allocate_round(later, world.la_lead)


def test_people_who_run_a_blind_round_do_not_judge_in_it(
    session: Session, world: World, ks2_writing: Framework
) -> None:
    round_ = collecting(world, ks2_writing, "Blind", [world.moderator])
    assert world.la_lead not in services.moderator_candidates(round_)
    with pytest.raises(RoundError, match="runs this round and sees which school sent each sample"):
        services.add_moderator(round_, world.la_lead, None, world.la_lead)

    round_.hide_school = round_.hide_teacher = round_.hide_teacher_judgement = False
    round_.hide_evidence = round_.hide_annotations = False
    assert world.la_lead in services.moderator_candidates(round_)  # nothing hidden: nobody is blind
    services.add_moderator(round_, world.la_lead, None, world.la_lead)


def test_a_round_revealed_while_a_panel_member_judges_its_sample_elsewhere_withholds_it_until_then(
    app: Flask, session: Session, world: World, ks2_writing: Framework, second_moderator: User
) -> None:
    shared, other = sample_at(session, world, ks2_writing, "A-SHARED"), sample_at(session, world, ks2_writing, "A-2")
    blind = collecting(world, ks2_writing, "Blind round", [world.moderator])
    enter(blind, shared)
    judging_of(blind)  # the moderator judges the shared sample blind here
    panel = collecting(world, ks2_writing, "Panel round", [world.moderator, second_moderator])
    shared_entry, other_entry = enter(panel, shared, other)
    revealed(judging_of(panel, {shared_entry: second_moderator, other_entry: world.moderator}))
    session.flush()

    client = https_client(app)
    sign_in(client, world.moderator.email)
    fetched = crawl(client, ["/", f"/rounds/{panel.id}/reveal"])
    index = fetched[f"/rounds/{panel.id}/reveal"][0].decode()
    assert other.pupil_code in index and "1 sample is withheld from you" in index
    assert client.get(f"/rounds/{panel.id}/reveal/{shared_entry.blind_code}").status_code == 404
    assert client.get(f"/rounds/{panel.id}/reveal/{shared_entry.blind_code}/pages/1/display.jpg").status_code == 404
    assert len(fetched) > 10
    assert leaks(fetched, [shared.pupil_code, shared.commentary]) == []

    revealed(blind)  # their own judging has ended: now they see it with the panel
    session.flush()
    assert client.get(f"/rounds/{panel.id}/reveal/{shared_entry.blind_code}").status_code == 200
    assert shared.pupil_code in client.get(f"/rounds/{panel.id}/reveal").get_data(as_text=True)


def test_a_sample_entering_a_round_its_blind_moderator_leads_is_taken_off_them(
    session: Session, world: World, ks2_writing: Framework
) -> None:
    shared = sample_at(session, world, ks2_writing, "A-LED")
    blind = judging_of(enter_and_return(collecting(world, ks2_writing, "Blind", [world.moderator]), shared))
    led_by_moderator = collecting(world, ks2_writing, "Their own meeting", [], lead=world.moderator)

    enter(led_by_moderator, shared)

    assert judges_of(blind, shared) == set()
    assert services.next_step(blind).first == "Allocate the samples to moderators"
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "judgement.withdrawn_not_blind"))


def enter_and_return(round_: ModerationRound, *samples: WorkSample) -> ModerationRound:
    enter(round_, *samples)
    return round_


def test_a_role_that_shows_the_sample_ends_unfinished_blind_work_and_reopening_is_refused(
    session: Session, world: World, ks2_writing: Framework
) -> None:
    unfinished, done = sample_at(session, world, ks2_writing, "A-NEW"), sample_at(session, world, ks2_writing, "A-OLD")
    blind = judging_of(enter_and_return(collecting(world, ks2_writing, "Blind", [world.moderator]), unfinished, done))
    submitted = next(j for e in blind.entries if e.sample_id == done.id for j in e.judgements)
    submitted.standard_id, submitted.state = done.teacher_judgement_id, JudgementState.SUBMITTED

    grant_role(world.moderator, RoleGrant(Role.TEACHER, school=world.school_a))

    assert judges_of(blind, unfinished) == set()  # withdrawn: someone still blind to it must judge it
    assert submitted.state is JudgementState.SUBMITTED  # made blind, so it stands
    with pytest.raises(RoundError, match="can now see elsewhere which school sent this sample"):
        judging.reopen(submitted, "Look again", world.la_lead)


def test_a_sample_judged_blind_in_two_rounds_stays_hidden_everywhere_when_one_reveals(
    app: Flask, session: Session, world: World, ks2_writing: Framework
) -> None:
    """Given the same sample in two rounds before either revealed, the moderator's report and every other page
    keep it hidden once the first reveals, until the second does."""
    twice = sample_at(session, world, ks2_writing, "A-TWICE")
    first = judging_of(enter_and_return(collecting(world, ks2_writing, "First", [world.moderator]), twice))
    judging_of(enter_and_return(collecting(world, ks2_writing, "Second", [world.moderator]), twice))
    revealed(first)
    session.flush()

    client = https_client(app)
    sign_in(client, world.moderator.email)
    fetched = crawl(client, ["/", "/reports", f"/rounds/{first.id}/reveal"])

    assert any(url.startswith("/reports/") for url in fetched)
    assert leaks(fetched, [twice.pupil_code, twice.commentary]) == []


def test_a_round_made_blind_after_allocation_takes_its_samples_off_those_who_can_see_them(
    session: Session, world: World, ks2_writing: Framework
) -> None:
    """With nothing hidden the LA lead may judge in her own round; hiding the school then withdraws her work."""
    settings = services.RoundSettings(
        "Open meeting",
        RoundKind.LA_MODERATION,
        2025,
        [ks2_writing.id],
        judgements_per_sample=1,
        hide_school=False,
        hide_teacher=False,
        hide_teacher_judgement=False,
        hide_evidence=False,
        hide_annotations=False,
    )
    round_ = services.create_round(world.authority, settings, world.la_lead)
    services.add_school(round_, world.school_a, world.la_lead)
    services.add_moderator(round_, world.la_lead, None, world.la_lead)
    services.advance(round_, RoundState.COLLECTING, round_.version, world.la_lead)
    sample = sample_at(session, world, ks2_writing, "A-OPEN")
    enter(round_, sample)
    assign.allocate_round(round_, world.la_lead)
    assert judges_of(round_, sample) == {world.la_lead.id}

    services.update_round(round_, replace(settings, hide_school=True), round_.version, world.la_lead)

    assert judges_of(round_, sample) == set()
