"""Every page of a round costs the same SQL statements whatever the round's size.

Each page is opened on a small round (2 schools of 2 samples, 2 moderators), then on the same round grown to
6 schools of 5 samples and 6 moderators, every sample judged by two of them: a page that loads something per
school, sample, moderator or judgement (a lazy load in a loop) runs more statements the second time.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.audit.models import AuditEvent
from moderation_hub.audit.services import record
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import School
from moderation_hub.rounds.models import JudgementState, ModerationRound, RoundEntry, RoundSchool, RoundState
from tests.conftest import sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_school, make_user, take_part
from tests.functional.conftest import statements_on

STANDARDS = ("WTS", "EXS", "GDS")
ASKED_FOR = 6  # pupils per school: more than either size enters, so each school still has something missing


@dataclass
class GrowingRound:
    """A round built directly, grown in place so that every id a page's URL names stays the same."""

    session: Session
    world: World
    framework: Framework
    round: ModerationRound
    schools: list[School] = field(default_factory=list)
    parts: list[RoundSchool] = field(default_factory=list)
    moderators: list[User] = field(default_factory=list)
    entries: list[RoundEntry] = field(default_factory=list)
    _pupils: Iterator[int] = field(default_factory=count)

    def grow(self, schools: int, samples_per_school: int, moderators: int) -> None:
        world = self.world
        while len(self.moderators) < moderators:
            self.moderators.append(make_user(self.session, (Role.MODERATOR, world.authority)))
        while len(self.schools) < schools:
            school = make_school(self.session, world.authority)
            self.schools.append(school)
            self.parts += take_part(self.session, self.round, school, count=ASKED_FOR)
        for school in self.schools:
            teacher = world.teacher_a if school == world.school_a else world.teacher_b
            while sum(entry.school_id == school.id for entry in self.entries) < samples_per_school:
                self._enter(school, teacher)

    def _enter(self, school: School, teacher: User) -> None:
        number = next(self._pupils)
        sample = make_ready_sample(
            self.session, school, teacher, self.framework, f"P{number:03d}", STANDARDS[number % 3]
        )
        pair = [self.moderators[number % len(self.moderators)], self.moderators[(number + 1) % len(self.moderators)]]
        judging = self.round.state is RoundState.JUDGING
        judged = {
            moderator: None if judging and moderator == self.world.moderator else STANDARDS[(number + place) % 3]
            for place, moderator in enumerate(pair)
        }
        agreed = STANDARDS[number % 3 if number % 4 else (number + 1) % 3] if number % 5 else None
        entry = make_entry(self.session, self.round, sample, judged, agreed=agreed if not judging else None)
        self.entries.append(entry)
        # What its log would hold: the sample entered, its judgements opened.
        record(self.world.la_lead.id, "round.sample_entered", self.round, entry_id=entry.id)
        for judgement in entry.judgements:
            record(judgement.moderator_id, "judgement.viewed", judgement)

    def ids(self) -> dict[str, object]:
        world = self.world
        entry = next(e for e in self.entries if e.school_id == world.school_a.id)
        mine = next(e for e in self.entries if any(j.moderator_id == world.moderator.id for j in e.judgements))
        submitted = next(j for e in self.entries for j in e.judgements if j.state is JudgementState.SUBMITTED)
        return {
            "round": self.round.id,
            "part_a": self.parts[0].id,
            "entry_a": entry.id,
            "code": entry.blind_code,
            "mine": mine.blind_code,
            "judgement": submitted.id,
            "first_event": self.session.scalar(
                select(func.min(AuditEvent.id)).where(AuditEvent.round_id == self.round.id)
            ),
        }


def growing_round(session: Session, world: World, framework: Framework, state: RoundState) -> GrowingRound:
    round_ = make_round(session, world.authority, framework, state, lead=world.la_lead, name="Growing round")
    built = GrowingRound(session, world, framework, round_)
    built.schools = [world.school_a, world.school_b]
    built.parts = take_part(session, round_, world.school_a, world.school_b, count=ASKED_FOR)
    built.moderators = [world.moderator, make_user(session, (Role.MODERATOR, world.authority))]
    built.grow(schools=2, samples_per_school=2, moderators=2)
    return built


@dataclass(frozen=True)
class Visit:
    """A page of a round in ``state``, opened by the person signed in as ``email``."""

    state: RoundState
    email: str
    url: str


LEAD, SCHOOL_LEAD, MODERATOR, TEACHER = (
    "la.lead@example.org",
    "lead.a@example.org",
    "moderator@example.org",
    ("teacher.a@example.org"),
)
COLLECTING, JUDGING, REVEAL, CLOSED = RoundState.COLLECTING, RoundState.JUDGING, RoundState.REVEAL, RoundState.CLOSED

VISITS = {
    "rounds index": Visit(JUDGING, LEAD, "/rounds"),
    "round page, collecting": Visit(COLLECTING, LEAD, "/rounds/{round}"),
    "round page, judging": Visit(JUDGING, LEAD, "/rounds/{round}"),
    "round page, revealed": Visit(REVEAL, LEAD, "/rounds/{round}"),
    "round settings": Visit(COLLECTING, LEAD, "/rounds/{round}/edit"),
    "adding a school": Visit(COLLECTING, LEAD, "/rounds/{round}/schools/add"),
    "adding a moderator": Visit(COLLECTING, LEAD, "/rounds/{round}/moderators/add"),
    "a school's request": Visit(COLLECTING, LEAD, "/rounds/{round}/schools/{part_a}/request"),
    "a sample's moderators": Visit(JUDGING, LEAD, "/rounds/{round}/entries/{entry_a}/allocation"),
    "a sample's moderators, found by name": Visit(JUDGING, LEAD, "/rounds/{round}/entries/{entry_a}/allocation?q=per"),
    "reopening a judgement": Visit(JUDGING, LEAD, "/rounds/{round}/judgements/{judgement}/reopen"),
    "the school's samples": Visit(COLLECTING, SCHOOL_LEAD, "/rounds/{round}/schools/{part_a}/samples"),
    "the school's outcome, revealed": Visit(REVEAL, SCHOOL_LEAD, "/rounds/{round}/schools/{part_a}/outcome"),
    "the school's outcome, closed": Visit(CLOSED, SCHOOL_LEAD, "/rounds/{round}/schools/{part_a}/outcome"),
    "judging queue": Visit(JUDGING, MODERATOR, "/rounds/{round}/judging"),
    "judging page": Visit(JUDGING, MODERATOR, "/rounds/{round}/judging/{mine}"),
    "conflicts": Visit(JUDGING, MODERATOR, "/conflicts"),
    "reveal index, lead": Visit(REVEAL, LEAD, "/rounds/{round}/reveal"),
    "reveal index, panel": Visit(REVEAL, MODERATOR, "/rounds/{round}/reveal"),
    "reveal entry": Visit(REVEAL, LEAD, "/rounds/{round}/reveal/{code}"),
    "audit log": Visit(JUDGING, LEAD, "/rounds/{round}/audit"),
    "audit log, changes only": Visit(JUDGING, LEAD, "/rounds/{round}/audit?views=hide"),
    "audit log, after its first event": Visit(JUDGING, LEAD, "/rounds/{round}/audit?after={first_event}"),
    "dashboard, LA lead": Visit(JUDGING, LEAD, "/dashboard"),
    "dashboard, moderator": Visit(JUDGING, MODERATOR, "/dashboard"),
    "dashboard, assessment lead collecting": Visit(COLLECTING, SCHOOL_LEAD, "/dashboard"),
    "dashboard, assessment lead revealed": Visit(REVEAL, SCHOOL_LEAD, "/dashboard"),
    "dashboard, teacher": Visit(REVEAL, TEACHER, "/dashboard"),
}


def statements_for(client: FlaskClient, connection: Connection, url: str) -> list[str]:
    """The statements of one request to ``url``, after one to warm what the app keeps between requests."""
    assert client.get(url).status_code == 200
    with statements_on(connection) as statements:
        response = client.get(url)
    assert response.status_code == 200, url
    return statements


@pytest.mark.parametrize("name", VISITS)
def test_a_page_runs_no_more_statements_for_a_larger_round(
    client: FlaskClient, connection: Connection, session: Session, world: World, ks2_writing: Framework, name: str
) -> None:
    visit = VISITS[name]
    built = growing_round(session, world, ks2_writing, visit.state)
    sign_in(client, visit.email)
    url = visit.url.format(**built.ids())

    small = statements_for(client, connection, url)
    built.grow(schools=6, samples_per_school=5, moderators=6)
    session.flush()
    large = statements_for(client, connection, url)

    assert len(built.entries) == 30
    assert len(large) <= len(small), "\n\n".join(large)


@pytest.mark.parametrize("email", [LEAD, SCHOOL_LEAD, MODERATOR, TEACHER, "admin@example.org"])
def test_the_rounds_index_runs_no_more_statements_for_more_rounds(
    client: FlaskClient, connection: Connection, session: Session, world: World, ks2_writing: Framework, email: str
) -> None:
    """Rounds led by the LA lead, school A taking part, its one sample (the same in every round) judged by the
    moderator: each role reads all of them (a teacher none), checked by the policy's query, not round by round."""
    sample = make_ready_sample(session, world.school_a, world.teacher_a, ks2_writing, "P001", "EXS")

    def add_rounds(number: int) -> None:
        for _ in range(number):
            round_ = make_round(session, world.authority, ks2_writing, RoundState.JUDGING, lead=world.la_lead)
            take_part(session, round_, world.school_a)
            make_entry(session, round_, sample, {world.moderator: None})

    add_rounds(2)
    sign_in(client, email)

    small = statements_for(client, connection, "/rounds")
    add_rounds(6)
    session.flush()
    large = statements_for(client, connection, "/rounds")

    assert len(large) <= len(small), "\n\n".join(large)
