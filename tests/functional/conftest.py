"""The world the authorisation matrix and the form walk share: a draft page at school A and a round in judging."""

import io
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.rounds import assign, services
from moderation_hub.rounds.models import ModerationRound, RoundKind, RoundState
from moderation_hub.samples.models import FileStatus, Page, SampleState, SourceFile
from moderation_hub.samples.services import SampleDetails, create_sample
from moderation_hub.storage import storage
from tests.factories import World


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, "JPEG")
    return buffer.getvalue()


_TINY_JPEG = _jpeg()


@pytest.fixture
def framework_slug(app: Flask) -> str:
    return import_demo_frameworks()[0].framework.slug


@pytest.fixture
def page_a(world: World, framework_slug: str, session: Session) -> Page:
    """A draft sample at school A with one page whose images, and its file's kept original, are in storage."""
    framework = session.scalar(select(Framework).where(Framework.slug == "ks2-writing-ta"))
    sample = create_sample(world.school_a, framework, SampleDetails("Y6-900", 6, 2025), world.teacher_a)
    source = SourceFile(
        school_file_name="scan.jpg", kind="jpeg", byte_size=1, sha256="0" * 64, page_count=1, status=FileStatus.READY
    )
    sample.files.append(source)
    session.flush()
    keys = {}
    for name in ("master", "display", "thumbnail"):
        keys[f"{name}_key"] = storage().new_key()
        storage().put(keys[f"{name}_key"], _TINY_JPEG, "image/jpeg")
    source.original_key = storage().new_key()
    storage().put(source.original_key, _TINY_JPEG, "image/jpeg")
    page = Page(sample=sample, source_file=source, position=0, index_in_file=0, width=1, height=1, **keys)
    session.add(page)
    session.flush()
    return page


@pytest.fixture
def round_a(world: World, page_a: Page, session: Session) -> ModerationRound:
    """A round in judging with page A's sample entered, judged by the LA moderator and teacher B."""
    sample = page_a.sample
    sample.state = SampleState.SUBMITTED
    round_ = services.create_round(
        world.authority,
        services.RoundSettings("Matrix round", RoundKind.LA_MODERATION, 2025, [sample.framework_id]),
        world.la_lead,
    )
    part_a = services.add_school(round_, world.school_a, world.la_lead)
    services.add_school(round_, world.school_b, world.la_lead)
    for person in (world.moderator, world.teacher_b):
        services.add_moderator(round_, person, None, world.la_lead)
    services.advance(round_, RoundState.COLLECTING, round_.version, world.la_lead)
    services.enter_sample(part_a, sample, world.lead_a)
    assign.allocate_round(round_, world.la_lead)
    services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    session.flush()
    return round_


def matrix_ids(world: World, framework_slug: str, page: Page, round_: ModerationRound) -> dict[str, object]:
    entry = round_.entries[0]
    return {
        "round": round_.id,
        "part_a": next(t.id for t in round_.schools if t.school_id == world.school_a.id),
        "entry_a": entry.id,
        "judgement": next(j.id for j in entry.judgements if j.moderator_id == world.moderator.id),
        "code": entry.blind_code,
        "sample_a": page.sample_id,
        "page_a": page.id,
        "file_a": page.source_file_id,
        "teacher_a": world.teacher_a.id,
        "teacher_c": world.teacher_c.id,
        "school_a": world.school_a.id,
        "school_c": world.school_c.id,
        "authority": world.authority.id,
        "other_authority": world.other_authority.id,
        "cluster": world.cluster.id,
        "framework_slug": framework_slug,
    }


@contextmanager
def statements_on(connection: Connection, kind: str = "") -> Iterator[list[str]]:
    """The SQL statements (those beginning with ``kind``, e.g. "SELECT", when given) run on the test's connection
    while inside: the test's own and its requests', whose sessions join that connection."""
    statements: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(kind):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", keep)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", keep)
