"""Every write a round's board or reports show raises the round's change counter, once per flush, in its transaction;
writes to other rounds, and what only reads or logs, leave it alone."""

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import assign, judging, reveal, services
from moderation_hub.rounds.changes import changes_of
from moderation_hub.rounds.judging import JudgementInput
from moderation_hub.rounds.models import Judgement, JudgementState, ModerationRound, RoundKind, RoundState
from tests.factories import World, make_ready_sample, make_school
from tests.functional.rounds.conftest import RoundWorld

RATIONALE = "Secure across the pieces."


def changes(session: Session, round_: ModerationRound) -> int:
    return changes_of(session, [round_.id])[0][1]


def moderator_of(session: Session, judgement: Judgement) -> User:
    return session.get_one(User, judgement.moderator_id)


def _first_judgement(round_world: RoundWorld) -> Judgement:
    return round_world.round.entries[0].live_judgements[0]


def _save_draft(session: Session, round_world: RoundWorld, _world: World) -> None:
    judgement = _first_judgement(round_world)
    judging.save_draft(judgement, JudgementInput("EXS", "So far"), judgement.version, moderator_of(session, judgement))


def _submit(session: Session, round_world: RoundWorld, _world: World) -> None:
    judgement = _first_judgement(round_world)
    assert (
        judging.submit(judgement, JudgementInput("EXS", RATIONALE), judgement.version, moderator_of(session, judgement))
        == []
    )


def _reopen(session: Session, round_world: RoundWorld, world: World) -> None:
    _submit(session, round_world, world)
    session.flush()
    before = changes(session, round_world.round)
    judging.reopen(_first_judgement(round_world), "Evidence missed", world.la_lead)
    session.flush()
    assert changes(session, round_world.round) > before


def _comment(session: Session, round_world: RoundWorld, _world: World) -> None:
    judgement = _first_judgement(round_world)
    page = round_world.round.entries[0].sample.pages[0]
    judging.add_comment(judgement, page, "Look at the second paragraph.", moderator_of(session, judgement))


def _override(_session: Session, round_world: RoundWorld, world: World) -> None:
    # A sample of school A, whose two moderators become another two of the three.
    entry = next(entry for entry in round_world.round.entries if entry.school_id == world.school_a.id)
    judging_now = sorted(judgement.moderator_id for judgement in entry.live_judgements)
    others = [user.id for user in round_world.moderators if user.id not in judging_now]
    assign.override(entry, [judging_now[0], others[0]], world.la_lead)


def _drop_moderator(_session: Session, round_world: RoundWorld, world: World) -> None:
    # The teacher at B: the other two may judge every sample between them.
    dropping = next(m for m in round_world.round.moderators if m.user_id == world.teacher_b.id)
    assign.drop_moderator(dropping, world.la_lead)


def _rename_school(_session: Session, _round_world: RoundWorld, world: World) -> None:
    world.school_a.name = "Alder Church of England Primary School"


def _rename_moderator(_session: Session, _round_world: RoundWorld, world: World) -> None:
    world.moderator.display_name = "Morgan Moderator-Jones"


def _school_judgement(_session: Session, round_world: RoundWorld, _world: World) -> None:
    sample = round_world.samples_a[0]
    sample.teacher_judgement = next(s for s in sample.framework.standards if s != sample.teacher_judgement)


def _settings(_session: Session, round_world: RoundWorld, _world: World) -> None:
    round_world.round.name = "Year 6 writing (again)"


def _withdrawn_judgement(_session: Session, round_world: RoundWorld, _world: World) -> None:
    _first_judgement(round_world).state = JudgementState.WITHDRAWN


@pytest.mark.parametrize(
    "write",
    [
        _save_draft,
        _submit,
        _reopen,
        _comment,
        _override,
        _drop_moderator,
        _rename_school,
        _rename_moderator,
        _school_judgement,
        _settings,
        _withdrawn_judgement,
    ],
    ids=lambda write: write.__name__.strip("_"),
)
def test_each_write_a_round_shows_raises_its_counter(
    session: Session,
    world: World,
    judging_round: RoundWorld,
    write: Callable[[Session, RoundWorld, World], None],
) -> None:
    before = changes(session, judging_round.round)
    write(session, judging_round, world)
    session.flush()
    assert changes(session, judging_round.round) > before


def test_setting_up_allocating_and_revealing_each_raise_the_counter(
    session: Session, world: World, collecting_round: RoundWorld, ks2_writing: Framework
) -> None:
    round_ = collecting_round.round
    seen = [changes(session, round_)]

    def raised() -> bool:
        session.flush()
        seen.append(changes(session, round_))
        return seen[-1] > seen[-2]

    assert seen[0] > 0  # made, schools and moderators added, samples entered by the fixture
    school = make_school(session, world.authority, "Hazel Primary School", cluster=world.cluster)
    part_c = services.add_school(round_, school, world.la_lead)
    assert raised()
    services.set_request(part_c, part_c.request_kind, 4, [], world.la_lead)
    assert raised()
    services.remove_school(part_c, world.la_lead)
    assert raised()
    moderator = services.add_moderator(round_, world.teacher_a, None, world.la_lead)
    assert raised()
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "NEW01", "EXS")
    part_a = next(part for part in round_.schools if part.school_id == world.school_a.id)
    entered = services.enter_sample(part_a, sample, world.lead_a)
    assert raised()
    services.withdraw_entry(entered, world.la_lead)
    assert raised()
    moderator.active = False
    assert raised()
    assign.allocate_round(round_, world.la_lead)
    assert raised()
    services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    assert raised()
    for entry in round_.entries:
        for judgement in entry.live_judgements:
            assert (
                judging.submit(
                    judgement, JudgementInput("EXS", RATIONALE), judgement.version, moderator_of(session, judgement)
                )
                == []
            )
    assert raised()
    services.advance(round_, RoundState.REVEAL, round_.version, world.la_lead)
    assert raised()
    entry = round_.entries[0]
    reveal.record_outcome(entry, "WTS", "The panel agreed", entry.version, world.la_lead)
    assert raised()


def test_one_flush_raises_the_counter_once_and_only_of_the_rounds_it_wrote_to(
    session: Session, world: World, judging_round: RoundWorld, ks2_writing: Framework
) -> None:
    other = services.create_round(
        world.authority,
        services.RoundSettings("Year 2 writing", RoundKind.LA_MODERATION, 2025, [ks2_writing.id]),
        world.la_lead,
    )
    session.flush()
    this_before, other_before = changes(session, judging_round.round), changes(session, other)

    for judgement in judging_round.round.entries[0].live_judgements:
        judgement.rationale = "Being written"
    judging_round.round.name = "Renamed in the same flush"
    session.flush()

    assert changes(session, judging_round.round) == this_before + 1
    assert changes(session, other) == other_before


def test_what_only_logs_or_renames_people_and_schools_elsewhere_leaves_the_counter_alone(
    session: Session, world: World, judging_round: RoundWorld
) -> None:
    before = changes(session, judging_round.round)
    record(world.la_lead.id, "round.audit_exported", judging_round.round)
    world.other_la_lead.display_name = "Someone not in this round"
    world.la_lead.email = "la.lead.new@example.org"
    session.flush()
    assert changes(session, judging_round.round) == before


def test_a_round_never_changed_through_the_application_counts_nought(session: Session) -> None:
    assert changes_of(session, [2**31 - 1]) == ((2**31 - 1, 0),)
