"""A moderation round over the test world: schools A and B, three moderators, submitted samples with pages.

``judging_round`` is in the judging state with every sample allocated to k=2 moderators; its samples carry
everything a round hides (teacher's judgement, evidence claims, annotations with telling comments), so
tests can check that none of it reaches a moderator.
"""

import re
from collections import deque
from contextlib import AbstractContextManager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.ingestion.geometry import Box
from moderation_hub.organisations.models import School
from moderation_hub.rounds import assign, services
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundKind, RoundState
from moderation_hub.samples import pages as page_service
from moderation_hub.samples.models import EvidenceStatus, WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample, set_evidence, submit, update_sample
from tests.conftest import https_client, sign_in
from tests.factories import World, make_user
from tests.functional.conftest import statements_on
from tests.functional.samples.test_uploads import upload
from tests.unit.ingestion import samples as files

ORIGINAL_FILE_NAME = "Jasmine_Alder_Primary_final_draft.png"
ANNOTATION_COMMENT = "Secret annotation: strong cohesion across paragraphs"
COMMENTARY = "Teacher commentary: clearly greater depth throughout"


@pytest.fixture
def ks2_writing(app: Flask, session: Session) -> Framework:
    return next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks2-writing-ta")


def submitted_sample(
    app: Flask, session: Session, school: School, teacher: User, code: str, framework: Framework, standard_code: str
) -> WorkSample:
    """A sample made as a teacher makes one: uploaded through the pipeline, annotated, claimed, submitted."""
    sample = create_sample(school, framework, SampleDetails(code, 6, 2025), teacher)
    client = https_client(app)
    sign_in(client, teacher.email)
    assert upload(client, sample, (ORIGINAL_FILE_NAME, files.png_with_metadata((600, 800)))).status_code == 302
    session.expire_all()
    update_sample(sample, SampleDetails(code, 6, 2025, standard_code, COMMENTARY), sample.version, teacher)
    criterion = framework.criteria[0]
    page_service.add_annotation(sample.pages[0], Box(0.1, 0.1, 0.4, 0.3), ANNOTATION_COMMENT, [criterion], teacher)
    set_evidence(sample, criterion, EvidenceStatus.MET, "Claim note: see paragraph two", teacher)
    submit(sample, sample.version, teacher)
    session.flush()
    return sample


def judging_url(judgement: Judgement) -> str:
    """Where a moderator judges: the round and the sample's blind code, never a row id."""
    return f"/rounds/{judgement.entry.round_id}/judging/{judgement.entry.blind_code}"


@dataclass
class RoundWorld:
    round: ModerationRound
    samples_a: list[WorkSample]
    sample_b: WorkSample
    moderators: list[User]  # the LA moderator, a teacher at B, and a second LA moderator


@pytest.fixture
def collecting_round(app: Flask, session: Session, world: World, ks2_writing: Framework) -> RoundWorld:
    """Schools A and B asked for samples; A has entered two, B one; three moderators, none allocated yet."""
    round_ = services.create_round(
        world.authority,
        services.RoundSettings("Year 6 writing", RoundKind.LA_MODERATION, 2025, [ks2_writing.id]),
        world.la_lead,
    )
    part_a = services.add_school(round_, world.school_a, world.la_lead)
    part_b = services.add_school(round_, world.school_b, world.la_lead)
    second_moderator = make_user(
        session, (Role.MODERATOR, world.authority), email="moderator2@example.org", name="Second Moderator"
    )
    moderators = [world.moderator, world.teacher_b, second_moderator]
    for moderator in moderators:
        services.add_moderator(round_, moderator, None, world.la_lead)
    services.advance(round_, RoundState.COLLECTING, round_.version, world.la_lead)
    samples_a = [
        submitted_sample(app, session, world.school_a, world.teacher_a, code, ks2_writing, standard)
        for code, standard in (("Y6-001", "GDS"), ("Y6-002", "EXS"))
    ]
    sample_b = submitted_sample(app, session, world.school_b, world.teacher_b, "B6-001", ks2_writing, "WTS")
    for sample in samples_a:
        services.enter_sample(part_a, sample, world.lead_a)
    services.enter_sample(part_b, sample_b, world.la_lead)
    session.flush()
    return RoundWorld(round_, samples_a, sample_b, moderators)


@pytest.fixture
def judging_round(collecting_round: RoundWorld, world: World, session: Session) -> RoundWorld:
    round_ = collecting_round.round
    assign.allocate_round(round_, world.la_lead)
    services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    session.flush()
    return collecting_round


def selects_on(connection: Connection) -> AbstractContextManager[list[str]]:
    """The SELECT statements run on the test's connection while inside: the test's own and its requests'."""
    return statements_on(connection, "SELECT")


LINK = re.compile(r'(?:href|src|action)="([^"#]+)')


def crawl(
    client: FlaskClient, starts: list[str], followed: tuple[str, ...] = ("/",), limit: int = 400
) -> dict[str, tuple[bytes, dict[str, str]]]:
    """GET every same-site page, image and link reachable from ``starts`` whose path starts with one of
    ``followed``, following redirects by hand; each URL's body and headers."""
    seen: dict[str, tuple[bytes, dict[str, str]]] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen or not url.startswith(followed):
            continue
        with client.get(url) as response:  # closed, so a streamed file's handle is too
            seen[url] = (response.get_data(), dict(response.headers))
        if response.status_code in (301, 302, 303):
            queue.append(urlsplit(urljoin(url, response.headers["Location"])).path)
        if response.mimetype == "text/html":
            for link in LINK.findall(response.get_data(as_text=True)):
                parts = urlsplit(urljoin(url, link.replace("&amp;", "&")))
                if parts.netloc in ("", "localhost"):
                    queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def leaks(fetched: dict[str, tuple[bytes, dict[str, str]]], secrets: list[str]) -> list[str]:
    """Where any of ``secrets`` appears in a fetched URL, its headers or its body (case-insensitive)."""
    return [
        f"{secret!r} in {where} of {url}"
        for url, (body, headers) in fetched.items()
        for secret in secrets
        for where, text in (
            ("the URL", url),
            ("the headers", repr(headers)),
            ("the body", body.decode("utf-8", "replace")),
        )
        if secret.lower() in text.lower()
    ]
