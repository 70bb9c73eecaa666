"""A revealed blind round whose sample two moderators judged alike, and the standards file built on it."""

import datetime as dt
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.rounds.models import CriterionJudgement, ModerationRound, RoundEntry, RoundState, Verdict
from moderation_hub.samples.models import Annotation, Independence, Piece, WorkSample
from moderation_hub.standards import candidates, publication
from moderation_hub.standards.commentary import Commentary
from moderation_hub.standards.models import Exemplar, PublicationScope
from tests.conftest import https_client, sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round

PUPIL_TEXT = "The dragon slept under the hill while the village waited"


@pytest.fixture
def framework(session: Session) -> Framework:
    import_demo_frameworks()
    return session.scalar(select(Framework).where(Framework.slug == "ks2-writing-ta"))  # type: ignore[return-value]


def judged_sample(
    session: Session,
    world: World,
    framework: Framework,
    round_: ModerationRound,
    pupil_code: str,
    judged: dict[User, str],
    verdicts: dict[str, list[Verdict]] | None = None,
    agreed: str = "EXS",
) -> RoundEntry:
    """A sample of school A with one annotated page in piece A, entered in ``round_``, judged by ``judged``, with
    each criterion's verdicts (one per moderator, in order) and the agreed standard."""
    sample = make_ready_sample(session, world.school_a, world.teacher_a, framework, pupil_code, "EXS")
    piece = Piece(
        sample=sample, position=0, title="The dragon's hill", purpose="narrative", independence=Independence.INDEPENDENT
    )
    session.add(piece)
    session.flush()
    page = sample.pages[0]
    page.source_file.piece_id = piece.id
    page.text = PUPIL_TEXT
    criterion = next(c for c in framework.criteria if c.code == "EXS.1")
    page.annotations.append(
        Annotation(
            number=1, comment="Fronted adverbial used well", x0=0.1, y0=0.1, x1=0.5, y1=0.2, criteria=[criterion]
        )
    )
    entry = make_entry(session, round_, sample, dict(judged), agreed=agreed)
    by_code = {c.code: c for c in framework.criteria}
    for code, given in (
        verdicts or {"EXS.1": [Verdict.MET] * len(judged), "EXS.2": [Verdict.MET] * len(judged)}
    ).items():
        for judgement, verdict in zip(entry.judgements, given, strict=True):
            judgement.criteria.append(CriterionJudgement(criterion_id=by_code[code].id, verdict=verdict))
    session.flush()
    return entry


def revealed_round(
    session: Session, world: World, framework: Framework, name: str = "Year 6 writing"
) -> ModerationRound:
    return make_round(session, world.authority, framework, RoundState.REVEAL, lead=world.la_lead, name=name)


@dataclass
class Library:
    round: ModerationRound
    entry: RoundEntry
    exemplar: Exemplar

    @property
    def sample(self) -> WorkSample:
        return self.entry.sample


@pytest.fixture
def candidate(session: Session, world: World, framework: Framework) -> RoundEntry:
    round_ = revealed_round(session, world, framework)
    return judged_sample(session, world, framework, round_, "Y6-001", {world.moderator: "EXS", world.teacher_b: "EXS"})


def publish_through_services(world: World, entry: RoundEntry, scope: PublicationScope) -> Exemplar:
    """Promoted by the LA lead, permitted by school A's lead, checked by its lead (not the uploader), published."""
    exemplar = candidates.promote(entry, world.la_lead)
    details = publication.PermissionDetails("Parent (signed form)", clock.today() - dt.timedelta(days=3), scope, None)
    publication.record_permission(entry.sample, details, world.lead_a)
    publication.confirm_pages(exemplar, {1}, world.lead_a)
    written = Commentary(
        "EXS.1: fronted adverbials in piece A (annotation 1).",
        "Piece A shows no shift of formality for the reader, as GDS asks.",
    )
    publication.save_commentary(exemplar, written, exemplar.version, world.la_lead)
    publication.publish(exemplar, exemplar.version, world.la_lead)
    return exemplar


@pytest.fixture
def library(session: Session, world: World, candidate: RoundEntry) -> Library:
    exemplar = publish_through_services(world, candidate, PublicationScope.AUTHORITY)
    session.flush()
    return Library(candidate.round, candidate, exemplar)


def signed_in(app: object, person: User) -> FlaskClient:
    client = https_client(app)  # type: ignore[arg-type]
    sign_in(client, person.email)
    return client
