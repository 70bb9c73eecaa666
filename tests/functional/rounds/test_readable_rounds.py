"""``permissions.readable_rounds`` lists exactly the rounds ``can(user, ROUND_READ, round_)`` lets each person read,
for every role and every round of a varied world: rounds in each state, in two authorities, led by an LA lead, a
school's assessment lead or nobody, with schools and moderators (one dropped out) taking part or not."""

from flask_login import AnonymousUserMixin
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.permissions import Permission, can, readable_rounds
from moderation_hub.rounds.models import ModerationRound, RoundKind, RoundModerator, RoundState
from tests.factories import World, make_round, make_user, take_part


def varied_rounds(session: Session, world: World, framework: Framework) -> list[ModerationRound]:
    dropped_out = make_user(session, (Role.MODERATOR, world.authority), name="Dee Dropped")
    rounds = []
    for number, state in enumerate(RoundState):
        here = make_round(session, world.authority, framework, state, lead=world.la_lead)
        take_part(session, here, *((world.school_a,) if number % 2 else (world.school_a, world.school_b)))
        here.moderators += [RoundModerator(user_id=world.moderator.id), RoundModerator(user_id=world.teacher_b.id)]
        meeting = make_round(session, world.authority, framework, state, lead=world.lead_a, cluster=world.cluster)
        meeting.kind = RoundKind.CLUSTER_MEETING
        take_part(session, meeting, world.school_b)
        meeting.moderators.append(RoundModerator(user_id=dropped_out.id, active=False))
        unled = make_round(session, world.authority, framework, state)
        there = make_round(session, world.other_authority, framework, state, lead=world.other_la_lead)
        take_part(session, there, world.school_c)
        there.moderators.append(RoundModerator(user_id=world.teacher_c.id))
        rounds += [here, meeting, unled, there]
    session.flush()
    return rounds


def people(session: Session, world: World) -> list[User]:
    lead_b = make_user(session, (Role.ASSESSMENT_LEAD, world.school_b), name="Lou Birch")
    lead_c = make_user(session, (Role.ASSESSMENT_LEAD, world.school_c), name="Cal Cedar")
    both = make_user(session, (Role.TEACHER, world.school_a), (Role.LA_LEAD, world.other_authority), name="Two Hats")
    away = make_user(session, (Role.MODERATOR, world.other_authority), name="Far Away")
    gone = make_user(session, (Role.LA_LEAD, world.authority), name="Gone Lead")
    gone.is_active = False
    nobody = make_user(session, name="No Roles")
    dropped_out = session.scalars(select(User).where(User.display_name == "Dee Dropped")).one()
    named = [getattr(world, name) for name in World.__dataclass_fields__ if isinstance(getattr(world, name), User)]
    return [*named, lead_b, lead_c, both, away, gone, nobody, dropped_out]


def test_readable_rounds_are_those_can_lets_each_person_read(
    session: Session, world: World, ks2_writing: Framework
) -> None:
    rounds = varied_rounds(session, world, ks2_writing)
    everyone = people(session, world)
    session.flush()
    session.expire_all()

    disagreements = []
    for person in [*everyone, AnonymousUserMixin()]:
        listed = set(db.session.scalars(readable_rounds(person)))
        for round_ in rounds:
            if (round_.id in listed) != can(person, Permission.ROUND_READ, round_):
                disagreements.append(f"{getattr(person, 'display_name', 'anonymous')}: {round_.name} ({round_.id})")

    assert disagreements == []
    readers = {person.display_name: set(db.session.scalars(readable_rounds(person))) for person in everyone}
    assert readers["Ada Admin"] == {round_.id for round_ in rounds}
    assert readers["Laura Lead"] and readers["Lee Alder"] and readers["Dee Dropped"] and readers["Cy Cedar"]
    assert readers["Gone Lead"] == readers["No Roles"] == readers["Tess Alder"] == set()
