"""The round's rules, service by service: what a school is asked for, widening, allocation changes, late changes."""

import datetime as dt
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role
from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import assign, judging, reveal, services
from moderation_hub.rounds.errors import ChangedMeanwhileError, RoundError
from moderation_hub.rounds.models import EntryReason, JudgementState, RoundState, SampleRequestKind, Verdict
from moderation_hub.samples.models import WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.factories import World, make_user
from tests.functional.rounds.conftest import RoundWorld, submitted_sample


def _part(round_world: RoundWorld, school_id: int):
    return next(t for t in round_world.round.schools if t.school_id == school_id)


def test_what_a_school_still_has_to_submit(
    app: Flask, session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework
) -> None:
    part_a = _part(collecting_round, world.school_a.id)
    assert services.missing_for(part_a) == ["1 more pupil"]  # asked for 3, entered 2
    services.set_request(part_a, SampleRequestKind.NAMED, 0, ["y6-001", "Y6-050"], world.la_lead)
    assert services.missing_for(part_a) == ["Pupil Y6-050"]
    draft = create_sample(world.school_a, ks2_writing, SampleDetails("Y6-060", 6, 2025, "WTS"), world.teacher_a)
    services.set_request(part_a, SampleRequestKind.SPREAD, 2, [], world.la_lead)
    assert services.missing_for(part_a) == ["A pupil you judged Working towards the expected standard"]
    # A draft cannot leave the school, and says so.
    assert services.entry_problems(part_a, draft) == ["Pupil Y6-060's sample is still a draft: submit it first"]


def test_refusals_when_entering_a_sample(
    app: Flask, session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework
) -> None:
    round_ = collecting_round.round
    part_a = _part(collecting_round, world.school_a.id)
    with pytest.raises(RoundError, match="already entered"):
        services.enter_sample(part_a, collecting_round.samples_a[0], world.lead_a)
    with pytest.raises(RoundError, match="another school"):
        services.enter_sample(part_a, collecting_round.sample_b, world.lead_a)
    late = submitted_sample(app, session, world.school_a, world.teacher_a, "Y6-070", ks2_writing, "EXS")
    round_.submission_deadline = dt.date(2020, 1, 1)
    with pytest.raises(RoundError, match="deadline"):
        services.enter_sample(part_a, late, world.lead_a)


def test_widening_enters_every_submitted_pupil_at_the_standard_and_asks_for_the_rest(
    app: Flask, session: Session, world: World, judging_round: RoundWorld, ks2_writing: Framework
) -> None:
    part_a = _part(judging_round, world.school_a.id)
    also_gds = submitted_sample(app, session, world.school_a, world.teacher_a, "Y6-080", ks2_writing, "GDS")
    create_sample(world.school_a, ks2_writing, SampleDetails("Y6-081", 6, 2025, "GDS"), world.teacher_a)
    gds = next(s for s in ks2_writing.standards if s.code == "GDS")
    entered = services.widen_sample(part_a, gds, world.la_lead)
    assert [entry.sample for entry in entered] == [also_gds]
    assert entered[0].reason is EntryReason.WIDENED
    assert "Pupil Y6-081 (Working at greater depth within the expected standard; still a draft)" in (
        services.missing_for(part_a)
    )
    # Widened samples enter while judging is open and are then allocated like the rest.
    assign.allocate_round(judging_round.round, world.la_lead)
    assert len(entered[0].live_judgements) == 2


def test_judging_cannot_open_with_unallocated_samples(world: World, collecting_round: RoundWorld) -> None:
    round_ = collecting_round.round
    with pytest.raises(RoundError, match="not allocated"):
        services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    with pytest.raises(RoundError, match="cannot move"):
        services.advance(round_, RoundState.CLOSED, round_.version, world.la_lead)
    assert round_.state is RoundState.COLLECTING


def test_a_moderator_who_drops_out_hands_unfinished_work_to_others_under_the_rules(
    session: Session, world: World, judging_round: RoundWorld
) -> None:
    round_ = judging_round.round
    third = make_user(session, (Role.MODERATOR, world.authority), email="moderator3@example.org")
    services.add_moderator(round_, third, None, world.la_lead)
    leaving = next(m for m in round_.moderators if m.user_id == world.moderator.id)
    mine = [j for e in round_.entries for j in e.live_judgements if j.moderator_id == world.moderator.id]
    assert mine
    assert assign.drop_moderator(leaving, world.la_lead) == len(mine)
    assert all(j.state is JudgementState.WITHDRAWN for j in mine)
    for entry in round_.entries:
        judges = [j.moderator_id for j in entry.live_judgements]
        assert len(judges) == len(set(judges)) == 2
        assert world.moderator.id not in judges
    # Nobody is left who may take over school B's sample (teacher B works there): refused, and saying why.
    second = next(m for m in round_.moderators if m.user.email == "moderator2@example.org")
    entry_b = next(e for e in round_.entries if e.school_id == world.school_b.id)
    with pytest.raises(RoundError, match=rf"Sample {entry_b.blind_code} .* none is eligible"):
        assign.drop_moderator(second, world.la_lead)


def test_a_manual_allocation_that_breaks_a_rule_is_refused_with_the_reason(
    world: World, judging_round: RoundWorld
) -> None:
    entry_b = next(e for e in judging_round.round.entries if e.school_id == world.school_b.id)
    breach = rf"{world.teacher_b.display_name} works at the school of sample {entry_b.blind_code}\."
    with pytest.raises(RoundError, match=breach):
        assign.override(entry_b, [world.teacher_b.id, world.moderator.id], world.la_lead)


def test_a_late_change_needs_the_lead_and_is_logged(session: Session, world: World, judging_round: RoundWorld) -> None:
    judgement = next(
        j for e in judging_round.round.entries for j in e.live_judgements if j.moderator_id == world.moderator.id
    )
    given = judging.JudgementInput(standard_code="EXS", rationale="Secure")
    assert judging.submit(judgement, given, judgement.version, world.moderator) == []
    with pytest.raises(RoundError, match="Ask the round lead"):
        judging.save_draft(judgement, given, judgement.version, world.moderator)
    judging.reopen(judgement, "Moderator asked to look again at piece 2", world.la_lead)
    judging.submit(judgement, judging.JudgementInput("GDS", "On reflection"), judgement.version, world.moderator)
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_type == "judgement", AuditEvent.subject_id == judgement.id)
    ).all()
    reopened = next(e for e in events if e.action == "judgement.reopened")
    assert reopened.actor_id == world.la_lead.id
    assert reopened.details["before"]["state"] == "submitted" and reopened.details["after"]["state"] == "draft"
    assert reopened.details["reason"] == "Moderator asked to look again at piece 2"
    last = [e for e in events if e.action == "judgement.submitted"][-1]
    assert (last.details["before"]["standard"], last.details["after"]["standard"]) == ("EXS", "GDS")
    assert (last.details["before"]["state"], last.details["after"]["state"]) == ("draft", "submitted")
    assert [e.action for e in events].count("judgement.draft_saved") == 0  # each submission is one event
    assert judgement.standard.code == "GDS" and judgement.state is JudgementState.SUBMITTED


def test_auto_agreement_only_where_everyone_agrees(session: Session, world: World, judging_round: RoundWorld) -> None:
    round_ = judging_round.round
    for entry in round_.entries:
        for index, judgement in enumerate(entry.live_judgements):
            code = entry.sample.teacher_judgement.code
            if entry.school_id == world.school_b.id and index == 1:
                code = "EXS"  # one moderator disagrees with school B's WTS
            judging.submit(judgement, judging.JudgementInput(code, "Because"), judgement.version, judgement.moderator)
    round_.auto_agree = True
    services.advance(round_, RoundState.REVEAL, round_.version, world.la_lead)
    agreed = {entry.school_id: entry.auto_agreed for entry in round_.entries}
    assert agreed[world.school_b.id] is False and agreed[world.school_a.id] is True
    outcomes = {o.school.id: o.agreed for o in reveal.school_outcomes(round_)}
    assert outcomes == {world.school_a.id: True, world.school_b.id: None}
    entry_b = next(e for e in round_.entries if e.school_id == world.school_b.id)
    comparison = reveal.compare(entry_b)
    assert comparison.standards_disagree
    reveal.record_outcome(entry_b, "EXS", "Panel agreed EXS", entry_b.version, world.la_lead)
    outcomes = {o.school.id: o.agreed for o in reveal.school_outcomes(round_)}
    assert outcomes[world.school_b.id] is False
    with pytest.raises(RoundError, match="changed"):
        reveal.record_outcome(entry_b, "WTS", "Stale form", entry_b.version - 1, world.la_lead)


def test_samples_of_another_year_or_framework_cannot_enter(
    app: Flask, session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework
) -> None:
    part_a = _part(collecting_round, world.school_a.id)
    other_year = submitted_sample(app, session, world.school_a, world.teacher_a, "Y6-090", ks2_writing, "EXS")
    other_year.academic_year = 2024
    problems = services.entry_problems(part_a, other_year)
    assert problems == ["The round moderates 2025/26, not 2024/25"]
    assert isinstance(other_year, WorkSample)


@pytest.mark.parametrize(
    "change",
    [
        lambda criterion: judging.JudgementInput(verdicts={criterion: Verdict.MET}),
        lambda criterion: judging.JudgementInput(verdicts={criterion: Verdict.NOT_MET}, notes={criterion: "No."}),
    ],
    ids=["a verdict", "a note"],
)
def test_a_change_to_the_criteria_alone_moves_the_judgement_on_so_a_stale_tab_cannot_overwrite_it(
    session: Session, world: World, judging_round: RoundWorld, change: Callable[[int], judging.JudgementInput]
) -> None:
    judgement = next(
        j for e in judging_round.round.entries for j in e.live_judgements if j.moderator_id == world.moderator.id
    )
    criterion = judgement.entry.sample.framework.criteria[0].id
    judging.save_draft(
        judgement, judging.JudgementInput(verdicts={criterion: Verdict.NOT_MET}), judgement.version, world.moderator
    )
    session.flush()
    stale_tab = judgement.version
    judging.save_draft(judgement, change(criterion), stale_tab, world.moderator)
    session.flush()
    saved = judgement.verdicts()[criterion]

    with pytest.raises(ChangedMeanwhileError):
        judging.save_draft(judgement, judging.JudgementInput(), stale_tab, world.moderator)
    assert judgement.verdicts()[criterion] is saved


def test_saving_what_is_already_saved_leaves_the_judgement_where_it_was(
    session: Session, world: World, judging_round: RoundWorld
) -> None:
    """So an autosave that changed nothing does not turn the moderator's other tab stale."""
    judgement = next(
        j for e in judging_round.round.entries for j in e.live_judgements if j.moderator_id == world.moderator.id
    )
    same = judging.JudgementInput(standard_code="EXS", rationale="Secure")
    judging.save_draft(judgement, same, judgement.version, world.moderator)
    session.flush()
    version = judgement.version
    judging.save_draft(judgement, same, version, world.moderator)
    session.flush()
    assert judgement.version == version
