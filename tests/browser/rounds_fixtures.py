"""The people and work of a small moderation round, made in a live app through the app's own services.

The browser does what a person does in the round; this makes what it cannot do quickly: an authority with
schools A and B (the test world of tests/factories.py), their people, two LA moderators, and school B's
submitted sample.
"""

import io
from dataclasses import dataclass

from PIL import Image
from sqlalchemy import select

from moderation_hub.accounts.models import Role, User
from moderation_hub.clock import current_academic_year
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.samples import uploads
from moderation_hub.samples.models import WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample, submit, update_sample
from tests import factories
from tests.browser.samples_fixtures import FRAMEWORK_SLUG, LiveApp

PASSWORD = factories.PASSWORD
SCHOOL_B_PUPIL = "B6-001"


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class SchoolTakingPart:
    name: str
    urn: str

    @property
    def choice(self) -> str:
        """The school as the round's "Add school" list names it."""
        return f"{self.name} (URN {self.urn})"


@dataclass(frozen=True)
class Cast:
    la_lead: Person
    moderators: tuple[Person, Person]
    teacher_a: Person
    lead_a: Person
    lead_b: Person
    school_a: SchoolTakingPart
    school_b: SchoolTakingPart


def seed_round_world(live: LiveApp) -> Cast:
    """Everyone in the round, and school B's sample submitted, ready for its assessment lead to enter."""
    with live.app.app_context(), db.transaction():
        world = factories.build_world(db.session)
        lead_b = factories.make_user(
            db.session, (Role.ASSESSMENT_LEAD, world.school_b), email="lead.b@example.org", name="Lee Birch"
        )
        second_moderator = factories.make_user(
            db.session, (Role.MODERATOR, world.authority), email="moderator2@example.org", name="Mona Second"
        )
        sample = create_sample(
            world.school_b,
            db.session.scalars(select(Framework).where(Framework.slug == FRAMEWORK_SLUG)).one(),
            SampleDetails(SCHOOL_B_PUPIL, 6, current_academic_year()),
            world.teacher_b,
        )
        uploads.accept_upload(sample, "letter.png", blank_png(), world.teacher_b)
        sample_id, teacher_id = sample.id, world.teacher_b.id
        cast = Cast(
            la_lead=_person(world.la_lead),
            moderators=(_person(world.moderator), _person(second_moderator)),
            teacher_a=_person(world.teacher_a),
            lead_a=_person(world.lead_a),
            lead_b=_person(lead_b),
            school_a=SchoolTakingPart(world.school_a.name, world.school_a.urn),
            school_b=SchoolTakingPart(world.school_b.name, world.school_b.urn),
        )
    _judge_and_submit(live, sample_id, teacher_id, "EXS")
    return cast


def _judge_and_submit(live: LiveApp, sample_id: int, teacher_id: int, standard_code: str) -> None:
    """Once the upload is committed and its job has made the page (JOB_IMMEDIATE), the sample can be submitted."""
    with live.app.app_context(), db.transaction():
        sample, teacher = db.session.get_one(WorkSample, sample_id), db.session.get_one(User, teacher_id)
        details = SampleDetails(sample.pupil_code, sample.year_group, sample.academic_year, standard_code)
        update_sample(sample, details, sample.version, teacher)
        submit(sample, sample.version, teacher)


def _person(user: User) -> Person:
    return Person(user.email, user.display_name)


def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), "white").save(buffer, "PNG")
    return buffer.getvalue()
